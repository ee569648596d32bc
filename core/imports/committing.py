"""Committing a dry run, and undoing a committed batch.

A commit is one transaction: every line the dry run meant to create is created (a few hundred per
statement, through ``RecordService.create_many``), every update goes through the service's own
``update`` (its checks, its optimistic concurrency, its audit entry), each change is remembered as an
``ImportChange``, and an ``import``/``commit`` entry closes the batch in the audit log. Anything that
fails (a record archived since the dry run, a plugin's rule) rolls all of it back and says which
line: nothing is half-imported.

An undo is one transaction too, allowed while every record the batch touched is as the batch left
it (its version unchanged): created records are deleted, updated ones get back the exact row they
had (the same version, the same timestamps), so the tenant is as it was before the import. A record
someone has since edited, archived, merged, or used (an attendance, a partnership, a membership: the
database's foreign keys say so) stops the undo with a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from piccolo.columns import JSON, Date, Timestamptz

from core.audit import service as audit
from core.db.bulk import insert_rows
from core.db.statistics import refresh_statistics
from core.errors import Conflict, Message, PermissionDenied, ValidationFailed
from core.forms.definitions import FormDefinition
from core.forms.fields import is_empty
from core.i18n.markers import N_
from core.imports import attendance
from core.imports.tables import ImportBatch, ImportChange, ImportFile, ImportRow
from core.records.service import INSERT_CHUNK, RecordService, load_json, now

Progress = Callable[[int, int], Any]
IMPORT_ENTITY = "import"
# Records created by one batch from which the database's statistics are refreshed.
ANALYZE_AFTER = 1000
# During a large commit, statistics are refreshed every this many chunks (PostgreSQL).
ANALYZE_EVERY = 20
IN_USE = N_(
    "This import can no longer be undone: some of its records are in use since "
    "(in a meeting, an action or a network)."
)


def snapshot(row: dict[str, Any]) -> dict[str, Any]:
    """A table row as JSON (times and dates in ISO 8601), to restore it exactly later."""
    return {k: v.isoformat() if isinstance(v, date | datetime) else v for k, v in row.items()}


def _restored(table: Any, saved: dict[str, Any]) -> dict[Any, Any]:
    values = {}
    for column in table._meta.columns:
        name = column._meta.name
        if name == "id" or name not in saved:
            continue
        value = saved[name]
        if isinstance(value, str) and isinstance(column, Timestamptz):
            value = datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(column, Date):
            value = date.fromisoformat(value)
        elif isinstance(column, JSON) and not isinstance(value, str) and value is not None:
            value = load_json(value, value)
        values[column] = value
    return values


async def _rows(batch_id: int, action: str) -> list[dict[str, Any]]:
    return await (
        ImportRow.select(ImportRow.line, ImportRow.values, ImportRow.match_id, ImportRow.match_line)
        .where((ImportRow.batch == batch_id) & (ImportRow.action == action))
        .order_by(ImportRow.line)
        .run()
    )


def record_values(row: dict[str, Any]) -> dict[str, Any]:
    """A line's values for its record (an attendance file's status goes to the meeting instead)."""
    return attendance.split(load_json(row["values"], {}))[0]


def as_written(form: FormDefinition, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A dry-run line's values (cleaned by the dry run, kept as JSON) as ``validate_submission``
    would hand them to the service: dates as dates, every field present, core fields apart from
    plugin fields; they are not cleaned twice. A field the form no longer has, or a required one
    the line lacks, raises: the tenant's forms changed since the dry run."""
    core: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for spec in form.fields:
        value = values.pop(spec.name, spec.empty)
        if spec.required and is_empty(value):
            raise KeyError(spec.name)
        if isinstance(value, str) and value and spec.kind == "date":
            value = date.fromisoformat(value)
        elif isinstance(value, str) and value and spec.kind == "datetime":
            value = datetime.fromisoformat(value)
        (core if spec.source == "core" else extra)[spec.name] = value
    if values:
        raise KeyError(next(iter(values)))
    return core, extra


def _line_failed(line: int) -> ValidationFailed:
    """A line that passed the dry run but cannot be written now (the tenant changed meanwhile)."""
    return ValidationFailed(
        {
            "line": [
                Message(
                    N_("Line {line} can no longer be imported as planned: run the dry run again."),
                    {"line": line},
                )
            ]
        }
    )


