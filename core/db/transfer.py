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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec
from piccolo.columns import (
    JSON,
    JSONB,
    BigInt,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Real,
    Serial,
    SmallInt,
    Text,
    Time,
    Timestamp,
    Timestamptz,
    Varchar,
)
from piccolo.table import Table

from core.db.routing import tenant_engine

BATCH = 2000
_decode = msgspec.json.decode
_encode_sorted = msgspec.json.Encoder(order="sorted").encode
_encode = msgspec.json.Encoder(enc_hook=str).encode


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
        if postgres:  # COPY: PostgreSQL's bulk path, several times faster than one INSERT per row
            names_in_db = [c._meta.db_column_name for c in columns]
            await connection.copy_records_to_table(table._meta.tablename, records=values, columns=names_in_db)
        else:
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


def _moment(value: Any) -> Any:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
        return value.isoformat(timespec="microseconds")
    return value.isoformat()


def _json(value: Any) -> str:
    decoded = _decode(value) if isinstance(value, str | bytes) else value
    return _encode_sorted(decoded).decode()


def _other(value: Any) -> Any:
    """A value of a column no normaliser is chosen for, when it is not a plain JSON value."""
    if isinstance(value, dt.date | dt.time):
        return _moment(value)
    if isinstance(value, float):
        return format(value, ".15g")
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [_other(item) for item in value]
    return value


Normaliser = Callable[[Any], Any]


def normaliser(column: Any) -> Normaliser:
    """How a value of ``column`` is written for the checksum, so both engines' reads agree on it:
    booleans as booleans (SQLite stores 0/1), timestamps in UTC to the microsecond, JSON re-encoded
    with sorted keys, floats to their precision (PostgreSQL's real keeps 6 digits, SQLite's 15),
    decimals without trailing zeros, bytes in hex."""
    if isinstance(column, Boolean):
        return bool
    if isinstance(column, JSON | JSONB):
        return _json
    if isinstance(column, Timestamp | Timestamptz | Date | Time):
        return _moment
    if isinstance(column, Real):
        return lambda value: format(float(value), ".6g")
    if isinstance(column, DoublePrecision):
        return lambda value: format(float(value), ".15g")
    if isinstance(column, Varchar | Text | Integer | BigInt | SmallInt | Serial | ForeignKey):
        return _plain
    return _other


def _plain(value: Any) -> Any:
    return value


class Summer:
    """The running row count and checksum of one table's rows, fed in primary-key order."""

    def __init__(self, table: type[Table]) -> None:
        self.table = table._meta.tablename
        self.columns = [(c._meta.name, normaliser(c)) for c in table._meta.columns]
        self.digest = hashlib.sha256()
        self.rows = 0

    def add(self, rows: Sequence[dict[str, Any]]) -> None:
        for row in rows:
            values = [None if (v := row[name]) is None else norm(v) for name, norm in self.columns]
            self.digest.update(_encode(values) + b"\n")
        self.rows += len(rows)

    def summary(self) -> TableSummary:
        return TableSummary(self.table, self.rows, self.digest.hexdigest())


async def table_summary(table: type[Table], size: int = BATCH) -> TableSummary:
    """Rows and checksum of ``table`` in the tenant in context (see the module docstring)."""
    summer = Summer(table)
    pk = _pk(table)._meta.name
    after = None
    while rows := await read_batch(table, after, size):
        summer.add(rows)
        after = rows[-1][pk]
    return summer.summary()
