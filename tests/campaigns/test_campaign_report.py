"""The campaign figures, checked against twelve cases whose figures were worked out by hand.

The window is Quality Month 2025 (1-30 September, China time); the report date
is 30 November 2025.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from campaigns.figures import (
    CaseRow,
    SatisfactionPolicy,
    compute,
    figures_dict,
    rating_index,
    report_dict,
)
from campaigns.models import Campaign
from campaigns.windows import (
    CampaignError,
    campaign_on,
    check_spec,
    check_year,
    load_definitions,
    parse_month_day,
)

CHINA = ZoneInfo("Asia/Shanghai")
START, END, AS_OF = date(2025, 9, 1), date(2025, 9, 30), date(2025, 11, 30)
POLICY = SatisfactionPolicy(80, 85, frozenset({"zhijian", "nongye", "huanbao", "jianyan"}))


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CHINA)


def d(month: int, day: int) -> date:
    return date(2025, month, day)


U1, U2, U3 = "91320100MA1XXXXX01", "91320500MA1XXXXX02", "91320300MA1XXXXX03"

CASES = [
    # 1: received 00:30 on 1 September China time (still 31 August in UTC)
    CaseRow("complaint", "web", "gongshang", "closed", at(9, 1, 0, 30), "南京", "retail",
            "甲超市", U1, "南京甲超市有限公司", d(9, 10), d(11, 12), at(9, 3), at(9, 20),
            outcome="refunded", recovered_fen=120_000, working_days=14, rating=5),
    # 2: accepted a day after its deadline
    CaseRow("complaint", "bot", "gongshang", "closed", at(9, 2), "南京", "retail",
            "甲超市", U1, "南京甲超市有限公司", d(9, 11), d(11, 13), at(9, 12), at(10, 20),
            outcome="mediated", working_days=30, rating=3),
    # 3: not accepted
    CaseRow("complaint", "web", "shiyaojian", "rejected", at(9, 5), "苏州", "food",
            "乙餐厅", accept_due=d(9, 15), reject_reason="outside_remit", working_days=2),
    # 4: accepted, still open past its resolution deadline
    CaseRow("complaint", "api", "zhijian", "in_progress", at(9, 8), "苏州", "special_equipment",
            "丙电梯", U2, "丙电梯公司", d(9, 17), d(11, 20), at(9, 9)),
    # 5: a tip that led to a fine and a reward
    CaseRow("tip", "web", "zhijian", "closed", at(9, 10), "无锡", "product_quality",
            "丙电梯", U2, "丙电梯公司", d(9, 30), None, at(9, 12), at(10, 10),
            outcome="case_opened", penalty_fen=5_000_000, reward_fen=500_000, working_days=20),
    # 6: an anonymous tip, not substantiated
    CaseRow("tip", "bot", "huanbao", "closed", at(9, 12), "无锡", "pollution",
            "丁化工", accept_due=d(10, 9), accepted_at=at(9, 15), resolved_at=at(9, 30),
            outcome="not_substantiated", working_days=11, rating=2),
    # 7: an inquiry: counted as received, in no rate
    CaseRow("inquiry", "web", "triage", "closed", at(9, 15)),
    # 8: never decided, past its acceptance deadline
    CaseRow("complaint", "open311", "jiaotong", "received", at(9, 20), "南京", "taxi",
            "戊出租", accept_due=d(9, 29)),
    # 9: handling time not recorded: 24 working days by the calendar (National Day
    #    1-8 October off; Sunday 28 September and Saturday 11 October worked)
    CaseRow("complaint", "web", "nongye", "closed", at(9, 22), "徐州", "agri_inputs",
            "己种业", U3, "己种业有限公司", d(10, 9), d(12, 15), at(9, 25), at(10, 30),
            outcome="compensated", recovered_fen=350_050, rating=4),
    # 10: 23:30 on the last day, China time; open, deadline not yet passed
    CaseRow("complaint", "web", "gongshang", "in_progress", at(9, 30, 23, 30), "苏州", "online",
            "甲超市", U1, "南京甲超市有限公司", d(10, 15), d(12, 12), at(10, 9)),
    # 11: resolved after its resolution deadline
    CaseRow("complaint", "bot", "wujia", "closed", at(9, 25), "常州", "price",
            "庚商场", accept_due=d(10, 14), resolve_due=d(10, 31), accepted_at=at(9, 28),
            resolved_at=at(11, 5), outcome="refunded", recovered_fen=8_000, working_days=22,
            rating=2),
    # 12: an accepted tip still being investigated (tips have no resolution deadline)
    CaseRow("tip", "web", "shiyaojian", "accepted", at(9, 28), "苏州", "catering",
            "乙餐厅", accept_due=d(10, 22), accepted_at=at(10, 10)),
]  # fmt: skip
OUTSIDE = [
    CaseRow("complaint", "web", "gongshang", "received", at(10, 1, 0, 10), "南京", "retail"),
    CaseRow("complaint", "web", "gongshang", "received", at(8, 31, 23, 50), "南京", "retail"),
]


@pytest.fixture(scope="module")
def fig():
    return compute([*CASES, *OUTSIDE], START, END, AS_OF, POLICY)


def test_window_is_by_china_date(fig) -> None:
    assert fig.total == 12  # the two rows just outside the window in China time are left out


def test_breakdowns_by_hand_and_they_add_up(fig) -> None:
    assert fig.by_kind == {"complaint": 8, "tip": 3, "inquiry": 1}
    assert fig.by_department == {
        "gongshang": 3,
        "shiyaojian": 2,
        "zhijian": 2,
        "huanbao": 1,
        "jiaotong": 1,
        "nongye": 1,
        "triage": 1,
        "wujia": 1,
    }
    # published by the region list's official names (campaigns.regions)
    assert fig.by_city == {
        "苏州市": 4,
        "南京市": 3,
        "无锡市": 2,
        "unknown": 1,
        "常州市": 1,
        "徐州市": 1,
    }
    assert fig.by_channel == {"web": 7, "bot": 3, "api": 1, "open311": 1}
    assert fig.by_category["retail"] == 2 and fig.by_category["unknown"] == 1
    assert fig.by_outcome == {
        "refunded": 2,
        "case_opened": 1,
        "compensated": 1,
        "mediated": 1,
        "not_substantiated": 1,
    }
    for breakdown in (fig.by_kind, fig.by_department, fig.by_city, fig.by_channel, fig.by_category):
        assert sum(breakdown.values()) == fig.total


def test_decisions_and_rates(fig) -> None:
    assert (fig.accepted, fig.rejected, fig.awaiting) == (9, 1, 1)
    assert fig.acceptance_rate == pytest.approx(9 / 10)
    assert fig.resolved == 6
    assert fig.resolution_rate == pytest.approx(6 / 9)
    # 11, 14, 20, 22, 24 (from the calendar), 30
    assert fig.median_working_days == 21.0


def test_deadlines_missed(fig) -> None:
    # case 2 accepted late, 4 open past due, 8 never decided, 11 resolved late
    assert fig.overdue == 4
    assert fig.overdue_open == 2


def test_money_in_fen(fig) -> None:
    assert fig.recovered_fen == 120_000 + 350_050 + 8_000
    assert fig.penalty_fen == 5_000_000
    assert fig.reward_fen == 500_000


def test_satisfaction_index(fig) -> None:
    assert [rating_index(r) for r in (1, 2, 3, 4, 5)] == [0, 25, 50, 75, 100]
    assert fig.ratings == 5
    assert fig.satisfaction_index == pytest.approx((100 + 50 + 25 + 75 + 25) / 5)
    assert fig.consumer_index == pytest.approx((100 + 50 + 25) / 3)  # gongshang ×2, wujia
    assert fig.producer_index == pytest.approx((25 + 75) / 2)  # huanbao, nongye


def test_top_enterprises(fig) -> None:
    # only registered firms, by the register's name, on cases that count publicly:
    # U1's three accepted complaints; U2's accepted complaint and confirmed tip (5);
    # U3 on one resolved complaint (verified). Names as typed (乙餐厅, 丁化工...), the
    # rejected complaint (3), the unfounded tip (6), the tip still investigated (12) and
    # the complaint never decided (8) name nobody.
    top = [(e.name, e.cases, e.complaints, e.tips) for e in fig.top_enterprises]
    assert top == [
        ("南京甲超市有限公司", 3, 3, 0),
        ("丙电梯公司", 2, 1, 1),
        ("己种业有限公司", 1, 1, 0),
    ]
    assert [e.uscc for e in fig.top_enterprises] == [U1, U2, U3]
    assert [e.name for e in compute(CASES, START, END, AS_OF, POLICY, top=2).top_enterprises] == [
        "南京甲超市有限公司",
        "丙电梯公司",
    ]


def test_json_shape_with_previous_year(fig) -> None:
    previous = compute(
        [
            CaseRow("complaint", "web", "gongshang", "accepted", at(9, 3, year=2024), "南京",
                    enterprise_uscc=U1, enterprise_name="南京甲超市有限公司",
                    accepted_at=at(9, 4, year=2024)),
            CaseRow("tip", "bot", "huanbao", "received", at(9, 4, year=2024)),
        ],
        date(2024, 9, 1), date(2024, 9, 30), AS_OF, POLICY,
    )  # fmt: skip
    report = report_dict(
        fig,
        previous,
        campaign={"slug": "quality-month", "name": "质量月"},
        year=2025,
        as_of=AS_OF,
        policy=POLICY,
    )
    assert report["period"] == {"start": "2025-09-01", "end": "2025-09-30"}
    assert report["cases"]["total"] == 12
    assert sum(report["cases"]["by_department"].values()) == report["cases"]["total"]
    assert sum(report["cases"]["by_kind"].values()) == report["cases"]["total"]
    assert report["acceptance_rate"] == 0.9
    assert report["resolution_rate"] == 0.6667
    assert report["money_recovered_yuan"] == 4780.50
    assert report["penalties_yuan"] == 50000.0 and report["rewards_yuan"] == 5000.0
    assert report["satisfaction_index"] == 55.0
    assert report["satisfaction"]["consumer_services"] == 58.3
    assert report["satisfaction"]["producer_services"] == 50.0
    assert report["complete"] is True
    assert report["top_enterprises"][0]["previous_year_cases"] == 1
    assert report["top_enterprises"][1]["previous_year_cases"] == 0
    prior = report["previous_year"]
    assert prior["year"] == 2024 and prior["cases"]["total"] == 2
    assert prior["cases"]["by_kind"] == {"complaint": 1, "tip": 1, "inquiry": 0}
    assert prior["acceptance_rate"] == 1.0  # the one complaint accepted, the tip undecided
    assert prior["satisfaction_index"] is None


def test_empty_window() -> None:
    data = figures_dict(compute([], START, END, AS_OF, POLICY), POLICY)
    assert data["cases"]["total"] == 0
    assert data["cases"]["by_kind"] == {"complaint": 0, "tip": 0, "inquiry": 0}
    assert data["cases"]["by_department"] == {}
    assert data["resolution_rate"] is None and data["median_working_days"] is None
    assert data["money_recovered_yuan"] == 0 and data["top_enterprises"] == []


def _campaign(slug: str, start: tuple[int, int], end: tuple[int, int]) -> Campaign:
    return Campaign(
        slug=slug,
        name_zh=slug,
        name_en=slug,
        start_month=start[0],
        start_day=start[1],
        end_month=end[0],
        end_day=end[1],
    )


def test_windows() -> None:
    month = _campaign("quality-month", (9, 1), (9, 30))
    assert month.period(2026) == (date(2026, 9, 1), date(2026, 9, 30))
    assert month.period_containing(date(2026, 9, 30)) == (date(2026, 9, 1), date(2026, 9, 30))
    assert month.period_containing(date(2026, 10, 1)) is None
    winter = _campaign("winter", (12, 15), (1, 15))
    assert winter.period(2025) == (date(2025, 12, 15), date(2026, 1, 15))
    assert winter.period_containing(date(2026, 1, 10)) == (date(2025, 12, 15), date(2026, 1, 15))
    march = _campaign("315", (3, 1), (3, 31))
    week = _campaign("315-week", (3, 10), (3, 16))
    assert campaign_on([march, week, month], date(2026, 3, 12)) is week  # the one ending first
    assert campaign_on([march, week, month], date(2026, 3, 20)) is march
    assert campaign_on([march, week, month], date(2026, 6, 1)) is None


def test_default_definitions() -> None:
    specs, policy = load_definitions()
    windows = {s.slug: (s.start, s.end) for s in specs}
    assert windows == {"quality-month": ((9, 1), (9, 30)), "315": ((3, 1), (3, 31))}
    assert (policy.consumer_target, policy.producer_target) == (80, 85)
    assert policy.producer_departments == {"zhijian", "nongye", "huanbao", "jianyan"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("Bad Slug", "中", "en", "03-01", "03-31"), "slug"),
        (("ok", "", "en", "03-01", "03-31"), "name_zh"),
        (("ok", "中", "en", "3/1", "03-31"), "start"),
        (("ok", "中", "en", "03-01", "02-30"), "end"),
        (("ok", "中", "en", "02-29", "03-31"), "leap"),
        (("ok", "中", "en", "03-01", "03-01"), "same day"),
    ],
)
def test_bad_definitions_are_named(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CampaignError, match=message):
        check_spec(*args)


def test_month_day_and_year() -> None:
    assert parse_month_day(" 9-1 ", "start") == (9, 1)
    check_year(2025, today=date(2026, 11, 30))
    with pytest.raises(CampaignError, match="between 2000 and 2026"):
        check_year(2027, today=date(2026, 11, 30))
    with pytest.raises(CampaignError):
        check_year(1999, today=date(2026, 11, 30))
