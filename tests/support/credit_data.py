"""A small quality-credit world written by hand: enterprises with grades, a recall,
cases in every state, a penalty and an objection, so the archive, the proposals and the
assessment can be computed on paper and compared."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from complaints.models import Case
from disclosure.cache import mark_change
from disclosure.models import CreditGrade, Enterprise, GradeObjection, RecallNotice
from infra.security import Cipher
from nlp.uscc import make_code

E = make_code("91", "320506", "MA1AR021")  # graded A in 2024; a busy 2025
H = make_code("91", "320211", "MA1AR022")  # graded A in 2023 and 2024; a clean 2025
TIPSTER = "举报人李秘密"
TIPSTER_PHONE = "13900001111"
SECRET = "test-secret-key-for-zhixin-0123456789"


def at(day: date, hour: int = 10) -> datetime:
    """``hour`` o'clock China time on ``day``, as aware UTC."""
    return datetime.combine(day, time(hour - 8), tzinfo=UTC)


def _grade(uscc: str, grade: str, year: int) -> CreditGrade:
    return CreditGrade(
        uscc=uscc,
        grade=grade,
        year=year,
        valid_from=date(year, 4, 1),
        valid_until=date(year + 1, 3, 31),
        authority="苏州市质量信用评价委员会",
    )


def case(n: int, **fields: Any) -> Case:
    values: dict[str, Any] = {
        "tracking_no": f"T2025{n:06d}",
        "access_code_hash": "0" * 64,
        "kind": "complaint",
        "channel": "web",
        "text": f"案件正文第{n}号，不应出现在档案里",
        "department": "zhijian",
        "routed_department": "zhijian",
        "city": "苏州市",
        "status": "received",
    }
    values.update(fields)
    return Case(**values)


async def seed_world(services: Any) -> dict[str, int]:
    """The world the credit tests compute by hand; returns ids of a few rows."""
    cipher = Cipher(SECRET)
    async with services.sessions() as s:
        s.add(Enterprise(uscc=E, name="苏州档案示例电器有限公司", aliases=[], region="苏州市"))
        s.add(Enterprise(uscc=H, name="无锡诚信示例机械有限公司", aliases=[], region="无锡市"))
        await s.flush()
        g2024 = _grade(E, "A", 2024)
        s.add_all([g2024, _grade(H, "A", 2023), _grade(H, "A", 2024)])
        await s.flush()
        s.add(
            RecallNotice(
                recall_no="JS-ARCHIVE-0001",
                title="关于召回示例牌电热水壶的公告",
                product="电热水壶",
                category="consumer",
                level="一级",
                producer_uscc=E,
                producer="苏州档案示例电器有限公司",
                reason="温控器失效",
                remedy="免费更换",
                start_date=date(2025, 5, 8),
                published=date(2025, 5, 10),
                status="completed",
            )
        )
        cases = [
            # accepted on time, resolved by refund, closed, rated 5
            case(
                1,
                enterprise_uscc=E,
                created_at=at(date(2025, 3, 2)),
                accept_due=date(2025, 3, 11),
                resolve_due=date(2025, 5, 9),
                accepted_at=at(date(2025, 3, 3)),
                resolved_at=at(date(2025, 3, 10)),
                status="closed",
                outcome="refunded",
                recovered_fen=30000,
                working_days=6,
                rating=5,
            ),
            # never verified: waiting, rejected, a tip before its decision
            case(
                2,
                enterprise_uscc=E,
                created_at=at(date(2025, 7, 1)),
                accept_due=date(2025, 7, 10),
                status="received",
            ),
            case(
                3,
                enterprise_uscc=E,
                created_at=at(date(2025, 7, 2)),
                status="rejected",
                reject_reason="no_jurisdiction",
            ),
            case(
                4,
                kind="tip",
                enterprise_uscc=E,
                created_at=at(date(2025, 7, 3)),
                accepted_at=at(date(2025, 7, 4)),
                status="accepted",
                reporter_name_enc=cipher.encrypt(TIPSTER),
                contact_enc=cipher.encrypt(TIPSTER_PHONE),
            ),
            # a tip decided: violation confirmed, fined 50,000 yuan; the reporter is named
            case(
                5,
                kind="tip",
                enterprise_uscc=E,
                created_at=at(date(2025, 6, 1)),
                accept_due=date(2025, 6, 20),
                accepted_at=at(date(2025, 6, 2)),
                resolved_at=at(date(2025, 6, 20)),
                status="closed",
                outcome="case_opened",
                penalty_fen=5_000_000,
                working_days=14,
                reporter_name_enc=cipher.encrypt(TIPSTER),
                contact_enc=cipher.encrypt(TIPSTER_PHONE),
            ),
            # another department and city, for the assessment's ranks
            case(
                6,
                department="gongshang",
                routed_department="gongshang",
                city="无锡市",
                company="无锡某商场",
                created_at=at(date(2025, 8, 1)),
                accept_due=date(2025, 8, 12),
                accepted_at=at(date(2025, 8, 5)),
                resolved_at=at(date(2025, 8, 20)),
                status="resolved",
                outcome="mediated",
                working_days=11,
                rating=3,
            ),
            # the year before, for the assessment's year over year
            case(
                7,
                created_at=at(date(2024, 11, 1)),
                accept_due=date(2024, 11, 11),
                accepted_at=at(date(2024, 11, 4)),
                resolved_at=at(date(2024, 11, 20)),
                status="resolved",
                outcome="repaired",
                working_days=12,
            ),
        ]
        s.add_all(cases)
        s.add(
            GradeObjection(
                objection_no="YY20250420-AR01",
                uscc=E,
                grade_id=g2024.id,
                reason="评定时未考虑我司已整改完毕的问题",
                contact_enc=cipher.encrypt("02512345678"),
                status="dismissed",
                department="zhijian",
                created_at=at(date(2025, 4, 20)),
            )
        )
        mark_change(s, "enterprises", "grades", "recalls")
        await s.commit()
        async with services.sessions() as s2:
            await services.published.refresh(s2)
        return {"grade_2024": g2024.id}
