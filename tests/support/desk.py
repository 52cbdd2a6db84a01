"""Shared steps of the case and desk tests: staff tokens, filing, acting."""

from __future__ import annotations

import re
from typing import Any

from infra.accounts import add_staff, revoke_staff

ELEVATOR = "小区电梯经常困人，上周又困了我家老人半小时，我要求维保公司赔偿我家的损失"
POLLUTION = "举报某化工厂夜间偷排污水，河里的鱼都死了"
VAGUE = "小区门口的共享单车乱停乱放"


async def staff_token(services: Any, department: str, name: str = "王科员") -> str:
    async with services.sessions() as session:
        _staff, token = await add_staff(session, department, name)
        await session.commit()
    return token


async def revoked_token(services: Any, department: str) -> str:
    async with services.sessions() as session:
        staff, token = await add_staff(session, department, "已离职")
        await revoke_staff(session, staff.id)
        await session.commit()
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def file_case(client: Any, text: str = ELEVATOR, **fields: Any) -> dict[str, Any]:
    body = {"text": text, **fields}
    if "contact" not in fields and fields.get("kind") != "tip":
        body["contact"] = "13812345678"
    resp = await client.post("/api/v1/cases?lang=en", json=body)
    assert resp.status == 201, await resp.text()
    return await resp.json()


async def act(
    client: Any, token: str, tracking_no: str, action: str, status: int = 200, **body: Any
) -> dict[str, Any]:
    resp = await client.post(
        f"/api/v1/desk/cases/{tracking_no}/{action}?lang=en", json=body, headers=bearer(token)
    )
    assert resp.status == status, await resp.text()
    return await resp.json()


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field in the page"
    return match.group(1)
