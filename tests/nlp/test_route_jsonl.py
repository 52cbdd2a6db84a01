"""`zhixin route` behaviour: JSON Lines in, one line out per line in, errors inline."""

from __future__ import annotations

import json

import pytest

from nlp.jsonl import OUTPUT_FIELDS, is_error, route_stream
from nlp.router import Router


@pytest.fixture(scope="module")
def router() -> Router:
    return Router()


def test_one_line_out_per_line_in_in_order_with_errors_inline(router: Router) -> None:
    lines = [
        json.dumps({"id": 1, "text": "电梯困人了，物业不管"}, ensure_ascii=False),
        "{not json",
        json.dumps({"id": "b", "note": "no text here"}),
        "",
        json.dumps(["a", "list"]),
        json.dumps({"id": 6, "text": "   "}),
        json.dumps({"id": 7, "text": "在家乐福超市买的牛奶过期了"}, ensure_ascii=False),
    ]
    out = [json.loads(line) for line in route_stream(router, lines)]
    assert len(out) == len(lines)
    assert [o.get("id") for o in out] == [1, None, "b", None, None, 6, 7]
    assert out[0]["department"] == "zhijian"
    assert out[6]["department"] == "shiyaojian"
    assert out[6]["company"] == "家乐福超市"
    for i in (1, 2, 3, 4, 5):
        assert "error" in out[i] and f"line {i + 1}" in out[i]["error"]
        assert "department" not in out[i]
    assert "text" in out[2]["error"]


def test_output_has_exactly_the_contract_fields(router: Router) -> None:
    (line,) = route_stream(router, ['{"id": "x1", "text": "快递丢了，快递公司只赔运费"}'])
    record = json.loads(line)
    assert tuple(record) == OUTPUT_FIELDS
    assert record["department"] == "youzheng"
    assert record["kind"] in {"complaint", "tip", "inquiry"}
    assert 0 <= record["confidence"] <= 1
    assert isinstance(record["reasons"], list) and record["reasons"]


def test_chinese_is_not_escaped(router: Router) -> None:
    (line,) = route_stream(router, ['{"id": 1, "text": "电梯困人"}'])
    assert "\\u" not in line
    assert "电梯" in line


def test_hints_in_the_input_are_used(router: Router) -> None:
    (line,) = route_stream(
        router,
        [
            json.dumps(
                {"id": 1, "text": "超市卖过期面包", "kind": "tip", "company": "家乐福"},
                ensure_ascii=False,
            )
        ],
    )
    record = json.loads(line)
    assert (record["kind"], record["company"]) == ("tip", "家乐福")


def test_is_error(router: Router) -> None:
    good, bad = route_stream(router, ['{"id": 1, "text": "电梯困人"}', "nope"])
    assert not is_error(good)
    assert is_error(bad)
