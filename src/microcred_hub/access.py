"""Who is asking: the client address behind trusted proxies, and the admin-token throttle."""

from __future__ import annotations

import ipaddress
import math
import time
from collections import OrderedDict
from collections.abc import Iterable

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip().removeprefix("[").removesuffix("]"))
    except ValueError:
        return None


class ClientAddress:
    """The address a request comes from. ``X-Forwarded-For`` is believed only as far as it was
    written by proxies named in ``[server] trusted_proxies``: read from the right, the first
    address that is not such a proxy is the client (the left part is the client's to forge)."""

    def __init__(self, trusted: Iterable[str]) -> None:
        self.trusted: tuple[_Network, ...] = tuple(
            ipaddress.ip_network(proxy, strict=False) for proxy in trusted
        )

    def _is_trusted(self, ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
        return ip is not None and any(ip in network for network in self.trusted)

    def of(self, peer: str, forwarded_for: bytes | None) -> str:
        if not self.trusted or forwarded_for is None or not self._is_trusted(_ip(peer)):
            return peer
        client = peer
        for hop in reversed(forwarded_for.decode("latin-1").split(",")):
            ip = _ip(hop)
            if ip is None:
                break  # not an address a proxy wrote: believe nothing further left
            client = str(ip)
            if not self._is_trusted(ip):
                break
        return client


class AdminThrottle:
    """Failed admin attempts per client: after ``max_failures`` in a row the client waits 1 s,
    then 2, 4 ... up to 15 minutes before each further try; a success forgets the failures.
    Remembers the 10 000 most recent clients."""

    MAX_LOCKOUT_SECONDS = 900.0

    def __init__(self, max_failures: int, *, max_clients: int = 10_000) -> None:
        self.max_failures = max_failures
        self.max_clients = max_clients
        self._clients: OrderedDict[str, tuple[int, float]] = OrderedDict()  # failures, until

    def wait(self, client: str) -> int:
        """Whole seconds the client must still wait before it may try; 0 when it may."""
        state = self._clients.get(client)
        if state is None:
            return 0
        remaining = state[1] - time.monotonic()
        return math.ceil(remaining) if remaining > 0 else 0

    def failed(self, client: str) -> None:
        failures, _ = self._clients.pop(client, (0, 0.0))
        failures += 1
        until = 0.0
        if failures >= self.max_failures:
            lockout = min(2.0 ** (failures - self.max_failures), self.MAX_LOCKOUT_SECONDS)
            until = time.monotonic() + lockout
        self._clients[client] = (failures, until)
        if len(self._clients) > self.max_clients:
            self._clients.popitem(last=False)

    def succeeded(self, client: str) -> None:
        self._clients.pop(client, None)
