"""Enterprise names: region prefixes, legal forms, brand and industry word, pinyin keys.

A registered name is built as 行政区划 + 字号 + 行业 + 组织形式 (region, brand,
industry, legal form), e.g. 苏州市吴中区 + 澄瑞 + 电子科技 + 有限公司. People
name a company by its brand and industry word; the region and the legal form
are noise to them, so matching works on the *core* (brand + industry) and on a
*canonical* form (short region names + core) that a query can be compared with.
The pinyin helpers live in ``nlp.pinyin`` and are re-exported here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from nlp.pinyin import (
    pinyin_initials,
    pinyin_key,
    pinyin_readings,
    pinyin_syllables,
    segment_pinyin,
    syllables,
)
from nlp.text import normalize

REGIONS_FILE = Path(__file__).with_name("data") / "regions.json"

# Longest first: the loop strips one form at a time from the end.
LEGAL_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "股份合作公司",
    "个人独资企业",
    "特殊普通合伙",
    "个体工商户",
    "有限公司",
    "股份公司",
    "合伙企业",
    "有限合伙",
    "普通合伙",
    "公司",
    "集团",  # an organisational word people leave out: 洋河集团 → 洋河
)
BRANCH_FORMS = ("分公司", "分店", "分厂", "营业部", "办事处")
_BRANCH_ENDS = tuple(f[-1] for f in BRANCH_FORMS)
# Zones and towns sit between the county-level region and the brand.
_ZONES = (
    "高新技术产业开发区",
    "经济技术开发区",
    "经济开发区",
    "工业园区",
    "高新区",
    "开发区",
    "新区",
)
_ZONE_HEADS = frozenset(z[:2] for z in _ZONES)
_TOWN = re.compile(r"([\u4e00-\u9fff]{1,4}?)(镇|乡|街道)")
_LEGAL_END = re.compile("(?:" + "|".join(LEGAL_FORMS) + ")$")
_BRACKETS = re.compile(r"[（(【\[]([^）)】\]]*)[）)】\]]")
_NOT_WORD = re.compile(r"[^0-9a-z\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0002a6df]+")

# Industry words, longest match first, split the core into brand and industry.
INDUSTRY_WORDS = tuple(
    sorted(
        set(
            """
            电子 科技 机械 制造 设备 精密 食品 餐饮 饭店 酒店 酒楼 建材 电梯 化工 纺织
            汽车 汽修 维修 旅行社 旅游 健身 体育 通信 通讯 快递 速递 物流 贸易 商贸 实业
            投资 发展 服装 服饰 家具 家居 装饰 装潢 建筑 建设 工程 房地产 置业 医药 药业
            药房 大药房 医疗 器械 环保 环境 信息 技术 软件 网络 电器 电气 家电 能源 新能源
            材料 塑料 包装 印刷 五金 钢铁 金属 农业 种业 饲料 农资 酒业 酒厂 酿酒 茶业
            超市 百货 商行 商店 面馆 小吃 烧烤 饭馆 便利店 美容 美发 理发 教育 培训 咨询
            管理 服务 文化 传媒 广告 物业 租赁 运输 客运 驾校 驾驶员培训 家纺 丝绸 化妆品
            日化 玩具 母婴 眼镜 照明 光电 光伏 仪器 仪表 电缆 线缆 燃气 锅炉 压力容器 起重
            游乐 水产 肉类 乳业 粮油 调味品 电力 水务 新材料 生物 制药 智能 自动化 门窗
            陶瓷 涂料 水泥 石材 木业 纸业 皮革 鞋业 箱包 工艺品 礼品 茶叶 水果 蔬菜 粮食
            面业 烟酒 手机 数码 电脑 通信设备 汽车销售 汽车服务 二手车 驾驶 保洁 家政 养老
            月子 摄影 婚庆 宠物 花卉 园林 绿化 安防 消防 检测 认证 人力资源 劳务 物资 电动车
            自行车 摩托车 纺织品 针织 印染 服装厂 制衣 童装 毛纺 化纤 轴承 模具 阀门 泵业
            """.split()
        ),
        key=len,
        reverse=True,
    )
)
_INDUSTRY_FIRST: dict[str, tuple[str, ...]] = {}
for _word in INDUSTRY_WORDS:
    _INDUSTRY_FIRST.setdefault(_word[0], ())
    _INDUSTRY_FIRST[_word[0]] += (_word,)


@dataclass(frozen=True, slots=True)
class City:
    code: str
    name: str
    short: str
    en: str


@dataclass(frozen=True, slots=True)
class District:
    code: str
    name: str
    short: str
    city_code: str
    kind: str  # district, county or city (county-level)
    en: str


@dataclass(frozen=True, slots=True)
class Regions:
    province: City
    cities: tuple[City, ...]
    districts: tuple[District, ...]

    def city(self, code: str) -> City | None:
        """The prefecture city with this division code."""
        return next((c for c in self.cities if c.code == code), None)

    def district(self, code: str) -> District | None:
        """The county-level division with this code."""
        return next((d for d in self.districts if d.code == code), None)

    def districts_of(self, city_code: str) -> tuple[District, ...]:
        """The county-level divisions of one prefecture city."""
        return tuple(d for d in self.districts if d.city_code == city_code)


@lru_cache(maxsize=1)
def jiangsu_regions() -> Regions:
    """Jiangsu, its 13 prefecture cities and their county-level divisions (GB/T 2260)."""
    data = json.loads(REGIONS_FILE.read_text(encoding="utf-8"))
    return Regions(
        province=City(**data["province"]),
        cities=tuple(City(**c) for c in data["cities"]),
        districts=tuple(District(**d) for d in data["districts"]),
    )


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # province, city, district
    short: str
    codes: tuple[str, ...]  # several when a district name repeats (鼓楼区)
    city_codes: tuple[str, ...]
    full: bool  # written with its suffix (省, 市, 区, 县)


@lru_cache(maxsize=1)
def _region_tokens() -> dict[str, _Token]:
    regions = jiangsu_regions()
    tokens: dict[str, _Token] = {}
    p = regions.province
    for text, full in ((p.name, True), (p.short, False)):
        tokens[text] = _Token("province", p.short, (p.code,), (), full)
    for c in regions.cities:
        for text, full in ((c.name, True), (c.short, False)):
            tokens[text] = _Token("city", c.short, (c.code,), (c.code,), full)
    for d in regions.districts:
        forms = ((d.name, True),) if d.short == d.name else ((d.name, True), (d.short, False))
        for text, full in forms:
            if text in tokens and tokens[text].kind == "city":
                continue  # a city name wins over a district stem
            old = tokens.get(text)
            if old is not None and old.kind == "district":
                tokens[text] = _Token(
                    "district",
                    d.short,
                    (*old.codes, d.code),
                    (*old.city_codes, d.city_code),
                    full,
                )
            else:
                tokens[text] = _Token("district", d.short, (d.code,), (d.city_code,), full)
    return tokens


@lru_cache(maxsize=1)
def _region_heads() -> dict[str, tuple[int, ...]]:
    """First character of a region name → the lengths of the names it starts, longest first."""
    heads: dict[str, set[int]] = {}
    for text in _region_tokens():
        heads.setdefault(text[0], set()).add(len(text))
    return {c: tuple(sorted(lengths, reverse=True)) for c, lengths in heads.items()}


def _match_region(text: str, pos: int) -> tuple[str, _Token] | None:
    lengths = _region_heads().get(text[pos]) if pos < len(text) else None
    if lengths is None:  # most brands start with a character no region name starts with
        return None
    tokens = _region_tokens()
    for length in lengths:
        tok = tokens.get(text[pos : pos + length])
        if tok is not None:
            return text[pos : pos + length], tok
    return None


@dataclass(slots=True)
class _RegionState:
    shorts: list[str]
    city_code: str | None = None
    district_code: str | None = None
    county_level: bool = False

    def accept(self, tok: _Token) -> bool:
        """Take a region token if it is consistent with what came before."""
        if tok.kind == "province":
            if self.city_code or self.district_code or tok.short in self.shorts:
                return False
        elif tok.kind == "city":
            if self.city_code is not None:
                return False
            self.city_code = tok.codes[0]
        else:
            if self.district_code is not None:
                return False
            if self.city_code is not None:
                if self.city_code not in tok.city_codes:
                    return False
                self.district_code = tok.codes[tok.city_codes.index(self.city_code)]
            elif len(tok.codes) == 1:
                self.district_code = tok.codes[0]
                self.city_code = tok.city_codes[0]
            self.county_level = True
        self.shorts.append(tok.short)
        return True


def _strip_regions(text: str, state: _RegionState) -> str:
    """Consume region prefixes (several, e.g. 江苏省苏州市吴中区) from the start of text."""
    pos = 0
    while pos < len(text):
        found = _match_region(text, pos)
        if found is None:
            break
        written, tok = found
        if not state.accept(tok):
            break
        pos += len(written)
    return text[pos:]


class NameParts(NamedTuple):
    """A name split into its parts; every part is normalised (simplified, lower case)."""

    region: str  # short region names in order, e.g. 苏州吴中
    city_code: str | None
    district_code: str | None
    locality: str  # town or zone, e.g. 玉山 (from 玉山镇)
    brand: str
    industry: str
    legal_form: str
    branch: str = ""  # the place a branch (分公司) names, e.g. 吴中

    @property
    def core(self) -> str:
        """Brand and industry: what people call the company."""
        return self.brand + self.industry

    @property
    def canonical(self) -> str:
        """Short region, locality, core and branch place: the form queries are compared with."""
        return self.region + self.locality + self.brand + self.industry + self.branch


def _clean(text: str) -> str:
    return _NOT_WORD.sub("", normalize(text))


def _strip_legal(text: str) -> tuple[str, str]:
    form = ""
    while (m := _LEGAL_END.search(text)) and m.start() > 0:
        text = text[: m.start()]
        form = form or m.group()
    return text, form


def _split_branch(text: str) -> tuple[str, str, str]:
    """(parent, branch place, branch form) for 某某有限公司吴中分公司; else (text, "", "")."""
    if not text.endswith(_BRANCH_ENDS):
        return text, "", ""
    for bf in BRANCH_FORMS:
        if not text.endswith(bf):
            continue
        body = text[: -len(bf)]
        cut = max(body.rfind("有限公司"), body.rfind("公司"))
        if cut <= 0:
            return text, "", ""
        end = body.find("公司", cut) + 2
        place = body[end:]
        state = _RegionState([])
        rest = _strip_regions(place, state)
        return body[:end], "".join(state.shorts) + rest, bf
    return text, "", ""


def _split_industry(core: str) -> tuple[str, str]:
    """(brand, industry) at the first industry word after the brand's first two characters."""
    for i in range(min(2, len(core)), len(core)):
        for word in _INDUSTRY_FIRST.get(core[i], ()):
            if core.startswith(word, i):
                return core[:i], core[i:]
    return core, ""


