"""Case intake: the one service every channel (web, API, bot, Open311) calls.

Splitting: the regulation asks that a message which is both a complaint and a tip be
handled as two cases. The router reads the message sentence by sentence; if at least
one sentence reads as a complaint and at least one as a tip, and the submitter left a
contact and did not ask for anonymity (a complaint cannot be anonymous), two cases are
filed: first the kind the submitter chose (the complaint when they left it to the
router), then the other one with ``split_from_id`` pointing at the first. Each case
stores only its own sentences (``split_text``): a complaint may be published, and no
sentence of a tip may ever be. Both open with the same access code.

Anonymity is never dropped: asking for it on anything but a tip is refused, since a
complaint needs a way to reach the person filing it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from complaints.deadlines import Rules, add_working_days, default_rules
from complaints.models import CHANNELS, KINDS, Case
from complaints.workflow import overdue_deadline
from infra.characters import has_surrogate
from infra.db import utcnow
from infra.i18n import LocalizedError
from infra.security import READABLE, bound_key, keyed_hash, readable_code
from nlp import uscc as uscc_codes
from nlp.router import Router, RoutingResult

CHINA = ZoneInfo("Asia/Shanghai")
MAX_TEXT = 5000
MAX_SPLIT_SENTENCES = 12
SURE_KIND = 0.8
_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]?")
_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7e]{8,80}$")


class IntakeError(LocalizedError):
    """The submission cannot be accepted as it is; ``field`` names what is wrong.

    ``msgid`` is the English message with ``{placeholders}`` filled from ``params``, so
    each channel can show it in the reader's language (``localized()``).
    """

    status = 400

    def __init__(self, field: str, message: str, **params: Any) -> None:
        super().__init__(message, **params)
        self.field = field


class IdempotencyConflict(IntakeError):
    """The idempotency key was already used for a different submission."""

    status = 409


@dataclass(slots=True)
class Submission:
    text: str
    channel: str
    kind: str | None = None  # the citizen's own choice; the router decides when None
    company: str | None = None
    # a registered enterprise a person confirmed (picked from the register's suggestions,
    # came from its page, or staff): the only way besides an unambiguous strong match
    # that a case is linked to an enterprise
    enterprise_uscc: str | None = None
    contact: str | None = None
    reporter_name: str | None = None
    anonymous: bool = False
    city: str | None = None
    lang: str = "zh"
    bot_chat_id: int | None = None
    idempotency_key: str | None = None
    received_at: datetime | None = None  # demo data and imports set this; else now
    department: str | None = None  # the submitter's own choice (an Open311 service code)
    address: str | None = None
    lat: float | None = None
    lon: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Filed:
    case: Case
    # a retry with the same idempotency key gets the same code back (derived from the key)
    access_code: str | None
    routing: RoutingResult | None
    replayed: bool = False
    # the other case(s) filed from the same message (the tip part of a split)
    related: tuple[Case, ...] = ()


def china_date(moment: datetime) -> date:
    return moment.astimezone(CHINA).date()


def tracking_number(moment: datetime) -> str:
    """``ZX`` + the date in China + six random characters: not guessable in sequence."""
    return f"ZX{china_date(moment):%Y%m%d}{readable_code(6)}"


def code_for_key(secret_key: str, idempotency_key: str) -> str:
    """The access code for a submission sent with an idempotency key: derived from the key
    under the secret, so a retry gets the same code back without it being stored."""
    digest = int(keyed_hash(secret_key, f"idempotency:{idempotency_key}"), 16)
    chars = []
    for _ in range(8):
        digest, i = divmod(digest, len(READABLE))
        chars.append(READABLE[i])
    return "".join(chars)


def client_key(secret_key: str, channel: str, client: str, key: str) -> str:
    """The stored idempotency key of ``key`` sent by ``client`` (an address): a keyed
    digest of both, so a replay answers only the client that filed the case and the
    stored key names no address."""
    return f"{channel}:{bound_key(secret_key, 'idempotency', client, key)[:40]}"


def _clean_text(text: str) -> str:
    # control characters other than newlines and tabs carry no meaning in a complaint
    return "".join(ch for ch in text if ch in "\n\t" or (ch >= " " and ch != "\x7f")).strip()


def _optional_text(value: Any, name: str, limit: int) -> None:
    if value is not None and (not isinstance(value, str) or has_surrogate(value)):
        raise IntakeError(name, "{name} must be text", name=name)
    if value is not None and len(value) > limit:
        raise IntakeError(name, "{name} is longer than {limit} characters", name=name, limit=limit)


def validate(sub: Submission) -> None:
    if sub.channel not in CHANNELS:
        raise IntakeError("channel", "unknown channel {channel}", channel=sub.channel)
    if not isinstance(sub.text, str) or not _clean_text(sub.text):
        raise IntakeError("text", "describe the problem")
    if has_surrogate(sub.text):
        raise IntakeError("text", "{name} must be text", name="text")
    if len(sub.text) > MAX_TEXT:
        raise IntakeError(
            "text", "the description is longer than {limit} characters", limit=MAX_TEXT
        )
    if sub.kind is not None and sub.kind not in ("complaint", "tip"):
        raise IntakeError("kind", "kind must be complaint or tip")
    _optional_text(sub.company, "company", 200)
    _optional_text(sub.enterprise_uscc, "company_uscc", 40)
    if sub.enterprise_uscc is not None:
        check = uscc_codes.validate(sub.enterprise_uscc)
        if not check.acceptable:
            raise IntakeError("company_uscc", "this is not a unified social credit code")
        sub.enterprise_uscc = check.code
    _optional_text(sub.contact, "contact", 200)
    _optional_text(sub.reporter_name, "name", 100)
    _optional_text(sub.address, "address", 200)
    _optional_text(sub.city, "city", 20)
    if not isinstance(sub.anonymous, bool):
        raise IntakeError("anonymous", "anonymous must be true or false")
    if sub.idempotency_key is not None and not _IDEMPOTENCY_KEY.match(sub.idempotency_key):
        raise IntakeError(
            "idempotency_key", "the idempotency key must be 8 to 80 printable ASCII characters"
        )
    for name, value, bound in (("lat", sub.lat, 90), ("long", sub.lon, 180)):
        if value is not None and not -bound <= value <= bound:
            raise IntakeError(
                name, "{name} must be between -{bound} and {bound}", name=name, bound=bound
            )
    # control characters mean nothing in these fields either, and PostgreSQL refuses NUL
    for name in ("company", "contact", "reporter_name", "address", "city"):
        value = getattr(sub, name)
        if isinstance(value, str):
            setattr(sub, name, _clean_text(value) or None)


@lru_cache(maxsize=1)
def _process_rules() -> Rules:
    return default_rules()


@lru_cache(maxsize=256)
def deadlines(kind: str, received: date, rules: Rules) -> tuple[date | None, date | None]:
    """(acceptance or decision deadline, resolution deadline) from the day of receipt.

    Cached: every case filed on one day has the same deadlines, and walking the
    holiday calendar day by day costs more than the rest of the intake."""
    if kind == "complaint":
        accept = add_working_days(received, rules.accept_complaint)
        return accept, add_working_days(accept, rules.resolve_complaint)
    if kind == "tip":
        return add_working_days(received, rules.decide_tip), None
    return None, None


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if len(s.strip()) >= 4]


def is_mixed(router: Router, text: str) -> bool:
    """True when some sentences clearly read as a complaint and others clearly as a tip.

    A sentence counts only when the router is sure of its kind: a fragment such
    as "第3栋。" says nothing either way and must not split a case in two."""
    parts = sentences(text)[:MAX_SPLIT_SENTENCES]
    if len(parts) < 2:
        return False
    kinds = set()
    for part in parts:
        routed = router.route(part)
        if routed.kind_confidence >= SURE_KIND:
            kinds.add(routed.kind)
    return {"complaint", "tip"} <= kinds


def split_text(router: Router, text: str) -> dict[str, str]:
    """The text of each case of a split message: {"complaint": ..., "tip": ...}.

    A sentence goes to the tip unless the router reads it as a complaint (or a
    question); a fragment too short to read stays with the sentence before it.
    Sentences beyond what is worth routing go to the tip, which is never published."""
    pieces = _SENTENCE.findall(text)
    out: dict[str, list[str]] = {"complaint": [], "tip": []}
    current = None
    for n, piece in enumerate(pieces):
        if len(piece.strip()) >= 4 or current is None:
            if n >= MAX_SPLIT_SENTENCES * 4 or len(piece.strip()) < 4:
                current = "tip"
            else:
                current = "tip" if router.route(piece).kind == "tip" else "complaint"
        out[current].append(piece)
    return {kind: "".join(parts).strip() for kind, parts in out.items()}


async def _replay(session: AsyncSession, sub: Submission, text: str, secret_key: str) -> Filed:
    existing = await session.scalar(select(Case).where(Case.idempotency_key == sub.idempotency_key))
    if existing is None:
        raise LookupError
    related = tuple(await session.scalars(select(Case).where(Case.split_from_id == existing.id)))
    # a split message's cases each hold their own sentences of the text
    own = [existing.text, *(c.text for c in related)]
    same = existing.text == text or (
        bool(related) and all(part in text for part in own) and sum(map(len, own)) <= len(text)
    )
    if not same or existing.channel != sub.channel:
        raise IdempotencyConflict(
            "idempotency_key", "this idempotency key was already used for another submission"
        )
    code = code_for_key(secret_key, sub.idempotency_key or "")
    return Filed(existing, code, None, replayed=True, related=related)


@dataclass(frozen=True, slots=True)
class Draft:
    """A validated, routed submission, ready to be stored (``prepare`` → ``store``)."""

    sub: Submission
    text: str
    code: str
    parts: tuple[tuple[str, RoutingResult], ...]
    anonymous: bool
    now: datetime
    rules: Rules
    # each part's own text when the message was split; empty: every part has ``text``
    texts: tuple[str, ...] = ()

    def text_of(self, n: int) -> str:
        return self.texts[n] if self.texts else self.text


async def replay(session: AsyncSession, sub: Submission, secret_key: str) -> Filed | None:
    """Check the submission; the case filed earlier with its idempotency key, or None."""
    validate(sub)
    if not sub.idempotency_key:
        return None
    try:
        return await _replay(session, sub, _clean_text(sub.text), secret_key)
    except LookupError:
        return None


def prepare(
    router: Router, secret_key: str, sub: Submission, *, rules: Rules | None = None
) -> Draft:
    """Validate and route a submission; no database work, so callers can do it before
    they take a write lock."""
    validate(sub)
    text = _clean_text(sub.text)
    rules = rules or _process_rules()
    routing = router.route(text, kind_hint=sub.kind, company_hint=sub.company)
    kind = sub.kind or routing.kind
    if kind not in KINDS:
        raise IntakeError("kind", "kind must be complaint or tip")
    if sub.anonymous and kind != "tip":
        raise IntakeError(
            "anonymous", "a complaint needs a way to reach you; choose tip to stay anonymous"
        )
    anonymous = sub.anonymous
    has_contact = bool(sub.contact and sub.contact.strip())
    if kind != "tip" and not has_contact:
        raise IntakeError("contact", "a complaint needs a way to reach you (phone or e-mail)")
    now = sub.received_at or utcnow()
    code = code_for_key(secret_key, sub.idempotency_key) if sub.idempotency_key else None
    code = code or readable_code(8)
    parts: tuple[tuple[str, RoutingResult], ...] = ((kind, routing),)
    texts: tuple[str, ...] = ()
    if kind != "inquiry" and has_contact and not sub.anonymous and is_mixed(router, text):
        first = sub.kind or "complaint"
        own = split_text(router, text)
        kinds = (first, "tip" if first == "complaint" else "complaint")
        texts = tuple(own[k] for k in kinds)
        parts = tuple(
            (k, router.route(own[k], kind_hint=k, company_hint=sub.company)) for k in kinds
        )
    return Draft(sub, text, code, parts, anonymous, now, rules, texts)


def missed_deadline(case: Case, today: date) -> str | None:
    """Which deadline of the case's current status has passed ("accept", "resolve",
    "notify"), or None."""
    return overdue_deadline(
        case.status,
        case.accept_due,
        case.resolve_due,
        case.notify_due,
        case.notified_at is not None,
        today,
    )


def is_overdue(case: Case, today: date) -> bool:
    """Past the deadline that applies to the case's current status."""
    return missed_deadline(case, today) is not None
