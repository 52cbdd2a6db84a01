"""Human words for the codes of a case (status, kind, reasons, outcomes), translated."""

from __future__ import annotations

from typing import Any

from infra.i18n import gettext
from nlp.explain import record_key


def N_(message: str) -> str:
    """Mark a msgid for translation where it is defined; translated where it is shown."""
    return message


def routing_reasons(stored: Any, lang: str, staff: bool = False) -> list[str]:
    """A case's routing reasons in ``lang`` (``zh``/``en``), for the citizen or for staff.

    New cases store every rendering (``zh``, ``en``, ``staff_zh``, ``staff_en``);
    cases filed before that stored one list, shown as it is.
    """
    if isinstance(stored, dict):
        return list(stored.get(record_key(lang, staff)) or stored.get(record_key("zh")) or [])
    return list(stored or [])


LABELS: dict[str, dict[str, str]] = {
    "status": {
        "received": N_("Received"),
        "accepted": N_("Accepted"),
        "rejected": N_("Not accepted"),
        "in_progress": N_("In progress"),
        "resolved": N_("Resolved"),
        "closed": N_("Closed"),
    },
    "kind": {
        "complaint": N_("Complaint"),
        "tip": N_("Tip"),
        "inquiry": N_("Inquiry"),
    },
    "reject_reason": {
        "outside_remit": N_("Outside this department's remit"),
        "court_or_arbitration": N_("Already before a court or arbitration"),
        "not_consumer_dispute": N_("Not a consumer dispute"),
        "over_three_years": N_("More than three years old"),
        "missing_materials": N_("Materials missing"),
        "other": N_("Other reason"),
    },
    "outcome": {
        "mediated": N_("Settled by mediation"),
        "refunded": N_("Refunded"),
        "repaired": N_("Repaired"),
        "replaced": N_("Replaced"),
        "compensated": N_("Compensated"),
        "mediation_failed": N_("Mediation failed"),
        "case_opened": N_("Investigation opened"),
        "not_substantiated": N_("Not substantiated"),
        "answered": N_("Answered"),
    },
    "action": {
        "filed": N_("Filed"),
        "accept": N_("Accepted"),
        "reject": N_("Not accepted"),
        "transfer": N_("Transferred"),
        "progress": N_("Progress"),
        "resolve": N_("Resolved"),
        "close": N_("Closed"),
        "notify": N_("Reporter informed"),
        "rate": N_("Rated"),
        "overdue": N_("Deadline passed"),
        "evidence": N_("Evidence added"),
        "evidence_purged": N_("Evidence deleted after the retention period"),
        "evidence_exported": N_("Evidence exported"),
        "link_enterprise": N_("Linked to a registered enterprise"),
        "unlink_enterprise": N_("Link to an enterprise removed"),
    },
    "deadline": {
        "accept": N_("acceptance decision"),
        "resolve": N_("resolution"),
        "notify": N_("notice to the reporter"),
    },
}


def label(group: str, code: str | None) -> str:
    """The translated word for ``code`` in ``group``; the code itself when unknown."""
    if code is None:
        return ""
    msgid = LABELS.get(group, {}).get(code)
    return gettext(msgid) if msgid else code
