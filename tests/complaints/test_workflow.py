"""The case state machine, deadlines, rewards and the pure pieces of intake, without I/O."""

from __future__ import annotations

from datetime import date

import pytest

from complaints import workflow
from complaints.deadlines import add_working_days, load_rules
from complaints.duplicates import similarity
from complaints.intake import code_for_key, sentences
from complaints.workflow import CaseState, IllegalTransition, WorkflowError
from open311.formats import public_request, to_xml
from open311.handlers import token_for, tracking_no_of

RULES = load_rules()
MONDAY = date(2026, 11, 2)


def state(kind: str = "complaint", status: str = "received", **kw) -> CaseState:
    return CaseState(
        kind=kind,
        status=status,
        department=kw.pop("department", "gongshang"),
        anonymous=kw.pop("anonymous", False),
        received=kw.pop("received", MONDAY),
        notified=kw.pop("notified", False),
    )


def test_happy_path_of_a_complaint_moves_through_every_status() -> None:
    s = state()
    plan = workflow.accept(s, date(2026, 11, 4), RULES)
    assert (plan.from_status, plan.to_status) == ("received", "accepted")
    # the 45 working days run from the acceptance day, not from receipt
    assert plan.changes["resolve_due"] == add_working_days(date(2026, 11, 4), 45)
    assert "notify_due" not in plan.changes
    s = state(status="accepted")
    assert workflow.progress(s, public=False).to_status == "in_progress"
    assert workflow.progress(s, public=False).public is False
    s = state(status="in_progress")
    plan = workflow.resolve(s, "compensated", date(2026, 11, 9), RULES, amount="1234.50")
    assert plan.to_status == "resolved"
    assert plan.changes["recovered_fen"] == 123450
    assert plan.changes["working_days"] == 5
    assert workflow.close(state(status="resolved")).to_status == "closed"


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("accept", "accepted"),
        ("accept", "closed"),
        ("reject", "in_progress"),
        ("transfer", "accepted"),
        ("progress", "received"),
        ("resolve", "received"),
        ("resolve", "rejected"),
        ("close", "received"),
        ("close", "in_progress"),
    ],
)
def test_illegal_transitions_name_the_state(action: str, status: str) -> None:
    s = state(status=status)
    with pytest.raises(IllegalTransition) as err:
        {
            "accept": lambda: workflow.accept(s, MONDAY, RULES),
            "reject": lambda: workflow.reject(s, "other", MONDAY, RULES),
            "transfer": lambda: workflow.transfer(s, "zhijian", {"zhijian"}, MONDAY, RULES),
            "progress": lambda: workflow.progress(s, True),
            "resolve": lambda: workflow.resolve(s, "mediated", MONDAY, RULES),
            "close": lambda: workflow.close(s),
        }[action]()
    assert err.value.status == 409
    assert status in str(err.value) and action in str(err.value)


def test_allowed_actions_follow_the_state() -> None:
    assert workflow.allowed_actions(state()) == ["accept", "reject", "transfer"]
    assert workflow.allowed_actions(state(status="accepted")) == ["progress", "resolve"]
    assert workflow.allowed_actions(state(status="resolved")) == ["close"]
    # a real-name tip after the decision also needs its reporter told
    tip = state(kind="tip", status="accepted")
    assert workflow.allowed_actions(tip) == ["progress", "resolve", "notify"]
    assert "notify" not in workflow.allowed_actions(
        state(kind="tip", status="accepted", anonymous=True)
    )
    assert workflow.allowed_actions(state(status="closed")) == []


def test_reject_needs_a_reason_from_the_regulation() -> None:
    with pytest.raises(WorkflowError, match="reason must be one of"):
        workflow.reject(state(), "bored", MONDAY, RULES)
    plan = workflow.reject(state(), "over_three_years", MONDAY, RULES)
    assert plan.changes["reject_reason"] == "over_three_years"
    assert plan.to_status == "rejected"


def test_real_name_tip_reporter_must_be_told_within_five_working_days_of_the_decision() -> None:
    decided = date(2026, 9, 30)  # then 8, 9, 10 (a worked Saturday), 12, 13 October
    plan = workflow.accept(state(kind="tip"), decided, RULES)
    assert plan.changes["notify_due"] == date(2026, 10, 13)
    assert plan.changes["notify_due"] == add_working_days(decided, RULES.notify_tip_reporter)
    plan = workflow.reject(state(kind="tip"), "outside_remit", decided, RULES)
    assert plan.changes["notify_due"] == date(2026, 10, 13)
    anonymous = workflow.accept(state(kind="tip", anonymous=True), decided, RULES)
    assert "notify_due" not in anonymous.changes
    with pytest.raises(IllegalTransition):
        workflow.notify(state(kind="tip", status="accepted", notified=True))
    with pytest.raises(IllegalTransition):
        workflow.notify(state(kind="complaint", status="accepted"))
    assert workflow.notify(state(kind="tip", status="rejected")).to_status == "rejected"


