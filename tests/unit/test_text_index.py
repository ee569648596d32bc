"""The SQLite full-text index and the folding, generated: names in the shipped scripts (Latin with
accents, Arabic with harakat and tatweel, Cyrillic with ё, Chinese) stored folded; any piece of a
name, typed with other accents, marks and case, is found through the clause every search uses; a
changed or deleted row is found under its new text only (the triggers keep the index in step). The
same statements and clauses as the migrations and the services, on an in-memory database."""

from __future__ import annotations

import sqlite3
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from core.db.textsearch import index_statements, is_indexed, term_clause
from core.records.search import fold, search_terms

TABLE = SimpleNamespace(_meta=SimpleNamespace(tablename="t", db=SimpleNamespace(engine_type="sqlite")))
LETTERS = (
    "abcdefghijklmnopqrstuvwxyzáéíóúñçãõàèêëïôöüœß"
    "абвгдеёжзийклмнопрстуфхцчшщыэюя"
    "ابتثجحخدذرسشصعغفقلمنهوي"
    "北京上海王李张小明大学"
)
MARKS = (
    "\u0301",
    "\u0300",
    "\u0302",
    "\u0308",
    "\u0303",
    "\u0327",
    "\u064e",
    "\u064f",
    "\u0650",
    "\u0651",
    "\u0652",
)
TATWEEL = "\u0640"


def database() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, search_text TEXT NOT NULL DEFAULT '')")
    for statement in index_statements("sqlite", ["t"]):
        conn.execute(statement)
    return conn


def found(conn: sqlite3.Connection, q: str) -> set[int]:
    args: list[object] = []
    clauses = []
    for term in search_terms(q):
        compiled, values = term_clause(TABLE, term).querystring.compile_string(engine_type="sqlite")
        clauses.append(compiled)
        args += values
    sql = "SELECT id FROM t WHERE " + " AND ".join(f"({c})" for c in clauses)  # noqa: S608
    return {row[0] for row in conn.execute(sql, args)}


words = st.text(alphabet=LETTERS, min_size=1, max_size=9)
names = st.lists(words, min_size=1, max_size=4).map(" ".join)


@st.composite
def typed(draw: st.DrawFn, text: str) -> str:
    """``text`` as someone may type it: each character in either case, with marks or tatweel."""
    out = []
    for char in text:
        char = char.upper() if draw(st.booleans()) else char
        out.append(char + draw(st.sampled_from(("", "", *MARKS, TATWEEL))))
    return "".join(out)


@settings(max_examples=80, deadline=None)
@given(data=st.data(), stored=names, other=names)
def test_any_piece_of_a_name_typed_any_way_finds_it_and_only_its_current_text(data, stored, other):
    conn = database()
    conn.execute("INSERT INTO t (id, search_text) VALUES (1, ?)", (fold(data.draw(typed(stored))),))
    conn.execute("INSERT INTO t (id, search_text) VALUES (2, ?)", (fold(other),))
    start = data.draw(st.integers(0, len(stored) - 1))
    piece = stored[start : data.draw(st.integers(start + 1, len(stored)))].strip()
    if not search_terms(piece):
        return
    query = data.draw(typed(piece))
    assert 1 in found(conn, query)
    if any(is_indexed(term) for term in search_terms(query)):
        assert found(conn, query) == {i for i, text in ((1, stored), (2, other)) if _holds(text, query)}

    conn.execute("UPDATE t SET search_text = ? WHERE id = 1", (fold(other),))
    assert found(conn, query) == ({1, 2} if _holds(other, query) else set())
    conn.execute("DELETE FROM t WHERE id = 2")
    assert 2 not in found(conn, query)


def _holds(text: str, query: str) -> bool:
    return all(term in fold(text) for term in search_terms(query))
