"""Who is asking: the client's address, behind the reverse proxies the operator trusts.

``X-Forwarded-For`` is believed only when the connection comes from a proxy listed in
``ZHIXIN_TRUSTED_PROXIES``; otherwise anyone could name any address and slip past the
per-address rate limits. The header is read from the right, skipping trusted proxies:
the first address that is not one of them is the client. ``X-Forwarded-Proto`` is
believed from the same proxies only.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from aiohttp import web

from infra.settings import IPNetwork
from infra.web import SETTINGS, Handler

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse(raw: str | None) -> Address | None:
    if not raw:
        return None
    raw = raw.strip()
    if raw.startswith("[") and "]" in raw:  # [v6]:port
        raw = raw[1 : raw.index("]")]
    elif raw.count(":") == 1:  # v4:port
        raw = raw.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, proxies: Iterable[IPNetwork]) -> bool:
    return any(address in net for net in proxies)


def resolve_client(
    peer: str | None, forwarded_for: str | None, proxies: tuple[IPNetwork, ...]
) -> str:
    """The client address from the peer and the ``X-Forwarded-For`` header."""
    address = _parse(peer)
    if address is None:
        return peer or "unknown"
    if not proxies or not forwarded_for or not _trusted(address, proxies):
        return str(address)
    for hop in reversed(forwarded_for.split(",")):
        hop_address = _parse(hop)
        if hop_address is None:
            # a garbled hop: the last proxy we trust is the best we know
            return str(address)
        address = hop_address
        if not _trusted(address, proxies):
            return str(address)
    return str(address)


def _from_trusted_proxy(request: web.Request) -> bool:
    address = _parse(request.remote)
    return address is not None and _trusted(address, request.app[SETTINGS].trusted_proxies)


@web.middleware
async def forwarded_scheme(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Behind a TLS-terminating proxy the request is https (``request.secure``: Secure
    cookies, HSTS) when a trusted proxy says so in ``X-Forwarded-Proto``."""
    proto = request.headers.get("X-Forwarded-Proto", "")
    # a chain of proxies appends: the last value is the one our own proxy set
    if request.scheme != "https" and proto.rsplit(",", 1)[-1].strip().lower() == "https":
        if _from_trusted_proxy(request):
            request = request.clone(scheme="https")
    return await handler(request)


def client_address(request: web.Request) -> str:
    """What the per-client rate limits count against: the IPv4 address, or the IPv6 /64
    (one subscriber's network: its other addresses cost nothing to take)."""
    proxies = request.app[SETTINGS].trusted_proxies
    address = resolve_client(request.remote, request.headers.get("X-Forwarded-For"), proxies)
    if ":" in address:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return address
