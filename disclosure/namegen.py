"""A deterministic synthetic registry of Jiangsu enterprises (demo data and benchmarks).

Names follow the registration rules: 行政区划 + 字号 + 行业 + 组织形式, with the
region written as a city (苏州), a city and district (苏州市吴中区), a county-level
city (昆山), the province (江苏) or in brackets after the brand (澄瑞（苏州）); a
brand is unique per registering authority and industry, as the rules require,
so the same brand and industry recur across cities exactly as in a real register.
Individual businesses (个体工商户, code prefix 92) carry town names and personal
brands (老王, 张记); farmers' cooperatives have prefix 93. The first k records
do not depend on n: ``generate_enterprises(2400)`` is a prefix of the 1M set.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

from disclosure.namegen_words import (
    BRAND_CHARS,
    CITY_WEIGHTS,
    COMPANY_FORMS,
    COMPANY_INDUSTRIES,
    EN_INDUSTRY,
    PERSONAL,
    SHOP_INDUSTRIES,
    STATUSES,
    SURNAMES,
    TOWNS,
)
from nlp.names import District, jiangsu_regions, pinyin_key
from nlp.uscc import ALPHABET, make_code


@dataclass(frozen=True, slots=True)
class EnterpriseRecord:
    """One synthetic registered enterprise."""

    uscc: str
    name: str
    region: str  # prefecture city, e.g. 苏州市
    district: str  # county-level division, e.g. 吴中区, or ""
    industry: str
    aliases: tuple[str, ...]
    status: str
    brand: str
    phrase: str  # the industry as the name writes it, e.g. 电子科技
    place: tuple[str, ...]  # the region as the name writes it, in short forms: (苏州, 吴中)
    town: str = ""  # town or zone short form, e.g. 玉山
    branch: str = ""  # the place a branch office names, e.g. 吴中


class _Picker:
    """Weighted choice by bisection over cumulative weights (fast for repeated draws)."""

    __slots__ = ("cum", "items", "total")

    def __init__(self, items: Sequence[object], weights: Sequence[float]) -> None:
        self.items = list(items)
        self.cum = list(accumulate(weights))
        self.total = self.cum[-1]

    def __call__(self, rng: random.Random) -> Any:
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.total)]


def _zipf(items: Sequence[object], s: float = 0.8, offset: int = 8) -> _Picker:
    return _Picker(items, [1.0 / (i + offset) ** s for i in range(len(items))])


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        regions = jiangsu_regions()
        self.cities = {c.code: c for c in regions.cities}
        self.city = _Picker(list(CITY_WEIGHTS), list(CITY_WEIGHTS.values()))
        self.districts: dict[str, _Picker] = {}
        for code in CITY_WEIGHTS:
            ds = regions.districts_of(code)
            # county-level cities and the big urban districts register more firms
            self.districts[code] = _Picker(ds, [2.0 if d.kind == "city" else 1.0 for d in ds])
        self.company = _Picker(
            list(COMPANY_INDUSTRIES), [v[0] for v in COMPANY_INDUSTRIES.values()]
        )
        self.shop = _Picker(list(SHOP_INDUSTRIES), [v[0] for v in SHOP_INDUSTRIES.values()])
        self.first = _zipf(BRAND_CHARS)
        self.second = _zipf(BRAND_CHARS[::-1][:60] + BRAND_CHARS, s=0.7)
        self.surname = _zipf(SURNAMES, s=1.0, offset=3)
        self.form = _Picker([f for f, _ in COMPANY_FORMS], [w for _, w in COMPANY_FORMS])
        self.status = _Picker([s for s, _ in STATUSES], [w for _, w in STATUSES])
        self.names: set[str] = set()
        self.taken: set[str] = set()  # registering authority + brand + industry
        self.recent: list[EnterpriseRecord] = []
        self.count = 0

    def org_code(self) -> str:
        # i -> (i * m + c) mod 31^8 with m not divisible by 31 is a permutation: codes never repeat
        value = (self.count * 0x2545F4914F6CDD1D + 0x9E3779B9) % (31**8)
        self.count += 1
        chars = []
        for _ in range(8):
            value, r = divmod(value, 31)
            chars.append(ALPHABET[r])
        return "".join(chars)

    def brand(self) -> str:
        rng = self.rng
        a = self.first(rng)
        b = self.second(rng)
        while b == a:
            b = self.second(rng)
        roll = rng.random()
        if roll < 0.13:
            return a + b + self.second(rng)
        if roll < 0.16:
            return a + b + self.first(rng) + self.second(rng)
        return a + b

    def personal(self) -> str:
        return self.rng.choice(PERSONAL).format(s=self.surname(self.rng))

    def __call__(self) -> EnterpriseRecord:
        while True:
            roll = self.rng.random()
            if roll < 0.02 and self.recent:
                rec = self.branch()
            elif roll < 0.15:
                rec = self.shop_record()
            elif roll < 0.16:
                rec = self.cooperative()
            else:
                rec = self.company_record()
            if rec is not None and rec.name not in self.names:
                self.names.add(rec.name)
                if rec.uscc[1] == "1" and not rec.branch:
                    self.recent = [*self.recent[-63:], rec]
                return rec

    def _claim(self, authority: str, brand: str, industry: str) -> bool:
        key = f"{authority}{brand}|{industry}"
        if key in self.taken:
            return False
        self.taken.add(key)
        return True

    def company_record(self) -> EnterpriseRecord | None:
        rng = self.rng
        city = self.cities[self.city(rng)]
        industry = self.company(rng)
        _, phrases, factory = COMPANY_INDUSTRIES[industry]
        phrase = rng.choice(phrases)
        brand = self.brand()
        form = self.form(rng)
        if factory and rng.random() < 0.15:
            form = "厂"
        district: District | None = None
        style = rng.random()
        if style < 0.50:
            prefix = city.short if rng.random() < 0.75 else city.name
            place, division, name = (city.short,), city.code, f"{prefix}{brand}{phrase}{form}"
        elif style < 0.80:
            district = self.districts[city.code](rng)
            if district.kind == "district":
                prefix, place = city.name + district.name, (city.short, district.short)
            else:
                prefix = district.short if rng.random() < 0.6 else district.name
                place = (district.short,)
            division, name = district.code, f"{prefix}{brand}{phrase}{form}"
        elif style < 0.88:
            place, division = (city.short,), city.code
            name = f"{brand}（{city.short}）{phrase}{form}"
        elif style < 0.95:
            province = jiangsu_regions().province
            place, division = (province.short,), province.code
            if form == "有限公司" and rng.random() < 0.3:
                form = "股份有限公司"
            name = f"{province.short}{brand}{phrase}{form}"
        else:
            zone = "工业园区" if city.code == "320500" else "高新区"
            place, division = (city.short,), city.code
            name = f"{city.short}{zone}{brand}{phrase}{form}"
            if not self._claim(division + zone, brand, industry):
                return None
            return self._record(
                "91", division, name, city.name, "", industry, brand, phrase, place, zone
            )
        if not self._claim(division, brand, industry):
            return None
        return self._record(
            "91",
            division,
            name,
            city.name,
            district.name if district else "",
            industry,
            brand,
            phrase,
            place,
        )

    def shop_record(self) -> EnterpriseRecord | None:
        rng = self.rng
        city = self.cities[self.city(rng)]
        district = self.districts[city.code](rng)
        industry = self.shop(rng)
        phrase = rng.choice(SHOP_INDUSTRIES[industry][1])
        brand = self.personal() if rng.random() < 0.6 else self.brand()
        towns = TOWNS.get(district.code, "").split()
        town = rng.choice(towns) if towns and rng.random() < 0.8 else ""
        if district.kind == "district":
            prefix, place = city.name + district.name, (city.short, district.short)
        else:
            prefix, place = district.name, (district.short,)
        suffix = "（个体工商户）" if rng.random() < 0.7 else ""
        name = f"{prefix}{town}{brand}{phrase}{suffix}"
        town_short = town.removesuffix("街道").removesuffix("镇")
        return self._record(
            "92",
            district.code,
            name,
            city.name,
            district.name,
            industry,
            brand,
            phrase,
            place,
            town_short,
        )

    def cooperative(self) -> EnterpriseRecord | None:
        rng = self.rng
        city = self.cities[self.city(rng)]
        district = self.districts[city.code](rng)
        brand = self.brand()
        phrase = rng.choice(
            ("种植专业合作社", "养殖专业合作社", "果蔬专业合作社", "水产专业合作社")
        )
        prefix = district.name if district.kind != "district" else city.name + district.name
        place = (district.short,) if district.kind != "district" else (city.short, district.short)
        name = f"{prefix}{brand}{phrase}"
        if not self._claim(district.code, brand, phrase):
            return None
        return self._record(
            "93", district.code, name, city.name, district.name, "农业", brand, phrase, place
        )

    def branch(self) -> EnterpriseRecord | None:
        rng = self.rng
        parent = rng.choice(self.recent)
        city = self.cities[self.city(rng)]
        district = self.districts[city.code](rng)
        if district.short in parent.place:
            return None
        name = f"{parent.name}{district.short}分公司"
        return EnterpriseRecord(
            uscc=make_code("91", district.code, self.org_code()),
            name=name,
            region=city.name,
            district=district.name,
            industry=parent.industry,
            aliases=(),
            status=self.status(rng),
            brand=parent.brand,
            phrase=parent.phrase,
            place=parent.place,
            town=parent.town,
            branch=district.short,
        )

    def _record(
        self,
        prefix: str,
        division: str,
        name: str,
        region: str,
        district: str,
        industry: str,
        brand: str,
        phrase: str,
        place: tuple[str, ...],
        town: str = "",
    ) -> EnterpriseRecord:
        rng = self.rng
        aliases: tuple[str, ...] = ()
        if prefix == "91":
            roll = rng.random()
            word = phrase[:2]
            if roll < 0.35:
                aliases = (brand + word,)
            elif roll < 0.40:
                aliases = (brand,)
            elif roll < 0.42 and industry in EN_INDUSTRY:
                aliases = (f"{_latin(brand)} {EN_INDUSTRY[industry]}",)
        return EnterpriseRecord(
            uscc=make_code(prefix, division, self.org_code()),
            name=name,
            region=region,
            district=district,
            industry=industry,
            aliases=aliases,
            status=self.status(rng),
            brand=brand,
            phrase=phrase,
            place=place,
            town=town,
        )


def _latin(brand: str) -> str:
    return pinyin_key(brand).capitalize()


def generate_enterprises(n: int, seed: int = 2012) -> Iterator[EnterpriseRecord]:
    """n distinct synthetic enterprises with valid codes, the same for the same seed."""
    gen = _Generator(seed)
    for _ in range(n):
        yield gen()
