"""Per-client token bucket (in process; each replica limits what it serves)."""

from __future__ import annotations

import math
import time
from collections import OrderedDict


class RateLimiter:
    """``rate`` requests per second per client, bursts up to ``burst``; remembers 10 000 clients."""

    def __init__(self, rate: float, burst: int, *, max_clients: int = 10_000) -> None:
        self.rate = rate
        self.burst = float(max(1, burst))  # a burst below 1 would refuse every request forever
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()

    async def allow(self, client: str) -> bool:
        now = time.monotonic()
        tokens, last = self._buckets.pop(client, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        allowed = tokens >= 1.0
        self._buckets[client] = (tokens - 1.0 if allowed else tokens, now)
        if len(self._buckets) > self.max_clients:
            self._buckets.popitem(last=False)  # forget the least recently seen client
        return allowed

    async def close(self) -> None:
        """Release connections (nothing to release in process)."""

    def retry_after(self, client: str) -> int:
        """Whole seconds until ``client`` has a token again (the Retry-After header; >= 1)."""
        tokens, last = self._buckets.get(client, (self.burst, time.monotonic()))
        tokens = min(self.burst, tokens + (time.monotonic() - last) * self.rate)
        missing = max(0.0, 1.0 - tokens)
        return max(1, math.ceil(missing / self.rate)) if self.rate > 0 else 1


# A token bucket in Redis, so every replica draws from one bucket per client. The time is the
# Redis server's, so replicas with skewed clocks agree. Returns {allowed, seconds to wait}.
_BUCKET = """
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
local wait = 0
if allowed == 0 then wait = math.ceil((1 - tokens) / rate) end
return {allowed, wait}
"""


class RedisRateLimiter(RateLimiter):
    """The same bucket shared by all replicas through Redis; the local one while Redis is down."""

    def __init__(self, rate: float, burst: int, url: str, *, prefix: str = "mch:") -> None:
        super().__init__(rate, burst)
        import redis.asyncio as aioredis

        self._redis = aioredis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._script = self._redis.register_script(_BUCKET)
        self._prefix = prefix + "ratelimit:"
        self._waits: OrderedDict[str, int] = OrderedDict()
        self._down_until = 0.0

    async def allow(self, client: str) -> bool:
        from redis.exceptions import RedisError

        if time.monotonic() < self._down_until:
            return await super().allow(client)
        try:
            allowed, wait = await self._script(
                keys=[self._prefix + client], args=[self.rate, self.burst]
            )
        except (RedisError, OSError):
            self._down_until = time.monotonic() + 1.0  # don't make every request wait on it
            return await super().allow(client)
        if not allowed:
            self._waits[client] = int(wait)
            if len(self._waits) > self.max_clients:
                self._waits.popitem(last=False)
        return bool(allowed)

    async def close(self) -> None:
        await self._redis.aclose()

    def retry_after(self, client: str) -> int:
        wait = self._waits.pop(client, None)
        return max(1, wait) if wait is not None else super().retry_after(client)
