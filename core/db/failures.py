"""What a database error says about the tenant's database, whichever engine raised it.

SQLite and asyncpg report the same few conditions in different ways: a database that was never
migrated (no such table, or no PostgreSQL database at all), one that cannot be reached (connection
refused, unknown host, refused credentials), and a SQLite file that is not a database any more.
:func:`classify` maps them onto one vocabulary, so a caller can tell an operator the fix instead of
showing a driver's traceback.
"""

from __future__ import annotations

import errno
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

import asyncpg

NOT_MIGRATED, UNREACHABLE, DAMAGED = "not migrated", "unreachable", "damaged"

_CONNECTION_ERRNOS = {
    errno.ECONNREFUSED,
    errno.ECONNRESET,
    errno.EHOSTUNREACH,
    errno.ENETUNREACH,
    errno.EHOSTDOWN,
    errno.ETIMEDOUT,
}


class DatabaseBusy(Exception):
    """The database cannot take this query now (no connection free within the wait, a statement
    past its time limit, the process out of file descriptors). Raised by the engines; the web layer
    answers 503 with ``Retry-After: retry_after`` seconds and logs it loudly."""

    def __init__(self, reason: str, retry_after: int = 5) -> None:
        self.reason, self.retry_after = reason, retry_after
        super().__init__(reason)


class NotMigrated(Exception):
    """Raised where a tenant's database lacks what its migrations create (e.g. its identity)."""


_NOT_MIGRATED = (
    NotMigrated,
    asyncpg.InvalidCatalogNameError,  # no such database
    asyncpg.UndefinedTableError,
    asyncpg.UndefinedColumnError,
)
_UNREACHABLE = (
    ConnectionError,
    TimeoutError,
    socket.gaierror,
    asyncpg.PostgresConnectionError,
    asyncpg.InvalidAuthorizationSpecificationError,  # unknown role, wrong password
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
)


@dataclass(frozen=True, slots=True)
class DatabaseFailure:
    kind: str  # NOT_MIGRATED, UNREACHABLE or DAMAGED
    detail: str  # the driver's message, on one line


def one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _kind(exc: BaseException) -> str | None:
    if isinstance(exc, _NOT_MIGRATED):
        return NOT_MIGRATED
    if isinstance(exc, _UNREACHABLE):
        return UNREACHABLE
    if isinstance(exc, sqlite3.DatabaseError):
        message = str(exc)
        if "no such table" in message or "no such column" in message:
            return NOT_MIGRATED
        if "not a database" in message or "malformed" in message:
            return DAMAGED
        if "unable to open" in message:
            return UNREACHABLE
        return None
    if isinstance(exc, OSError) and exc.errno in _CONNECTION_ERRNOS:
        return UNREACHABLE
    return None


def causes(exc: BaseException) -> Iterator[BaseException]:
    """``exc`` and what it was raised from or during, innermost last, each once."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def classify(exc: BaseException) -> DatabaseFailure | None:
    """The database condition behind ``exc`` (or what it was raised from), or None if it is none of
    the known ones."""
    for candidate in causes(exc):
        if (kind := _kind(candidate)) is not None:
            return DatabaseFailure(kind, one_line(candidate))
    return None
