"""Media on Open311 requests (GeoReport v2 ``media_url``).

A client posts either ``media_url`` (a link the service fetches once, at filing) or, as
the common extension, a ``media`` file in a ``multipart/form-data`` body. Either way
the file goes through the same checks as every other channel's evidence before the
request is filed. Fetching a link is guarded: http or https only, no redirects, a
time limit, the file-size limit, and only addresses on the public Internet (plus the
networks in ``ZHIXIN_MEDIA_FETCH_ALLOW``), so a request cannot make the service
reach into its own network.

In the answers, ``media_url`` is given for requests whose content is public (filed
through Open311, not tips) and points at the evidence API, which still asks for the
access code or a staff token: the link says that a photo exists, not what it shows.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from complaints.evidence import MAX_FILE_BYTES
from infra.i18n import LocalizedError
from infra.settings import IPNetwork

FETCH_TIMEOUT = 10.0


class MediaError(LocalizedError):
    """The media_url cannot be used; the message (a translatable ``msgid``) says why."""


def _allowed(address: str, allow: tuple[IPNetwork, ...]) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if any(ip in net for net in allow):
        return True
    return ip.is_global


async def _resolve(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError:
        raise MediaError("media_url: the host cannot be resolved") from None
    return sorted({str(info[4][0]) for info in infos})


class _Pinned(AbstractResolver):
    """A resolver that answers with addresses looked up and checked beforehand."""

    def __init__(self, addresses: list[str]) -> None:
        self.addresses = addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in self.addresses
        ]

    async def close(self) -> None:
        return None


async def fetch(url: str, allow: tuple[IPNetwork, ...]) -> bytes:
    """The bytes at ``url``, or ``MediaError``."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise MediaError("media_url must be an http or https URL")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = await _resolve(parts.hostname, port)
    if not addresses or not all(_allowed(a, allow) for a in addresses):
        raise MediaError("media_url must point to a public address")
    timeout = aiohttp.ClientTimeout(total=FETCH_TIMEOUT)
    # the connection goes to the addresses checked here, not to a second lookup's answer
    connector = aiohttp.TCPConnector(resolver=_Pinned(addresses), use_dns_cache=False)
    try:
        async with (
            aiohttp.ClientSession(timeout=timeout, connector=connector) as http,
            http.get(url.strip(), allow_redirects=False) as resp,
        ):
            if resp.status != 200:
                raise MediaError("media_url answered HTTP {answer}", answer=resp.status)
            if (resp.content_length or 0) > MAX_FILE_BYTES:
                raise MediaError(
                    "media_url: the file is larger than {size} bytes", size=MAX_FILE_BYTES
                )
            data = bytearray()
            async for chunk in resp.content.iter_chunked(64 * 1024):
                data += chunk
                if len(data) > MAX_FILE_BYTES:
                    raise MediaError(
                        "media_url: the file is larger than {size} bytes", size=MAX_FILE_BYTES
                    )
            return bytes(data)
    except (aiohttp.ClientError, TimeoutError):
        raise MediaError("media_url could not be fetched") from None


def link(base: str, tracking_no: str, evidence_id: int) -> str:
    """The evidence API address of one file (it asks for the access code)."""
    return f"{base}/api/v1/cases/{tracking_no}/evidence/{evidence_id}"
