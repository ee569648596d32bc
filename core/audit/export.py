"""Export a tenant's audit log (optionally filtered) as CSV or JSON Lines, oldest first, with the chain
hashes, so a reviewer can keep a copy outside the database and check it later. Callers decide who may
export (coordinators only); this module only formats."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from core.audit.chain import canonical, entries_from, moment
from core.records.cells import spreadsheet_safe

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
FORMATS = ("csv", "jsonl")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/jsonl; charset=utf-8"}


def _row(entry: dict[str, Any]) -> dict[str, Any]:
    return {key: moment(entry["at"]) if key == "at" else entry[key] for key in COLUMNS}


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return canonical(value)
    return spreadsheet_safe(value) if isinstance(value, str) else str(value)


async def export_audit(fmt: str = "csv", entity: str | None = None, actor_email: str | None = None) -> str:
    """The tenant's entries matching the filters, oldest first, as one ``fmt`` document."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
    out = io.StringIO()
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        async for entry in entries_from(0, entity=entity, actor_email=actor_email):
            writer.writerow([_csv_cell(value) for value in _row(entry).values()])
    else:
        async for entry in entries_from(0, entity=entity, actor_email=actor_email):
            out.write(json.dumps(_row(entry), ensure_ascii=False, sort_keys=False) + "\n")
    return out.getvalue()


def export_filename(tenant: str, fmt: str) -> str:
    return f"audit-{tenant}.{fmt}"
