"""Finding the business a citizen names (nlp/mentions.py)."""

from __future__ import annotations

import pytest

from nlp.mentions import MentionFinder, simplified_view, span_accuracy


@pytest.fixture(scope="module")
def finder() -> MentionFinder:
    return MentionFinder()


@pytest.mark.parametrize(
    "text, name",
    [
        ("我在好又多超市买的酸奶是过期的", "好又多超市"),
        ("举报“老街坊烧烤”用病死猪肉串串", "老街坊烧烤"),
        ("南京恒瑞达电器有限公司生产的电暖器漏电", "南京恒瑞达电器有限公司"),
        ("中通快递的快递员把包裹扔在门口被人拿走了", "中通快递"),
        ("在金港足浴城办的卡，现在店关了", "金港足浴城"),
        # with or without its type word, the span names the firm
        ("佳美裝飾公司做的防水一年就漏了", ("佳美裝飾公司", "佳美裝飾")),
        (
            "The waiter at Golden Dragon Restaurant was rude to my parents.",
            "Golden Dragon Restaurant",
        ),
    ],
)
def test_names_in_many_forms(finder: MentionFinder, text: str, name: str | tuple[str, ...]) -> None:
    found = finder.find(text)
    names = name if isinstance(name, tuple) else (name,)
    assert found is not None and found.text in names
    assert text[found.start : found.end] == found.text


@pytest.mark.parametrize(
    "text",
    [
        "楼下一家超市卖过期面包",
        "小区电梯坏了好几天",
        "我要投诉",
        "某某公司拖欠工资",
    ],
)
def test_descriptions_are_not_names(finder: MentionFinder, text: str) -> None:
    assert finder.find(text) is None


def test_candidates_cover_quoted_typed_brand_and_english(finder: MentionFinder) -> None:
    text = "在“小林家”买的，顺丰寄来，Happy Bakery 也卖，美味面包店也有"
    sources = {c.source for c in finder.candidates(text)}
    assert {"quoted", "brand", "english", "typed"} <= sources


def test_an_untrained_scorer_finds_nothing_above_its_threshold() -> None:
    blank = MentionFinder(weights={"bias": -5.0}, threshold=0.5)
    assert blank.find("在好又多超市买的") is None


def test_span_accuracy_counts_names_and_silences(finder: MentionFinder) -> None:
    rows = [("我在好又多超市买的酸奶是过期的", "好又多超市"), ("楼下一家超市卖过期面包", None)]
    figures = span_accuracy(finder, rows)
    assert figures == {
        "named": 1,
        "named_accuracy": 1.0,
        "unnamed": 1,
        "unnamed_accuracy": 1.0,
        "accuracy": 1.0,
    }


def test_scoring_adds_the_same_weights_as_the_named_features(finder: MentionFinder) -> None:
    # Routing scores candidates without naming their features; training names
    # them. Both must give every candidate the same probability, to the bit.
    from nlp.corpus import training_rows

    rows, _tune = training_rows()
    texts = [r.text for r in rows[::20]]
    texts += ["“好又多”超市（龙江店）门口那家叫美颜坊的店", "Golden Dragon Restaurant and Bar"]
    compared = 0
    for text in texts:
        view = simplified_view(text)
        for score, c in finder._scored(text):
            assert score == finder.score(view, c), (text, c)
            compared += 1
    assert compared > 500
