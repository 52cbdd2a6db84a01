"""Small published data sets for the disclosure tests: enterprises, grades, recalls."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

from disclosure.cache import mark_change
from disclosure.models import CreditGrade, Enterprise, RecallNotice
from nlp.uscc import make_code

# Valid codes (check characters computed), one per enterprise of the set.
CHENGRUI = make_code("91", "320506", "MA1CR001")
HONGDA = make_code("91", "320211", "MA1HD002")
XSS = make_code("91", "320102", "MA1XT003")
NOGRADE = make_code("91", "320412", "MA1NG004")

ENTERPRISES = [
    (CHENGRUI, "苏州澄瑞电子科技有限公司", ["澄瑞电子"], "苏州市", "电子"),
    (HONGDA, "无锡宏达机械制造有限公司", [], "无锡市", "机械"),
    (XSS, "<script>alert('x')</script>南京测试食品有限公司", [], "南京市", "食品"),
    (NOGRADE, "常州未评级塑料制品有限公司", [], "常州市", "化工"),
]
CATEGORIES = ("food", "consumer", "vehicle", "drug", "device", "cosmetic")


def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


async def seed(services, recalls: int = 30, today: date | None = None) -> dict[str, int]:
    """Four enterprises, grades for three, ``recalls`` notices over the categories."""
    today = today or date.today()
    ids: dict[str, int] = {}
    async with services.sessions() as s:
        for code, name, aliases, region, industry in ENTERPRISES:
            s.add(
                Enterprise(
                    uscc=code,
                    name=name,
                    aliases=aliases,
                    region=region,
                    industry=industry,
                    status="存续",
                )
            )
        await s.flush()
        for code, history in (
            (CHENGRUI, (("A", today.year - 2), ("AA", today.year - 1), ("AAA", today.year))),
            (HONGDA, (("B", today.year - 1), ("C", today.year))),
            (XSS, (("D", today.year),)),
        ):
            for grade, year in history:
                s.add(
                    CreditGrade(
                        uscc=code,
                        grade=grade,
                        year=year,
                        valid_from=date(year, 1, 1),
                        valid_until=date(year, 12, 31),
                        authority="江苏省质量信用评价委员会",
                        source=f"{year}年度公告",
                    )
                )
        for i in range(recalls):
            category = CATEGORIES[i % len(CATEGORIES)]
            producer = (CHENGRUI, HONGDA, XSS, None)[i % 4]
            notice = RecallNotice(
                recall_no=f"JS-T-{i:04d}",
                title=f"关于召回第{i}批{category}产品的公告",
                product=f"测试产品{i}",
                brand="澄瑞" if producer == CHENGRUI else "宏达",
                model=f"批次{i}",
                category=category,
                level="I" if category == "food" else None,
                producer_uscc=producer,
                producer=dict((c, n) for c, n, *_ in ENTERPRISES).get(producer, "海外贸易公司"),
                reason="部分批次存在缺陷",
                hazard="可能造成伤害",
                remedy="免费更换",
                quantity=100 + i,
                region="江苏省",
                start_date=today - timedelta(days=i // 2 + 1),
                # pairs of notices share a day, so paging must break ties by id
                published=today - timedelta(days=i // 2),
                status="ongoing",
                url="https://example.org/recalls/" + str(i),
            )
            s.add(notice)
            await s.flush()
            ids[notice.recall_no] = notice.id
        mark_change(s, "enterprises", "grades", "recalls")
        await s.commit()
    async with services.sessions() as s:
        await services.published.refresh(s)
    return ids
