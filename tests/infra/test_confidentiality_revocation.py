"""Access ends when it should: staff tokens and API keys are listed without their
secrets and revoked by id from the command line, they expire, a desk logout voids
the cookie on the server, and a group bound with a revoked token hears nothing more."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select, update

from bot.models import DepartmentChat
from infra.accounts import ApiKey, Staff, add_api_key, add_staff, revoke_staff
from infra.db import utcnow
from infra.settings import SettingsError, load_settings
from tests.bot.test_bot_cases import courier, file_complaint, staff_of
from tests.bot.test_bot_cases import world as world
from tests.support.desk import ELEVATOR, bearer, csrf_of, file_case
from tests.zhixin.test_cli import run


async def _cli(args: list[str], db_url: str, cwd) -> object:
    return await asyncio.to_thread(run, args, db_url, "", cwd)


async def test_staff_and_apikey_list_and_revoke_from_the_command_line(db_url, tmp_path, services):
    adding = ["staff", "add", "--department", "zhijian", "--name", "王芳"]
    added = await _cli(adding, db_url, tmp_path)
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    assert "valid until" in added.stdout
    key = (await _cli(["apikey", "add", "--name", "12315 app"], db_url, tmp_path)).stdout
    key = key.strip().splitlines()[-1]
    async with services.sessions() as session:
        staff = await session.scalar(select(Staff).where(Staff.name == "王芳"))
        row = await session.scalar(select(ApiKey))
        session.add(DepartmentChat(chat_id=-100777, department="zhijian", bound_by=staff.id))
        await session.commit()
    listed = await _cli(["staff", "list"], db_url, tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert f"{staff.id}\tzhijian\t王芳" in listed.stdout and "active" in listed.stdout
    keys = await _cli(["apikey", "list"], db_url, tmp_path)
    assert keys.returncode == 0 and f"{row.id}\t12315 app" in keys.stdout
    for secret in (token, key, staff.token_hash, row.key_hash, token[4:20], key[4:20]):
        assert secret not in listed.stdout + keys.stdout

    revoked = await _cli(["staff", "revoke", str(staff.id)], db_url, tmp_path)
    assert revoked.returncode == 0, revoked.stderr
    assert "1 group chat(s) unbound" in revoked.stdout
    assert "revoked" in (await _cli(["staff", "list"], db_url, tmp_path)).stdout
    assert (await _cli(["apikey", "revoke", str(row.id)], db_url, tmp_path)).returncode == 0
    unknown = await _cli(["staff", "revoke", "999"], db_url, tmp_path)
    assert unknown.returncode == 1 and "999" in unknown.stderr
    assert (await _cli(["apikey", "revoke", "999"], db_url, tmp_path)).returncode == 1
    assert (await _cli(["staff", "revoke", "abc"], db_url, tmp_path)).returncode == 2
    async with services.sessions() as session:
        assert await session.get(DepartmentChat, -100777) is None
        assert (await session.get(Staff, staff.id)).revoked_at is not None
        assert (await session.get(ApiKey, row.id)).revoked_at is not None


async def test_tokens_and_keys_expire(client, services):
    async with services.sessions() as session:
        staff, token = await add_staff(session, "zhijian", "李工", days=30)
        _row, key = await add_api_key(session, "city app", days=30)
        await session.commit()
    assert staff.expires_at - staff.created_at == timedelta(days=30)
    filed = await file_case(client, ELEVATOR)
    path = f"/api/v1/desk/cases/{filed['tracking_no']}"
    assert (await client.get(path, headers=bearer(token))).status == 200
    form = {"api_key": key, "service_code": "auto", "description": ELEVATOR, "email": "a@b.cn"}
    assert (await client.post("/open311/v2/requests.json", data=form)).status == 201
    past = utcnow() - timedelta(seconds=1)
    async with services.sessions() as session:
        await session.execute(update(Staff).values(expires_at=past))
        await session.execute(update(ApiKey).values(expires_at=past))
        await session.commit()
    assert (await client.get(path, headers=bearer(token))).status == 401
    assert (await client.post("/open311/v2/requests.json", data=form)).status == 403
    # an account made before expiry existed lasts the default from its creation
    async with services.sessions() as session:
        created = utcnow() - timedelta(days=91)
        await session.execute(update(Staff).values(expires_at=None, created_at=created))
        await session.commit()
        old = await session.get(Staff, staff.id)
        assert not old.active()


def test_token_lifetime_is_a_setting() -> None:
    assert load_settings({}).token_days == 90
    assert load_settings({"ZHIXIN_TOKEN_DAYS": "7"}).token_days == 7
    for bad in ("0", "many", "99999"):
        try:
            load_settings({"ZHIXIN_TOKEN_DAYS": bad})
        except SettingsError as exc:
            assert exc.variable == "ZHIXIN_TOKEN_DAYS"
        else:
            raise AssertionError(bad)


async def test_desk_logout_voids_the_cookie_on_the_server(client, services):
    async with services.sessions() as session:
        _staff, token = await add_staff(session, "zhijian", "赵工")
        await session.commit()
    page = await client.get("/desk?lang=en")
    csrf = csrf_of(await page.text())
    login = await client.post(
        "/desk/login?lang=en", data={"csrf_token": csrf, "token": token}, allow_redirects=False
    )
    assert login.status == 303
    cookie = login.cookies["zx_desk"].value
    assert "Log out" in await (await client.get("/desk?lang=en")).text()
    await client.post("/desk/logout", data={"csrf_token": csrf}, allow_redirects=False)
    # the old cookie, kept by someone (a copy, a shared computer), opens nothing
    client.session.cookie_jar.update_cookies({"zx_desk": cookie})
    html = await (await client.get("/desk?lang=en")).text()
    assert "Staff token" in html and "Log out" not in html
    # logging in again works
    csrf = csrf_of(html)
    again = await client.post(
        "/desk/login?lang=en", data={"csrf_token": csrf, "token": token}, allow_redirects=False
    )
    assert again.status == 303
    assert "Log out" in await (await client.get("/desk?lang=en")).text()


async def test_a_group_bound_with_a_revoked_token_hears_nothing_more(world, services):
    staff, token = await staff_of(services, "shiyaojian")
    group = world.person(108, "zh-hans", chat_id=-100500)
    await group.send(f"/bind {token}")
    async with services.sessions() as session:
        await revoke_staff(session, staff.id)
        await session.commit()
    await file_complaint(world.person(109))
    await courier(world).run_once()
    assert group.replies() == []
    async with services.sessions() as session:
        assert await session.get(DepartmentChat, -100500) is None
