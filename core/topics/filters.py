"""The ``topic=CODE`` list filter, shared by every record linked to topics.

A filter on a shared topic also finds the records tagged with a priority that refines it
(``TopicSpec.refines``): a record on "Forced labour in private-sector supply chains" is about
trafficking in persons too. A filter on a priority finds only what is tagged with it.
"""

from __future__ import annotations

from typing import Any

from core.topics.tables import Topic


async def with_refinements(code: str) -> list[str]:
    """``code`` and the codes of every topic refining it, archived ones included (what was tagged
    with an archived priority is still about the shared topic)."""
    code = code.upper()
    rows = await Topic.select(Topic.code).where(Topic.refines == code).run()
    return [code, *(r["code"] for r in rows)]


def topic_filter(table: Any, join_table: Any, fk: str):
    async def clause(code: str):
        codes = await with_refinements(code)
        rows = (
            await join_table.select(getattr(join_table, fk)).where(join_table.topic.code.is_in(codes)).run()
        )
        return table.id.is_in([r[fk] for r in rows] or [-1])

    return clause
