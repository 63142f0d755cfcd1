"""Where a source may send requests: origins, ``allowed_hosts`` entries and resolved addresses.

An origin is (scheme, host, port) with the default port filled in. A source reaches only the
origins of its configured URLs and ``allowed_hosts``; a host *name* whose addresses are loopback,
link-local, private, multicast or otherwise not public is refused after resolution (so a
register's DNS cannot point the hub at internal services, and a rebinding DNS answer is checked
on the address actually connected), unless the source allows private addresses. An IP literal is
never resolved: it is reachable only when it is one of the configured origins itself.
"""

from __future__ import annotations

import socket

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from microcred_hub.origins import (
    DEFAULT_PORTS,
    Origin,
    PrivateAddressError,
    format_origin,
    is_public,
    literal_address,
    origin_of,
    origins_for,
    parse_allowed_host,
)

__all__ = [
    "DEFAULT_PORTS",
    "GuardedResolver",
    "Origin",
    "PrivateAddressError",
    "format_origin",
    "is_public",
    "literal_address",
    "origin_of",
    "origins_for",
    "parse_allowed_host",
]


class GuardedResolver(AbstractResolver):
    """Resolves as usual, then drops every address that is not public.

    aiohttp connects only to the addresses a resolver returns, so the check holds for the
    address actually connected, whatever a later DNS answer says. IP literals never get here.
    """

    def __init__(self) -> None:
        self._inner = ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        kept = [r for r in found if _public_result(r)]
        if not kept:
            raise PrivateAddressError(f"{host} resolves only to non-public addresses")
        return kept

    async def close(self) -> None:
        await self._inner.close()


def _public_result(result: ResolveResult) -> bool:
    address = literal_address(result["host"])
    return address is not None and is_public(address)
