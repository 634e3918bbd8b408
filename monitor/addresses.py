"""Which addresses the fetcher may reach: http(s) to public addresses only, unless an admin sets
`[settings] allow_private = true` for intranet sources.

A feed's link or a redirect must not make the bot fetch 169.254.169.254 (a cloud host's
metadata, with its credentials), localhost or the town hall's intranet: a server-side request
forgery. httpx calls the hooks below for every request and every redirect hop: before sending,
the URL's scheme is checked and its host resolved, and a literal address or a name with any
non-public address is refused. The connection itself goes through `CheckedBackend`: the name is
resolved once more there and the connection made to that checked address, never to the name, so
a name that resolves to a public address for the hook and to a private one afterwards (DNS
rebinding) reaches nothing. The answer's peer address is checked as well (`check_connected`),
in case a transport we did not make connected. Behind an HTTP proxy only the name is checked:
the proxy connects, and its own address is the one we see (the README says so for admins).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import urllib.request
import weakref
from typing import Any

import httpcore
import httpx

from monitor.errors import FetchError

SCHEMES = ("http", "https")
HINT = "set allow_private = true in [settings] if this is an intranet source you trust"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedAddress(FetchError):
    """A URL the fetcher will not request: not http(s), or not a public address."""


def is_public(address: Address) -> bool:
    """A global unicast address: not loopback, link-local, private, shared, reserved,
    unspecified (0.0.0.0, ::) or multicast; an IPv4-mapped IPv6 address as its IPv4."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def guard_hooks(allow_private: bool) -> dict[str, list[Any]]:
    """The client's event hooks: none when private addresses are allowed."""
    if allow_private:
        return {}
    hooks: dict[str, list[Any]] = {"request": [check_request]}
    if not urllib.request.getproxies():  # through a proxy, the proxy is what we connect to
        hooks["response"] = [check_connected]
    return hooks


async def check_request(request: httpx.Request) -> None:
    url = request.url
    if url.scheme not in SCHEMES:
        raise RefusedAddress(f"refusing to fetch {url}: only http and https addresses are fetched")
    host = url.host
    for address in await _addresses(host, url.port or (443 if url.scheme == "https" else 80)):
        if not is_public(address):
            raise RefusedAddress(
                f"refusing to fetch {url}: {host} is a {_kind(address)} address ({address}), "
                f"not a public one; {HINT}"
            )


class CheckedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend, connecting only to public addresses: the host is resolved
    here and the connection made to each checked address in turn, so what was checked is what
    is connected to. TLS still verifies the name (httpcore sends the URL's host as SNI)."""

    def __init__(self, inner: httpcore.AsyncNetworkBackend) -> None:
        self._inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await _addresses(host, port)
        if not addresses:  # does not resolve: the inner backend says why, as before
            return await self._inner.connect_tcp(host, port, timeout, local_address, socket_options)
        for address in addresses:
            if not is_public(address):
                raise RefusedAddress(
                    f"refusing to connect to {host}: it is a {_kind(address)} address "
                    f"({address}), not a public one; {HINT}"
                )
        failure: httpcore.ConnectError | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:  # the next address, as a resolver's list is
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_unix_socket(path, timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def checked_transport(**options: Any) -> httpx.AsyncHTTPTransport:
    """httpx's transport connecting through `CheckedBackend`. httpx 0.28 takes no network
    backend, so it is set on the transport's httpcore pool (`_pool`, a private attribute): if a
    new httpx moves it, every fetch of a public address fails at once, and test_fetch with it."""
    transport = httpx.AsyncHTTPTransport(**options)
    pool = transport._pool
    pool._network_backend = CheckedBackend(pool._network_backend)
    return transport


# The connections whose peer was checked and found public: a kept-alive connection's peer
# cannot change, and asking for it at every answer had anyio build every attribute of the
# socket and make a system call.
_checked: weakref.WeakSet[Any] = weakref.WeakSet()


async def check_connected(response: httpx.Response) -> None:
    stream = response.extensions.get("network_stream")
    if stream is None or stream in _checked:  # in-process (tests), or checked already
        return
    peer = stream.get_extra_info("server_addr")
    if not peer:
        return
    address = ipaddress.ip_address(peer[0].split("%")[0])
    if not is_public(address):
        raise RefusedAddress(
            f"refusing the answer from {response.request.url}: the connection went to a "
            f"{_kind(address)} address ({address}), not a public one; {HINT}"
        )
    _checked.add(stream)


async def _addresses(host: str, port: int) -> list[Address]:
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        # A name that does not resolve cannot be connected to either: httpx says why.
        return []
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


def _kind(address: Address) -> str:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_unspecified:
        return "unspecified"
    if address.is_private:
        return "private"
    return "non-public"
