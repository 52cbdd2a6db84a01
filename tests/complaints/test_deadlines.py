from datetime import date

import pytest

from complaints.deadlines import (
    add_working_days,
    is_working_day,
    load_rules,
    working_days_between,
)


def test_national_day_holiday_and_make_up_days_2026() -> None:
    # 2026-10-01..07 are holidays; Saturday 2026-10-10 is a make-up working day.
    assert not is_working_day(date(2026, 10, 5))
    assert is_working_day(date(2026, 9, 30))
    assert is_working_day(date(2026, 10, 10))  # a Saturday, worked
    # received on 30 September: the next working day is after the Golden Week
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    # 8, 9, 10 (Saturday, worked), 12, 13, 14, 15 October
    assert add_working_days(date(2026, 9, 30), 7) == date(2026, 10, 15)


def test_spring_festival_2026() -> None:
    # Spring Festival 2026: 15-23 February off, Saturday 14 February worked
    assert not is_working_day(date(2026, 2, 17))
    assert is_working_day(date(2026, 2, 14))
    assert add_working_days(date(2026, 2, 14), 1) == date(2026, 2, 24)


def test_plain_weeks_skip_weekends() -> None:
    # Monday 2026-11-02 + 5 working days = Monday 2026-11-09
    assert add_working_days(date(2026, 11, 2), 5) == date(2026, 11, 9)
    assert working_days_between(date(2026, 11, 2), date(2026, 11, 9)) == 5
    assert working_days_between(date(2026, 11, 9), date(2026, 11, 2)) == 0


def test_years_without_an_official_calendar_fall_back_to_weekdays() -> None:
    # 2027's holidays are not published in the calendar package yet
    assert is_working_day(date(2027, 3, 3))  # a Wednesday
    assert not is_working_day(date(2027, 3, 6))  # a Saturday
    assert not is_working_day(date(2027, 1, 1))  # New Year's Day, a fixed-date holiday
    assert not is_working_day(date(2027, 10, 1))
    assert add_working_days(date(2026, 12, 31), 2) == date(2027, 1, 5)


def test_rewards_follow_the_rule_set() -> None:
    rules = load_rules()
    assert rules.accept_complaint == 7 and rules.resolve_complaint == 45
    assert rules.decide_tip == 15 and rules.notify_tip_reporter == 5
    # 5% of a 200,000 yuan fine at level 1
    assert rules.reward_fen(200_000_00, 1) == 10_000_00
    # the level's minimum applies to small fines
    assert rules.reward_fen(10_000_00, 1) == 5_000_00
    assert rules.reward_fen(10_000_00, 3) == 1_000_00
    # the cap
    assert rules.reward_fen(100_000_000_00, 1) == 1_000_000_00
    # no fine, no reward
    assert rules.reward_fen(0, 1) == 0
    with pytest.raises(ValueError, match="level"):
        rules.reward_fen(100, 9)
