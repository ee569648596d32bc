"""Export a tenant's audit log (optionally filtered), oldest first, with the chain hashes, so a
reviewer can keep a copy outside the database and check it later. As a spreadsheet (CSV or XLSX)
it goes through the writers every export uses (``core.records.export``): headers in the reader's
language, streamed, cells a spreadsheet would run neutralized; its time is the recorded instant to
the microsecond (what the chain hashes) in the tenant's time zone. As JSON Lines (the command
line's default) each entry is written as stored. Callers decide who may export (coordinators
only); this module only formats."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from core.audit.chain import canonical, entries_from, moment
from core.i18n.markers import N_
from core.i18n.translator import Translator
from core.records.export import Column, ExportFile
from core.records.writers import Cell
from core.tenancy.context import require_tenant

COLUMNS = (
    "id",
    "seq",
    "at",
    "tenant",
    "actor_id",
    "actor_email",
    "entity",
    "entity_id",
    "action",
    "before",
    "after",
    "redacted",
    "payload_hash",
    "prev_hash",
    "entry_hash",
)
LABELS = {
    "id": N_("ID"),
    "seq": N_("Sequence"),
    "at": N_("When"),
    "tenant": N_("Tenant"),
    "actor_id": N_("Member ID"),
    "actor_email": N_("Who"),
    "entity": N_("Record type"),
    "entity_id": N_("Record"),
    "action": N_("Action"),
    "before": N_("Before"),
    "after": N_("After"),
    "redacted": N_("Redacted"),
    "payload_hash": N_("Payload hash"),
    "prev_hash": N_("Previous hash"),
    "entry_hash": N_("Entry hash"),
}
BATCH = 500


class AuditExport(ExportFile):
    """The entries matching ``entity`` and ``actor_email`` as a CSV or XLSX file, a batch at a time."""

    def __init__(
        self, t: Translator, fmt: str = "csv", entity: str | None = None, actor_email: str | None = None
    ) -> None:
        tenant = require_tenant()
        columns = [Column(key, LABELS[key]) for key in COLUMNS]
        super().__init__(t, fmt, columns, tenant.declaration.timezone)
        self.slug = tenant.slug
        self.entity = entity
        self.actor_email = actor_email

    def filename(self) -> str:
        return export_filename(self.slug, self.fmt)

    def _cell(self, key: str, value: Any) -> Cell:
        if key == "at" and isinstance(value, datetime):
            return value.astimezone(self.zone).isoformat(timespec="microseconds")
        if isinstance(value, dict | list):
            return canonical(value)
        return self.value(None, value)

    async def batches(self) -> AsyncIterator[list[list[Cell]]]:
        batch: list[list[Cell]] = []
        async for entry in entries_from(0, entity=self.entity, actor_email=self.actor_email):
            batch.append([self._cell(key, entry[key]) for key in COLUMNS])
            if len(batch) == BATCH:
                yield batch
                batch = []
        if batch:
            yield batch


async def export_jsonl(entity: str | None = None, actor_email: str | None = None) -> AsyncIterator[str]:
    """The entries matching the filters, oldest first, one JSON object a line, as stored."""
    async for entry in entries_from(0, entity=entity, actor_email=actor_email):
        row = {key: moment(entry["at"]) if key == "at" else entry[key] for key in COLUMNS}
        yield json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n"


def export_filename(tenant: str, fmt: str) -> str:
    return f"audit-{tenant}.{fmt}"
