"""Search on the databases' own full-text indexes over a table's folded ``search_text`` column.

``LIKE '%term%'`` on a plain column reads every row: a b-tree cannot serve a pattern that starts
with a wildcard. Both engines have an index that can, for any fragment of three characters or more:

- SQLite: an FTS5 table with the ``trigram`` tokenizer, external-content over the table's
  ``search_text`` (``<table>_fts``, no second copy of the text), kept in sync by triggers, so the
  index changes in the same transaction as the row. A phrase (``MATCH '"term"'``) is found in it
  as a substring, from the index alone.
- PostgreSQL: a ``pg_trgm`` GIN index on ``search_text`` (``<table>_search_trgm``), which the
  planner uses for ``LIKE '%term%'`` directly.

The text is folded in Python (``core.records.search.fold``: accents, harakat and tatweel removed,
case folded) before it is stored and before it is searched, so neither index needs a language.

A term shorter than three characters (a two-character Chinese word, an initial) has no trigram: it
is matched by ``LIKE`` on the table's own column. Beside a longer term, it only filters the rows the
index found; alone, it reads the table (a list stops at its page; a miss reads it all).

Every caller builds its "term matches" condition with :func:`term_clause` (or, for a query compiled
once with placeholders, :func:`term_value` and :func:`term_matches`), and orders by
:func:`rank` where it ranks, so lists, the search page, pickers and duplicate finding search alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from piccolo.columns.combination import WhereRaw
from piccolo.querystring import QueryString

# The shortest fragment the trigram indexes can serve.
MIN_INDEXED_LENGTH = 3
# Rank of a term's match: at the start of the text (a record's name comes first), at the start of
# a word, inside a word. A search's rank is the sum over its terms; lower ranks come first.
AT_START, AT_WORD, INSIDE = 0, 1, 2


def is_indexed(term: str) -> bool:
    """Whether the index can find ``term`` (a folded term, without ``%``): it must hold a run of
    three characters that are not ``LIKE``'s one-character wildcard."""
    return max(len(run) for run in term.split("_")) >= MIN_INDEXED_LENGTH


def indexed_first(terms: Sequence[str]) -> tuple[list[str], int]:
    """``terms`` with those the index serves first (the shape of a compiled query depends on how
    many there are, not on their order) and how many they are."""
    indexed = [t for t in terms if is_indexed(t)]
    return indexed + [t for t in terms if not is_indexed(t)], len(indexed)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def term_value(table: Any, term: str, indexed: bool) -> str:
    """The value :func:`term_matches` binds for ``term``: on SQLite's index, an FTS5 phrase (the
    trigram tokenizer matches it as a substring, from the index alone); else a ``LIKE`` pattern."""
    if indexed and table._meta.db.engine_type == "sqlite":
        return '"' + term.replace('"', '""') + '"'
    return f"%{term}%"


def term_matches(table: Any, value: Any, indexed: bool) -> WhereRaw:
    """Rows of ``table`` whose ``search_text`` holds a term, given as :func:`term_value` makes it
    (or a placeholder for it), through the engine's index when ``indexed`` (:func:`is_indexed`).
    The engine is the one of the tenant in context."""
    name = table._meta.tablename
    if indexed and table._meta.db.engine_type == "sqlite":
        # MATCH, not the trigram LIKE the FTS table also takes: LIKE re-reads every candidate row
        # (15 ms for a surname at 100,000 contacts, against about 1 ms).
        fts = _quoted(f"{name}_fts")
        sql = f"{_quoted(name)}.{_quoted('id')} IN (SELECT rowid FROM {fts} WHERE {fts} MATCH {{}})"  # noqa: S608
        return WhereRaw(sql, value)
    return WhereRaw(f"{_quoted(name)}.{_quoted('search_text')} LIKE {{}}", value)


def term_clause(table: Any, term: str) -> WhereRaw:
    """Rows of ``table`` whose ``search_text`` holds ``term`` (folded, without ``%``)."""
    indexed = is_indexed(term)
    return term_matches(table, term_value(table, term, indexed), indexed)


