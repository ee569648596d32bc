"""Security headers on every response: pages, API answers, errors, static files and the schema.

A ``before_send`` hook rather than a middleware in the app's list: Litestar runs listed middleware
per route, so answers for unknown paths or wrong methods (raised by the router itself) would go out
without them. The hook sees every ``http.response.start`` the app sends.

The policy allows no inline script or style and no other host: templates keep behaviour in
``/static`` (htmx, configured to inject no style) and presentation in ``app.css``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.types import Message, Scope

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HSTS = "max-age=63072000; includeSubDomains"

BASE_HEADERS: tuple[tuple[str, str], ...] = (
    ("content-security-policy", CONTENT_SECURITY_POLICY),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
    ("x-frame-options", "DENY"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=()"),
    ("cross-origin-opener-policy", "same-origin"),
)


def security_headers(*, tls: bool) -> tuple[tuple[str, str], ...]:
    """The headers every response carries; HSTS only when the deployment says it is behind TLS
    (``Settings.secure_cookies``): sent over plain HTTP it would lock browsers out of the site."""
    return BASE_HEADERS + ((("strict-transport-security", HSTS),) if tls else ())


def security_headers_hook(*, tls: bool) -> Callable[[Message, Scope], Awaitable[None]]:
    """A ``before_send`` hook adding :func:`security_headers` to each HTTP response; a header a
    handler set itself is left alone."""
    encoded = [(name.encode("latin-1"), value.encode("latin-1")) for name, value in security_headers(tls=tls)]

    async def add_headers(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = list(message.get("headers") or [])
        present = {bytes(name).lower() for name, _ in headers}
        headers.extend((name, value) for name, value in encoded if name not in present)
        message["headers"] = headers  # type: ignore[typeddict-unknown-key]

    return add_headers
