"""Display names of the codes published data uses (catalogue msgids, translated on display)."""

from __future__ import annotations

from disclosure.grades import N_
from infra.i18n import gettext

CATEGORY = {
    "food": N_("Food"),
    "consumer": N_("Consumer products"),
    "vehicle": N_("Motor vehicles"),
    "drug": N_("Drugs"),
    "device": N_("Medical devices"),
    "cosmetic": N_("Cosmetics"),
}
RECALL_STATUS = {
    "ongoing": N_("Recall ongoing"),
    "completed": N_("Recall completed"),
    "terminated": N_("Recall terminated"),
}
# Food and drug recalls have levels; the demo set writes them in Chinese.
LEVEL = {"I": N_("Level I"), "II": N_("Level II"), "III": N_("Level III")}
_LEVEL_ALIASES = {"一级": "I", "二级": "II", "三级": "III", "1": "I", "2": "II", "3": "III"}
# A case's outcome when it has one, else its status (the company page counts both).
CASE_OUTCOME = {
    "mediated": N_("Settled by mediation"),
    "refunded": N_("Settled by refund"),
    "repaired": N_("Settled by repair"),
    "replaced": N_("Settled by replacement"),
    "compensated": N_("Settled by compensation"),
    "case_opened": N_("Violation confirmed, case opened"),
    "not_substantiated": N_("Report not substantiated"),
    "received": N_("Received, awaiting acceptance"),
    "accepted": N_("Accepted, being handled"),
    "in_progress": N_("Accepted, being handled"),
    "rejected": N_("Not accepted"),
    "resolved": N_("Handled"),
    "closed": N_("Handled"),
}
OBJECTION_STATUS = {
    "received": N_("Received, awaiting review"),
    "reviewing": N_("Under review"),
    "upheld": N_("Objection upheld, grade corrected"),
    "dismissed": N_("Objection dismissed, grade confirmed"),
}


def label(table: dict[str, str], code: str | None) -> str:
    """The translated display name of ``code``, or the code itself when it has none."""
    if code is None:
        return ""
    return gettext(table[code]) if code in table else code


def level_code(level: str | None) -> str | None:
    if not level:
        return None
    return _LEVEL_ALIASES.get(level.strip(), level.strip())


def level_label(level: str | None) -> str:
    return label(LEVEL, level_code(level))
