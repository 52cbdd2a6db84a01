"""Grade proposals: the rules computed by hand, the stored proposals on SQLite and
PostgreSQL, and the authority's decision at the desk (only decided grades are public)."""

from __future__ import annotations

import dataclasses

from credit.explain import explain
from credit.proposals import run_proposals
from credit.rules import Evidence, load_rules, propose
from tests.support.credit_data import E, H, seed_world
from tests.support.desk import bearer, staff_token

RULES = load_rules()


def test_a_busy_year_is_worked_out_indicator_by_indicator() -> None:
    ev = Evidence(
        E,
        2025,
        previous="A",
        previous_year=2024,
        grades_before=1,
        complaint_outcomes=["refunded"],
        tips_substantiated=1,
        penalty_fen=5_000_000,
        recall_levels=["一级"],
    )
    result = propose(ev, RULES)
    assert result is not None
    # 80 (A) − 3 (complaint) + 1 (remedied) − 8 (tip) − 5 (50,000 yuan) − 12 (level-I recall)
    assert result["score"] == 53
    assert result["grade"] == "C"  # 52 ≤ 53 < 66; the level-I cap (B) is above it already
    moved = {i["key"]: i["points"] for i in result["explanation"]["indicators"]}
    assert moved == {
        "complaints": -3,
        "complaints_remedied": 1,
        "tips_substantiated": -8,
        "penalties": -5,
        "recalls_level_1": -12,
    }
    assert result["explanation"]["caps"] == []
    assert result["reward_eligible"] is False


def test_a_level_one_recall_caps_the_grade_at_b() -> None:
    ev = Evidence("X", 2025, previous="AA", previous_year=2024, grades_before=1)
    ev.recall_levels.append("一级")
    result = propose(ev, RULES)
    assert result["score"] == 76  # 88 − 12: A by the thresholds
    assert result["grade"] == "B"
    assert result["explanation"]["caps"] == [{"key": "level_1_recall", "cap": "B"}]
    lines = explain(result, RULES, "en")
    assert "A level-I recall this year caps the grade at B: at most B." in lines


def test_a_clean_year_rises_one_step_and_earns_the_reward_once() -> None:
    ev = Evidence(H, 2025, previous="A", previous_year=2024, grades_before=2)
    result = propose(ev, RULES)
    assert (result["score"], result["grade"]) == (86, "AA")
    assert result["reward_eligible"] is True
    assert result["explanation"]["reward"]["yuan"] == 50000
    assert any("50,000" in line for line in explain(result, RULES, "en"))
    again = propose(dataclasses.replace(ev, ever_rewarded=True), RULES)
    assert again["grade"] == "AA" and again["reward_eligible"] is False
    # from B, a clean year (76 → A) is one step; from C (58 + 6 = 64) it stays C
    jump = propose(Evidence("Y", 2025, previous="C", grades_before=2), RULES)
    assert jump["grade"] == "C"
    rules = dataclasses.replace(RULES, base={**RULES.base, "C": 90})
    capped = propose(Evidence("Y", 2025, previous="C", grades_before=2), rules)
    assert capped["grade"] == "B"  # 96 would be AAA; a grade rises one step a year
    assert capped["explanation"]["caps"] == [{"key": "max_rise", "cap": "B"}]


def test_no_proposal_below_the_minimum_evidence() -> None:
    assert propose(Evidence("Z", 2025, previous="A", grades_before=1), RULES) is None
    assert propose(Evidence("Z", 2025, complaint_outcomes=["mediated"]), RULES) is None
    two = propose(Evidence("Z", 2025, complaint_outcomes=["mediated", None]), RULES)
    assert two["grade"] == "B"  # 75 − 6 + 1 = 70


async def test_proposals_are_stored_and_decided_at_the_desk(client, services) -> None:
    await seed_world(services)
    async with services.sessions() as s:
        counts = await run_proposals(s, 2025)
        await s.commit()
    assert dict(counts) == {"C": 1, "AA": 1}
    authority = await staff_token(services, "zhijian")
    other = await staff_token(services, "gongshang")
    assert (await client.get("/api/v1/desk/grade-proposals?year=2025")).status == 401
    resp = await client.get("/api/v1/desk/grade-proposals?year=2025", headers=bearer(other))
    assert resp.status == 200 and (await resp.json())["items"] == []  # not theirs to decide
    resp = await client.get(
        "/api/v1/desk/grade-proposals?year=2025&lang=en", headers=bearer(authority)
    )
    items = {p["uscc"]: p for p in (await resp.json())["items"]}
    assert items[E]["proposed"] == "C" and items[E]["score"] == 53
    assert items[H]["proposed"] == "AA" and items[H]["reward_eligible"] is True
    assert items[E]["reasons"][0] == "Starts at 80 points from the 2024 grade A."
    # nothing is public before a decision
    public = await (await client.get(f"/api/v1/enterprises/{H}")).json()
    assert 2025 not in [g["year"] for g in public["grade_history"]]
    # accept H's AA; publish B instead of C for E, with a reason
    url = f"/api/v1/desk/grade-proposals/{items[H]['id']}/accept?lang=en"
    assert (await client.post(url, json={}, headers=bearer(other))).status == 404
    huge = "/api/v1/desk/grade-proposals/2147483648/accept"  # beyond an int4 id: no 500
    assert (await client.post(huge, json={}, headers=bearer(authority))).status == 404
    ok = await client.post(url, json={}, headers=bearer(authority))
    assert ok.status == 200 and (await ok.json())["grade"] == "AA"
    again = await client.post(url, json={}, headers=bearer(authority))
    assert again.status == 409
    assert (await again.json())["error"]["message"] == "this proposal has already been decided"
    again_zh = await client.post(url.replace("?lang=en", ""), json={}, headers=bearer(authority))
    assert (await again_zh.json())["error"]["message"] == "该等级建议已经作出决定"
    url = f"/api/v1/desk/grade-proposals/{items[E]['id']}/override?lang=en"
    short = await client.post(url, json={"grade": "B", "reason": "短"}, headers=bearer(authority))
    assert short.status == 400 and (await short.json())["error"]["field"] == "reason"
    assert "at least" in (await short.json())["error"]["message"]
    short_zh = await client.post(
        url.replace("?lang=en", ""), json={"grade": "B", "reason": "短"}, headers=bearer(authority)
    )
    assert "理由" in (await short_zh.json())["error"]["message"]
    bad_year = await client.get("/api/v1/desk/grade-proposals?year=1999", headers=bearer(other))
    assert bad_year.status == 400 and "年份" in (await bad_year.json())["error"]["message"]
    body = {"grade": "B", "reason": "罚款已全额缴纳且召回已完成，整改到位"}
    done = await client.post(url, json=body, headers=bearer(authority))
    assert done.status == 200 and (await done.json())["status"] == "overridden"
    public = await (await client.get(f"/api/v1/enterprises/{H}")).json()
    assert [g["grade"] for g in public["grade_history"] if g["year"] == 2025] == ["AA"]
    public = await (await client.get(f"/api/v1/enterprises/{E}")).json()
    assert [g["grade"] for g in public["grade_history"] if g["year"] == 2025] == ["B"]
    # a new run keeps decided proposals as they are
    async with services.sessions() as s:
        assert sum((await run_proposals(s, 2025)).values()) == 0
        await s.commit()
    listed = await client.get(
        "/api/v1/desk/grade-proposals?year=2025&status=overridden", headers=bearer(authority)
    )
    [row] = (await listed.json())["items"]
    assert row["decided_grade"] == "B" and row["override_reason"] == body["reason"]
