"""The columns of the three import files (contract.md) and how each cell value is read.

A column has a Chinese and an English header; a parser turns a trimmed,
non-empty cell into a value or raises ``BadValue`` with a message a person can
act on. A unified social credit code whose check character fails is accepted
with a warning (real pilot-era codes do), a malformed one is refused.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from disclosure.grades import GRADES, parse_grade
from disclosure.models import (
    RECALL_CATEGORIES,
    RECALL_STATUSES,
    CreditGrade,
    Enterprise,
    RecallNotice,
)
from nlp import uscc as uscc_codes

KINDS = ("enterprises", "grades", "recalls")


class BadValue(ValueError):
    """A cell value that cannot be used; the message says why and what is expected."""


@dataclass(frozen=True, slots=True)
class Warned:
    """A usable value that deserves a warning in the report."""

    value: Any
    message: str


@dataclass(frozen=True, slots=True)
class Column:
    field: str
    zh: str
    required: bool
    parse: Callable[[str], Any]
    multiline: bool = False  # only the long texts may hold line breaks

    @property
    def label(self) -> str:
        return f"{self.zh}/{self.field}"


def _fold(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).strip()


def text(limit: int | None) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        if limit is not None and len(raw) > limit:
            raise BadValue(f"longer than {limit} characters ({len(raw)})")
        return raw

    return parse


def _limit(column: Any) -> int | None:
    return getattr(column.type, "length", None)


def code(raw: str) -> str | Warned:
    check = uscc_codes.validate(raw)
    if check.status is uscc_codes.CodeStatus.MALFORMED:
        raise BadValue(f"bad unified social credit code {raw!r}: {check.message}")
    if check.status is uscc_codes.CodeStatus.BAD_CHECK:
        return Warned(check.code, f"code {check.code} accepted, but its {check.message}")
    return check.code


_ISO = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_CHINESE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")


def date_value(raw: str) -> date:
    folded = _fold(raw)
    if "T" in folded and _ISO.match(folded):  # a spreadsheet timestamp: keep the day
        folded = folded.split("T", 1)[0]
    match = _ISO.fullmatch(folded) or _CHINESE.fullmatch(folded)
    if match is None:
        raise BadValue(f"date {raw!r} does not parse; write 2026-03-15 or 2026年3月15日")
    try:
        return date(*(int(g) for g in match.groups()))
    except ValueError:
        raise BadValue(f"date {raw!r} does not exist") from None


def year(raw: str) -> int:
    folded = _fold(raw).removesuffix("年度").removesuffix("年").strip()
    if not folded.isdigit() or not 1990 <= int(folded) <= 2100:
        raise BadValue(f"year {raw!r} is not a year between 1990 and 2100")
    return int(folded)


def grade(raw: str) -> str:
    value = parse_grade(raw)
    if value is None:
        raise BadValue(f"unknown grade {raw!r}; expected one of {', '.join(GRADES)}")
    return value


def aliases(raw: str) -> list[str]:
    names = [a.strip() for a in re.split(r"[;；]", raw)]
    limit = 200
    result: list[str] = []
    for name in names:
        if len(name) > limit:
            raise BadValue(f"alias {name[:20]!r}… is longer than {limit} characters")
        if name and name not in result:
            result.append(name)
    return result


def choice(allowed: tuple[str, ...], synonyms: dict[str, str], what: str) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        folded = _fold(raw)
        key = folded.lower()
        if key in allowed:
            return key
        if folded in synonyms:
            return synonyms[folded]
        raise BadValue(f"unknown {what} {raw!r}; expected one of {', '.join(allowed)}")

    return parse


CATEGORY_SYNONYMS = {
    "食品": "food",
    "消费品": "consumer",
    "日用消费品": "consumer",
    "汽车": "vehicle",
    "机动车": "vehicle",
    "车辆": "vehicle",
    "药品": "drug",
    "医疗器械": "device",
    "器械": "device",
    "化妆品": "cosmetic",
}
STATUS_SYNONYMS = {
    "进行中": "ongoing",
    "召回中": "ongoing",
    "实施中": "ongoing",
    "已完成": "completed",
    "完成": "completed",
    "已结束": "completed",
    "已终止": "terminated",
    "终止": "terminated",
}
LEVELS = ("I", "II", "III")
_LEVEL_SYNONYMS = {
    "1": "I",
    "一": "I",
    "一级": "I",
    "2": "II",
    "二": "II",
    "二级": "II",
    "3": "III",
    "三": "III",
    "三级": "III",
}


def level(raw: str) -> str:
    # NFKC turns the roman numeral characters Ⅰ Ⅱ Ⅲ into I, II, III.
    folded = _fold(raw).upper().removesuffix("召回").removeprefix("LEVEL").strip()
    value = folded if folded in LEVELS else _LEVEL_SYNONYMS.get(folded)
    if value is None:
        raise BadValue(f"unknown recall level {raw!r}; expected I, II or III (一级, 二级, 三级)")
    return value


_QUANTITY = re.compile(r"(\d[\d,]*)\s*[^\d\s,]{0,4}")


def quantity(raw: str) -> int:
    folded = _fold(raw).replace("，", ",")
    match = _QUANTITY.fullmatch(folded)
    if match is None:
        raise BadValue(f"quantity {raw!r} is not a whole number")
    value = int(match.group(1).replace(",", ""))
    if value > 2_000_000_000:
        raise BadValue(f"quantity {raw!r} is too large")
    return value


def url(raw: str) -> str:
    value = _fold(raw)
    # Only web addresses: the pages link to it, and javascript: or data: must never get there.
    if not re.match(r"https?://[^\s/]+", value, re.IGNORECASE) or any(c.isspace() for c in value):
        raise BadValue(f"source {raw!r} is not an http:// or https:// address")
    if len(value) > 500:
        raise BadValue("the address is longer than 500 characters")
    return value


E, G, R = Enterprise.__table__.c, CreditGrade.__table__.c, RecallNotice.__table__.c

SPECS: dict[str, tuple[Column, ...]] = {
    "enterprises": (
        Column("uscc", "统一社会信用代码", True, code),
        Column("name", "企业名称", True, text(_limit(E.name))),
        Column("region", "所在地区", False, text(_limit(E.region))),
        Column("industry", "行业", False, text(_limit(E.industry))),
        Column("aliases", "简称", False, aliases),
        Column("status", "登记状态", False, text(_limit(E.status))),
    ),
    "grades": (
        Column("uscc", "统一社会信用代码", True, code),
        Column("name", "企业名称", False, text(_limit(E.name))),
        Column("grade", "信用等级", True, grade),
        Column("year", "评定年度", True, year),
        Column("valid_from", "有效期起", False, date_value),
        Column("valid_until", "有效期止", False, date_value),
        Column("authority", "评定机关", False, text(_limit(G.authority))),
    ),
    "recalls": (
        Column("recall_no", "召回编号", True, text(_limit(R.recall_no))),
        Column("title", "标题", True, text(_limit(R.title))),
        Column("product", "产品名称", True, text(_limit(R.product))),
        Column("brand", "品牌", False, text(_limit(R.brand))),
        Column("model", "型号批次", False, text(_limit(R.model))),
        Column(
            "category",
            "类别",
            True,
            choice(RECALL_CATEGORIES, CATEGORY_SYNONYMS, "recall category"),
        ),
        Column("level", "召回级别", False, level),
        Column("producer_uscc", "生产者统一社会信用代码", False, code),
        Column("producer", "生产者", True, text(_limit(R.producer))),
        Column("reason", "缺陷原因", True, text(5000), multiline=True),
        Column("hazard", "可能后果", False, text(5000), multiline=True),
        Column("remedy", "召回措施", True, text(5000), multiline=True),
        Column("quantity", "数量", False, quantity),
        Column("region", "召回范围", False, text(_limit(R.region))),
        Column("start_date", "开始日期", True, date_value),
        Column("published", "发布日期", True, date_value),
        Column("status", "状态", False, choice(RECALL_STATUSES, STATUS_SYNONYMS, "status")),
        Column("url", "来源", False, url),
    ),
}


def header_key(header: str) -> str:
    """A header as compared: width-folded, lower-case, without spaces, ``_``, ``-`` or a
    required-mark ``*`` (so ``Valid From`` and ``valid_from`` are the same column)."""
    folded = unicodedata.normalize("NFKC", header).strip().lower()
    return re.sub(r"[\s*_-]", "", folded)


def columns_by_header(kind: str) -> dict[str, Column]:
    """Each accepted header (Chinese, English, or ``中文/english``) to its column."""
    found: dict[str, Column] = {}
    for column in SPECS[kind]:
        for name in (column.zh, column.field, column.label):
            found[header_key(name)] = column
    return found
