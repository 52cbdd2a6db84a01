"""The city a report publishes for a case: one of Jiangsu's 13 prefecture cities from
the region list (``nlp/data/regions.json``), ``other`` for anything else, ``unknown``
when none was given. A city as the citizen typed it is never published.

Recognised: the city's name, short name or English name (南京市, 南京, Nanjing), a
place written from the province or the city down (江苏省南京市鼓楼区, 苏州市吴中区),
and a county-level division's name that belongs to one city only (昆山市, 吴中区).
"""

from __future__ import annotations

from functools import lru_cache

from nlp.names import City, jiangsu_regions

OTHER = "other"
UNKNOWN = "unknown"


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, City], tuple[City, ...], dict[str, City]]:
    regions = jiangsu_regions()
    exact: dict[str, City] = {}
    for city in regions.cities:
        for form in (city.name, city.short, city.en, f"{city.en} city", f"{city.en} shi"):
            exact[form.casefold()] = city
    by_code = {c.code: c for c in regions.cities}
    owners: dict[str, set[str]] = {}
    for district in regions.districts:
        owners.setdefault(district.name, set()).add(district.city_code)
    districts = {
        name: by_code[next(iter(codes))]
        for name, codes in owners.items()
        if len(codes) == 1 and next(iter(codes)) in by_code
    }
    return exact, regions.cities, districts


def city_key(value: str | None) -> str:
    """The published city of a case: a city's official name (南京市), ``other`` or
    ``unknown``."""
    text = (value or "").strip()
    if not text:
        return UNKNOWN
    exact, cities, districts = _tables()
    found = exact.get(text.casefold())
    if found is not None:
        return found.name
    province = jiangsu_regions().province
    for prefix in (province.name, province.short):
        if text.startswith(prefix) and len(text) > len(prefix):
            text = text[len(prefix) :]
            break
    found = exact.get(text.casefold())
    if found is not None:
        return found.name
    for city in cities:
        if text.startswith(city.name):
            return city.name
    for name, city in districts.items():
        if text.startswith(name):
            return city.name
    return OTHER


def city_label(key: str, lang: str) -> str | None:
    """A city key in ``lang`` (None for ``other`` and ``unknown``, which callers label)."""
    for city in jiangsu_regions().cities:
        if city.name == key:
            return city.en if lang == "en" else city.name
    return None
