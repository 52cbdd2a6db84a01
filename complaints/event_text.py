"""A case log entry as one sentence in the reader's language: who did what, with money in
yuan, departments by name and outcomes, reasons and deadlines in words.

No I/O: the desk passes the stored event and a department-name lookup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from complaints.labels import LABELS, N_
from infra.formatting import format_date, format_yuan
from infra.i18n import gettext

CHANNELS = {
    "web": N_("the web form"),
    "api": N_("the API"),
    "bot": N_("the Telegram bot"),
    "open311": N_("Open311"),
}


def _label(group: str, code: Any, lang: str) -> str:
    msgid = LABELS.get(group, {}).get(code) if isinstance(code, str) else None
    return gettext(msgid, lang) if msgid else str(code or "")


def _day(value: Any, lang: str) -> str:
    if isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value[:10]), lang)
        except ValueError:
            return value
    return format_date(value, lang) if isinstance(value, date) else ""


def _fen(value: Any, lang: str) -> str:
    return format_yuan(value if isinstance(value, int) else 0, lang)


def _new(changes: Mapping[str, Any], name: str) -> Any:
    pair = changes.get(name)
    return pair[1] if isinstance(pair, list | tuple) and len(pair) == 2 else None


def describe(
    event: Mapping[str, Any], department_name: Callable[[str], str], lang: str
) -> list[str]:
    """Sentences for one log entry (``action``, ``actor``, ``data`` as stored), first the
    event, then its note."""
    action = event.get("action")
    data = event.get("data") or {}
    changes = data.get("changes") or {}
    who = data.get("staff") or gettext("A staff member", lang)
    out: list[str] = []
    if action == "filed":
        channel = str(event.get("actor") or "").partition(":")[2]
        out.append(
            gettext("Filed through {channel} and routed to {department}.", lang).format(
                channel=gettext(CHANNELS[channel], lang) if channel in CHANNELS else channel,
                department=department_name(str(data.get("department") or "")),
            )
        )
        if data.get("duplicate_of"):
            text = gettext("Likely a duplicate of case {number}.", lang)
            out.append(text.format(number=data["duplicate_of"]))
    elif action == "accept":
        due = _new(changes, "resolve_due")
        if due:
            text = gettext("{who} accepted the case; resolution due by {due}.", lang)
            out.append(text.format(who=who, due=_day(due, lang)))
        else:
            out.append(gettext("{who} accepted the case.", lang).format(who=who))
    elif action == "reject":
        reason = _label("reject_reason", _new(changes, "reject_reason"), lang)
        text = gettext("{who} did not accept the case: {reason}.", lang)
        out.append(text.format(who=who, reason=reason or "—"))
    elif action == "transfer":
        pair = changes.get("department") or [data.get("from_department"), None]
        text = gettext("{who} transferred the case from {source} to {target}: “{reason}”.", lang)
        out.append(
            text.format(
                who=who,
                source=department_name(str(pair[0] or "")),
                target=department_name(str(pair[1] or "")),
                reason=data.get("reason") or "",
            )
        )
        if _new(changes, "accept_due"):
            text = gettext("The receiving department decides by {due}.", lang)
            out.append(text.format(due=_day(_new(changes, "accept_due"), lang)))
    elif action == "progress":
        if event.get("public", True):
            text = gettext("{who} recorded progress, shown to the citizen.", lang)
        else:
            text = gettext("{who} recorded progress for staff only.", lang)
        out.append(text.format(who=who))
    elif action == "resolve":
        out.append(_resolved(who, changes, lang))
    elif action == "close":
        out.append(gettext("{who} closed the case.", lang).format(who=who))
    elif action == "notify":
        out.append(gettext("{who} recorded that the reporter was told.", lang).format(who=who))
    elif action == "rate":
        text = gettext("The citizen rated the handling {rating} out of 5.", lang)
        out.append(text.format(rating=data.get("rating", "?")))
    elif action == "overdue":
        text = gettext("The deadline for the {deadline} ({due}) passed.", lang)
        deadline = _label("deadline", data.get("deadline"), lang)
        out.append(text.format(deadline=deadline, due=_day(data.get("due"), lang)))
    else:
        out.append(_label("action", str(action), lang))
    if data.get("note"):
        out.append(gettext("Note: {note}", lang).format(note=data["note"]))
    return out


def _resolved(who: str, changes: Mapping[str, Any], lang: str) -> str:
    outcome = _label("outcome", _new(changes, "outcome"), lang) or "—"
    parts = [gettext("{who} resolved the case: {outcome}.", lang).format(who=who, outcome=outcome)]
    recovered = _new(changes, "recovered_fen")
    if recovered:
        text = gettext("{amount} refunded or paid to the consumer.", lang)
        parts.append(text.format(amount=_fen(recovered, lang)))
    penalty = _new(changes, "penalty_fen")
    if penalty:
        parts.append(gettext("Fine: {amount}.", lang).format(amount=_fen(penalty, lang)))
    reward = _new(changes, "reward_fen")
    if reward:
        text = gettext("Reward to the reporter: {amount}.", lang)
        parts.append(text.format(amount=_fen(reward, lang)))
    days = _new(changes, "working_days")
    if isinstance(days, int):
        parts.append(gettext("Handled in {days} working days.", lang).format(days=days))
    return ("" if lang == "zh" else " ").join(parts)