def test_transfer_restarts_the_acceptance_clock_at_the_new_department() -> None:
    known = {"gongshang", "zhijian", "triage"}
    plan = workflow.transfer(state(), "zhijian", known, MONDAY, RULES)
    assert plan.changes["department"] == "zhijian"
    assert plan.changes["accept_due"] == add_working_days(MONDAY, 7)
    tip = workflow.transfer(state(kind="tip"), "zhijian", known, MONDAY, RULES)
    assert tip.changes["accept_due"] == add_working_days(MONDAY, 15)
    with pytest.raises(WorkflowError, match="department must be one of"):
        workflow.transfer(state(), "nowhere", known, MONDAY, RULES)
    with pytest.raises(IllegalTransition, match="already at gongshang"):
        workflow.transfer(state(), "gongshang", known, MONDAY, RULES)


def test_outcomes_depend_on_the_kind() -> None:
    with pytest.raises(WorkflowError, match="outcome of a complaint"):
        workflow.resolve(state(status="accepted"), "case_opened", MONDAY, RULES)
    with pytest.raises(WorkflowError, match="outcome of a tip"):
        workflow.resolve(state(kind="tip", status="accepted"), "refunded", MONDAY, RULES)
    with pytest.raises(WorkflowError, match="amount_yuan is required"):
        workflow.resolve(state(status="accepted"), "compensated", MONDAY, RULES)
    plan = workflow.resolve(state(status="accepted"), "repaired", MONDAY, RULES)
    assert "recovered_fen" not in plan.changes


@pytest.mark.parametrize(
    ("penalty", "level", "reward_fen"),
    [
        (2_000_000, 1, 100_000 * 100),  # 5% of 2,000,000 yuan
        (50_000, 1, 5_000 * 100),  # 5% is 2,500: the level-1 minimum of 5,000 applies
        (10_000, 3, 1_000 * 100),  # 1% is 100: the level-3 minimum of 1,000 applies
        (40_000_000, 1, 1_000_000 * 100),  # 5% is 2,000,000: capped at 1,000,000
        (3_000_000, 2, 90_000 * 100),
    ],
)
def test_tip_rewards_follow_the_rule_set(penalty: int, level: int, reward_fen: int) -> None:
    plan = workflow.resolve(
        state(kind="tip", status="in_progress"),
        "case_opened",
        MONDAY,
        RULES,
        penalty=penalty,
        reward_level=level,
    )
    assert plan.changes["penalty_fen"] == penalty * 100
    assert plan.changes["reward_fen"] == reward_fen


def test_no_reward_without_a_level_a_fine_or_a_known_reporter() -> None:
    tip = state(kind="tip", status="accepted")
    plan = workflow.resolve(tip, "case_opened", MONDAY, RULES, penalty=10_000)
    assert plan.changes["reward_fen"] == 0
    plan = workflow.resolve(tip, "case_opened", MONDAY, RULES, penalty=0, reward_level=1)
    assert plan.changes["reward_fen"] == 0
    anonymous = state(kind="tip", status="accepted", anonymous=True)
    plan = workflow.resolve(anonymous, "case_opened", MONDAY, RULES, penalty=10_000, reward_level=1)
    assert plan.changes["reward_fen"] == 0
    with pytest.raises(WorkflowError, match="reward_level must be one of: 1, 2, 3"):
        workflow.resolve(tip, "case_opened", MONDAY, RULES, penalty=1, reward_level=9)
    with pytest.raises(WorkflowError, match="penalty_yuan is required"):
        workflow.resolve(tip, "case_opened", MONDAY, RULES)


@pytest.mark.parametrize("bad", [-1, "abc", "1.234", True, None, [], "1e999", "NaN"])
def test_amounts_in_yuan_are_strict(bad) -> None:
    with pytest.raises(WorkflowError):
        workflow.parse_yuan(bad, "amount_yuan")


