"""Staff link a case to a registered enterprise, or remove the link, at the desk.

At filing a case is linked only on an unambiguous strong match or the citizen's own
choice (``complaints.intake``); staff, who read the case, settle the rest. Each change
is an entry of the case log (staff only), with who made it, the codes before and after,
and the note.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from complaints.casework import MAX_NOTE
from complaints.models import Case, CaseEvent
from complaints.workflow import IllegalTransition, WorkflowError
from disclosure.models import Enterprise
from infra.accounts import Staff
from infra.characters import has_surrogate
from infra.db import utcnow
from nlp import uscc as uscc_codes


def _code(value: Any) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str) or has_surrogate(value):
        raise WorkflowError("invalid_uscc", "uscc must be a unified social credit code or null")
    check = uscc_codes.validate(value)
    if not check.acceptable:
        raise WorkflowError("invalid_uscc", "uscc must be a unified social credit code or null")
    return check.code


async def set_enterprise(
    session: AsyncSession,
    staff: Staff,
    case: Case,
    uscc: Any,
    note: Any = None,
    *,
    now: datetime | None = None,
) -> CaseEvent:
    """Link ``case`` to the registered enterprise ``uscc`` (None: unlink) and log it, in
    the caller's transaction."""
    code = _code(uscc)
    name = None
    if code is not None:
        enterprise = await session.get(Enterprise, code)
        if enterprise is None:
            raise WorkflowError("unknown_enterprise", "no enterprise is registered with this code")
        name = enterprise.name
    if note is not None and (not isinstance(note, str) or has_surrogate(note)):
        raise WorkflowError("invalid_note", "note must be text")
    if isinstance(note, str) and len(note) > MAX_NOTE:
        raise WorkflowError(
            "invalid_note", "note is longer than {limit} characters", limit=MAX_NOTE
        )
    old = case.enterprise_uscc
    if old == code:
        raise IllegalTransition("no_change", "the case is already linked that way")
    now = now or utcnow()
    case.enterprise_uscc = code
    data: dict[str, Any] = {
        "changes": {"enterprise_uscc": [old, code]},
        "staff": staff.name,
    }
    if name is not None:
        data["enterprise"] = name
    if isinstance(note, str) and note.strip():
        data["note"] = note.strip()
    event = CaseEvent(
        case_id=case.id,
        at=now,
        actor=f"staff:{staff.id}",
        action="link_enterprise" if code is not None else "unlink_enterprise",
        from_status=case.status,
        to_status=case.status,
        data=data,
        public=False,
    )
    session.add(event)
    await session.flush()
    return event
