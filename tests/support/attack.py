"""Shared steps of the bad-input and authorisation tests: a small world with a case, a
staff member logged in to the desk, an API key and a graded enterprise; and every route
of the app with its path parameters filled in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from sqlalchemy import func, select

from infra.accounts import add_api_key
from tests.support.bot_world import seed
from tests.support.desk import ELEVATOR, bearer, csrf_of, file_case, staff_token

_PARAM = re.compile(r"\{(\w+)(?::[^}]*)?\}")
# routes that belong to the framework, not to the service's own handlers
SKIPPED = ("/static", "/telegram/")


@dataclass
class World:
    tracking_no: str
    access_code: str
    department: str
    staff_token: str
    api_key: str
    uscc: str
    recall_id: int
    objection_no: str

    def sample(self, name: str) -> str:
        """A real value for each path parameter the app's routes use."""
        return {
            "tracking_no": self.tracking_no,
            "uscc": self.uscc,
            "id": str(self.recall_id),
            "objection_no": self.objection_no,
            "proposal_id": "1",
            "action": "progress",
            "fmt": "json",
            "code": self.department,
            "token": "none",
            "slug": "315",
            "year": "2026",
            "name": "2026",
            "evidence_id": "1",
        }[name]

    def headers(self) -> dict[str, str]:
        return {**bearer(self.staff_token), "X-Access-Code": self.access_code}


async def make_world(client: Any, services: Any) -> World:
    codes, recall_ids = await seed(services, n_recalls=3)
    filed = await file_case(client, ELEVATOR)
    token = await staff_token(services, filed["department"])
    async with services.sessions() as session:
        _row, key = await add_api_key(session, "city app")
        await session.commit()
    uscc = codes["chengrui"]  # graded AA
    resp = await client.post(
        f"/api/v1/enterprises/{uscc}/objections",
        json={
            "reason": "评级所依据的抽检报告已被撤销，请复核。",
            "contact": "13900001111",
            "uscc": uscc,
        },
    )
    assert resp.status == 201, await resp.text()
    objection_no = (await resp.json())["objection_no"]
    await desk_login(client, token)
    return World(
        filed["tracking_no"],
        filed["access_code"],
        filed["department"],
        token,
        key,
        uscc,
        recall_ids[0],
        objection_no,
    )


async def desk_login(client: Any, token: str) -> None:
    page = await client.get("/desk?lang=en")
    resp = await client.post(
        "/desk/login?lang=en",
        data={"csrf_token": csrf_of(await page.text()), "token": token},
        allow_redirects=False,
    )
    assert resp.status == 303, await resp.text()


def routes(app: web.Application, method: str) -> list[tuple[str, list[str]]]:
    """(path template, its parameter names) of every route for ``method``."""
    out = []
    seen = set()
    for route in app.router.routes():
        if route.method != method or route.resource is None:
            continue
        template = route.resource.canonical
        if template.startswith(SKIPPED) or template in seen:
            continue
        seen.add(template)
        out.append((template, _PARAM.findall(template)))
    return out


def fill(template: str, values: dict[str, str]) -> str:
    return _PARAM.sub(lambda m: values[m.group(1)], template)


# routes that take files (multipart/form-data) and no JSON
MULTIPART_ROUTES = {"/api/v1/cases/{tracking_no}/evidence"}


def is_form_route(template: str) -> bool:
    """HTML form handlers (and Open311, which takes form fields) rather than JSON."""
    return not template.startswith("/api/")


async def table_counts(services: Any) -> dict[str, int]:
    """Rows in every table: what an injected statement would change."""
    import zhixin.models  # noqa: F401  (every table registered)
    from infra.db import Base

    counts = {}
    async with services.sessions() as session:
        for table in Base.metadata.sorted_tables:
            counts[table.name] = await session.scalar(select(func.count()).select_from(table))
    return counts