async def _create(
    batch_id: int, service: RecordService, progress: Progress, total: int
) -> tuple[list[dict], dict[int, int]]:
    form = service.tenant.form(service.form_name)
    created: list[dict[str, Any]] = []
    record_of_line: dict[int, int] = {}
    rows = await _rows(batch_id, "create")
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        items = []
        for row in chunk:
            try:
                items.append(as_written(form, record_values(row)))
            except (KeyError, ValueError) as exc:
                raise _line_failed(row["line"]) from exc
        records = await service.create_many(items)
        for row, record in zip(chunk, records, strict=True):
            record_of_line[row["line"]] = record["id"]
        await insert_rows(
            ImportChange,
            [
                {
                    "batch": batch_id,
                    "entity": service.entity,
                    "record_id": r["id"],
                    "action": "create",
                    "line": row["line"],
                    "version": r["version"],
                }
                for row, r in zip(chunk, records, strict=True)
            ],
        )
        if service.tenant.plugins.hook.pilot_crm_record_changed.get_hookimpls():
            created.extend(records)
        if (
            start // INSERT_CHUNK + 1
        ) % ANALYZE_EVERY == 0 and service.tenant.declaration.engine_kind == "postgres":
            # Statistics that count this transaction's own new rows: planned as the small table
            # it was, each chunk's read of the rows just written scans the whole table (a commit
            # of 100,000 lines then spends most of its time re-reading what it wrote).
            await service.table.raw(f"ANALYZE {service.table._meta.tablename}").run()
        progress(start + len(chunk), total)
    return created, record_of_line


def _merged(existing: dict[str, Any], values: dict[str, Any], service: RecordService) -> dict[str, Any]:
    """A line's values over the stored record's: blank cells were left out at the dry run, and list
    fields (emails, phones, topics, roles) gain the file's values instead of losing their own."""
    form = service.tenant.form(service.form_name)
    data = dict(values)
    for name, value in values.items():
        spec = form.field(name)
        if spec is not None and spec.multiple and isinstance(existing.get(name), list):
            data[name] = list(dict.fromkeys([*existing[name], *value]))
    return data


async def _update(
    batch_id: int,
    service: RecordService,
    record_of_line: dict[int, int],
    progress: Progress,
    done: int,
    total: int,
) -> dict[int, int]:
    """Update the matched records; returns the record each line updated."""
    updated: dict[int, int] = {}
    for row in await _rows(batch_id, "update"):
        target = row["match_id"] if row["match_id"] is not None else record_of_line.get(row["match_line"])
        if target is None:
            continue
        raw = await service.table.select().where(service.table.id == target).first().run()
        if raw is None or raw["archived_at"] is not None:
            raise _line_failed(row["line"])
        before = snapshot(raw)
        existing = await service.get(target)
        if service.topic_link is not None:
            before["topics"] = existing.get("topics", [])
        data = _merged(existing, record_values(row), service)
        try:
            after = await service.update(target, {**data, "version": existing["version"]})
        except (ValidationFailed, Conflict) as exc:
            raise _line_failed(row["line"]) from exc
        await ImportChange.insert(
            ImportChange(
                batch=batch_id,
                entity=service.entity,
                record_id=target,
                action="update",
                line=row["line"],
                before=before,
                version=after["version"],
            )
        ).run()
        updated[row["line"]] = target
        progress(done + len(updated), total)
    return updated


async def _attend(
    batch: dict[str, Any], service: RecordService, created: dict[int, int], updated: dict[int, int]
) -> None:
    """Put every line's person on the meeting's list (an attendance import), skipped ones too: a
    person already known is still on this meeting's list."""
    rows = await (
        ImportRow.select(ImportRow.line, ImportRow.values, ImportRow.match_id, ImportRow.match_line)
        .where((ImportRow.batch == batch["id"]) & ImportRow.action.is_in(["create", "update", "skip"]))
        .order_by(ImportRow.line)
        .run()
    )
    people = []
    for row in rows:
        line = row["line"]
        contact = created.get(line) or updated.get(line) or row["match_id"] or created.get(row["match_line"])
        if contact is not None:
            people.append((line, contact, attendance.split(load_json(row["values"], {}))[1]))
    await attendance.attend(batch["id"], batch["meeting"], people, service.actor, service.locale)


