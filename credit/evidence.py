"""Which cases count as evidence against an enterprise, in one place.

A case counts once a department has accepted it (accepted, in progress, resolved,
closed); a tip counts only after its decision (an outcome is recorded). A case that
is still waiting, or was rejected, never counts: an unverified case is no mark.
"""

from __future__ import annotations

ACCEPTED_OR_LATER = ("accepted", "in_progress", "resolved", "closed")
EVIDENCE_KINDS = ("complaint", "tip")


def counts_publicly(kind: str, status: str, outcome: str | None) -> bool:
    """True when a complaint or tip may appear in an archive or move a grade."""
    if kind not in EVIDENCE_KINDS or status not in ACCEPTED_OR_LATER:
        return False
    return kind != "tip" or outcome is not None
