"""What every ``zhixin`` subcommand module shares: the bad-input error and the runners."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from infra.settings import Settings


class CommandError(Exception):
    """Bad input: printed on stderr, exit code 1."""


def _run(coro: Coroutine[Any, Any, int | None]) -> int:
    return asyncio.run(coro) or 0


async def _with_services(
    settings: Settings, action: Callable[[Any], Coroutine[Any, Any, int | None]], **kw: Any
) -> int:
    from complaints.runtime import Services

    services = await Services.start(settings, watch=False, **kw)
    try:
        return await action(services) or 0
    finally:
        await services.close()
