"""Generic record service. A domain area subclasses it, naming its table, form, filters, sort and
related sets; list, get, create, update (optimistic concurrency), archive and audit are written once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, ClassVar

import msgspec
from cachetools import LRUCache
from piccolo.columns import Column, Date, Text, Timestamptz, Varchar
from piccolo.columns.combination import WhereRaw
from piccolo.querystring import QueryString

from core.accounts.roles import Actor
from core.audit import service as audit
from core.db.bulk import insert_rows
from core.db.prepared import Prepared
from core.db.textsearch import indexed_first, rank, rank_values, term_matches, term_value
from core.errors import Conflict, Message, NotFound, PermissionDenied, ValidationFailed
from core.forms.fields import in_int_range
from core.forms.validation import validate_record, validate_submission
from core.i18n.markers import N_
from core.plugins.manager import notify_record_changed
from core.records import cursor as cursors
from core.records.search import search_terms, search_text
from core.tenancy.context import require_tenant

MAX_LIMIT = 200
# Rows per INSERT statement in bulk writes (well under both backends' parameter limits).
INSERT_CHUNK = 500
# Compiled list queries by shape: (service, include_archived, number of terms and how many of them
# the full-text index serves, cursor or not, visibility rule). Search terms are bounded and the page
# size is a bound value, so the shapes are few; the LRU bound holds whatever a client sends, and
# whatever services plugins add.
PAGE_QUERY_CACHE_SIZE = 256
_PAGE_QUERIES: LRUCache[tuple[Any, ...], Prepared] = LRUCache(maxsize=PAGE_QUERY_CACHE_SIZE)
# ``sort`` for the best matches of a search first (``core.db.textsearch.rank``), then by id.
RELEVANCE = "relevance"
# The key a ranked page reads each row's rank under (not part of the record).
RANK_KEY = "search_rank"


@dataclass(frozen=True, slots=True)
class Page:
    items: list[dict[str, Any]]
    next: str | None
    previous: str | None = None  # the page before this one (None on the first)
    total: int | None = None  # how many records the whole list holds, when asked for


@dataclass(frozen=True, slots=True)
class SortOrder:
    """A list's order: ``key`` as the ``sort`` parameter says it (empty: the list's own order), the
    column it sorts on and whether descending."""

    key: str
    column: str
    descending: bool


@dataclass(frozen=True, slots=True)
class VisibilityRule:
    """Which rows an actor may list, as a clause built from values (``build(*values)``), so that list
    queries compile it once with placeholders. ``key`` names the clause's shape: two rules with the
    same key must build the same SQL for any values."""

    key: str
    build: Callable[..., Any]
    values: tuple[Any, ...] = ()

    def clause(self) -> Any:
        return self.build(*self.values)


@dataclass(frozen=True, slots=True)
class TopicLink:
    """A many-to-many link from a record to topics through a join table."""

    join_table: type[Any]
    record_fk: str


_decode_json = msgspec.json.Decoder().decode


def load_json(value: Any, default: Any) -> Any:
    """JSON columns arrive as text on SQLite and decoded on PostgreSQL (msgspec: ~10x json.loads)."""
    if value is None:
        return default
    return _decode_json(value) if isinstance(value, str) else value


def now() -> datetime:
    return datetime.now(UTC)


def _cursor_type(column: Column) -> type:
    """The Python type a cursor's sort value must have for ``column`` (a cursor from another list or
    another tenant is rejected as invalid instead of reaching the database)."""
    if isinstance(column, Timestamptz):
        return datetime
    if isinstance(column, Date):
        return date
    if isinstance(column, Varchar | Text):
        return str
    return int


def _after(sort: Column, pk: Column, after: tuple[Any, int], descending: bool, nullable: bool) -> Any:
    """Rows that come after ``after`` (a row's sort value and id) in the order ``sort`` then ``pk``,
    ascending or ``descending``; on a ``nullable`` column an empty value sorts after every other."""
    value, last_id = after
    if sort._meta.name == pk._meta.name:
        return pk < last_id if descending else pk > last_id
    if value is None:  # only empty values come after an empty one, in id order
        if descending:
            return sort.is_not_null() | (sort.is_null() & (pk < last_id))
        return sort.is_null() & (pk > last_id)
    if descending:
        return (sort < value) | ((sort == value) & (pk < last_id))
    later = (sort > value) | ((sort == value) & (pk > last_id))
    return later | sort.is_null() if nullable else later


class RecordService:
    entity: ClassVar[str]
    form_name: ClassVar[str]
    table: ClassVar[type[Any]]  # a Piccolo table with RecordMixin's columns
    sort_column: ClassVar[str] = "id"
    label_column: ClassVar[str] = "name"  # what names a record in choice lists and links
    immutable_fields: ClassVar[tuple[str, ...]] = ()  # set at creation, ignored on update
    sort_descending: ClassVar[bool] = False
    json_columns: ClassVar[dict[str, Any]] = {"extra": {}}
    topic_link: ClassVar[TopicLink | None] = None
    # Filters: query parameter → function(value) returning a where-clause (or a list of ids).
    filters: ClassVar[dict[str, Callable[[str], Any]]] = {}
    # Keys a record carries besides its table's columns (set by ``related``, ``_serialize`` or
    # ``select_columns``). Plugin fields live in ``extra``, which is spread into the record, so their
    # names must be none of ``output_keys()`` (``pilot-crm plugins check`` refuses one that is).
    added_keys: ClassVar[tuple[str, ...]] = ()
    # Columns a list may be sorted by: ``sort`` parameter key → column of ``table`` (each page keeps
    # its place with the id as a tie-breaker, so a column need not be unique).
    sort_keys: ClassVar[dict[str, str]] = {}

    def __init__(self, actor: Actor, locale: str | None = None) -> None:
        self.actor = actor
        self.tenant = require_tenant()
        self.locale = locale or self.tenant.declaration.default_locale

    @classmethod
    def output_keys(cls) -> frozenset[str]:
        """Every key a record of this service may hold apart from its plugin fields."""
        keys = {column._meta.name for column in cls.table._meta.columns} | set(cls.added_keys)
        if cls.topic_link is not None:
            keys.add("topics")
        return frozenset(keys)

    # -- hooks for domain services ------------------------------------------------------------

    def select_columns(self) -> list[Any]:
        return [*self.table.all_columns()]

    def search_parts(self, values: dict[str, Any]) -> list[Any]:
        return [values.get(c) for c in ("name", "title", "first_name", "last_name", "acronym")]

    async def before_write(self, values: dict[str, Any], existing: dict[str, Any] | None) -> None:
        """Derive columns, check references and cross-record rules; raise ValidationFailed."""

    def visibility_rule(self) -> VisibilityRule | None:
        """The rows the actor may list and choose from (protected contacts, for example); None: all."""
        return None

    async def write_related(self, record_id: int, values: dict[str, Any]) -> None:
        """Write related rows (partners, attendees…) from ``values`` after the record is saved."""

    async def related(self, rows: list[dict[str, Any]]) -> None:
        """Attach related data (topics, partners…) to ``rows`` in place, in one query per relation."""
        if self.topic_link is not None and rows:
            link = self.topic_link
            fk = getattr(link.join_table, link.record_fk)
            ids = [r["id"] for r in rows]
            pairs = (
                await link.join_table.select(fk.as_alias("rid"), link.join_table.topic.code.as_alias("code"))
                .where(fk.is_in(ids))
                .order_by(link.join_table.id)
                .run()
            )
            by_id: dict[int, list[str]] = {}
            for pair in pairs:
                by_id.setdefault(pair["rid"], []).append(pair["code"])
            for row in rows:
                row["topics"] = by_id.get(row["id"], [])

    # -- reading ------------------------------------------------------------------------------

    def _serialize(self, row: dict[str, Any]) -> dict[str, Any]:
        row = dict(row)
        row.pop("search_text", None)
        for column, default in self.json_columns.items():
            if column in row:
                row[column] = load_json(row[column], default)
        extra = row.pop("extra", None) or {}
        row.update(extra)
        return row

    def _base_query(self, include_archived: bool, columns: list[Any] | None = None) -> Any:
        query = self.table.select(*(columns or self.select_columns()))
        if not include_archived:
            query = query.where(self.table.archived_at.is_null())
        if (rule := self.visibility_rule()) is not None:
            query = query.where(rule.clause())
        return query

    def sort_order(self, sort: str | None) -> SortOrder:
        """The order ``sort`` asks for: empty for the list's own order, a key of ``sort_keys`` for
        that column ascending, ``-`` and a key for descending; anything else is a field error."""
        if not sort:
            return SortOrder("", self.sort_column, self.sort_descending)
        key = sort.removeprefix("-")
        if key not in self.sort_keys:
            keys = ", ".join(sorted(self.sort_keys)) or "—"
            raise ValidationFailed({"sort": [Message(N_("Sort by one of: {keys}."), {"keys": keys})]})
        return SortOrder(sort, self.sort_keys[key], sort.startswith("-"))

    def _page_query(
        self,
        query: Any,
        words: list[Any],
        after: tuple[Any, Any] | None,
        fetch: int,
        order: SortOrder | None = None,
        indexed: int = 0,
    ) -> Any:
        """Add search terms (``core.db.textsearch.term_value``s, the first ``indexed`` of them
        served by the full-text index), the keyset condition, the order and ``fetch``
        (rows to read: one more than the page, to know whether there is a next one) to ``query``.
        ``order`` is the list's order as this page reads it (reversed for a page read backwards); an
        empty sort column sorts after every value, whichever the database."""
        order = order or SortOrder("", self.sort_column, self.sort_descending)
        for position, word in enumerate(words):
            query = query.where(term_matches(self.table, word, position < indexed))
        sort: Column = getattr(self.table, order.column)
        pk = self.table.id
        descending = order.descending
        nullable = order.column != "id" and bool(sort._meta.null)
        if after is not None:
            query = query.where(_after(sort, pk, after, descending, nullable))
        if nullable:
            empty = QueryString(f"{sort._meta.get_full_name(with_alias=False)} IS NULL")
            query = query.order_by(empty, ascending=not descending)
        query = query.order_by(sort, ascending=not descending)
        if order.column != "id":
            query = query.order_by(pk, ascending=not descending)
        return query.limit(fetch)

    def _prepared_page(
        self,
        include_archived: bool,
        n_words: int,
        with_cursor: bool,
        rule: VisibilityRule | None,
        indexed: int = 0,
    ) -> Prepared:
        """The list query of one shape, compiled once; its values are bound in this order: search
        words (the first ``indexed`` through the full-text index), the cursor's (sort value, id),
        the visibility rule's values, the page size."""
        key = (type(self), include_archived, n_words, indexed, with_cursor, rule.key if rule else None)
        prepared = _PAGE_QUERIES.get(key)
        if prepared is None:
            n_cursor = 2 if with_cursor else 0
            n_rule = len(rule.values) if rule else 0

            def build(*values: Any) -> Any:
                *params, fetch = values
                base = self.table.select(*self.select_columns())
                if not include_archived:
                    base = base.where(self.table.archived_at.is_null())
                if rule is not None:
                    base = base.where(rule.build(*params[n_words + n_cursor :]))
                after = (params[n_words], params[n_words + 1]) if with_cursor else None
                return self._page_query(base, list(params[:n_words]), after, fetch, indexed=indexed)

            prepared = Prepared(self.table, build, n_words + n_cursor + n_rule, limit=True)
            _PAGE_QUERIES[key] = prepared
        return prepared

    def _prepared_count(self, archived: str, rule: VisibilityRule | None) -> Prepared:
        """The count of a whole list (live, all or archived records the actor may see), compiled
        once per shape like the pages: building Piccolo's count query cost about 0.5 ms a request."""
        key = ("count", type(self), archived, rule.key if rule else None)
        prepared = _PAGE_QUERIES.get(key)
        if prepared is None:

            def build(*values: Any) -> Any:
                query = self.table.count()
                if archived == "live":
                    query = query.where(self.table.archived_at.is_null())
                elif archived == "only":
                    query = query.where(self.table.archived_at.is_not_null())
                if rule is not None:
                    query = query.where(rule.build(*values))
                return query

            prepared = Prepared(self.table, build, len(rule.values) if rule else 0)
            _PAGE_QUERIES[key] = prepared
        return prepared

    async def _scope(
        self, query: Any, archived: str, words: list[str], active: dict[str, str], indexed: int = 0
    ) -> Any:
        """``query`` narrowed to the rows a list shows: live (or ``"all"``, or ``"only"`` archived
        ones), the actor's visible rows, matching every search word (the first ``indexed`` through
        the full-text index) and every filter."""
        if archived == "live":
            query = query.where(self.table.archived_at.is_null())
        elif archived == "only":
            query = query.where(self.table.archived_at.is_not_null())
        if (rule := self.visibility_rule()) is not None:
            query = query.where(rule.clause())
        for position, word in enumerate(words):
            query = query.where(term_matches(self.table, word, position < indexed))
        for name, value in active.items():
            clause = self.filters[name](value)
            if isinstance(clause, Awaitable):
                clause = await clause
            query = query.where(clause)
        return query

    def may_see_archived(self) -> bool:
        """Whether the actor may list the archived records alone and restore them: coordinators."""
        return self.actor.is_coordinator

    async def list_page(
        self,
        *,
        q: str | None = None,
        filters: dict[str, str] | None = None,
        cursor: str | None = None,
        limit: int = 50,
        include_archived: bool = False,
        archived_only: bool = False,
        sort: str | None = None,
        count: bool = False,
        largest: int = MAX_LIMIT,
    ) -> Page:
        """One page of the list. ``cursor`` is a page's ``next`` or ``previous``; ``sort`` one of
        ``sort_order``'s, or ``RELEVANCE`` (the best matches of ``q`` first); ``archived_only``
        (coordinators) lists the archived records alone; ``count`` adds the number of records the
        whole list holds. ``limit`` is capped at ``largest``: ``MAX_LIMIT`` for clients, more for an
        export, which reads the whole list a page at a time."""
        limit = max(1, min(int(limit), largest))
        if archived_only and not self.may_see_archived():
            raise PermissionDenied()
        terms, indexed = indexed_first(search_terms(q))
        words = [term_value(self.table, term, n < indexed) for n, term in enumerate(terms)]
        active = {n: v for n, v in (filters or {}).items() if n in self.filters and v not in (None, "")}
        archived = "only" if archived_only else ("all" if include_archived else "live")
        if sort == RELEVANCE:
            rows, next_cursor, previous = await self._ranked(
                terms, words, indexed, archived, active, cursor, limit
            )
        else:
            rows, next_cursor, previous = await self._ordered(
                words, indexed, archived, active, sort, cursor, limit
            )
        await self.related(rows)
        total = None
        if count and not words and not active:
            # A whole list's count (no search, no filter): also a query compiled once per shape.
            rule = self.visibility_rule()
            counted = await self._prepared_count(archived, rule).rows(*(rule.values if rule else ()))
            total = counted[0]["count"]
        elif count:
            counting = await self._scope(self.table.count(), archived, words, active, indexed)
            total = await counting.run()
        return Page([self._serialize(r) for r in rows], next_cursor, previous, total)

    async def _ordered(
        self,
        words: list[str],
        indexed: int,
        archived: str,
        active: dict[str, str],
        sort: str | None,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[dict[str, Any]], str | None, str | None]:
        """A page in the list's order (``sort``): its rows and the cursors of the next and the
        previous page."""
        order = self.sort_order(sort)
        sort_col: Column = getattr(self.table, order.column)
        nullable = order.column != "id" and bool(sort_col._meta.null)
        position = (
            cursors.read(cursor, _cursor_type(sort_col), order.key, nullable=nullable) if cursor else None
        )
        after = (position.value, position.row_id) if position else None
        back = position is not None and position.back
        if not active and not order.key and not back and archived != "only":
            # Browsing, searching and paging (the common shapes) replay a query compiled once.
            rule = self.visibility_rule()
            prepared = self._prepared_page(archived == "all", len(words), after is not None, rule, indexed)
            rows = await prepared.rows(*words, *(after or ()), *(rule.values if rule else ()), limit + 1)
        else:
            query = await self._scope(self.table.select(*self.select_columns()), archived, [], active)
            reading = SortOrder(order.key, order.column, order.descending != back)
            rows = await self._page_query(query, words, after, limit + 1, reading, indexed).run()
        return self._paged(rows, limit, position, lambda row: row[order.column], order.key)

    async def _ranked(
        self,
        terms: list[str],
        words: list[str],
        indexed: int,
        archived: str,
        active: dict[str, str],
        cursor: str | None,
        limit: int,
    ) -> tuple[list[dict[str, Any]], str | None, str | None]:
        """A page of the best matches of ``terms`` first (``core.db.textsearch.rank``), then in id
        order; its cursors carry the rank, so paging stays a keyset: no row skipped or repeated."""
        position = cursors.read(cursor, int, RELEVANCE) if cursor else None
        back = position is not None and position.back
        how_well = rank(self.table, rank_values(terms))
        query = self.table.select(*self.select_columns(), how_well.as_alias(RANK_KEY))
        query = await self._scope(query, archived, words, active, indexed)
        if position is not None:
            later = "<" if back else ">"
            query = query.where(
                WhereRaw(
                    f"(({{}}) {later} {{}} OR (({{}}) = {{}} AND {{}} {later} {{}}))",
                    how_well,
                    position.value,
                    how_well,
                    position.value,
                    QueryString(self.table.id._meta.get_full_name(with_alias=False)),
                    position.row_id,
                )
            )
        query = query.order_by(how_well, ascending=not back).order_by(self.table.id, ascending=not back)
        rows = await query.limit(limit + 1).run()
        return self._paged(rows, limit, position, lambda row: row.pop(RANK_KEY, None), RELEVANCE)

    @staticmethod
    def _paged(
        rows: list[dict[str, Any]],
        limit: int,
        position: cursors.Position | None,
        value_of: Callable[[dict[str, Any]], Any],
        sort_key: str,
    ) -> tuple[list[dict[str, Any]], str | None, str | None]:
        """The page among ``rows`` (read one past it, backwards after a ``back`` cursor) and the
        cursors around it, each from its row's sort value (``value_of``) and id."""
        back = position is not None and position.back
        more = len(rows) > limit
        rows = rows[:limit]
        if back:
            rows.reverse()
        values = [value_of(row) for row in rows]
        next_cursor = previous = None
        if rows:
            if more or back:
                next_cursor = cursors.encode(values[-1], rows[-1]["id"], sort_key)
            if (more and back) or (position is not None and not back):
                previous = cursors.encode(values[0], rows[0]["id"], sort_key, back=True)
        return rows, next_cursor, previous

    async def choices(self, where: Any | None = None, limit: int | None = None) -> list[tuple[int, str]]:
        """``(id, label)`` of every live record (for selects), in label order; ``where`` narrows it,
        ``limit`` bounds it (a picker's page of matches)."""
        label = getattr(self.table, self.label_column)
        query = self._base_query(False, [self.table.id, label.as_alias("label")])
        if where is not None:
            query = query.where(where)
        query = query.order_by(label).order_by(self.table.id)
        return [(row["id"], row["label"]) for row in await (query.limit(limit) if limit else query).run()]

    async def labels(self, ids: Collection[int]) -> dict[int, str]:
        """``{id: label}`` of the records in ``ids`` the actor may see, archived ones too (an export
        names what a record points to, whatever became of it since), in one query."""
        if not ids:
            return {}
        label = getattr(self.table, self.label_column)
        query = self._base_query(True, [self.table.id, label.as_alias("label")])
        rows = await query.where(self.table.id.is_in(list(ids))).run()
        return {row["id"]: row["label"] for row in rows}

    async def _fetch(self, record_id: int, include_archived: bool = True) -> dict[str, Any]:
        query = (self._base_query(include_archived)).where(self.table.id == record_id)
        rows = await query.run()
        if not rows:
            raise NotFound()
        await self.related(rows)
        return rows[0]

    async def get(self, record_id: int) -> dict[str, Any]:
        return self._serialize(await self._fetch(record_id))

    # -- writing ------------------------------------------------------------------------------

    def _validate(self, data: Any, partial: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        decl = self.tenant.declaration
        return validate_submission(
            self.tenant.form(self.form_name),
            data,
            partial=partial,
            pm=self.tenant.plugins,
            region=decl.region or None,
            locales=decl.locales,
        )

    def may_write(self) -> bool:
        """Whether the actor may create records here; pages ask it to offer "new" buttons, and every
        write checks it, so the button and the rule cannot disagree."""
        return self.actor.can_write

    def may_edit(self, record: dict[str, Any]) -> bool:
        """Whether the actor may change or archive ``record`` (its owner side decides)."""
        return self.may_write() and self.actor.can_edit(record.get("owner_side", ""))

    def _require_writer(self) -> None:
        if not self.may_write():
            raise PermissionDenied()

    async def _set_topics(self, record_id: int, codes: list[str]) -> None:
        link = self.topic_link
        assert link is not None
        await link.join_table.delete().where(getattr(link.join_table, link.record_fk) == record_id).run()
        await self._link_topics({record_id: codes})

    def _columns(self, core: dict[str, Any], extra: dict[str, Any], existing: dict[str, Any] | None):
        names = {c._meta.name for c in self.table._meta.columns}
        columns = {k: v for k, v in core.items() if k in names and k != "topics"}
        if "extra" in names and (extra or existing is None):
            merged = {**(load_json(existing.get("extra"), {}) if existing else {}), **extra}
            columns["extra"] = merged
        return columns

    async def create(self, data: Any) -> dict[str, Any]:
        self._require_writer()
        core, extra = self._validate(data, partial=False)
        async with self.table._meta.db.transaction():
            await self.before_write(core, None)
            columns = self._columns(core, extra, None)
            columns.update(
                owner_side=self.actor.side or self._default_owner_side(core), created_by=self.actor.user_id
            )
            columns["search_text"] = search_text(*self.search_parts({**core, **extra}), *extra.values())
            inserted = await self.table.insert(self.table(**columns)).returning(self.table.id).run()
            record_id = inserted[0]["id"]
            if self.topic_link is not None:
                await self._set_topics(record_id, core.get("topics", []))
            await self.write_related(record_id, core)
            after = self._serialize(await self._fetch(record_id))
            await audit.record(self.actor, self.entity, record_id, "create", None, after)
        self._notify("create", record_id, None, after)
        return after

    def _default_owner_side(self, core: dict[str, Any]) -> str:
        return ""

    async def before_write_many(self, values: list[dict[str, Any]]) -> None:
        """``before_write`` for many new records at once; services that look things up for each
        record (a contact's organization) override it to look them up in one query."""
        for one in values:
            await self.before_write(one, None)

    async def create_many(self, items: list[tuple[dict[str, Any], dict[str, Any]]]) -> list[dict[str, Any]]:
        """Create validated records (``(core, extra)`` pairs, as ``validate_submission`` returns them)
        in one insert, inside the caller's transaction, audited entry by entry: what ``create`` does
        for one record, at the cost of a few queries for a few hundred. Returns the records as
        created, in order; the caller tells plugins (``notify_created``) once its transaction commits."""
        self._require_writer()
        if not items:
            return []
        cores = [core for core, _ in items]
        await self.before_write_many(cores)
        rows = []
        for core, extra in items:
            columns = self._columns(core, extra, None)
            columns.update(
                owner_side=self.actor.side or self._default_owner_side(core), created_by=self.actor.user_id
            )
            columns["search_text"] = search_text(*self.search_parts({**core, **extra}), *extra.values())
            rows.append(columns)
        ids = await insert_rows(self.table, rows, return_ids=True)
        if self.topic_link is not None:
            await self._link_topics({i: core.get("topics", []) for i, core in zip(ids, cores, strict=True)})
        for record_id, core in zip(ids, cores, strict=True):
            await self.write_related(record_id, core)
        fetched = await self.table.select(*self.select_columns()).where(self.table.id.is_in(ids)).run()
        await self.related(fetched)
        by_id = {row["id"]: self._serialize(row) for row in fetched}
        created = [by_id[i] for i in ids]
        await audit.record_many(
            self.actor, [audit.Change(self.entity, r["id"], "create", None, r) for r in created]
        )
        return created

    def notify_created(self, records: list[dict[str, Any]]) -> None:
        """Tell plugins about records ``create_many`` made, once their transaction has committed."""
        for one in records:
            self._notify("create", one["id"], None, one)

    async def _link_topics(self, codes_by_record: dict[int, list[str]]) -> None:
        """Link new records to their topics, looking every code up in one query."""
        from core.topics.tables import Topic

        link = self.topic_link
        assert link is not None
        codes = sorted({c for codes in codes_by_record.values() for c in codes})
        if not codes:
            return
        found = {
            r["code"]: r["id"]
            for r in await Topic.select(Topic.id, Topic.code).where(Topic.code.is_in(codes)).run()
        }
        unknown = [c for c in codes if c not in found]
        if unknown:
            raise ValidationFailed({"topics": [Message(N_("Unknown topic: {code}."), {"code": unknown[0]})]})
        await insert_rows(
            link.join_table,
            [
                {link.record_fk: record_id, "topic": found[code]}
                for record_id, record_codes in codes_by_record.items()
                for code in record_codes
            ],
        )

    def _notify(self, action: str, record_id: int, before: dict | None, after: dict | None) -> None:
        """Tell the tenant's plugins about a committed change (after the transaction, never inside)."""
        notify_record_changed(
            self.tenant.plugins,
            entity=self.entity,
            action=action,
            record_id=record_id,
            before=before,
            after=after,
        )

    async def update(self, record_id: int, data: Any) -> dict[str, Any]:
        self._require_writer()
        if not isinstance(data, dict) or "version" not in data:
            raise ValidationFailed({"version": [Message(N_("This field is required."))]})
        version = data["version"]
        if not isinstance(version, int) or isinstance(version, bool) or not in_int_range(version):
            raise ValidationFailed({"version": [Message(N_("Enter a whole number."))]})
        core, extra = self._validate(data, partial=True)
        for name in self.immutable_fields:
            core.pop(name, None)
        async with self.table._meta.db.transaction():
            existing = await self._fetch(record_id)
            self._check_edit(existing)
            if existing["archived_at"] is not None:
                raise Conflict(N_("This record is archived and can no longer be changed."))
            before = self._serialize(existing)
            merged = {**before, **core, **extra}
            validate_record(self.tenant.form(self.form_name), merged, self.tenant.plugins)
            await self.before_write(core, existing)
            columns = self._columns(core, extra, existing)
            extras = load_json(columns.get("extra", existing.get("extra")), {})
            columns["search_text"] = search_text(*self.search_parts(merged), *extras.values())
            columns.update(version=version + 1, updated_at=now())
            updated = (
                await self.table.update(columns)
                .where((self.table.id == record_id) & (self.table.version == version))
                .returning(self.table.id)
                .run()
            )
            if not updated:
                raise Conflict(N_("This record was changed by someone else. Reload it and try again."))
            if self.topic_link is not None and "topics" in core:
                await self._set_topics(record_id, core["topics"])
            await self.write_related(record_id, core)
            after = self._serialize(await self._fetch(record_id))
            await audit.record(self.actor, self.entity, record_id, "update", before, after)
        self._notify("update", record_id, before, after)
        return after

    def _check_edit(self, existing: dict[str, Any]) -> None:
        if not self.may_edit(existing):
            raise PermissionDenied()

    async def archive(self, record_id: int) -> dict[str, Any]:
        self._require_writer()
        return await self._set_archived(record_id, archived=True)

    async def restore(self, record_id: int) -> dict[str, Any]:
        """Bring an archived record back into the lists (coordinators; audited like archiving)."""
        if not self.may_see_archived():
            raise PermissionDenied()
        return await self._set_archived(record_id, archived=False)

    async def _set_archived(self, record_id: int, archived: bool) -> dict[str, Any]:
        """Archive or restore a record the actor may edit (a no-op when it already is), audited."""
        action = "archive" if archived else "restore"
        async with self.table._meta.db.transaction():
            existing = await self._fetch(record_id)
            self._check_edit(existing)
            before = self._serialize(existing)
            if (existing["archived_at"] is None) == archived:
                await (
                    self.table.update(
                        {
                            self.table.archived_at: now() if archived else None,
                            self.table.version: existing["version"] + 1,
                            self.table.updated_at: now(),
                        }
                    )
                    .where(self.table.id == record_id)
                    .run()
                )
            after = self._serialize(await self._fetch(record_id))
            await audit.record(self.actor, self.entity, record_id, action, before, after)
        self._notify(action, record_id, before, after)
        return after

    # -- shared checks ------------------------------------------------------------------------

    @staticmethod
    async def check_reference(table: type[Any], field: str, record_id: int | None) -> None:
        if record_id is None:
            return
        rows = await table.select(table.id).where((table.id == record_id) & table.archived_at.is_null()).run()
        if not rows:
            raise ValidationFailed({field: [Message(N_("This record does not exist."))]})
