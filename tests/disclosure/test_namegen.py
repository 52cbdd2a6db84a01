"""The synthetic Jiangsu register (disclosure/namegen.py): deterministic, valid, realistic."""

from __future__ import annotations

from collections import Counter

import pytest

from disclosure.namegen import EnterpriseRecord, generate_enterprises
from nlp.names import jiangsu_regions, split_name
from nlp.uscc import CodeStatus, validate


@pytest.fixture(scope="module")
def records() -> list[EnterpriseRecord]:
    return list(generate_enterprises(3000))


def test_deterministic_and_prefix_stable(records: list[EnterpriseRecord]) -> None:
    assert list(generate_enterprises(3000)) == records
    # the demo's first records are the benchmark's first records
    assert list(generate_enterprises(200)) == records[:200]
    assert [r.uscc for r in generate_enterprises(50, seed=7)] != [r.uscc for r in records[:50]]


def test_codes_valid_and_unique(records: list[EnterpriseRecord]) -> None:
    assert all(validate(r.uscc).status is CodeStatus.VALID for r in records)
    assert len({r.uscc for r in records}) == len(records)
    assert len({r.name for r in records}) == len(records)
    prefixes = Counter(r.uscc[:2] for r in records)
    assert set(prefixes) == {"91", "92", "93"} and prefixes["91"] > prefixes["92"] > prefixes["93"]
    assert all(
        r.name.endswith(("（个体工商户）", "店", "馆", "部", "院", "室", "点", "档", "市"))
        for r in records
        if r.uscc.startswith("92")
    )


def test_division_codes_match_the_place(records: list[EnterpriseRecord]) -> None:
    regions = jiangsu_regions()
    cities = {c.name: c.code for c in regions.cities}
    districts = {(d.city_code, d.name): d.code for d in regions.districts}
    for r in records:
        city = cities[r.region]
        division = r.uscc[2:8]
        if r.district:
            assert (city, r.district) in districts
        assert division in {"320000", city, districts.get((city, r.district))}


def test_every_city_and_realistic_spread(records: list[EnterpriseRecord]) -> None:
    by_city = Counter(r.region for r in records)
    assert set(by_city) == {c.name for c in jiangsu_regions().cities}
    assert by_city.most_common(1)[0][0] == "苏州市"
    assert len({r.industry for r in records}) >= 30
    assert {"电子", "食品", "电梯", "餐饮", "快递", "旅行社"} <= {r.industry for r in records}
    assert Counter(r.status for r in records).most_common(1)[0][0] == "存续"
    # brands repeat across cities, as in a real register
    assert Counter(r.brand for r in records).most_common(1)[0][1] >= 5


def test_fields_agree_with_the_name(records: list[EnterpriseRecord]) -> None:
    for r in records:
        assert r.brand in r.name and r.phrase in r.name
        assert all(a for a in r.aliases)
    companies = [r for r in records if r.uscc.startswith("91") and not r.branch]
    parsed = sum(split_name(r.name).brand == r.brand for r in companies)
    assert parsed / len(companies) > 0.9
    branches = [r for r in records if r.branch]
    assert branches and all(r.name.endswith("分公司") for r in branches)
