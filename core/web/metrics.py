"""Prometheus metrics (prometheus-client), served at ``/metrics``.

- ``pilot_crm_http_request_duration_seconds``: a histogram by route template, method, status class
  and tenant. Every label has a bounded set of values, whatever clients send: the route is the
  matched template (``/t/{tenant_slug}/contacts``), ``unmatched`` for any path no route knows;
  the method is one of the HTTP methods the app serves, else ``other``; the tenant is a declared
  slug, ``other`` for a slug that is not declared, ``-`` for paths outside tenants.
- ``pilot_crm_http_requests_in_flight``.
- ``pilot_crm_db_connections{server,state}`` (open, in use, waiting) and
  ``pilot_crm_db_connection_budget{server}``, read from ``core.db.usage`` (servers, not tenants).

With ``PROMETHEUS_MULTIPROC_DIR`` set (``serve`` always sets one: ``core.web.multiprocess``)
each worker process writes its values to files there and a scrape, whichever worker answers it, adds
them up: ``serve --workers N`` shows as one target. Those files are per host, by design: each app host
is its own Prometheus target. Gauges count live processes only (``livesum``).
"""

from __future__ import annotations

import hmac
import os
import time

from litestar import Request, Response, get
from litestar.exceptions import NotAuthorizedException
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Gauge,
    Histogram,
    generate_latest,
)

from core.db.usage import usage
from core.web.multiprocess import MULTIPROC_ENV

TOKEN_ENV = "PILOT_CRM_METRICS_TOKEN"  # noqa: S105 - the variable's name, not a secret
UNMATCHED = "unmatched"
OTHER = "other"
NO_TENANT = "-"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Pool gauges are refreshed at most this often by requests (and at every scrape).
USAGE_REFRESH_SECONDS = 1.0

REQUEST_DURATION = Histogram(
    "pilot_crm_http_request_duration_seconds",
    "Time to answer an HTTP request, by route template, method, status class and tenant.",
    ("route", "method", "status", "tenant"),
    buckets=BUCKETS,
)
IN_FLIGHT = Gauge(
    "pilot_crm_http_requests_in_flight",
    "HTTP requests being answered.",
    multiprocess_mode="livesum",
)
DB_CONNECTIONS = Gauge(
    "pilot_crm_db_connections",
    "Database connections of the app processes, per server: open, in use, waiting for one.",
    ("server", "state"),
    multiprocess_mode="livesum",
)
DB_BUDGET = Gauge(
    "pilot_crm_db_connection_budget",
    "Connections the app processes may open to a server (0: no budget).",
    ("server",),
    multiprocess_mode="livesum",
)

_usage_read_at = 0.0


def method_label(method: str) -> str:
    return method if method in METHODS else OTHER


def status_label(status: int) -> str:
    return f"{status // 100}xx"


def observe_request(route: str | None, method: str, status: int, tenant: str, seconds: float) -> None:
    REQUEST_DURATION.labels(route or UNMATCHED, method_label(method), status_label(status), tenant).observe(
        seconds
    )
    refresh_pool_usage()


def refresh_pool_usage(force: bool = False) -> None:
    """Copy ``core.db.usage`` into the pool gauges (at most once a second unless ``force``)."""
    global _usage_read_at
    now = time.monotonic()
    if not force and now - _usage_read_at < USAGE_REFRESH_SECONDS:
        return
    _usage_read_at = now
    for row in usage():
        DB_BUDGET.labels(row.server).set(row.budget)
        DB_CONNECTIONS.labels(row.server, "open").set(row.open)
        DB_CONNECTIONS.labels(row.server, "in_use").set(row.in_use)
        DB_CONNECTIONS.labels(row.server, "waiting").set(row.waiting)


def multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def exposition() -> bytes:
    """The text a scrape gets: this process's registry, or every live worker's values added up."""
    refresh_pool_usage(force=True)
    if not multiprocess():
        return generate_latest(REGISTRY)
    from prometheus_client import multiprocess as mp

    registry = CollectorRegistry()
    mp.MultiProcessCollector(registry)
    return generate_latest(registry)


def process_ending() -> None:
    """On shutdown: drop this process's live gauges from the shared directory."""
    if multiprocess():
        from prometheus_client import multiprocess as mp

        mp.mark_process_dead(os.getpid())


def metrics_handler():  # type: ignore[no-untyped-def]
    """``GET /metrics``: open (protect it at the proxy, see the runbook), or, when
    ``PILOT_CRM_METRICS_TOKEN`` is set, only with ``Authorization: Bearer <token>``."""

    @get("/metrics", exclude_from_auth=True, include_in_schema=False, sync_to_thread=False)
    def metrics(request: Request) -> Response[bytes]:
        if token := os.environ.get(TOKEN_ENV, ""):
            given = request.headers.get("authorization", "").encode("latin-1", "replace")
            if not hmac.compare_digest(given, f"Bearer {token}".encode()):
                raise NotAuthorizedException()
        return Response(exposition(), media_type=CONTENT_TYPE_LATEST, headers={"cache-control": "no-store"})

    return metrics