def rank_values(terms: Sequence[str]) -> list[str]:
    """The values :func:`rank` binds for ``terms``, in order: per term, its start and word patterns."""
    return [value for term in terms for value in (f"{term}%", f"% {term}%")]


def rank(table: Any, values: Sequence[Any]) -> QueryString:
    """How well a row matches, as an SQL expression (0 is best): the sum over the terms of
    ``AT_START``, ``AT_WORD`` or ``INSIDE``; ``values`` as :func:`rank_values` gives them."""
    column = f"{_quoted(table._meta.tablename)}.{_quoted('search_text')}"
    if not values:
        return QueryString("0")
    one = (
        f"(CASE WHEN {column} LIKE {{}} THEN {AT_START} "
        f"WHEN {column} LIKE {{}} THEN {AT_WORD} ELSE {INSIDE} END)"
    )
    return QueryString(" + ".join([one] * (len(values) // 2)), *values)


# -- the indexes ----------------------------------------------------------------------------------


def _sqlite_index(name: str) -> list[str]:
    table, fts = _quoted(name), _quoted(f"{name}_fts")
    # Names are quoted identifiers of our own tables, never input.
    remove = f"INSERT INTO {fts}({fts}, rowid, search_text) VALUES ('delete', old.id, old.search_text);"  # noqa: S608
    add = f"INSERT INTO {fts}(rowid, search_text) VALUES (new.id, new.search_text);"  # noqa: S608
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
        f"search_text, content={table}, content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {_quoted(f'{name}_fts_insert')} AFTER INSERT ON {table} "
        f"BEGIN {add} END",
        f"CREATE TRIGGER IF NOT EXISTS {_quoted(f'{name}_fts_delete')} AFTER DELETE ON {table} "
        f"BEGIN {remove} END",
        f"CREATE TRIGGER IF NOT EXISTS {_quoted(f'{name}_fts_update')} AFTER UPDATE OF search_text "
        f"ON {table} BEGIN {remove} {add} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",  # noqa: S608 - fills it with the rows already there
    ]


def _sqlite_drop(name: str) -> list[str]:
    triggers = [
        f"DROP TRIGGER IF EXISTS {_quoted(f'{name}_fts_{event}')}" for event in ("insert", "delete", "update")
    ]
    return [*triggers, f"DROP TABLE IF EXISTS {_quoted(f'{name}_fts')}"]


def _postgres_index(name: str) -> list[str]:
    return [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",  # trusted since PostgreSQL 13: a database owner may
        f"CREATE INDEX IF NOT EXISTS {_quoted(f'{name}_search_trgm')} "
        f"ON {_quoted(name)} USING gin (search_text gin_trgm_ops)",
    ]


def index_statements(engine_type: str, tablenames: Sequence[str]) -> list[str]:
    """The statements that index (and fill the index of) the ``search_text`` of each table."""
    build = _sqlite_index if engine_type == "sqlite" else _postgres_index
    return [statement for name in tablenames for statement in build(name)]


def drop_statements(engine_type: str, tablenames: Sequence[str]) -> list[str]:
    if engine_type == "sqlite":
        return [statement for name in tablenames for statement in _sqlite_drop(name)]
    return [f"DROP INDEX IF EXISTS {_quoted(f'{name}_search_trgm')}" for name in tablenames]


def add_search_indexes(manager: Any, tablenames: Sequence[str]) -> None:
    """Give a Piccolo migration (``manager``) the steps that index the ``search_text`` of
    ``tablenames`` on the engine of the tenant being migrated, and drop them backwards."""
    from core.db.identity import TenantIdentity as Bound  # any table bound to the routing engine

    async def forwards() -> None:
        for statement in index_statements(Bound._meta.db.engine_type, tablenames):
            await Bound.raw(statement).run()

    async def backwards() -> None:
        for statement in drop_statements(Bound._meta.db.engine_type, tablenames):
            await Bound.raw(statement).run()

    manager.add_raw(forwards)
    manager.add_raw_backwards(backwards)
