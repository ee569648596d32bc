"""The app's logs: one line per record, JSON for machines (a log shipper, ``journalctl -o cat``,
``docker logs``) or text for a person at a terminal.

``PILOT_CRM_LOG_FORMAT`` chooses: ``json`` or ``text``; unset, ``serve`` writes JSON unless its
standard error is a terminal. Every record written while a request is served carries that request's
id and tenant (``-`` outside a tenant), so an error logged deep in a service is found from the
request's line, and from the ``X-Request-ID`` a member or nginx reports. Fields are bounded: a message
is cut at ``MAX_MESSAGE`` characters; access lines (``core.web.observe``) carry the route template,
never the raw path, query string or body, so no personal data reaches the logs through them.
"""

from __future__ import annotations

import logging
import os
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

import msgspec

FORMATS = ("json", "text")
MAX_MESSAGE = 4000
MAX_TRACEBACK = 16000
NO_TENANT = "-"

# Set by core.web.observe for the duration of a request.
request_id_var: ContextVar[str] = ContextVar("pilot_crm_request_id", default="-")
tenant_var: ContextVar[str] = ContextVar("pilot_crm_log_tenant", default=NO_TENANT)

# What an access line adds to a record (``extra=``), in the order the JSON line gives them.
ACCESS_FIELDS = ("method", "route", "status", "duration_ms")


def log_format(value: str | None = None) -> str:
    """The format asked for by ``PILOT_CRM_LOG_FORMAT`` (ValueError if it is neither), else JSON
    unless standard error is a terminal."""
    chosen = (value if value is not None else os.environ.get("PILOT_CRM_LOG_FORMAT", "")).strip().lower()
    if not chosen:
        return "text" if sys.stderr.isatty() else "json"
    if chosen not in FORMATS:
        raise ValueError(f"PILOT_CRM_LOG_FORMAT must be one of {', '.join(FORMATS)}, not {chosen!r}")
    return chosen


class RequestContextFilter(logging.Filter):
    """Gives every record the id and tenant of the request being served (``-`` outside one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        if not hasattr(record, "tenant"):
            record.tenant = tenant_var.get()
        return True


_encode = msgspec.json.Encoder(enc_hook=str).encode


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ms), level, logger, message, tenant, request_id, the
    access fields when the record has them, and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": _cut(record.getMessage(), MAX_MESSAGE),
            "tenant": getattr(record, "tenant", tenant_var.get()),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        for name in ACCESS_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exception"] = _cut(self.formatException(record.exc_info), MAX_TRACEBACK)
        # msgspec: a few microseconds a line where json.dumps took several times that, on every request.
        return _encode(line).decode()


class TextFormatter(logging.Formatter):
    """For a terminal: the same record, on one line of text, the tenant and request id at its end."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s [%(name)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        tenant = getattr(record, "tenant", tenant_var.get())
        request_id = getattr(record, "request_id", request_id_var.get())
        return f"{super().format(record)} [tenant={tenant} request={request_id}]"


def uvicorn_log_config(fmt: str) -> dict[str, Any]:
    """The logging configuration ``serve`` hands uvicorn (applied in each worker): every logger,
    uvicorn's included, through one handler in ``fmt``. Uvicorn's own access log is off (it writes
    the raw path with its query string); ``core.web.observe`` writes one line per request instead."""
    formatter = "core.web.logs.JsonFormatter" if fmt == "json" else "core.web.logs.TextFormatter"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request": {"()": "core.web.logs.RequestContextFilter"}},
        "formatters": {"line": {"()": formatter}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "line",
                "filters": ["request"],
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": "INFO"},
        "loggers": {
            "uvicorn": {"level": "INFO", "propagate": True},
            "uvicorn.error": {"level": "INFO", "propagate": True},
            "uvicorn.access": {"level": "WARNING", "propagate": False},
        },
    }