async def _batch(batch_id: int) -> dict[str, Any]:
    batch = await ImportBatch.select().where(ImportBatch.id == batch_id).first().run()
    if batch is None:
        raise Conflict(N_("This import no longer exists."))
    return batch


async def commit(batch_id: int, service: RecordService, progress: Progress | None = None) -> dict[str, int]:
    """Write the batch's planned lines, all or nothing; returns what was done (created, updated)."""
    batch = await _batch(batch_id)
    if batch["status"] != "committing":  # claimed by ImportService.begin_commit
        raise Conflict(N_("This import is not ready to be committed."))
    counts = load_json(batch["counts"], {})
    total = counts.get("create", 0) + counts.get("update", 0)
    report = progress or (lambda done, total: None)
    await (
        ImportBatch.update(
            {
                ImportBatch.status: "committing",
                ImportBatch.done: 0,
                ImportBatch.total: total,
                ImportBatch.phase_started_at: now(),
                ImportBatch.failure: None,
            }
        )
        .where(ImportBatch.id == batch_id)
        .run()
    )
    try:
        async with service.table._meta.db.transaction():
            created, record_of_line = await _create(batch_id, service, report, total)
            updated = await _update(batch_id, service, record_of_line, report, len(record_of_line), total)
            if batch["meeting"] is not None:
                await _attend(batch, service, record_of_line, updated)
            result = {
                "created": len(record_of_line),
                "updated": len(updated),
                "skipped": counts.get("skip", 0),
                "rejected": counts.get("error", 0),
            }
            summary = {"entity": service.entity, "filename": batch["filename"], **result}
            await audit.record(service.actor, IMPORT_ENTITY, batch_id, "commit", None, summary)
            await (
                ImportBatch.update(
                    {
                        ImportBatch.status: "committed",
                        ImportBatch.finished_at: now(),
                        ImportBatch.done: total,
                        ImportBatch.updated_at: now(),
                        ImportBatch.counts: {**counts, **result},
                    }
                )
                .where(ImportBatch.id == batch_id)
                .run()
            )
            await ImportFile.delete().where(ImportFile.batch == batch_id).run()
    except Exception as exc:
        failure = (
            exc.errors["line"][0] if isinstance(exc, ValidationFailed) and "line" in exc.errors else None
        )
        await (
            ImportBatch.update(
                {
                    ImportBatch.status: "planned",
                    ImportBatch.failure: {"message": failure.msgid, "params": failure.params}
                    if failure
                    else None,
                    ImportBatch.updated_at: now(),
                }
            )
            .where(ImportBatch.id == batch_id)
            .run()
        )
        raise
    service.notify_created(created)
    if len(record_of_line) >= ANALYZE_AFTER:
        # Fresh statistics: until autovacuum gets to it, PostgreSQL plans a bulk-loaded table as
        # if it were small (a list page then runs one sequential scan after another); SQLite
        # never refreshes them by itself.
        await refresh_statistics()
    return result


async def _referrers(service: RecordService) -> list[tuple[str, str]]:
    """(table, column) of every foreign key in the tenant's database that refers to the records'
    table, read from the database itself so plugins' tables count too. The keys cascade on delete:
    deleting a record still referred to would silently take its attendances, its people or its
    memberships with it, so an undo asks first."""
    table = service.table
    name = table._meta.tablename
    if service.tenant.declaration.engine_kind == "postgres":
        sql = (
            "SELECT c.conrelid::regclass::text AS source, a.attname AS col FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey) "
            "WHERE c.contype = 'f' AND c.confrelid = {}::regclass"
        )
    else:
        sql = (
            'SELECT m.name AS source, f."from" AS col FROM sqlite_master m '
            "JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table' AND f.\"table\" = {}"
        )
    rows = await table.raw(sql, name).run()
    return [(row["source"].strip('"'), row["col"]) for row in rows]


