"""Which cases a grade proposal weighs, in one place.

A case counts once a department has accepted it (accepted, in progress, resolved,
closed); a tip counts only after its decision (an outcome is recorded). A case that
is still waiting, or was rejected, never counts: an unverified case is no mark.
What the public sees (the archive, the company page, campaign reports) follows the
stricter rule of ``complaints.publication``.
"""

from __future__ import annotations

ACCEPTED_OR_LATER = ("accepted", "in_progress", "resolved", "closed")
EVIDENCE_KINDS = ("complaint", "tip")


def counts_publicly(kind: str, status: str, outcome: str | None) -> bool:
    """True when a complaint or tip may move a grade proposal."""
    if kind not in EVIDENCE_KINDS or status not in ACCEPTED_OR_LATER:
        return False
    return kind != "tip" or outcome is not None
