"""The life of a case as a pure state machine: which action is allowed when, and what it
changes. No I/O: the desk applies the returned plan to the stored case and logs it.

    received ──accept──▶ accepted ──progress──▶ in_progress ──resolve──▶ resolved ──close──▶ closed
       │  ▲                 │                                  ▲
       │  └──transfer       └──────────────resolve─────────────┘
       └──reject──▶ rejected ──close──▶ closed

Deadlines (working days, from ``rules.toml``): a complaint is accepted or rejected within
``accept_complaint`` days of receipt and resolved within ``resolve_complaint`` days of
acceptance; a tip is decided (accepted or rejected) within ``decide_tip`` days and a
real-name reporter is told the decision within ``notify_tip_reporter`` days of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from complaints.deadlines import Rules, add_working_days, working_days_between
from infra.characters import has_surrogate
from infra.i18n import LocalizedError

# 不予受理 reasons of the regulation (市场监督管理投诉举报处理暂行办法, art. 15)
REJECT_REASONS = (
    "outside_remit",
    "court_or_arbitration",
    "not_consumer_dispute",
    "over_three_years",
    "missing_materials",
    "other",
)
COMPLAINT_OUTCOMES = (
    "mediated",
    "refunded",
    "repaired",
    "replaced",
    "compensated",
    "mediation_failed",
)
TIP_OUTCOMES = ("case_opened", "not_substantiated")
INQUIRY_OUTCOMES = ("answered",)
OUTCOMES = {"complaint": COMPLAINT_OUTCOMES, "tip": TIP_OUTCOMES, "inquiry": INQUIRY_OUTCOMES}
# outcomes whose money amount is required (refund or compensation paid to the consumer)
AMOUNT_REQUIRED = ("compensated", "refunded")
ACTIONS = ("accept", "reject", "transfer", "progress", "resolve", "close", "notify")
OPEN = ("received", "accepted", "in_progress")
FINISHED = ("rejected", "resolved", "closed")
RATEABLE = ("resolved", "closed")
MAX_YUAN = Decimal("100000000")  # one hundred million yuan: far above any real amount

_FROM: dict[str, tuple[str, ...]] = {
    "accept": ("received",),
    "reject": ("received",),
    "transfer": ("received",),
    "progress": ("accepted", "in_progress"),
    "resolve": ("accepted", "in_progress"),
    "close": ("resolved", "rejected"),
    "notify": ("accepted", "in_progress", "rejected", "resolved", "closed"),
}
_TO: dict[str, str | None] = {
    "accept": "accepted",
    "reject": "rejected",
    "transfer": None,
    "progress": "in_progress",
    "resolve": "resolved",
    "close": "closed",
    "notify": None,
}


class WorkflowError(LocalizedError):
    """An action that the case's state or the given values do not allow.

    ``msgid`` is the English message with ``{placeholders}``; ``params`` fill them, so
    the web layer can translate before formatting.
    """

    status = 400

    def __init__(self, code: str, msgid: str, **params: Any) -> None:
        super().__init__(msgid, **params)
        self.code = code


class IllegalTransition(WorkflowError):
    status = 409


@dataclass(frozen=True, slots=True)
class CaseState:
    """What the state machine needs to know about a case."""

    kind: str
    status: str
    department: str
    anonymous: bool
    received: date
    notified: bool = False


@dataclass(slots=True)
class Plan:
    """What an allowed action changes: new status and the case fields to set."""

    action: str
    from_status: str
    to_status: str
    changes: dict[str, Any] = field(default_factory=dict)
    # the part of the log entry a citizen may see (the desk sees ``changes`` as well)
    public: bool = True


def allowed_actions(state: CaseState) -> list[str]:
    """The actions the desk may offer for a case in this state."""
    out = [a for a in ACTIONS if state.status in _FROM[a]]
    if "notify" in out and not _needs_notice(state):
        out.remove("notify")
    return out


def _needs_notice(state: CaseState) -> bool:
    return state.kind == "tip" and not state.anonymous and not state.notified


def _check_from(action: str, state: CaseState) -> str:
    if action not in _FROM:
        raise WorkflowError("unknown_action", "unknown action {action}", action=action)
    if state.status not in _FROM[action]:
        raise IllegalTransition(
            "illegal_transition",
            "cannot {action} a case that is {status}; allowed from: {allowed}",
            action=action,
            status=state.status,
            allowed=", ".join(_FROM[action]),
        )
    return _TO[action] or state.status


def parse_yuan(value: Any, name: str) -> int:
    """A non-negative amount in yuan (JSON number or decimal string) as integer fen."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise WorkflowError("invalid_amount", "{name} must be an amount in yuan", name=name)
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except InvalidOperation:
        raise WorkflowError(
            "invalid_amount", "{name} must be an amount in yuan", name=name
        ) from None
    if not amount.is_finite() or amount < 0 or amount > MAX_YUAN:
        raise WorkflowError(
            "invalid_amount", "{name} must be between 0 and {max} yuan", name=name, max=MAX_YUAN
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise WorkflowError("invalid_amount", "{name} has more than two decimals", name=name)
    return int(amount * 100)


def accept(state: CaseState, today: date, rules: Rules) -> Plan:
    to = _check_from("accept", state)
    changes: dict[str, Any] = {}
    if state.kind == "complaint":
        # the mediation deadline runs from acceptance, not from receipt
        changes["resolve_due"] = add_working_days(today, rules.resolve_complaint)
    if _needs_notice(state):
        changes["notify_due"] = add_working_days(today, rules.notify_tip_reporter)
    return Plan("accept", state.status, to, changes)


def reject(state: CaseState, reason: Any, today: date, rules: Rules) -> Plan:
    to = _check_from("reject", state)
    if reason not in REJECT_REASONS:
        raise WorkflowError(
            "invalid_reason",
            "reason must be one of: {choices}",
            choices=", ".join(REJECT_REASONS),
        )
    changes: dict[str, Any] = {"reject_reason": reason, "resolve_due": None}
    if _needs_notice(state):
        changes["notify_due"] = add_working_days(today, rules.notify_tip_reporter)
    return Plan("reject", state.status, to, changes)


def transfer(state: CaseState, department: Any, known: set[str], today: date, rules: Rules) -> Plan:
    """Send the case to another department; its acceptance clock restarts there."""
    to = _check_from("transfer", state)
    if not isinstance(department, str) or department not in known:
        raise WorkflowError(
            "invalid_department",
            "department must be one of: {choices}",
            choices=", ".join(sorted(known)),
        )
    if department == state.department:
        raise IllegalTransition(
            "same_department", "the case is already at {department}", department=department
        )
    days = rules.accept_complaint if state.kind == "complaint" else rules.decide_tip
    changes: dict[str, Any] = {
        "department": department,
        "accept_due": add_working_days(today, days),
    }
    if state.kind == "complaint":
        changes["resolve_due"] = add_working_days(changes["accept_due"], rules.resolve_complaint)
    return Plan("transfer", state.status, to, changes)


def progress(state: CaseState, public: bool) -> Plan:
    to = _check_from("progress", state)
    return Plan("progress", state.status, to, {}, public=public)


def resolve(
    state: CaseState,
    outcome: Any,
    today: date,
    rules: Rules,
    *,
    amount: Any = None,
    penalty: Any = None,
    reward_level: Any = None,
) -> Plan:
    """Record the outcome; for a tip that led to a fine, compute the reward from the rules."""
    to = _check_from("resolve", state)
    choices = OUTCOMES.get(state.kind, ())
    if outcome not in choices:
        raise WorkflowError(
            "invalid_outcome",
            "outcome of a {kind} must be one of: {choices}",
            kind=state.kind,
            choices=", ".join(choices),
        )
    changes: dict[str, Any] = {
        "outcome": outcome,
        "working_days": working_days_between(state.received, today),
    }
    if state.kind == "complaint":
        if amount is None and outcome in AMOUNT_REQUIRED:
            raise WorkflowError(
                "missing_amount", "amount_yuan is required for {outcome}", outcome=outcome
            )
        if amount is not None:
            changes["recovered_fen"] = parse_yuan(amount, "amount_yuan")
    elif state.kind == "tip" and outcome == "case_opened":
        if penalty is None:
            raise WorkflowError("missing_amount", "penalty_yuan is required for case_opened")
        changes["penalty_fen"] = parse_yuan(penalty, "penalty_yuan")
        changes["reward_fen"] = 0
        levels = {r.level for r in rules.reward_levels}
        if reward_level is not None:
            if isinstance(reward_level, bool) or reward_level not in levels:
                raise WorkflowError(
                    "invalid_reward_level",
                    "reward_level must be one of: {choices}",
                    choices=", ".join(str(x) for x in sorted(levels)),
                )
            # an anonymous reporter cannot be reached, so cannot be rewarded
            if not state.anonymous:
                changes["reward_fen"] = rules.reward_fen(changes["penalty_fen"], reward_level)
    return Plan("resolve", state.status, to, changes)


def close(state: CaseState) -> Plan:
    to = _check_from("close", state)
    return Plan("close", state.status, to, {})


def notify(state: CaseState) -> Plan:
    """Record that a real-name tip reporter was told the decision."""
    to = _check_from("notify", state)
    if not _needs_notice(state):
        raise IllegalTransition(
            "nothing_to_notify",
            "only a real-name tip reporter who was not told yet needs a notice",
        )
    return Plan("notify", state.status, to, {}, public=True)


def check_rating(status: str, already_rated: bool, rating: Any, comment: Any) -> None:
    """A rating is 1-5 with an optional comment, once, after the case is finished."""
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise WorkflowError("invalid_rating", "rating must be a whole number from 1 to 5")
    if comment is not None and (
        not isinstance(comment, str) or len(comment) > 1000 or has_surrogate(comment)
    ):
        raise WorkflowError("invalid_comment", "comment must be text of at most 1000 characters")
    if status not in RATEABLE:
        raise IllegalTransition("not_finished", "a case can be rated once it is resolved or closed")
    if already_rated:
        raise IllegalTransition("already_rated", "this case has already been rated")


def overdue_deadline(
    status: str,
    accept_due: date | None,
    resolve_due: date | None,
    notify_due: date | None,
    notified: bool,
    today: date,
) -> str | None:
    """Which deadline has passed for a case in this state ("accept", "resolve",
    "notify"), or None."""
    if status == "received" and accept_due and today > accept_due:
        return "accept"
    if status in ("accepted", "in_progress") and resolve_due and today > resolve_due:
        return "resolve"
    if notify_due and not notified and today > notify_due:
        return "notify"
    return None
