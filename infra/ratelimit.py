"""Rate limits as token buckets (the GCRA form), kept in process or shared through Redis.

A ``Limit`` allows ``count`` events at once and ``count`` per ``period`` seconds after
that. A ``RateLimiter`` keys buckets by scope and identity (``"file"`` and a client
address, ``"code:number"`` and a tracking number...). With ``ZHIXIN_REDIS_URL`` set the
buckets live in Redis, so every process counts together; when Redis cannot be reached
the limiter carries on with in-process buckets, logs a warning, and tries Redis again
every few seconds.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from redis.asyncio import Redis

log = logging.getLogger(__name__)
Clock = Callable[[], float]


class TokenBucket:
    """``rate`` tokens a second, at most ``burst`` at once."""

    def __init__(self, rate: float, burst: int = 1) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate must be positive and burst at least 1")
        self.interval = 1.0 / rate
        self.tolerance = (burst - 1) * self.interval
        self.tat = float("-inf")  # theoretical arrival time of the next token

    def reserve(self, at: float) -> float:
        """Take a token and return the moment (>= ``at``) when it may be used."""
        tat = max(self.tat, at)
        send_at = max(at, tat - self.tolerance)
        self.tat = tat + self.interval
        return send_at

    def wait_time(self, at: float) -> float:
        """Seconds from ``at`` until a token is available (0 when one is now)."""
        return max(0.0, max(self.tat, at) - self.tolerance - at)

    def allow(self, at: float) -> bool:
        """Take a token only if one is available at ``at``."""
        tat = max(self.tat, at)
        if tat - self.tolerance > at:
            return False
        self.tat = tat + self.interval
        return True

    def give_back(self, at: float) -> None:
        """Return a token taken earlier (the attempt it paid for did not count)."""
        if self.tat > at:
            self.tat = max(at, self.tat - self.interval)

    def pause_until(self, moment: float) -> None:
        """No token before ``moment`` (after a flood-wait answer)."""
        self.tat = max(self.tat, moment + self.tolerance)

    def idle(self, at: float) -> bool:
        return self.tat <= at


@dataclass(frozen=True, slots=True)
class Limit:
    """``count`` events at once, then ``count`` per ``period`` seconds."""

    count: int
    period: float

    def __post_init__(self) -> None:
        if self.count < 1 or self.period <= 0:
            raise ValueError("a limit needs a count of at least 1 and a positive period")

    @property
    def interval(self) -> float:
        return self.period / self.count

    @property
    def tolerance(self) -> float:
        return (self.count - 1) * self.interval

    def bucket(self) -> TokenBucket:
        return TokenBucket(self.count / self.period, self.count)


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    retry_after: float = 0.0  # seconds until the next event is allowed, when refused

    @property
    def retry_after_header(self) -> str:
        """The ``Retry-After`` value: whole seconds, at least one."""
        return str(max(1, math.ceil(self.retry_after)))


class Backend(Protocol):
    async def hit(self, key: str, limit: Limit) -> Decision: ...

    async def give_back(self, key: str, limit: Limit) -> None: ...


class MemoryBackend:
    """Buckets in this process's memory; idle ones are dropped as the table grows."""

    def __init__(self, clock: Clock = time.monotonic, max_keys: int = 100_000) -> None:
        self.clock = clock
        self.max_keys = max_keys
        self.buckets: dict[str, TokenBucket] = {}

    def _bucket(self, key: str, limit: Limit, now: float) -> TokenBucket:
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= self.max_keys:
                self.buckets = {k: b for k, b in self.buckets.items() if not b.idle(now)}
            bucket = self.buckets[key] = limit.bucket()
        return bucket

    async def hit(self, key: str, limit: Limit) -> Decision:
        now = self.clock()
        bucket = self._bucket(key, limit, now)
        if bucket.allow(now):
            return Decision(True)
        return Decision(False, bucket.wait_time(now))

    async def give_back(self, key: str, limit: Limit) -> None:
        bucket = self.buckets.get(key)
        if bucket is not None:
            bucket.give_back(self.clock())


# GCRA in one atomic step. The stored value is the theoretical arrival time (TAT) in
# seconds; it expires once it lies in the past, when the bucket is full again.
_GCRA = """
local now = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local stored = tonumber(redis.call('GET', KEYS[1]))
local tat = now
if stored and stored > now then tat = stored end
if ARGV[4] == 'give_back' then
  if stored and stored > now then
    local back = math.max(now, stored - interval)
    if back > now then
      redis.call('SET', KEYS[1], tostring(back), 'PX', math.ceil((back - now) * 1000) + 1)
    else
      redis.call('DEL', KEYS[1])
    end
  end
  return {1, '0'}
end
if tat - tolerance > now then
  return {0, tostring(tat - tolerance - now)}
end
local new = tat + interval
redis.call('SET', KEYS[1], tostring(new), 'PX', math.ceil((new - now) * 1000) + 1)
return {1, '0'}
"""


