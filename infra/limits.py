"""How often one client may file cases and try access codes.

Filing is limited per client (an address on the web, API and Open311; a Telegram
user in the bot). Access codes are limited twice: per client, and per tracking number
whoever asks, so a number cannot be attacked from many addresses at once. Every try
costs a token before the code is checked (parallel guesses cannot slip through) and a
right code gives its tokens back, so only wrong codes count.
"""

from __future__ import annotations

import math

from infra.ratelimit import Limit, RateLimiter

FILING = Limit(count=10, period=600)  # ten at once, then one a minute
CODES_PER_CLIENT = Limit(count=30, period=600)
CODES_PER_CASE = Limit(count=10, period=600)


class RateLimited(Exception):
    """Too many attempts; ``retry_after`` seconds until the next one is allowed."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited; retry after {retry_after:.0f} s")
        self.retry_after = retry_after

    @property
    def header(self) -> str:
        """The ``Retry-After`` value: whole seconds, at least one."""
        return str(max(1, math.ceil(self.retry_after)))

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


async def check_filing(limiter: RateLimiter, client: str, scope: str = "file") -> None:
    """Pay for one submission (a case, or with ``scope="objection"`` a grade objection)."""
    decision = await limiter.hit(scope, client, FILING)
    if not decision.allowed:
        raise RateLimited(decision.retry_after)


def _case_key(tracking_no: str) -> str:
    return tracking_no.strip().upper()[:32]


async def code_attempt(limiter: RateLimiter, client: str, tracking_no: str) -> None:
    """Pay for one access-code check, or ``RateLimited``."""
    per_case = await limiter.hit("code-case", _case_key(tracking_no), CODES_PER_CASE)
    if not per_case.allowed:
        raise RateLimited(per_case.retry_after)
    per_client = await limiter.hit("code-client", client, CODES_PER_CLIENT)
    if not per_client.allowed:
        await limiter.give_back("code-case", _case_key(tracking_no), CODES_PER_CASE)
        raise RateLimited(per_client.retry_after)


async def code_accepted(limiter: RateLimiter, client: str, tracking_no: str) -> None:
    """The code was right: the check does not count against anyone."""
    await limiter.give_back("code-case", _case_key(tracking_no), CODES_PER_CASE)
    await limiter.give_back("code-client", client, CODES_PER_CLIENT)
