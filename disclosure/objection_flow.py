"""The life of a grade objection as a pure state machine (no I/O).

    received ──verify (identity)──▶ received ──review──▶ reviewing ──uphold──▶ upheld
        │                                                    │
        └───────────────dismiss──────────────────────────────┴──dismiss──▶ dismissed

An objection is not acted on until staff have verified that the objector speaks for
the graded enterprise (``verify``): review, and so uphold, need it. Dismissing needs a
note, and so does upholding; upheld and dismissed are final. Every step is logged
(``objection_events``), like a case's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from infra.i18n import LocalizedError

STATUSES = ("received", "reviewing", "upheld", "dismissed")
FINAL = ("upheld", "dismissed")
ACTIONS = ("verify", "review", "uphold", "dismiss")
# the status a desk asks for, as the action that leads there
ACTION_FOR_STATUS = {"reviewing": "review", "upheld": "uphold", "dismissed": "dismiss"}
MAX_NOTE = 2000

_FROM: dict[str, tuple[str, ...]] = {
    "verify": ("received",),
    "review": ("received",),
    "uphold": ("reviewing",),
    "dismiss": ("received", "reviewing"),
}
_TO: dict[str, str | None] = {
    "verify": None,
    "review": "reviewing",
    "uphold": "upheld",
    "dismiss": "dismissed",
}
_NOTE_REQUIRED = ("uphold", "dismiss")


def N_(message: str) -> str:
    """Mark a message for extraction; translated where it is shown."""
    return message


class ObjectionError(LocalizedError):
    """An objection input that cannot be accepted; ``field`` names it.

    ``msgid`` is the English message with ``{placeholders}`` filled from ``params``,
    so each channel can show it in the reader's language (``localized()``).
    """

    status = 400

    def __init__(self, field: str, message: str, **params: Any) -> None:
        super().__init__(message, **params)
        self.field = field
        self.message = str(self)


class IllegalObjectionStep(ObjectionError):
    """A step the objection's state does not allow (HTTP 409)."""

    status = 409


@dataclass(frozen=True, slots=True)
class Step:
    """What an allowed action does: the status before and after, and the note to log."""

    action: str
    from_status: str
    to_status: str
    note: str | None
    verifies: bool = False


def check_note(note: Any, required: bool) -> str | None:
    if note is None or (isinstance(note, str) and not note.strip()):
        if required:
            raise ObjectionError("note", N_("a note is required for this decision"))
        return None
    if not isinstance(note, str):
        raise ObjectionError("note", N_("note must be text"))
    if len(note) > MAX_NOTE:
        raise ObjectionError("note", N_("note is longer than {limit} characters"), limit=MAX_NOTE)
    return note.strip()


def allowed_actions(status: str, verified: bool) -> list[str]:
    """The actions staff may take now, in the order a desk shows them."""
    allowed = []
    for action in ACTIONS:
        if status not in _FROM[action]:
            continue
        if action == "verify" and verified:
            continue
        if action == "review" and not verified:
            continue
        allowed.append(action)
    return allowed


def plan(status: str, verified: bool, action: str, note: Any = None) -> Step:
    """Check ``action`` against the objection's state; the step to apply, or an error."""
    if action not in ACTIONS:
        raise ObjectionError(
            "action", N_("action must be one of {choices}"), choices=", ".join(ACTIONS)
        )
    if status in FINAL:
        raise IllegalObjectionStep(
            "status",
            N_("this objection has been decided ({status}); it cannot change"),
            status=status,
        )
    if status not in _FROM[action]:
        raise IllegalObjectionStep(
            "status",
            N_("an objection that is {status} cannot be moved by {action}"),
            status=status,
            action=action,
        )
    if action == "verify" and verified:
        raise IllegalObjectionStep("identity", N_("the objector's identity is already verified"))
    if action == "review" and not verified:
        raise IllegalObjectionStep(
            "identity",
            N_("verify the objector's identity (credit code and contact) before the review"),
        )
    text = check_note(note, action in _NOTE_REQUIRED)
    return Step(action, status, _TO[action] or status, text, verifies=action == "verify")


def action_for_status(status: Any) -> str:
    """The action a request for ``status`` stands for (the desk's older status API)."""
    if not isinstance(status, str) or status not in STATUSES:
        raise ObjectionError(
            "status", N_("status must be one of {choices}"), choices=", ".join(STATUSES)
        )
    if status not in ACTION_FOR_STATUS:
        raise IllegalObjectionStep(
            "status", N_("an objection cannot be moved back to {status}"), status=status
        )
    return ACTION_FOR_STATUS[status]
