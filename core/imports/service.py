"""Imports as the page and the CLI use them: start a batch from a file, map its columns, run the dry
run, commit, undo or discard; list a batch's lines and its rejected ones. Coordinators only: an
import writes many records at once, on everyone's behalf."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import anyio.to_thread

from core.accounts.roles import Actor
from core.contacts.service import ContactService
from core.errors import Conflict, Message, NotFound, PermissionDenied, ValidationFailed
from core.forms.definitions import FormDefinition
from core.i18n.markers import N_
from core.imports import attendance, committing, mapping, planning
from core.imports.jobs import settle
from core.imports.reading import MAX_FILE_BYTES, Table, UnreadableFile, read_table
from core.imports.tables import ImportBatch, ImportFile, ImportRow
from core.organizations.service import OrganizationService
from core.records.service import RecordService, load_json, now
from core.tenancy.context import require_tenant

# What a batch imports → the service of its records (an attendance list's records are contacts).
SERVICES: dict[str, type[RecordService]] = {
    "organization": OrganizationService,
    "contact": ContactService,
    attendance.ENTITY: ContactService,
}
ENTITY_LABELS = {
    "organization": N_("Organizations"),
    "contact": N_("Contacts"),
    attendance.ENTITY: N_("Attendance list of a meeting"),
}
MAX_FILENAME = 255
RECENT = 50
Progress = Callable[[int, int], None]


def _header(path: Path, filename: str) -> Table:
    return read_table(path, filename)


class ImportService:
    def __init__(self, actor: Actor, locale: str | None = None) -> None:
        if not actor.is_coordinator:
            raise PermissionDenied()
        self.actor = actor
        self.locale = locale
        self.tenant = require_tenant()

    def records(self, entity: str) -> RecordService:
        return SERVICES[entity](self.actor, self.locale)

    def form(self, entity: str) -> FormDefinition:
        form = self.tenant.form(SERVICES[entity].form_name)
        return attendance.attendance_form(form) if entity == attendance.ENTITY else form

    def translators(self) -> list[Any]:
        return [self.tenant.translator(loc) for loc in self.tenant.declaration.locales]

    async def start(
        self, entity: str, filename: str, content: bytes, saved: str = "", meeting: int | None = None
    ) -> int:
        """A new batch from an uploaded file: its header read, its columns mapped (from the saved
        mapping named ``saved``, else suggested from the headers); nothing is judged yet. An
        attendance list names its ``meeting``."""
        if entity not in SERVICES:
            raise ValidationFailed({"entity": [Message(N_("Select a valid choice."))]})
        if entity == attendance.ENTITY:
            await self._check_meeting(meeting)
        else:
            meeting = None
        if not content:
            raise ValidationFailed({"file": [Message(N_("Choose a file to import."))]})
        if len(filename) > MAX_FILENAME:  # kept as the batch's name: refused, never cut
            message = N_("The file's name is longer than {max} characters: rename it and choose it again.")
            raise ValidationFailed({"file": [Message(message, {"max": MAX_FILENAME})]})
        if len(content) > MAX_FILE_BYTES:
            raise ValidationFailed(
                {
                    "file": [
                        Message(N_("This file is larger than {size} MB."), {"size": MAX_FILE_BYTES // 2**20})
                    ]
                }
            )
        with tempfile.TemporaryDirectory(prefix="pilot-crm-import-") as directory:
            path = Path(directory) / "upload"
            path.write_bytes(content)
            try:
                table = await anyio.to_thread.run_sync(_header, path, filename)
            except UnreadableFile as exc:
                raise ValidationFailed({"file": [exc.message]}) from exc
        headers = list(table.header)
        form = self.form(entity)
        columns = await mapping.saved_mapping(entity, saved) if saved else None
        if saved and columns is None:
            # Named but unknown: suggesting from the headers instead would not be what was asked for.
            raise ValidationFailed(
                {"saved_mapping": [Message(N_("There is no saved mapping of this name."))]}
            )
        chosen = (
            mapping.from_saved(columns, headers)
            if columns is not None
            else mapping.suggest(headers, form, self.translators())
        )
        async with ImportBatch._meta.db.transaction():
            inserted = (
                await ImportBatch.insert(
                    ImportBatch(
                        entity=entity,
                        meeting=meeting,
                        filename=filename,
                        kind=table.kind,
                        status="mapping",
                        created_by=self.actor.user_id,
                        actor_email=self.actor.email,
                        headers=headers,
                        mapping={str(i): name for i, name in chosen.items()},
                        total=table.estimated_rows or 0,
                    )
                )
                .returning(ImportBatch.id)
                .run()
            )
            batch_id = inserted[0]["id"]
            await ImportFile.insert(ImportFile(batch=batch_id, content=content)).run()
        return batch_id

    async def _check_meeting(self, meeting: int | None) -> None:
        """An attendance list goes to a live meeting the actor may change."""
        from core.meetings.service import MeetingService

        if meeting is None:
            raise ValidationFailed({"meeting": [Message(N_("This field is required."))]})
        try:
            record = await MeetingService(self.actor, self.locale).get(meeting)
        except NotFound:
            raise ValidationFailed({"meeting": [Message(N_("This record does not exist."))]}) from None
        if record["archived_at"] is not None:
            raise ValidationFailed({"meeting": [Message(N_("This record is archived."))]})

    async def get(self, batch_id: int) -> dict[str, Any]:
        batch = await ImportBatch.select().where(ImportBatch.id == batch_id).first().run()
        if batch is None:
            raise NotFound()
        batch = await settle(self.tenant, batch)
        for key, default in (("mapping", {}), ("headers", []), ("counts", {}), ("failure", None)):
            batch[key] = load_json(batch[key], default)
        return batch

    async def batches(self) -> list[dict[str, Any]]:
        rows = await ImportBatch.select().order_by(ImportBatch.id, ascending=False).limit(RECENT).run()
        for row in rows:
            row["counts"] = load_json(row["counts"], {})
        return rows

    async def configure(
        self, batch_id: int, chosen: dict[int, str], on_duplicate: str, save_as: str = ""
    ) -> None:
        """Set the mapping and the choice for matches, ready for a (new) dry run."""
        batch = await self.get(batch_id)
        if batch["status"] not in ("mapping", "planned"):
            raise Conflict(N_("This import can no longer be changed."))
        if on_duplicate not in planning.DECISIONS:
            raise ValidationFailed({"on_duplicate": [Message(N_("Select a valid choice."))]})
        form = self.form(batch["entity"])
        mapping.check(chosen, batch["headers"], form)
        if not chosen:
            raise ValidationFailed({"mapping": [Message(N_("Choose a field for at least one column."))]})
        if save_as.strip():
            await mapping.save_mapping(
                batch["entity"], save_as, mapping.to_saved(chosen, batch["headers"]), self.actor.user_id
            )
        await (
            ImportBatch.update(
                {
                    ImportBatch.mapping: {str(i): name for i, name in chosen.items()},
                    ImportBatch.on_duplicate: on_duplicate,
                    ImportBatch.status: "reading",
                    ImportBatch.done: 0,
                    ImportBatch.failure: None,
                    ImportBatch.updated_at: now(),
                }
            )
            .where(ImportBatch.id == batch_id)
            .run()
        )

    async def plan(self, batch_id: int, progress: Progress | None = None) -> dict[str, int]:
        batch = await self.get(batch_id)
        entity = batch["entity"]
        return await planning.plan(batch_id, self.records(entity), self.form(entity), progress)

    async def begin_commit(self, batch_id: int) -> None:
        """Mark a dry-run batch as being committed (before the commit runs in the background, so
        the page polls a batch that is already under way); a second click gets a 409."""
        claimed = (
            await ImportBatch.update(
                {ImportBatch.status: "committing", ImportBatch.done: 0, ImportBatch.updated_at: now()}
            )
            .where((ImportBatch.id == batch_id) & (ImportBatch.status == "planned"))
            .returning(ImportBatch.id)
            .run()
        )
        if not claimed:
            await self.get(batch_id)  # a 404 for a batch that does not exist
            raise Conflict(N_("This import is not ready to be committed."))

    async def commit(self, batch_id: int, progress: Progress | None = None) -> dict[str, int]:
        batch = await self.get(batch_id)
        return await committing.commit(batch_id, self.records(batch["entity"]), progress)

    async def undo(self, batch_id: int) -> dict[str, int]:
        batch = await self.get(batch_id)
        return await committing.undo(batch_id, self.records(batch["entity"]))

    async def discard(self, batch_id: int) -> None:
        """Forget a batch that was never committed: its file and its dry run."""
        batch = await self.get(batch_id)
        if batch["status"] not in ("mapping", "planned", "failed"):
            raise Conflict(N_("This import can no longer be discarded."))
        async with ImportBatch._meta.db.transaction():
            await ImportRow.delete().where(ImportRow.batch == batch_id).run()
            await ImportFile.delete().where(ImportFile.batch == batch_id).run()
            await (
                ImportBatch.update({ImportBatch.status: "discarded", ImportBatch.updated_at: now()})
                .where(ImportBatch.id == batch_id)
                .run()
            )

    async def lines(
        self, batch_id: int, action: str = "", offset: int = 0, limit: int = 100
    ) -> list[dict[str, Any]]:
        """The dry run's lines, by line number (one action's, when ``action`` is given)."""
        query = ImportRow.select().where(ImportRow.batch == batch_id)
        if action in planning.ACTIONS:
            query = query.where(ImportRow.action == action)
        rows = await query.order_by(ImportRow.line).offset(offset).limit(limit).run()
        for row in rows:
            for key, default in (("values", {}), ("errors", []), ("cells", []), ("rules", [])):
                row[key] = load_json(row[key], default)
        return rows

    async def rejected(self, batch_id: int) -> AsyncIterator[dict[str, Any]]:
        """The rejected lines, a page at a time (for the rejected-lines file)."""
        offset = 0
        while True:
            rows = await self.lines(batch_id, "error", offset, 500)
            for row in rows:
                yield row
            if len(rows) < 500:
                return
            offset += len(rows)
