"""``zhixin staff list|revoke`` and ``zhixin apikey list|revoke``: accounts without
their secrets, and revoking one by its id."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from infra.settings import Settings


def _run(action: Callable[[Any], Coroutine[Any, Any, int]], settings: Settings) -> int:
    async def go() -> int:
        from complaints.runtime import Services

        services = await Services.start(settings, watch=False)
        try:
            return await action(services)
        finally:
            await services.close()

    return asyncio.run(go())


def _bad_input(message: str) -> int:
    """Bad input: the message on stderr, exit code 1."""
    print(f"zhixin: {message}", file=sys.stderr)
    return 1


def register(staff: Any, apikey: Any) -> None:
    """Add the list and revoke actions to the ``staff`` and ``apikey`` sub-parsers."""
    sl = staff.add_parser("list", help="every staff account (never its token)")
    sl.set_defaults(func=cmd_staff_list)
    sr = staff.add_parser(
        "revoke", help="revoke a staff token; its desk sessions and bound group chats end"
    )
    sr.add_argument("id", type=int, help="the account's id (zhixin staff list)")
    sr.set_defaults(func=cmd_staff_revoke)
    al = apikey.add_parser("list", help="every API key (never the key)")
    al.set_defaults(func=cmd_apikey_list)
    ar = apikey.add_parser("revoke", help="revoke an API key")
    ar.add_argument("id", type=int, help="the key's id (zhixin apikey list)")
    ar.set_defaults(func=cmd_apikey_revoke)


def _day(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d") if moment else "-"


def _state(row: Any, now: datetime) -> str:
    if row.revoked_at is not None:
        return f"revoked {_day(row.revoked_at)}"
    return "active" if row.active(now) else "expired"


def _expiry(row: Any) -> datetime | None:
    from datetime import timedelta

    from infra.accounts import TOKEN_DAYS

    return row.expires_at or (row.created_at + timedelta(days=TOKEN_DAYS))


def cmd_staff_list(args: argparse.Namespace, settings: Settings) -> int:
    from infra.accounts import list_staff
    from infra.db import utcnow

    async def action(services: Any) -> int:
        async with services.sessions() as session:
            rows = await list_staff(session)
        now = utcnow()
        print("id\tdepartment\tname\tcreated\texpires\tstate")
        for row in rows:
            print(
                f"{row.id}\t{row.department}\t{row.name}\t{_day(row.created_at)}\t"
                f"{_day(_expiry(row))}\t{_state(row, now)}"
            )
        return 0

    return _run(action, settings)


def cmd_staff_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from bot.alerts import unbind_staff
    from infra.accounts import revoke_staff

    async def action(services: Any) -> int:
        async with services.sessions() as session:
            staff = await revoke_staff(session, args.id)
            if staff is None:
                return _bad_input(f"id: no staff account with id {args.id}")
            chats = await unbind_staff(session, staff.id)
            await session.commit()
        print(f"staff #{staff.id} {staff.name} ({staff.department}): revoked; "
              f"{chats} group chat(s) unbound")  # fmt: skip
        return 0

    return _run(action, settings)


def cmd_apikey_list(args: argparse.Namespace, settings: Settings) -> int:
    from infra.accounts import list_api_keys
    from infra.db import utcnow

    async def action(services: Any) -> int:
        async with services.sessions() as session:
            rows = await list_api_keys(session)
        now = utcnow()
        print("id\tname\tcreated\texpires\tstate")
        for row in rows:
            print(
                f"{row.id}\t{row.name}\t{_day(row.created_at)}\t{_day(_expiry(row))}\t"
                f"{_state(row, now)}"
            )
        return 0

    return _run(action, settings)


def cmd_apikey_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from infra.accounts import revoke_api_key

    async def action(services: Any) -> int:
        async with services.sessions() as session:
            row = await revoke_api_key(session, args.id)
            if row is None:
                return _bad_input(f"id: no API key with id {args.id}")
            await session.commit()
        print(f"API key #{row.id} for {row.name}: revoked")
        return 0

    return _run(action, settings)
