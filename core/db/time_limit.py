"""How long one statement may run before the database layer stops it.

One request must not hold a connection (and the thread running it) for as long as a runaway query
takes: the engines stop a statement past ``PILOT_CRM_STATEMENT_TIMEOUT_MS`` (default 10,000; 0 or
empty: no limit) and raise :class:`core.db.failures.DatabaseBusy`, which the web layer answers
with 503 and Retry-After. Work that is long by nature (the CLI: migrations, moves, restores, bulk
loads) runs inside :func:`statement_time_limit` ``(None)``.

The variable is read when a statement starts (a dictionary lookup), so a test or an operator's
change to the environment of a running process applies to the next statement.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator
from contextlib import contextmanager

ENV = "PILOT_CRM_STATEMENT_TIMEOUT_MS"
DEFAULT_MS = 10_000

_FROM_ENVIRONMENT = object()
_limit: contextvars.ContextVar[object] = contextvars.ContextVar("statement_limit", default=_FROM_ENVIRONMENT)
_parsed: dict[str, float | None] = {}


def _from_environment() -> float | None:
    raw = os.environ.get(ENV, "")
    if raw not in _parsed:
        try:
            ms = float(raw) if raw.strip() else float(DEFAULT_MS)
        except ValueError:
            ms = float(DEFAULT_MS)  # a typo must not lift the limit
        _parsed[raw] = ms / 1000 if ms > 0 else None
    return _parsed[raw]


def statement_timeout() -> float | None:
    """Seconds a statement started now may run (None: no limit)."""
    value = _limit.get()
    return _from_environment() if value is _FROM_ENVIRONMENT else value  # type: ignore[return-value]


@contextmanager
def statement_time_limit(seconds: float | None) -> Iterator[None]:
    """Statements run inside the block (and the tasks it starts) may run ``seconds`` (None: no
    limit) instead of the process's limit."""
    token = _limit.set(seconds)
    try:
        yield
    finally:
        _limit.reset(token)
