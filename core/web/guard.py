"""Requests refused before routing, whatever route they name (pages, API, static files, error and
404 pages alike): a head or an address that is too large, and a Host header that is missing,
repeated or not a host. Litestar rebuilds a request's URL from the Host header on first use, and a
port that is not a number makes that raise deep inside page rendering or even error handling;
refusing such a request up front means no handler ever meets one."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import msgspec
from litestar import Litestar
from litestar.types import Scope

from core.errors import Message
from core.i18n.markers import N_
from core.web.problems import PROBLEM_JSON, problem_document, translator_for
from core.web.security import security_headers

# Request line and headers together. Browsers send a few kilobytes; reverse proxies refuse more
# than 8-16 KiB (nginx's large_client_header_buffers), so nothing legitimate reaches this.
MAX_HEAD_BYTES = 16 * 1024
MAX_HEADERS = 100
MAX_HOST_LENGTH = 255
# The longest path the app serves is under 100 bytes, and a query string within the bounds of every
# parameter (a search of 200 characters, percent-encoded) under 1.5 KiB. Litestar keeps LRU caches
# of 1024 entries keyed by the path and by the parsed query; these bounds keep them small.
MAX_PATH_BYTES = 1024
MAX_QUERY_BYTES = 2048

# RFC 3986 host: an IP literal in brackets, or a reg-name (unreserved, sub-delims, %-escapes),
# then an optional port of digits.
_HOST = re.compile(
    r"(?P<host>\[[0-9A-Fa-f:.]+\]|(?:[A-Za-z0-9._~!$&'()*+,;=-]|%[0-9A-Fa-f]{2})+)(?::(?P<port>[0-9]{1,5}))?"
)


def _valid_host(value: str) -> bool:
    match = _HOST.fullmatch(value) if len(value) <= MAX_HOST_LENGTH else None
    if match is None:
        return False
    host, port = match.group("host"), match.group("port")
    if port is not None and int(port) > 65535:
        return False
    if host.startswith("["):
        try:
            ipaddress.IPv6Address(host[1:-1])
        except ValueError:
            return False
    return True


def head_problem(scope: Scope) -> tuple[int, Message] | None:
    """``(status, reason)`` when this request's head must be refused, else None."""
    headers = list(scope.get("headers") or [])
    if len(headers) > MAX_HEADERS or sum(len(k) + len(v) for k, v in headers) > MAX_HEAD_BYTES:
        return 431, Message(N_("Clear this site's cookies and try again, or send fewer headers."))
    path = scope.get("raw_path") or scope["path"].encode()
    if len(path) > MAX_PATH_BYTES or len(scope.get("query_string", b"")) > MAX_QUERY_BYTES:
        return 414, Message(N_("Use a shorter address."))
    hosts = [value for name, value in headers if name == b"host"]
    if len(hosts) > 1:
        return 400, Message(N_("This request names more than one host."))
    if not hosts:
        # HTTP/1.0 may omit Host; HTTP/1.1 must send it (RFC 9112, section 3.2).
        if scope.get("http_version", "1.1") == "1.0":
            return None
        return 400, Message(N_("This request names no host."))
    if not _valid_host(hosts[0].decode("latin-1")):
        return 400, Message(N_("The Host header of this request is not a valid host name."))
    return None


class GuardedLitestar(Litestar):
    """The Litestar app, answering a request whose head :func:`head_problem` refuses with a problem
    document (in the tenant's language when the path names one) before any routing."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        refused = head_problem(scope) if scope["type"] == "http" else None
        if refused is None:
            await super().__call__(scope, receive, send)
            return
        status, reason = refused
        accept_language = next((v for k, v in scope["headers"] if k == b"accept-language"), b"")
        translator = translator_for(self.state.registry, scope["path"], accept_language.decode("latin-1"))
        body = msgspec.json.encode(problem_document(translator, status, scope["path"], reason))
        tls = self.state.settings.secure_cookies
        headers = [(name.encode(), value.encode()) for name, value in security_headers(tls=tls)]
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    *headers,
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