async def _referred_to(service: RecordService, referrers: list[tuple[str, str]], ids: list[int]) -> bool:
    """Whether any row of ``referrers`` (``_referrers``) refers to one of ``ids``."""
    listed = ", ".join(str(int(i)) for i in ids)
    for source, column in referrers:
        query = f'SELECT 1 AS found FROM "{source}" WHERE "{column}" IN ({listed}) LIMIT 1'  # noqa: S608
        if await service.table.raw(query).run():
            return True
    return False


async def _current(service: RecordService, ids: list[int]) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    table = service.table
    for start in range(0, len(ids), INSERT_CHUNK):
        chunk = ids[start : start + INSERT_CHUNK]
        for row in await table.select(*service.select_columns()).where(table.id.is_in(chunk)).run():
            found[row["id"]] = row
    return found


async def undo(batch_id: int, service: RecordService) -> dict[str, int]:
    """Take a committed batch back, all or nothing, while its records are untouched since."""
    if not service.actor.is_coordinator:
        raise PermissionDenied()
    batch = await _batch(batch_id)
    if batch["status"] != "committed":
        raise Conflict(N_("Only a committed import can be undone."))
    table = service.table
    async with table._meta.db.transaction():
        every = (
            await ImportChange.select().where(ImportChange.batch == batch_id).order_by(ImportChange.id).run()
        )
        attended = [c for c in every if c["entity"] == attendance.ENTITY]
        if attended:
            await attendance.unattend(attended, batch["meeting"], service.actor, service.locale)
        changes = [c for c in every if c["entity"] != attendance.ENTITY]
        current = await _current(service, [c["record_id"] for c in changes])
        # What the batch left: each record's version after its last change (two lines may update one).
        left = {c["record_id"]: c for c in changes}
        touched = [
            c
            for c in left.values()
            if (row := current.get(c["record_id"])) is None
            or row["version"] != c["version"]
            or row["archived_at"] is not None
        ]
        touched.sort(key=lambda c: c["line"])
        if touched:
            raise Conflict(
                Message(
                    N_(
                        "This import can no longer be undone: {count} of its records were changed "
                        "since (line {line} first)."
                    ),
                    {"count": len(touched), "line": touched[0]["line"]},
                )
            )
        await service.related(list(current.values()))
        shown = {i: service._serialize(row) for i, row in current.items()}
        created = [c["record_id"] for c in changes if c["action"] == "create"]
        entries: list[audit.Change] = []
        for change in reversed([c for c in changes if c["action"] == "update"]):
            saved = load_json(change["before"], {})
            topics = saved.pop("topics", None)
            restored = (
                await table.update(_restored(table, saved))
                .where((table.id == change["record_id"]) & (table.version == change["version"]))
                .returning(table.id)
                .run()
            )
            if not restored:  # changed by someone else since the check above
                raise Conflict(N_("This record was changed by someone else. Reload it and try again."))
            if topics is not None and service.topic_link is not None:
                await service._set_topics(change["record_id"], topics)
            after = await service.get(change["record_id"])
            entries.append(
                audit.Change(service.entity, change["record_id"], "update", shown[change["record_id"]], after)
            )
        referrers = await _referrers(service)
        for start in range(0, len(created), INSERT_CHUNK):
            chunk = created[start : start + INSERT_CHUNK]
            if service.topic_link is not None:
                link = service.topic_link
                await (
                    link.join_table.delete()
                    .where(getattr(link.join_table, link.record_fk).is_in(chunk))
                    .run()
                )
            if await _referred_to(service, referrers, chunk):
                raise Conflict(IN_USE)
            deleted = (
                await table.delete()
                .where(table.id.is_in(chunk) & (table.version == 1))
                .returning(table.id)
                .run()
            )
            if len(deleted) != len(chunk):  # changed by someone else since the check above
                raise Conflict(N_("This record was changed by someone else. Reload it and try again."))
        entries.extend(audit.Change(service.entity, i, "delete", shown[i], None) for i in created)
        result = {"deleted": len(created), "restored": len(changes) - len(created)}
        entries.append(
            audit.Change(
                IMPORT_ENTITY,
                batch_id,
                "undo",
                None,
                {"entity": service.entity, "filename": batch["filename"], **result},
            )
        )
        await audit.record_many(service.actor, entries)
        await (
            ImportBatch.update({ImportBatch.status: "undone", ImportBatch.updated_at: now()})
            .where(ImportBatch.id == batch_id)
            .run()
        )
    return result
