"""One place that sees every HTTP request whole, routed or not: it gives the request an id, times it,
writes its access line (``core.web.logs``) and its metrics (``core.web.metrics``).

The request id is the client's ``X-Request-ID`` when it is short and made of safe characters (nginx's
``$request_id``, a load balancer's), else a new one; it is echoed in the response's ``X-Request-ID``
and carried by every log record written while the request is served.

It wraps Litestar's ASGI handler, outside routing, so an address no route matches is counted too
(Litestar's own middleware runs only for matched routes).
"""

from __future__ import annotations

import logging
import os
import re
import time
from typing import Any

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core.web import metrics
from core.web.logs import NO_TENANT, request_id_var, tenant_var

access_log = logging.getLogger("pilot_crm.access")
REQUEST_ID_HEADER = b"x-request-id"
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
# Polled by proxies and Prometheus: counted, but their lines are written at DEBUG (unless they fail).
QUIET_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})


def request_id_of(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == REQUEST_ID_HEADER:
            given = value.decode("latin-1")
            if SAFE_REQUEST_ID.fullmatch(given):
                return given
            break
    return os.urandom(16).hex()  # as random as a UUID 4, without building one


def tenant_of(scope: Scope, app: Any) -> tuple[str, str]:
    """The tenant for the logs (a declared slug or ``-``) and for the metrics (a declared slug,
    ``other`` for an undeclared one, ``-`` outside tenants): never a string a client chose freely."""
    parts = scope["path"].split("/", 3)
    if len(parts) < 3 or parts[1] != "t":
        return NO_TENANT, metrics.NO_TENANT
    if app.state.registry.get(parts[2]) is None:
        return NO_TENANT, metrics.OTHER
    return parts[2], parts[2]


def observed(handler: ASGIApp, app: Any) -> ASGIApp:
    """``handler`` (the app's ASGI handler) with every HTTP request logged and measured."""

    async def handle(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await handler(scope, receive, send)
            return
        request_id = request_id_of(scope)
        log_tenant, metric_tenant = tenant_of(scope, app)
        status = 500  # unless a response starts
        echoed = (REQUEST_ID_HEADER, request_id.encode())

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), echoed]
            await send(message)

        id_token, tenant_token = request_id_var.set(request_id), tenant_var.set(log_tenant)
        metrics.IN_FLIGHT.inc()
        started = time.perf_counter()
        try:
            await handler(scope, receive, send_observed)
        finally:
            seconds = time.perf_counter() - started
            metrics.IN_FLIGHT.dec()
            route = scope.get("path_template") or metrics.UNMATCHED
            method = metrics.method_label(scope["method"])  # type: ignore[typeddict-item]
            metrics.observe_request(route, method, status, metric_tenant, seconds)
            level = logging.INFO
            if status >= 500:
                level = logging.ERROR
            elif route in QUIET_ROUTES:
                level = logging.DEBUG
            access_log.log(
                level,
                "%s %s %s %.1fms",
                method,
                route,
                status,
                seconds * 1000,
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                    "tenant": log_tenant,
                    "request_id": request_id,
                },
            )
            request_id_var.reset(id_token)
            tenant_var.reset(tenant_token)

    return handle
