"""Origins a source may reach: parsing URLs and allowed_hosts entries, private addresses.

Plain data and rules (no network): the config loader checks allowed_hosts with these."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from urllib.parse import urlsplit

#: (scheme, host, port): host lower-cased, IPv6 without brackets
Origin = tuple[str, str, int]

DEFAULT_PORTS = {"http": 80, "https": 443}


class PrivateAddressError(OSError):
    """A host name resolved only to addresses the source may not reach."""


def origin_of(url: str) -> Origin | None:
    """The origin of an http(s) URL, or None for anything else (or an unreadable port)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return scheme, parts.hostname.lower().rstrip("."), port or DEFAULT_PORTS[scheme]


def format_origin(origin: Origin) -> str:
    scheme, host, port = origin
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}"


def parse_allowed_host(entry: str) -> tuple[str, int | None]:
    """``host``, ``host:port``, ``[v6]`` or ``[v6]:port`` -> (host, port); else ValueError."""
    text = entry.strip().lower()
    if not text or "/" in text or "@" in text:
        raise ValueError(f"{entry!r}: write host or host:port, without scheme, path or user")
    if text.startswith("["):
        host, sep, rest = text[1:].partition("]")
        if not sep or (rest and not rest.startswith(":")):
            raise ValueError(
                f"{entry!r}: write an IPv6 address as [2001:db8::1] or [2001:db8::1]:443"
            )
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ValueError(f"{entry!r}: {host!r} in brackets is not an IPv6 address") from None
        return host, _port(entry, rest[1:]) if rest else None
    if text.count(":") > 1:
        raise ValueError(
            f"{entry!r} is ambiguous: put an IPv6 address in brackets, e.g. [2001:db8::1] or "
            "[2001:db8::1]:443"
        )
    host, sep, port = text.partition(":")
    if not host:
        raise ValueError(f"{entry!r}: the host is missing")
    return host.rstrip("."), _port(entry, port) if sep else None


def _port(entry: str, text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ValueError(f"{entry!r}: the port must be a number from 1 to 65535")
    return int(text)


def origins_for(
    urls: Iterable[str], allowed_hosts: Iterable[str], *, schemes: Iterable[str] = ()
) -> frozenset[Origin]:
    """The origins of the URLs, plus each allowed host on the schemes those URLs use.

    An allowed host without a port gets the scheme's default port; an https-only source never
    admits an http origin through its allowed hosts (no downgrade). ``schemes`` overrides.
    """
    own = {o for o in (origin_of(u) for u in urls) if o is not None}
    schemes = set(schemes) or {scheme for scheme, _, _ in own} or {"https"}
    out = set(own)
    for entry in allowed_hosts:
        host, port = parse_allowed_host(entry)
        for scheme in schemes:
            out.add((scheme, host, port or DEFAULT_PORTS[scheme]))
    return frozenset(out)


def literal_address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return None


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for a globally routable unicast address (loopback, link-local, private, ... are not)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast and not address.is_unspecified
