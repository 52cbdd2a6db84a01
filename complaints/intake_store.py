"""Writing filed cases: the rows, their ``filed`` log entries and ``case.filed`` outbox
events, for one submission or a group of them in one transaction (``intake_queue``).

A group is written as if its submissions were filed one after another: one duplicate
query for all of them, then one INSERT per table, and a case that repeats one of an
earlier submission of the same group is linked to it as it would have been.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.deadlines import Rules
from complaints.duplicates import Candidate, Probe, best_match, recent_candidates
from complaints.intake import (
    Draft,
    Filed,
    IntakeError,
    Submission,
    china_date,
    deadlines,
    prepare,
    replay,
    tracking_number,
)
from complaints.models import Case, CaseEvent
from complaints.outbox import announce
from disclosure.models import Enterprise
from infra.accounts import Department
from infra.security import Cipher, keyed_hash
from nlp.explain import RECORD_LANGS, record_key
from nlp.router import Router, RoutingResult

MAX_COMPANY = 200  # cases.company


async def file_case(
    session: AsyncSession,
    router: Router,
    cipher: Cipher,
    secret_key: str,
    sub: Submission,
    *,
    rules: Rules | None = None,
) -> Filed:
    """Route, store and log a new case in the caller's transaction (caller commits).

    A complaint needs a way to reach the complainant; a tip may be anonymous.
    Retries with the same idempotency key return the first case with the same code.
    """
    filed = await replay(session, sub, secret_key)
    if filed is not None:
        return filed
    return await store(session, cipher, secret_key, prepare(router, secret_key, sub, rules=rules))


async def store(session: AsyncSession, cipher: Cipher, secret_key: str, draft: Draft) -> Filed:
    """Write one draft's case(s) with their log entries and outbox events (caller commits)."""
    return (await store_many(session, cipher, secret_key, [draft]))[0]


async def store_many(
    session: AsyncSession, cipher: Cipher, secret_key: str, drafts: list[Draft]
) -> list[Filed]:
    """Write the case(s) of several drafts, their ``filed`` log entries and outbox events
    in the caller's transaction (caller commits), in a few statements whatever their
    number: one duplicate query, then one INSERT per table.

    The drafts are taken in order, as if filed one after another: a case may repeat one
    of an earlier draft of the same group, and is then linked to it.
    """
    for code in sorted({d.sub.department for d in drafts if d.sub.department is not None}):
        dept = await session.get(Department, code)
        if dept is None or not dept.active:
            raise IntakeError("department", "unknown department {code}", code=code)
    registered = await confirmed_enterprises(session, drafts)
    flat: list[tuple[int, Draft, Case]] = []  # (draft number, draft, case) in filing order
    for n, draft in enumerate(drafts):
        for i, (kind, routing) in enumerate(draft.parts):
            case = _new_case(
                draft.sub,
                draft.text_of(i),
                kind,
                routing,
                draft.anonymous,
                draft.now,
                draft.code,
                secret_key,
                cipher,
                draft.rules,
                registered,
            )
            flat.append((n, draft, case))
    probes = [Probe(c.text, c.enterprise_uscc, c.company, d.now) for _, d, c in flat]
    originals = _repeats(flat, await recent_candidates(session, probes))
    for (_, _, case), original in zip(flat, originals, strict=True):
        if isinstance(original, int):
            case.duplicate_of_id = original  # goes in with the row: no UPDATE
    for n, draft in enumerate(drafts):
        first = next(c for m, _, c in flat if m == n)
        first.idempotency_key = draft.sub.idempotency_key
    session.add_all([c for _, _, c in flat])
    await session.flush()
    for (n, _, case), original in zip(flat, originals, strict=True):
        if isinstance(original, tuple):
            case.duplicate_of_id = flat[original[0]][2].id
        first = next(c for m, _, c in flat if m == n)
        if case is not first:
            case.split_from_id = first.id
    numbers = {c.id: c.tracking_no for _, _, c in flat}
    wanted = {c.duplicate_of_id for _, _, c in flat if c.duplicate_of_id} - numbers.keys()
    if wanted:
        rows = await session.execute(select(Case.id, Case.tracking_no).where(Case.id.in_(wanted)))
        numbers.update({case_id: number for case_id, number in rows})
    for _, draft, case in flat:
        duplicate_no = numbers.get(case.duplicate_of_id) if case.duplicate_of_id else None
        _log_filed(session, case, draft.sub.channel, draft.now, duplicate_no)
    filed = []
    for n, draft in enumerate(drafts):
        cases = [c for m, _, c in flat if m == n]
        filed.append(Filed(cases[0], draft.code, draft.parts[0][1], related=tuple(cases[1:])))
    return filed


