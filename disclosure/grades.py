"""Quality-credit grade rules: the scale, what each grade means, which grade is current."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

GRADES = ("AAA", "AA", "A", "B", "C", "D")


def N_(message: str) -> str:
    """Mark a msgid for extraction (a Babel default keyword); translate it where shown."""
    return message


# English msgids of the catalogue: the API serves them as they are, pages and the bot
# translate them with ``_()`` at display time.
MEANING = {
    "AAA": N_("Excellent quality credit: a model of quality management (on-site review)"),
    "AA": N_("Good quality credit: sound quality management (on-site review)"),
    "A": N_("Sound quality credit: quality obligations met"),
    "B": N_("Basic quality credit: minor problems to correct"),
    "C": N_("Poor quality credit: serious problems, under close supervision"),
    "D": N_("Bad quality credit: dishonest conduct, listed for joint discipline"),
}
# A few words for badges and lists.
TITLE = {
    "AAA": N_("Excellent credit"),
    "AA": N_("Good credit"),
    "A": N_("Sound credit"),
    "B": N_("Basic credit"),
    "C": N_("Poor credit"),
    "D": N_("Bad credit"),
}
# Badge colours with at least 4.5:1 contrast against white text.
COLOUR = {
    "AAA": "#1b5e20",
    "AA": "#2e7d32",
    "A": "#33691e",
    "B": "#8a5a00",
    "C": "#b33c00",
    "D": "#b71c1c",
}


@dataclass(frozen=True, slots=True)
class GradeRecord:
    grade: str
    year: int
    valid_from: date | None
    valid_until: date | None
    authority: str | None = None

    def valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


def parse_grade(value: str) -> str | None:
    """A grade from user or file input (width- and case-folded), or None when unknown."""
    import unicodedata

    cleaned = unicodedata.normalize("NFKC", value).strip().upper().replace("级", "")
    return cleaned if cleaned in GRADES else None


def current_grade(history: Iterable[GradeRecord], today: date) -> GradeRecord | None:
    """The latest grade (by year) whose validity covers ``today``; None when none does."""
    valid = [g for g in history if g.valid_on(today)]
    return max(valid, key=lambda g: g.year, default=None)
