"""Working-day arithmetic (statutory holidays and make-up working days) and the rules."""

from __future__ import annotations

import logging
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import chinese_calendar

log = logging.getLogger(__name__)
RULES_FILE = Path(__file__).with_name("data") / "rules.toml"


_warned: set[str] = set()


def _warn_unknown_year(year: int) -> None:
    """Say once per process, for the first year without an official calendar, what that
    means for deadlines and what to do about it."""
    if _warned:
        return
    _warned.add("calendar")
    log.warning(
        "the installed chinese-calendar %s has no official holidays for %d or later: "
        "deadlines in those years count Monday to Friday except 1 January, 1 May and "
        "1-3 October, so a deadline may fall on a Spring Festival holiday. When the State "
        "Council publishes the %d calendar, upgrade it (.venv/bin/pip install -U "
        "chinese-calendar) and restart the service.",
        getattr(chinese_calendar, "__version__", "package"),
        year,
        year,
    )


# Statutory holidays on fixed solar dates, for years whose official calendar (with the
# lunar holidays and make-up days) is not published yet.
_FIXED_HOLIDAYS = {(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)}


@cache
def is_working_day(day: date) -> bool:
    """A working day by the State Council's calendar. For a year not yet published:
    Monday to Friday except the fixed-date holidays (New Year, Labour Day, National Day)."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        _warn_unknown_year(day.year)
        return day.weekday() < 5 and (day.month, day.day) not in _FIXED_HOLIDAYS


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself not counted)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start)."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


@dataclass(frozen=True, slots=True)
class RewardLevel:
    level: int
    rate: float
    minimum_yuan: int


@dataclass(frozen=True, slots=True)
class Rules:
    accept_complaint: int
    resolve_complaint: int
    decide_tip: int
    notify_tip_reporter: int
    reward_levels: tuple[RewardLevel, ...]
    reward_cap_yuan: int

    def reward_fen(self, penalty_fen: int, level: int) -> int:
        """The tip reward for a fine, in fen: rate × fine, at least the level's minimum,
        never more than the cap (and nothing when there was no fine)."""
        if penalty_fen <= 0:
            return 0
        spec = next((r for r in self.reward_levels if r.level == level), None)
        if spec is None:
            raise ValueError(f"unknown reward level {level}")
        reward = max(round(penalty_fen * spec.rate), spec.minimum_yuan * 100)
        return min(reward, self.reward_cap_yuan * 100)


@cache
def default_rules() -> Rules:
    """The rules of ``complaints/data/rules.toml``, read once per process."""
    return load_rules()


def load_rules(path: Path | None = None) -> Rules:
    with (path or RULES_FILE).open("rb") as fh:
        data = tomllib.load(fh)
    d, r = data["deadlines"], data["rewards"]
    return Rules(
        accept_complaint=int(d["accept_complaint_working_days"]),
        resolve_complaint=int(d["resolve_complaint_working_days"]),
        decide_tip=int(d["decide_tip_working_days"]),
        notify_tip_reporter=int(d["notify_tip_reporter_working_days"]),
        reward_levels=tuple(
            RewardLevel(int(x["level"]), float(x["rate"]), int(x["minimum_yuan"]))
            for x in r["level"]
        ),
        reward_cap_yuan=int(r["cap_yuan"]),
    )
