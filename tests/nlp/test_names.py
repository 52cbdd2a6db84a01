"""Enterprise name normalisation, the region table and pinyin keys (nlp/names.py)."""

from __future__ import annotations

import pytest

from nlp.names import (
    canonical_name,
    jiangsu_regions,
    normalize_name,
    pinyin_initials,
    pinyin_key,
    pinyin_readings,
    pinyin_syllables,
    segment_pinyin,
    split_name,
)


@pytest.mark.parametrize(
    ("name", "core"),
    [
        ("苏州澄瑞电子科技有限公司", "澄瑞电子科技"),
        ("江苏省苏州市吴中区澄瑞电子科技有限公司", "澄瑞电子科技"),
        ("澄瑞（苏州）电子科技有限公司", "澄瑞电子科技"),
        ("澄瑞(苏州)电子科技股份有限公司", "澄瑞电子科技"),
        ("蘇州澄瑞電子科技有限公司", "澄瑞电子科技"),
        ("ＳＵＺＨＯＵ ＡＢＣ电气有限责任公司", "suzhouabc电气"),
        ("无锡市惠山区宏达机械制造厂", "宏达机械制造厂"),
        ("昆山市玉山镇老王面馆（个体工商户）", "老王面馆"),
        ("江苏洋河集团有限公司", "洋河"),
        ("苏州工业园区澄瑞电子科技有限公司", "澄瑞电子科技"),
    ],
)
def test_normalize_name_keeps_brand_and_industry(name: str, core: str) -> None:
    assert normalize_name(name) == core


def test_split_name_parts() -> None:
    parts = split_name("江苏省苏州市吴中区澄瑞电子科技有限公司")
    assert (parts.region, parts.city_code, parts.district_code) == (
        "江苏苏州吴中",
        "320500",
        "320506",
    )
    assert (parts.brand, parts.industry, parts.legal_form) == ("澄瑞", "电子科技", "有限公司")


def test_individual_business_town_and_form() -> None:
    parts = split_name("昆山市玉山镇老王面馆（个体工商户）")
    assert parts.region == "昆山" and parts.district_code == "320583"
    assert parts.locality == "玉山"
    assert (parts.brand, parts.industry, parts.legal_form) == ("老王", "面馆", "个体工商户")


def test_branch_office_keeps_its_place() -> None:
    parts = split_name("江苏澄瑞电子科技有限公司吴中分公司")
    assert parts.legal_form == "分公司" and parts.branch == "吴中"
    assert parts.canonical == "江苏澄瑞电子科技吴中"


def test_district_must_belong_to_the_city() -> None:
    # 东海 is a county of 连云港, so after 苏州 it is the brand, not a region
    assert split_name("苏州东海电子有限公司").brand == "东海"
    assert split_name("徐州市鼓楼区宏达超市").district_code == "320302"
    assert split_name("南京市鼓楼区宏达超市").district_code == "320106"


def test_canonical_uses_short_region_names() -> None:
    assert canonical_name("苏州市吴中区澄瑞电子有限公司") == "苏州吴中澄瑞电子"
    assert canonical_name("澄瑞（苏州）电子有限公司") == canonical_name("苏州澄瑞电子有限公司")


def test_regions_table() -> None:
    regions = jiangsu_regions()
    assert regions.province.code == "320000"
    assert [c.short for c in regions.cities][:3] == ["南京", "无锡", "徐州"]
    assert len(regions.cities) == 13 and len(regions.districts) == 95
    for d in regions.districts:
        assert d.code[:4] == d.city_code[:4] and len(d.code) == 6
    kunshan = next(d for d in regions.districts if d.name == "昆山市")
    assert (kunshan.code, kunshan.short, kunshan.city_code) == ("320583", "昆山", "320500")
    assert regions.city("320500").en == "Suzhou"
    assert {d.short for d in regions.districts_of("320300")} >= {"丰县", "沛县", "邳州"}


def test_pinyin_keys() -> None:
    assert pinyin_key("澄瑞电子") == "chengruidianzi"
    assert pinyin_initials("澄瑞电子") == "crdz"
    assert pinyin_syllables("長城") == ["chang", "cheng"]  # phrase reading, Traditional input
    assert pinyin_syllables("绿叶3M") == ["lv", "ye", "3", "m"]


def test_segment_pinyin() -> None:
    assert segment_pinyin("chengrui dianzi") == ["cheng", "rui", "dian", "zi"]
    assert segment_pinyin("Xian") == ["xian"]  # fewest syllables
    assert segment_pinyin("tcl") is None
    assert sorted(map(tuple, pinyin_readings("kangao"))) == [("kan", "gao"), ("kang", "ao")]