class RedisBackend:
    """Buckets in Redis (one key each, updated by a Lua script), shared by all processes.

    Times are wall-clock seconds from ``clock``, so the processes' clocks must agree
    (NTP) to well under the limits' intervals.
    """

    def __init__(self, redis: Redis, prefix: str = "zhixin:rl:", clock: Clock = time.time):
        self.redis = redis
        self.prefix = prefix
        self.clock = clock
        self._script = redis.register_script(_GCRA)

    async def _run(self, key: str, limit: Limit, mode: str) -> Decision:
        allowed, wait = await self._script(
            keys=[self.prefix + key],
            args=[repr(self.clock()), repr(limit.interval), repr(limit.tolerance), mode],
        )
        return Decision(bool(int(allowed)), float(wait))

    async def hit(self, key: str, limit: Limit) -> Decision:
        return await self._run(key, limit, "hit")

    async def give_back(self, key: str, limit: Limit) -> None:
        await self._run(key, limit, "give_back")


def _redis_errors() -> tuple[type[BaseException], ...]:
    from redis.exceptions import RedisError

    return (RedisError, OSError, TimeoutError)


class RateLimiter:
    """Buckets keyed by scope and identity: in Redis when configured, else in process.

    A Redis failure never fails the caller: the in-process buckets take over (one
    warning per outage) and Redis is tried again after ``retry_after`` seconds.
    """

    def __init__(
        self,
        redis: Backend | None = None,
        memory: MemoryBackend | None = None,
        *,
        enabled: bool = True,
        retry_after: float = 5.0,
        clock: Clock = time.monotonic,
    ) -> None:
        self.redis = redis
        self.memory = memory or MemoryBackend()
        self.enabled = enabled
        self.retry_every = retry_after
        self.clock = clock
        self.down_since: float | None = None
        self._closers: list[Callable[[], object]] = []

    @classmethod
    def from_settings(cls, redis_url: str | None, *, enabled: bool = True) -> RateLimiter:
        """In process, or Redis at ``redis_url`` (connected lazily: start-up never waits)."""
        if not redis_url:
            return cls(enabled=enabled)
        from redis.asyncio import Redis

        client = Redis.from_url(
            redis_url,
            socket_connect_timeout=0.5,
            socket_timeout=0.5,
            retry_on_timeout=False,
        )
        limiter = cls(RedisBackend(client), enabled=enabled)
        limiter._closers.append(client.aclose)
        return limiter

    @property
    def shared(self) -> bool:
        """True while the limits are counted in Redis."""
        return self.redis is not None and self.down_since is None

    def _use_redis(self) -> bool:
        if self.redis is None:
            return False
        return self.down_since is None or self.clock() - self.down_since >= self.retry_every

    def _redis_failed(self, exc: BaseException) -> None:
        if self.down_since is None:
            log.warning(
                "Redis unavailable for rate limits (%s); counting in this process until it is back",
                type(exc).__name__,
            )
        self.down_since = self.clock()

    def _redis_ok(self) -> None:
        if self.down_since is not None:
            log.warning("Redis is back; rate limits are shared again")
            self.down_since = None

    async def hit(self, scope: str, identity: str, limit: Limit) -> Decision:
        """Count one event; ``allowed`` is False (with the wait) when over the limit."""
        if not self.enabled:
            return Decision(True)
        key = f"{scope}:{identity}"
        if self._use_redis():
            assert self.redis is not None
            try:
                decision = await self.redis.hit(key, limit)
            except _redis_errors() as exc:
                self._redis_failed(exc)
            else:
                self._redis_ok()
                return decision
        return await self.memory.hit(key, limit)

    async def give_back(self, scope: str, identity: str, limit: Limit) -> None:
        """Undo one counted event (an access code that turned out right)."""
        if not self.enabled:
            return
        key = f"{scope}:{identity}"
        if self._use_redis():
            assert self.redis is not None
            try:
                await self.redis.give_back(key, limit)
            except _redis_errors() as exc:
                self._redis_failed(exc)
            else:
                self._redis_ok()
                return
        await self.memory.give_back(key, limit)

    async def close(self) -> None:
        for closer in self._closers:
            result = closer()
            if hasattr(result, "__await__"):
                try:
                    await result  # type: ignore[misc]
                except Exception:  # closing a client whose server is gone
                    log.debug("closing the rate-limit Redis client failed", exc_info=True)
        self._closers.clear()
