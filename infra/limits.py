"""How often one client may file cases and try access codes.

Filing is limited per client (an address on the web, API and Open311; a Telegram
user in the bot). Access codes are limited twice: per client, and per tracking number.
The per-number limit counts only clients that already failed on that number in the
last ten minutes: a stranger's wrong guesses lock the stranger out, never the owner,
who comes with the right code at the first try. Every try costs a token before the
code is checked (parallel guesses cannot slip through) and a right code gives its
tokens back, so only wrong codes count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from infra.ratelimit import Limit, RateLimiter

FILING = Limit(count=10, period=600)  # ten at once, then one a minute
CODES_PER_CLIENT = Limit(count=30, period=600)
CODES_PER_CASE = Limit(count=10, period=600)
# marks a client that gave a wrong code for a number, for ten minutes
FAILED_LATELY = Limit(count=1, period=600)
# public reads of requests by id: 60 at once, then one a second
LOOKUPS = Limit(count=60, period=60)


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


@dataclass(frozen=True, slots=True)
class Attempt:
    """One paid access-code check, settled by ``code_accepted`` or ``code_refused``."""

    limiter: RateLimiter
    client: str
    number: str
    per_case: bool  # the per-number limit was charged (the client failed before)

    @property
    def pair(self) -> str:
        return f"{self.client}|{self.number}"


async def code_attempt(limiter: RateLimiter, client: str, tracking_no: str) -> Attempt:
    """Pay for one access-code check, or ``RateLimited``."""
    number = _case_key(tracking_no)
    per_client = await limiter.hit("code-client", client, CODES_PER_CLIENT)
    if not per_client.allowed:
        raise RateLimited(per_client.retry_after)
    attempt = Attempt(limiter, client, number, per_case=False)
    # a client that has not failed on this number lately is not held to its limit
    fresh = await limiter.hit("code-failed", attempt.pair, FAILED_LATELY)
    if fresh.allowed:
        await limiter.give_back("code-failed", attempt.pair, FAILED_LATELY)
        return attempt
    per_case = await limiter.hit("code-case", number, CODES_PER_CASE)
    if not per_case.allowed:
        await limiter.give_back("code-client", client, CODES_PER_CLIENT)
        raise RateLimited(per_case.retry_after)
    return Attempt(limiter, client, number, per_case=True)


async def code_accepted(attempt: Attempt) -> None:
    """The code was right: the check does not count against anyone."""
    if attempt.per_case:
        await attempt.limiter.give_back("code-case", attempt.number, CODES_PER_CASE)
    await attempt.limiter.give_back("code-client", attempt.client, CODES_PER_CLIENT)


async def code_refused(attempt: Attempt) -> None:
    """The code was wrong: from now on this client counts against the number's limit."""
    await attempt.limiter.hit("code-failed", attempt.pair, FAILED_LATELY)


async def lookup(limiter: RateLimiter, client: str) -> None:
    """Pay for one public read of requests by id (Open311), or ``RateLimited``."""
    decision = await limiter.hit("lookup", client, LOOKUPS)
    if not decision.allowed:
        raise RateLimited(decision.retry_after)
