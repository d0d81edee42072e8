"""The request context every log line and audit row carries: server-made request id, derived client address.

Kept apart from the middleware so that audit (and anything else) can read the context without importing the
middleware module, which itself records audit events.
"""

from __future__ import annotations

import contextvars
import ipaddress
import logging
import re
import uuid
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_client_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("client_request_id", default="")
_client_ip: contextvars.ContextVar[str] = contextvars.ContextVar("client_ip", default="")
# A client's own X-Request-Id is kept for correlation only: printable ASCII, at most this many characters.
CLIENT_REQUEST_ID_MAX = 64
_PRINTABLE = re.compile(r"[^\x21-\x7e]")

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def current_request_id() -> str:
    return _request_id.get()


def current_client_request_id() -> str:
    return _client_request_id.get()


def current_client_ip() -> str:
    return _client_ip.get()


@lru_cache(maxsize=8)
def _networks(spec: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in spec if item.strip())


def trusted_proxies() -> tuple[Network, ...]:
    return _networks(tuple(getattr(settings, "PANHUO_TRUSTED_PROXIES", ())))


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_ip(request: HttpRequest) -> str:
    """The client's address: the socket peer, or, when that peer is a listed gateway, the nearest address in
    X-Forwarded-For that is not a listed gateway (read from the right: the left part is the client's own say)."""
    peer = str(request.META.get("REMOTE_ADDR", ""))
    networks = trusted_proxies()
    if not networks or not _is_trusted(peer, networks):
        return peer
    hops = [h.strip() for h in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if h.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a malformed chain: believe only the socket
        if not _is_trusted(hop, networks):
            return hop
    return hops[0] if hops else peer


def client_ip_for_axes(request: HttpRequest) -> str:
    """django-axes' AXES_CLIENT_IP_CALLABLE: lockouts per (username, derived client address)."""
    return client_ip(request)


def clean_client_request_id(raw: str) -> str:
    return _PRINTABLE.sub("", raw)[:CLIENT_REQUEST_ID_MAX]


def enter(request: HttpRequest) -> tuple[contextvars.Token[str], ...]:
    """Open the context for one request: a fresh server-side id, the client's id apart, the derived address."""
    rid = uuid.uuid4().hex
    request.request_id = rid  # type: ignore[attr-defined]
    ip = client_ip(request)
    request.client_ip = ip  # type: ignore[attr-defined]
    return (
        _request_id.set(rid),
        _client_request_id.set(clean_client_request_id(request.headers.get("X-Request-Id", ""))),
        _client_ip.set(ip),
    )


def leave(tokens: tuple[contextvars.Token[str], ...]) -> None:
    rid, crid, ip = tokens
    _request_id.reset(rid)
    _client_request_id.reset(crid)
    _client_ip.reset(ip)


class RequestIdLogFilter(logging.Filter):
    """Every log line carries the request id (settings.LOGGING)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True
