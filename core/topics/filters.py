"""The ``topic=CODE`` list filter, shared by every record linked to topics."""

from __future__ import annotations

from typing import Any


def topic_filter(table: Any, join_table: Any, fk: str):
    async def clause(code: str):
        rows = (
            await join_table.select(getattr(join_table, fk))
            .where(join_table.topic.code == code.upper())
            .run()
        )
        return table.id.is_in([r[fk] for r in rows] or [-1])

    return clause