async def confirmed_enterprises(session: AsyncSession, drafts: list[Draft]) -> dict[str, str]:
    """The registered names of the enterprises people confirmed; an unknown code is a 400."""
    wanted = {d.sub.enterprise_uscc for d in drafts if d.sub.enterprise_uscc}
    if not wanted:
        return {}
    rows = await session.execute(
        select(Enterprise.uscc, Enterprise.name).where(Enterprise.uscc.in_(wanted))
    )
    found = {uscc: name for uscc, name in rows}
    if wanted - found.keys():
        raise IntakeError("company_uscc", "no enterprise is registered with this code")
    return found


def _about_the_same(a: Case, b: Case) -> bool:
    return bool(
        (a.enterprise_uscc and a.enterprise_uscc == b.enterprise_uscc)
        or (a.company and a.company == b.company)
    )


def _repeats(
    flat: list[tuple[int, Draft, Case]], stored: list[list[Candidate]]
) -> list[int | tuple[int] | None]:
    """What each case of a group repeats: a stored case's id, ``(position,)`` of an
    earlier case of the group (of another submission), or None. A chain of repeats
    points at its first case."""
    originals: list[int | tuple[int] | None] = []
    for k, ((n, _draft, case), candidates) in enumerate(zip(flat, stored, strict=True)):
        # earlier cases of the group are newer than any stored one: they come first
        in_group = [
            Candidate(-j - 1, flat[j][2].text, None)
            for j in range(k - 1, -1, -1)
            if flat[j][0] != n and _about_the_same(case, flat[j][2])
        ]
        match = best_match(case.text, in_group + candidates)
        if match is None:
            originals.append(None)
        elif match.id < 0:
            j = -match.id - 1
            originals.append(originals[j] if originals[j] is not None else (j,))
        else:
            originals.append(match.original_id or match.id)
    return originals


def _new_case(
    sub: Submission,
    text: str,
    kind: str,
    routing: RoutingResult,
    anonymous: bool,
    now: datetime,
    code: str,
    secret_key: str,
    cipher: Cipher,
    rules: Rules,
    registered: dict[str, str],
) -> Case:
    accept_due, resolve_due = deadlines(kind, china_date(now), rules)
    reasons = routing.reasons_record()
    # a person's confirmation wins; else the router's link, which it makes only on an
    # unambiguous strong match (nlp.router): never a weak fuzzy guess
    enterprise = sub.enterprise_uscc or routing.enterprise
    confirmed_name = registered.get(sub.enterprise_uscc) if sub.enterprise_uscc else None
    department = routing.department
    if sub.department is not None and sub.department != routing.department:
        department = sub.department
        chosen = routing.specs.get(department)
        zh_name, en_name = (chosen.name_zh, chosen.name_en) if chosen else (department, department)
        for lang in RECORD_LANGS:
            line = (
                f"提交人指定由{zh_name}办理。"
                if lang == "zh"
                else f"The person filing chose {en_name}."
            )
            for staff in (False, True):
                reasons[record_key(lang, staff)].append(line)
    return Case(
        tracking_no=tracking_number(now),
        access_code_hash=keyed_hash(secret_key, code),
        kind=kind,
        channel=sub.channel,
        text=text,
        lang=sub.lang,
        # the router may find a longer name in the text than the column holds
        company=(confirmed_name or sub.company or routing.company or "")[:MAX_COMPANY] or None,
        enterprise_uscc=enterprise,
        city=sub.city,
        address=sub.address,
        lat=sub.lat,
        lon=sub.lon,
        department=department,
        routed_department=routing.department,
        routing_confidence=routing.confidence,
        routing_reasons=reasons,
        status="received",
        anonymous=anonymous,
        contact_enc=None if anonymous else cipher.encrypt(sub.contact),
        reporter_name_enc=None if anonymous else cipher.encrypt(sub.reporter_name),
        bot_chat_id=None if anonymous else sub.bot_chat_id,
        created_at=now,
        accept_due=accept_due,
        resolve_due=resolve_due,
    )


def _log_filed(
    session: AsyncSession, case: Case, channel: str, now: datetime, duplicate_no: str | None
) -> None:
    data: dict[str, Any] = {"department": case.department, "kind": case.kind}
    if duplicate_no is not None:
        data["duplicate_of"] = duplicate_no
    if case.split_from_id is not None:
        data["split_from"] = case.split_from_id
    session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            actor=f"citizen:{channel}",
            action="filed",
            to_status="received",
            data=data,
        )
    )
    announce(
        session,
        "case.filed",
        {
            "case_id": case.id,
            "tracking_no": case.tracking_no,
            "department": case.department,
            "kind": case.kind,
            "channel": channel,
            "duplicate_of_id": case.duplicate_of_id,
            "split_from_id": case.split_from_id,
        },
        at=now,
    )
