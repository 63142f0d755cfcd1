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

    def retry_after(self, client: str) -> int:
        """Whole seconds until ``client`` has a token again (the Retry-After header; >= 1)."""
        tokens, last = self._buckets.get(client, (self.burst, time.monotonic()))
        tokens = min(self.burst, tokens + (time.monotonic() - last) * self.rate)
        missing = max(0.0, 1.0 - tokens)
        return max(1, math.ceil(missing / self.rate)) if self.rate > 0 else 1
