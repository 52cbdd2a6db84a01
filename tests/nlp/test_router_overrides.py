"""The few rules above the learned model, each with a case the model alone gets wrong."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from nlp.router import Router


@dataclass
class Hit:
    uscc: str
    name: str
    score: float


class Register:
    """A stand-in for the enterprise search with fixed answers per query."""

    def __init__(self, answers: dict[str, list[Hit]]) -> None:
        self.answers = answers

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        return self.answers.get(query, [])[:limit]


@pytest.fixture(scope="module")
def router() -> Router:
    return Router()


COMPLAINT_WORDING = "在超市买的牛奶过期了，要求退款赔偿"


def test_citizen_choice_of_kind_is_kept(router: Router) -> None:
    # The model alone reads a refund request as a complaint ...
    assert router.route(COMPLAINT_WORDING).kind == "complaint"
    # ... but a citizen who chose to report it as a tip (confidential, for
    # enforcement) keeps that choice.
    assert router.route(COMPLAINT_WORDING, kind_hint="tip").kind == "tip"


def test_one_transfer_does_not_reroute_similar_texts() -> None:
    text = "小区门口那家理发店办的会员卡，店关门了余额不退"
    fresh = Router()
    before = fresh.route(text).department
    other = "gongshang" if before != "gongshang" else "wujia"
    fresh.learn(text, other, "complaint")
    assert fresh.route(text).department == before


def test_agreeing_transfers_reroute_similar_texts() -> None:
    text = "小区门口那家理发店办的会员卡，店关门了余额不退"
    fresh = Router()
    before = fresh.route(text).department
    other = "gongshang" if before != "gongshang" else "wujia"
    fresh.learn(text, other, "complaint")
    fresh.learn("小区门口那家理发店办的会员卡，店关门了余额不退给我们", other, "complaint")
    result = fresh.route(text)
    assert result.department == other
    # the citizen is not told that someone else filed something similar
    assert not any("相似" in r or "类似" in r or "similar" in r for r in result.reasons)
    staff = fresh.reasons(result, "zh", staff=True)
    assert any("改派" in r for r in staff)


def test_a_confirmed_lesson_decides_alone() -> None:
    text = "小区门口那家理发店办的会员卡，店关门了余额不退"
    fresh = Router()
    before = fresh.route(text).department
    other = "gongshang" if before != "gongshang" else "wujia"
    fresh.learn(text, other, "complaint", confirmed=True)
    assert fresh.route(text).department == other


def test_conflicting_lessons_do_not_override() -> None:
    text = "小区门口那家理发店办的会员卡，店关门了余额不退"
    fresh = Router()
    before = fresh.route(text).department
    fresh.learn(text, "gongshang", "complaint", confirmed=True)
    fresh.learn(text + "。", "wujia", "complaint", confirmed=True)
    assert fresh.route(text).department == before


def test_empty_or_identifier_only_text_goes_to_triage(router: Router) -> None:
    for text in ("", "   ", "13812345678", "订单号 202612060001"):
        result = router.route(text)
        assert result.department == "triage", text


def test_unsure_text_abstains_to_triage(router: Router) -> None:
    result = router.route("这个事情你们管不管")
    assert result.department == "triage"


def test_enterprise_linked_only_on_an_unambiguous_strong_match() -> None:
    text = "在扬帆超市买的月饼发霉了，要求退款"
    weak = Register({"扬帆超市": [Hit("91320000000000001X", "帆晴（扬州）软件有限公司", 84.0)]})
    assert Router(lookup=weak).route(text).enterprise is None
    close = Register(
        {
            "扬帆超市": [
                Hit("91320000000000001X", "扬帆超市南京店", 95.0),
                Hit("91320000000000002X", "扬帆超市苏州店", 93.0),
            ]
        }
    )
    assert Router(lookup=close).route(text).enterprise is None
    clear = Register({"扬帆超市": [Hit("91320000000000001X", "南京扬帆超市有限公司", 96.0)]})
    result = Router(lookup=clear).route(text)
    assert result.company == "扬帆超市"
    assert result.enterprise == "91320000000000001X"
    assert any("南京扬帆超市有限公司" in r for r in result.reasons)


_CODE = re.compile(r"[A-Za-z]|\d\.\d|zhijian|gongshang|shiyaojian")


@pytest.mark.parametrize(
    "text",
    [
        "买的月饼发霉了，吃了肚子疼，商家不给退",
        "举报城北有个窝点生产假冒洗发水",
        "老板拖欠工资三个月了",
        "请问怎么投诉",
        "电悌坏了",
    ],
)
def test_chinese_reasons_are_plain_sentences(router: Router, text: str) -> None:
    result = router.route(text)
    assert 1 <= len(result.reasons) <= 4
    for reason in result.reasons:
        assert not _CODE.search(reason), reason
        assert reason.endswith("。"), reason
    names = {spec.name_zh for spec in router.registry}
    assert any(name in " ".join(result.reasons) for name in names)


def test_english_reasons_for_english_text_and_on_request(router: Router) -> None:
    result = router.route(
        "The bread I bought at the supermarket was mouldy and past its expiry date."
    )
    assert all(not re.search(r"[\u4e00-\u9fff]", r) for r in result.reasons)
    assert any("Food and Drug" in r for r in result.reasons)
    zh = router.reasons(result, "zh")
    assert any("食品药品监督管理局" in r for r in zh)
    assert not any(re.search(r"[A-Za-z]", r) for r in zh if "“" not in r)


def test_food_reason_names_the_evidence(router: Router) -> None:
    result = router.route("中秋买的月饼打开全是霉点，发霉了还在卖")
    assert result.department == "shiyaojian"
    assert "食品药品监督管理局" in result.reasons[0]
    assert "霉" in result.reasons[0]