def test_amounts_in_yuan_become_fen() -> None:
    assert workflow.parse_yuan(12, "x") == 1200
    assert workflow.parse_yuan(0.1, "x") == 10
    assert workflow.parse_yuan("1,000.05", "x") == 100005


def test_rating_once_after_the_case_is_finished() -> None:
    workflow.check_rating("closed", False, 5, "ok")
    workflow.check_rating("resolved", False, 1, None)
    with pytest.raises(IllegalTransition, match="once it is resolved"):
        workflow.check_rating("accepted", False, 5, None)
    with pytest.raises(IllegalTransition, match="already been rated"):
        workflow.check_rating("closed", True, 5, None)
    for bad in (0, 6, "5", 4.5, True):
        with pytest.raises(WorkflowError, match="rating must be"):
            workflow.check_rating("closed", False, bad, None)


def test_overdue_depends_on_the_deadline_of_the_current_status() -> None:
    due = date(2026, 11, 10)
    after, on = date(2026, 11, 11), date(2026, 11, 10)
    assert workflow.overdue_deadline("received", due, None, None, False, after) == "accept"
    assert workflow.overdue_deadline("received", due, None, None, False, on) is None
    assert workflow.overdue_deadline("accepted", due, due, None, False, after) == "resolve"
    assert workflow.overdue_deadline("resolved", due, due, None, False, after) is None
    assert workflow.overdue_deadline("rejected", due, None, due, False, after) == "notify"
    assert workflow.overdue_deadline("rejected", due, None, due, True, after) is None


def test_similar_retellings_score_high_and_different_problems_low() -> None:
    a = "我在苏果超市买的牛奶过期了，要求退款！电话13800138000"
    b = "我在苏果超市买的牛奶过期了，要求退款。联系13900139000"
    c = "苏果超市的收银员态度很差，还多收了我五块钱停车费"
    assert similarity(a, b) >= 85
    assert similarity(a, c) < 60


def test_sentences_for_the_split_rule() -> None:
    text = "我买的电视坏了商家不给退货。另外我举报这家店销售假冒名牌商品！好"
    assert sentences(text) == ["我买的电视坏了商家不给退货。", "另外我举报这家店销售假冒名牌商品！"]


def test_key_derived_access_codes_are_stable_and_secret_bound() -> None:
    assert code_for_key("s1", "api:abcdefgh") == code_for_key("s1", "api:abcdefgh")
    assert code_for_key("s1", "api:abcdefgh") != code_for_key("s2", "api:abcdefgh")
    assert len(code_for_key("s1", "api:abcdefgh")) == 8


def test_open311_tokens_cannot_be_forged() -> None:
    token = token_for("secret", "ZX20261130ABCDEF")
    assert tracking_no_of("secret", token) == "ZX20261130ABCDEF"
    assert tracking_no_of("other", token) is None
    assert tracking_no_of("secret", "ZX20261130ABCDEF-00000000000000000000") is None


def test_open311_xml_escapes_and_names_list_items() -> None:
    body = to_xml([{"code": 400, "description": "<b>&</b>"}], "errors").decode()
    assert "<errors><error><code>400</code><description>&lt;b&gt;&amp;&lt;/b&gt;" in body
    doc = to_xml(
        {"service_code": "x", "attributes": [{"values": [{"key": "a"}]}]}, "service_definition"
    ).decode()
    assert "<attributes><attribute><values><value><key>a</key></value></values>" in doc


def test_open311_public_view_never_shows_contacts_or_anonymous_tips() -> None:
    from datetime import UTC, datetime

    from complaints.models import Case

    case = Case(
        tracking_no="ZX1",
        kind="complaint",
        channel="open311",
        status="received",
        text="电梯困人，请联系13800138000 或 a@b.cn",
        department="zhijian",
        anonymous=False,
        created_at=datetime(2026, 11, 2, tzinfo=UTC),
        accept_due=MONDAY,
        contact_enc="secret",
        address="南京路1号",
        lat=32.0,
        lon=118.8,
    )
    item = public_request(case, None, "zh")
    assert item is not None
    assert "13800138000" not in str(item) and "a@b.cn" not in str(item)
    assert item["address"] == "南京路1号"
    case.channel = "web"  # filed on the web form: the text is not published
    assert public_request(case, None, "zh")["description"] is None
    case.kind, case.channel = "tip", "open311"
    assert public_request(case, None, "zh") is None  # a named tip is not shown either
    case.anonymous = True
    assert public_request(case, None, "zh") is None
