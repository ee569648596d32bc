"""Many rows in one go, for bulk loads (an import of thousands of records).

Piccolo's ``insert`` builds a Table instance per row and passes every value through its column's
conversion and its query-string machinery; for thousands of rows that is most of the time an
import spends. Here the rows go to the driver's own ``executemany`` (aiosqlite, asyncpg) on the
connection of the transaction in progress — the caller's, or a short one of its own — so they join
the caller's all-or-nothing and reach only the tenant in context, like any query. JSON columns are
encoded once, missing columns take their defaults.

New rows' ids, when asked for, are handed out before the insert, in the rows' order: from the
table's sequence on PostgreSQL, after the largest id on SQLite (whose ``BEGIN IMMEDIATE`` makes the
transaction the only writer).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import msgspec
from piccolo.columns import JSON, JSONB
from piccolo.columns.defaults.base import Default

_encode = msgspec.json.Encoder().encode


def _default(column: Any) -> Any:
    value = column.get_default_value()
    return value.python() if isinstance(value, Default) else value


async def _new_ids(connection: Any, engine_type: str, tablename: str, count: int) -> list[int]:
    if engine_type == "postgres":
        rows = await connection.fetch(
            "SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id FROM generate_series(1, $2)",
            f'"{tablename}"',
            count,
        )
        return sorted(row["id"] for row in rows)
    query = f'SELECT COALESCE(MAX("id"), 0) AS largest FROM "{tablename}"'  # noqa: S608
    async with connection.execute(query) as cursor:
        row = await cursor.fetchone()
    largest = row["largest"] if isinstance(row, dict) else row[0]
    return list(range(largest + 1, largest + 1 + count))


async def insert_rows(table: Any, rows: Sequence[dict[str, Any]], return_ids: bool = False) -> list[int]:
    """Insert ``rows`` (column name → value; a missing column takes its default) into ``table``;
    with ``return_ids``, returns the new rows' ids, in the rows' order."""
    if not rows:
        return []
    columns = [c for c in table._meta.columns if not c._meta.primary_key]
    names = [c._meta.name for c in columns]
    defaults = {c._meta.name: _default(c) for c in columns}
    json_columns = {c._meta.name for c in columns if isinstance(c, JSON | JSONB)}
    tablename = table._meta.tablename
    engine = table._meta.db
    async with engine.transaction():
        transaction = engine.current_transaction.get()
        connection = transaction.connection
        engine_type = engine.engine_type
        ids = await _new_ids(connection, engine_type, tablename, len(rows)) if return_ids else []
        quoted = ([] if not return_ids else ['"id"']) + [f'"{c._meta.db_column_name}"' for c in columns]
        if engine_type == "postgres":
            marks = ", ".join(f"${i}" for i in range(1, len(quoted) + 1))
        else:
            marks = ", ".join("?" * len(quoted))
        # Only the table's own names are interpolated; every value is a bound parameter.
        sql = f'INSERT INTO "{tablename}" ({", ".join(quoted)}) VALUES ({marks})'  # noqa: S608
        values = []
        for index, row in enumerate(rows):
            record: list[Any] = [ids[index]] if return_ids else []
            for name in names:
                value = row[name] if name in row else defaults[name]
                if name in json_columns and value is not None and not isinstance(value, str):
                    value = _encode(value).decode()
                record.append(value)
            values.append(tuple(record))
        await connection.executemany(sql, values)
    return ids
