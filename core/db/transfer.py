"""Rows of a table read, written and summed the same way on SQLite and PostgreSQL, for copying a
database from one engine to another and proving the copy equal.

Backups (``core.db.backup``) stay within one engine (a SQLite file, a ``pg_dump``); a copy *across*
engines goes through the tables' own definitions: rows are read with Piccolo (which turns each
engine's storage into the same Python values) in primary-key order, a batch at a time, and written
with their primary keys as they are, through the driver's ``executemany`` on the target's
transaction. Every function works on the database of the tenant in context, like any query.

:func:`table_summary` is what the two sides are compared by: the row count and a SHA-256 over every
row, each value normalised so that both engines agree (booleans, timestamps in UTC to the
microsecond, JSON re-encoded with sorted keys, floats to their precision, decimals without trailing
zeros).
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from piccolo.columns import (
    JSON,
    JSONB,
    Boolean,
    DoublePrecision,
    Real,
)
from piccolo.table import Table

from core.db.routing import tenant_engine

BATCH = 2000


@dataclass(frozen=True, slots=True)
class TableSummary:
    table: str
    rows: int
    checksum: str


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _pk(table: type[Table]) -> Any:
    return table._meta.primary_key


async def read_batch(table: type[Table], after: Any, size: int = BATCH) -> list[dict[str, Any]]:
    """Up to ``size`` rows of ``table`` whose primary key follows ``after`` (None: from the first),
    in primary-key order, every column by its database name."""
    pk = _pk(table)
    query = table.select(*table._meta.columns).order_by(pk).limit(size)
    if after is not None:
        query = query.where(pk > after)
    return await query.run()


async def insert_exact(table: type[Table], rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (as :func:`read_batch` returns them) with every column given, primary key
    included, in one transaction of the tenant in context."""
    if not rows:
        return
    columns = table._meta.columns
    json_columns = {c._meta.name for c in columns if isinstance(c, JSON | JSONB)}
    names = [c._meta.name for c in columns]
    engine = tenant_engine()
    postgres = engine.engine_type == "postgres"
    marks = ", ".join(f"${i}" for i in range(1, len(names) + 1)) if postgres else ", ".join("?" * len(names))
    quoted = ", ".join(_quote(c._meta.db_column_name) for c in columns)
    sql = f"INSERT INTO {_quote(table._meta.tablename)} ({quoted}) VALUES ({marks})"  # noqa: S608 - names only
    values = []
    for row in rows:
        record = []
        for name in names:
            value = row[name]
            if name in json_columns and value is not None and not isinstance(value, str):
                value = json.dumps(value)
            record.append(value)
        values.append(tuple(record))
    async with engine.transaction():
        connection = engine.current_transaction.get().connection  # type: ignore[union-attr]
        await connection.executemany(sql, values)


async def empty(table: type[Table]) -> None:
    """Delete every row of ``table`` (what migrations may have written into a new database)."""
    await tenant_engine().run_ddl(f"DELETE FROM {_quote(table._meta.tablename)}")  # noqa: S608 - a name


async def align_sequence(table: type[Table]) -> None:
    """After rows arrived with their own ids, make PostgreSQL's sequence hand out the next one
    (SQLite's rowids follow the largest by themselves)."""
    engine = tenant_engine()
    pk = _pk(table)
    if engine.engine_type != "postgres" or pk.value_type is not int:
        return
    name = _quote(table._meta.tablename)
    column = pk._meta.db_column_name
    await engine.run_ddl(
        f"SELECT setval(pg_get_serial_sequence('{name}', '{column}'), "  # noqa: S608 - names only
        f"COALESCE(MAX({_quote(column)}), 1), MAX({_quote(column)}) IS NOT NULL) FROM {name} "
        f"WHERE pg_get_serial_sequence('{name}', '{column}') IS NOT NULL"
    )


def _moment(value: Any) -> str:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.isoformat(timespec="microseconds")


def normalized(column: Any, value: Any) -> Any:
    """``value`` of ``column`` as both engines' reads agree on it (JSON-encodable)."""
    if value is None:
        return None
    if isinstance(column, Boolean):
        return bool(value)
    if isinstance(column, JSON | JSONB):
        return json.dumps(json.loads(value) if isinstance(value, str) else value, sort_keys=True)
    if isinstance(value, dt.datetime):
        return _moment(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(column, Real):
        return format(float(value), ".6g")  # PostgreSQL's real keeps 6 digits, SQLite's 15
    if isinstance(column, DoublePrecision) or isinstance(value, float):
        return format(float(value), ".15g")
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [normalized(None, item) for item in value]
    return value


async def table_summary(table: type[Table], size: int = BATCH) -> TableSummary:
    """Rows and checksum of ``table`` in the tenant in context (see the module docstring)."""
    columns = table._meta.columns
    pk = _pk(table)._meta.name
    digest = hashlib.sha256()
    count, after = 0, None
    while rows := await read_batch(table, after, size):
        for row in rows:
            line = json.dumps([normalized(c, row[c._meta.name]) for c in columns], default=str)
            digest.update(line.encode("utf-8") + b"\n")
        count += len(rows)
        after = rows[-1][pk]
    return TableSummary(table._meta.tablename, count, digest.hexdigest())
