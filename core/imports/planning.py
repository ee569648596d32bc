"""The dry run: every line of the file judged before anything is written to the records.

Each line becomes an ``ImportRow``: *error* (every problem named by column, field and message),
*create*, *update* (the line matches a record, or an earlier line, under the tenant's duplicate
rules and the person chose to update), or *skip* (it matches and the person chose to skip). Lines
are read, converted and checked a few hundred at a time in a worker thread, so a file of 100,000
lines neither holds the whole file in memory nor keeps the server from answering other requests;
the batch row says how far it got, for any process to show.

Matching follows ``core.duplicates.rules`` exactly as the duplicates page does, against the tenant's
live records (read once, indexed by blocking key) and against the file's earlier lines; a file
exported from this product carries an ID column, and a line whose ID names a record matches it.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import anyio.to_thread

from core.db.bulk import insert_rows
from core.duplicates.rules import (
    DuplicateRules,
    contact_blocks,
    contact_keys,
    organization_blocks,
    organization_keys,
    score_contact,
    score_organization,
)
from core.errors import Message, ValidationFailed
from core.forms.definitions import FormDefinition
from core.forms.fields import FieldInvalid, is_empty
from core.forms.validation import validate_record, validate_submission
from core.i18n.markers import N_
from core.imports.mapping import ID_FIELD
from core.imports.reading import Table, read_table
from core.imports.tables import ImportBatch, ImportFile, ImportRow
from core.imports.values import CellValues, cell_text
from core.records.service import INSERT_CHUNK, RecordService, load_json, now

CHUNK = INSERT_CHUNK
ACTIONS = ("create", "update", "skip", "error")
DECISIONS = ("skip", "update", "create")
# A block (a shared mailbox, a common name) larger than this is not scored record by record.
MAX_BLOCK = 50


@dataclass(frozen=True, slots=True)
class Entity:
    """What differs between importing contacts and organizations: how records are keyed, blocked,
    scored and labelled."""

    keys: Callable[[dict[str, Any]], Any]
    blocks: Callable[[Any], Iterator[tuple[str, str]]]
    score: Callable[[DuplicateRules, Any, Any], tuple[int, tuple[str, ...]]]


ENTITIES = {
    "contact": Entity(contact_keys, contact_blocks, score_contact),
    "organization": Entity(organization_keys, organization_blocks, score_organization),
}


def jsonable(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in values.items()}


@dataclass(slots=True)
class Known:
    """Records (the tenant's, or the file's earlier lines) indexed by blocking key."""

    entity: Entity
    blocks: dict[tuple[str, str], list[tuple[Any, Any]]] = field(default_factory=dict)

    def add(self, keys: Any, target: Any) -> None:
        for block in set(self.entity.blocks(keys)):
            members = self.blocks.setdefault(block, [])
            if len(members) <= MAX_BLOCK:
                members.append((keys, target))

    def best(self, keys: Any, rules: DuplicateRules) -> tuple[Any, int, tuple[str, ...]] | None:
        """The best scoring target at or above the threshold (ties: the first one known)."""
        best: tuple[Any, int, tuple[str, ...]] | None = None
        for block in set(self.entity.blocks(keys)):
            for other, target in self.blocks.get(block, ()):
                score, matched = self.entity.score(rules, keys, other)
                if score >= rules.threshold and (best is None or score > best[1]):
                    best = (target, score, matched)
        return best


async def _tenant_records(service: RecordService, entity: Entity) -> tuple[Known, dict[int, str]]:
    """The tenant's live records, indexed, and each one's label (what the dry run shows of a match)."""
    from core.contacts.tables import Contact
    from core.organizations.tables import Organization

    known = Known(entity)
    labels: dict[int, str] = {}
    if service.entity == "contact":
        rows = await (
            Contact.select(
                Contact.id,
                Contact.first_name,
                Contact.last_name,
                Contact.organization,
                Contact.emails,
                Contact.phones,
                Contact.organization.name.as_alias("organization_name"),
            )
            .where(Contact.archived_at.is_null() & Contact.erased_at.is_null())
            .run()
        )
        for row in rows:
            row["emails"], row["phones"] = load_json(row["emails"], []), load_json(row["phones"], [])
            known.add(entity.keys(row), row["id"])
            name = ", ".join(p for p in (row["last_name"], row["first_name"]) if p)
            labels[row["id"]] = f"{name} ({row['organization_name']})" if row["organization_name"] else name
    else:
        rows = await (
            Organization.select(
                Organization.id, Organization.name, Organization.acronym, Organization.country
            )
            .where(Organization.archived_at.is_null())
            .run()
        )
        for row in rows:
            known.add(entity.keys(row), row["id"])
            labels[row["id"]] = row["name"]
    return known, labels


@dataclass(slots=True)
class Planner:
    """Judges lines one by one (``line``); keeps the file's earlier lines to match later ones."""

    service: RecordService
    form: FormDefinition
    headers: list[str]
    mapping: dict[int, str]
    on_duplicate: str
    values: CellValues
    rules: DuplicateRules
    entity: Entity
    tenant_records: Known
    labels: dict[int, str]
    earlier: Known = field(init=False)

    def __post_init__(self) -> None:
        self.earlier = Known(self.entity)

    def _column(self, name: str) -> str:
        index = next((i for i, n in self.mapping.items() if n == name), None)
        return self.headers[index] if index is not None else ""

    def _error(self, name: str, message: Message) -> dict[str, Any]:
        spec = self.form.field(name)
        return {
            "column": self._column(name),
            "field": spec.label if spec else "",
            "message": message.msgid,
            "params": dict(message.params or {}),
        }

    def line(self, number: int, cells: tuple[Any, ...]) -> dict[str, Any]:
        """The ``ImportRow`` values for one line of the file."""
        errors: list[dict[str, Any]] = []
        if any(not is_empty(cell_text(c)) for c in cells[len(self.headers) :]):
            errors.append(
                {
                    "column": "",
                    "field": "",
                    "message": N_("This line has more cells than the file has columns."),
                    "params": {},
                }
            )
        raw: dict[str, Any] = {}
        record_id: int | None = None
        for index, name in self.mapping.items():
            cell = cells[index] if index < len(cells) else ""
            if is_empty(cell_text(cell)):
                continue
            if name == ID_FIELD:
                text = cell_text(cell).strip()
                record_id = int(text) if text.isdigit() and len(text) < 10 else None
                continue
            spec = self.form.field(name)
            assert spec is not None
            try:
                raw[name] = self.values.value(spec, cell)
            except FieldInvalid as exc:
                errors.append(self._error(name, exc.message))
        core: dict[str, Any] = {}
        extra: dict[str, Any] = {}
        try:
            core, extra = self._clean(raw, partial=True)
        except ValidationFailed as exc:
            errors.extend(self._error(name, m) for name, messages in exc.errors.items() for m in messages)
        row: dict[str, Any] = {"line": number, "action": "error", "errors": errors}
        if errors:
            row["cells"] = [cell_text(c) for c in cells]
            return row
        values = {**core, **extra}
        keys = self.entity.keys({**values, "id": 0})
        match = self._match(keys, record_id)
        action = "create" if match is None or self.on_duplicate == "create" else self.on_duplicate
        if match is not None:
            target, _score, matched, label = match
            row.update(rules=list(matched), match_label=label[:300])
            if isinstance(target, tuple):  # an earlier line: (line, the record it updates or None)
                row["match_line"], row["match_id"] = target
            else:
                row["match_id"] = target
        if action == "create":
            problems = self._creatable(values)
            if problems:
                row["errors"], row["cells"] = problems, [cell_text(c) for c in cells]
                return row
        row.update(action=action, values=jsonable(values))
        if action in ("create", "update"):
            own = row.get("match_id") if action == "update" else None
            self.earlier.add(keys, (number if action == "create" else row.get("match_line"), own))
        return row

    def _clean(self, raw: dict[str, Any], partial: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        decl = self.service.tenant.declaration
        return validate_submission(
            self.form,
            raw,
            partial=partial,
            pm=self.service.tenant.plugins,
            region=decl.region or None,
            locales=decl.locales,
        )

    def _creatable(self, values: dict[str, Any]) -> list[dict[str, Any]]:
        """What keeps a line from being created: required fields it lacks, the plugins' rules."""
        missing = [f.name for f in self.form.fields if f.required and is_empty(values.get(f.name))]
        if missing:
            return [self._error(name, Message(N_("This field is required."))) for name in missing]
        try:
            validate_record(self.form, values, self.service.tenant.plugins)
        except ValidationFailed as exc:
            return [self._error(name, m) for name, messages in exc.errors.items() for m in messages]
        return []

    def _match(self, keys: Any, record_id: int | None) -> tuple[Any, int, tuple[str, ...], str] | None:
        if record_id is not None and record_id in self.labels:
            return record_id, 0, ("id",), self.labels[record_id]
        found = self.tenant_records.best(keys, self.rules)
        if found is not None:
            target, score, matched = found
            return target, score, matched, self.labels.get(target, "")
        found = self.earlier.best(keys, self.rules)
        if found is not None:
            (line, own), score, matched = found
            return (line, own), score, matched, ""
        return None


async def file_path(batch_id: int, directory: str) -> Path:
    """The batch's uploaded file, written to ``directory`` for the reader (which streams from disk)."""
    row = await ImportFile.select(ImportFile.content).where(ImportFile.batch == batch_id).first().run()
    if row is None:
        raise FileNotFoundError(batch_id)
    path = Path(directory) / "upload"
    path.write_bytes(bytes(row["content"]))
    return path


async def plan(
    batch_id: int,
    service: RecordService,
    form: FormDefinition,
    progress: Callable[[int, int], Any] | None = None,
) -> dict[str, int]:
    """Run the dry run of ``batch_id`` with the mapping and choice stored on it, the file's lines
    read as ``form`` (the service's, or an attendance list's); returns the counts. Earlier dry-run
    rows of the batch are replaced."""
    batch = await ImportBatch.select().where(ImportBatch.id == batch_id).first().run()
    assert batch is not None  # the service found it
    entity = ENTITIES[service.entity]
    mapping = {int(k): v for k, v in load_json(batch["mapping"], {}).items()}
    headers = list(load_json(batch["headers"], []))
    tenant_records, labels = await _tenant_records(service, entity)
    planner = Planner(
        service=service,
        form=form,
        headers=headers,
        mapping=mapping,
        on_duplicate=batch["on_duplicate"],
        values=await CellValues.load(service.tenant, form),
        rules=service.tenant.declaration.duplicates,
        entity=entity,
        tenant_records=tenant_records,
        labels=labels,
    )
    counts = dict.fromkeys(ACTIONS, 0)
    await ImportRow.delete().where(ImportRow.batch == batch_id).run()
    with tempfile.TemporaryDirectory(prefix="pilot-crm-import-") as directory:
        table: Table = await anyio.to_thread.run_sync(
            read_table, await file_path(batch_id, directory), batch["filename"]
        )
        total = table.estimated_rows or 0
        await _progress(batch_id, 0, total, started=True)
        lines = table.rows()

        def judge() -> list[dict[str, Any]]:
            return [planner.line(number, cells) for number, cells in islice(lines, CHUNK)]

        done = 0
        # The next chunk is read and judged in a worker thread while this one is written.
        rows = await anyio.to_thread.run_sync(judge)
        while rows:
            following = asyncio.ensure_future(anyio.to_thread.run_sync(judge))
            for row in rows:
                counts[row["action"]] += 1
            try:
                await insert_rows(ImportRow, [{"batch": batch_id, **row} for row in rows])
                done += len(rows)
                total = max(total, done)
                await _progress(batch_id, done, total)
            except BaseException:
                following.cancel()
                raise
            if progress is not None:
                progress(done, total)
            rows = await following
        if progress is not None:
            progress(done, done)  # the estimate was only an estimate: the bar ends full
    await (
        ImportBatch.update(
            {
                ImportBatch.status: "planned",
                ImportBatch.counts: counts,
                ImportBatch.total: done,
                ImportBatch.updated_at: now(),
            }
        )
        .where(ImportBatch.id == batch_id)
        .run()
    )
    return counts


async def _progress(batch_id: int, done: int, total: int, started: bool = False) -> None:
    values: dict[Any, Any] = {ImportBatch.done: done, ImportBatch.total: total, ImportBatch.updated_at: now()}
    if started:
        values[ImportBatch.phase_started_at] = now()
    await ImportBatch.update(values).where(ImportBatch.id == batch_id).run()
