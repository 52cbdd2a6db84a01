"""Proposals and archive events in plain words, in the reader's language."""

from __future__ import annotations

from typing import Any

from credit.rules import GradeRules
from disclosure.grades import N_
from disclosure.labels import CASE_OUTCOME, CATEGORY, OBJECTION_STATUS, RECALL_STATUS, level_code
from infra.formatting import format_yuan
from infra.i18n import gettext

EVENT_TITLES = {
    "grade": N_("Grade published"),
    "recall": N_("Recall notice"),
    "complaint": N_("Complaint accepted"),
    "tip": N_("Tip decided"),
    "penalty": N_("Penalty imposed"),
    "objection": N_("Objection to a grade"),
}
STATUS = {
    "proposed": N_("Awaiting decision"),
    "accepted": N_("Accepted and published"),
    "overridden": N_("Another grade published"),
}
LEVELS = {"I": N_("Level I"), "II": N_("Level II"), "III": N_("Level III")}


def _points(value: float) -> str:
    return f"{value:+g}"


def explain(proposal: dict[str, Any], rules: GradeRules, lang: str) -> list[str]:
    """Why the proposal is what it is: base, each indicator that moved it, caps, reward."""
    ex = proposal["explanation"]
    base = ex["base"]
    lines = []
    if base.get("grade"):
        lines.append(
            gettext("Starts at {points} points from the {year} grade {grade}.", lang).format(
                points=f"{base['points']:g}", year=base["year"], grade=base["grade"]
            )
        )
    else:
        lines.append(
            gettext("Starts at {points} points: no earlier grade.", lang).format(
                points=f"{base['points']:g}"
            )
        )
    for item in ex["indicators"]:
        ind = rules.indicator(item["key"])
        lines.append(
            gettext("{indicator}: {count} → {points} points.", lang).format(
                indicator=ind.name(lang) if ind else item["key"],
                count=f"{item['count']:g}",
                points=_points(item["points"]),
            )
        )
    lines.append(
        gettext("Score {score}: grade {grade} by the thresholds.", lang).format(
            score=f"{proposal['score']:g}", grade=rules.grade_for(proposal["score"])
        )
    )
    for cap in ex["caps"]:
        rule = rules.cap_rule(cap["key"])
        if cap["key"] == "max_rise":
            text = gettext("A grade rises at most {steps} step(s) a year: at most {grade}.", lang)
            lines.append(text.format(steps=rules.max_rise, grade=cap["cap"]))
        else:
            lines.append(
                gettext("{rule}: at most {grade}.", lang).format(
                    rule=rule.name(lang) if rule else cap["key"], grade=cap["cap"]
                )
            )
    reward = ex["reward"]
    if reward["eligible"]:
        lines.append(
            gettext(
                "Eligible for the one-off reward of {amount} for a first AA or AAA grade.", lang
            ).format(amount=format_yuan(rules.reward_yuan * 100, lang))
        )
    elif reward["grade_qualifies"]:
        lines.append(
            gettext("Not eligible for the one-off reward: an earlier grade was AA or AAA.", lang)
        )
    return lines


def _label(table: dict[str, str], code: str | None, lang: str) -> str:
    if code is None:
        return ""
    return gettext(table[code], lang) if code in table else code


def event_title(event: dict[str, Any], lang: str) -> str:
    return gettext(EVENT_TITLES[event["type"]], lang)


def event_text(event: dict[str, Any], lang: str, departments: dict[str, str]) -> str:
    """One line describing an archive event (no case text, nobody's identity)."""
    kind = event["type"]
    if kind == "grade":
        return gettext("{year} grade {grade}, by {authority}", lang).format(
            year=event["year"], grade=event["grade"], authority=event["authority"] or "—"
        )
    if kind == "recall":
        level = level_code(event.get("level"))
        parts = [event["title"], _label(CATEGORY, event["category"], lang)]
        if level:
            parts.append(_label(LEVELS, level, lang))
        parts.append(_label(RECALL_STATUS, event["status"], lang))
        return " · ".join(p for p in parts if p)
    if kind in ("complaint", "tip"):
        outcome = event.get("outcome") or event["status"]
        department = departments.get(event["department"], event["department"])
        return f"{department} · {_label(CASE_OUTCOME, outcome, lang)}"
    if kind == "penalty":
        department = departments.get(event["department"], event["department"])
        amount = format_yuan(round(event["amount_yuan"] * 100), lang)
        return f"{department} · {amount}"
    grade = f"{event['grade_year']} {event['grade']}" if event.get("grade") else "—"
    return f"{grade} · {_label(OBJECTION_STATUS, event['status'], lang)}"