def split_name(name: str, *, normalized: bool = False) -> NameParts:
    """Split an enterprise name (or a query that names one) into its parts; ``normalized``:
    the caller has put it through ``nlp.text.normalize`` already."""
    text = name if normalized else normalize(name)
    bracketed: list[str] = []
    if "(" in text or "【" in text or "[" in text:  # normalize() folded （） to ()
        text = _BRACKETS.sub(lambda m: bracketed.append(_clean(m.group(1))) or "", text)
    text = _NOT_WORD.sub("", text)
    text, branch, branch_form = _split_branch(text)
    text, form = _strip_legal(text)
    state = _RegionState([])
    text = _strip_regions(text, state)
    for inner in bracketed:
        if inner in LEGAL_FORMS or inner.endswith("合伙"):
            form = form or inner
            continue
        # 澄瑞（苏州）电子: a bracketed region counts when the prefix gave none
        if not state.shorts and _strip_regions(inner, state) == "":
            continue
    locality = ""
    if state.shorts:
        for zone in _ZONES if text[:2] in _ZONE_HEADS else ():
            if text.startswith(zone) and len(text) > len(zone):
                locality, text = zone, text[len(zone) :]
                break
        else:
            if state.county_level:
                m = _TOWN.match(text)
                if m and len(text) > m.end():
                    locality, text = m.group(1), text[m.end() :]
    brand, industry = _split_industry(text)
    return NameParts(
        region="".join(state.shorts),
        city_code=state.city_code,
        district_code=state.district_code,
        locality=locality,
        brand=brand,
        industry=industry,
        legal_form=branch_form or form,
        branch=branch,
    )


def normalize_name(name: str) -> str:
    """The brand-and-industry core of a name: no region, legal form, brackets, width or case."""
    parts = split_name(name)
    return parts.core or parts.canonical


def canonical_name(name: str) -> str:
    """Short region names, then the core: 苏州市吴中区澄瑞电子有限公司 → 苏州吴中澄瑞电子."""
    return split_name(name).canonical


__all__ = [
    "INDUSTRY_WORDS",
    "LEGAL_FORMS",
    "City",
    "District",
    "NameParts",
    "Regions",
    "canonical_name",
    "jiangsu_regions",
    "normalize_name",
    "pinyin_initials",
    "pinyin_key",
    "pinyin_readings",
    "pinyin_syllables",
    "segment_pinyin",
    "split_name",
    "syllables",
]
