"""What the engines of this process hold open, per database server, for metrics and logs.

The engines register a source (a callable returning :class:`ServerUsage` rows); ``/metrics`` and the
readiness check read them through :func:`usage` without knowing which engines exist. A server is
named ``host:port`` for PostgreSQL and ``sqlite`` for every SQLite file of the process, so the label
set stays bounded by the number of servers, never by the number of tenants.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ServerUsage:
    server: str  # "127.0.0.1:5432", or "sqlite"
    budget: int  # connections this process may open to it (0: no budget)
    open: int  # connections open now
    in_use: int  # of which serving a query or a transaction
    waiting: int  # requests waiting for a connection


UsageSource = Callable[[], Iterable[ServerUsage]]
_sources: list[UsageSource] = []


def register_usage_source(source: UsageSource) -> None:
    """Add ``source`` (once) to what :func:`usage` reports."""
    if source not in _sources:
        _sources.append(source)


def usage() -> list[ServerUsage]:
    return [row for source in _sources for row in source()]
