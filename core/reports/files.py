"""The aggregate report as files: one JSON document, and one XLSX workbook (openpyxl) with a sheet
per table, each row led by its tenant. Suppressed cells are empty in the workbook, flagged in their
own column, as in the JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from core.records.cells import spreadsheet_safe

TABLES = (
    ("organizations_by_side", ("side", "count")),
    ("meetings_by_type_and_month", ("meeting_type", "month", "count")),
    ("actions_by_topic_and_status", ("topic_code", "topic_label", "status", "count")),
    ("participation_by_side", ("side", "status", "people", "suppressed")),
)


def write_json(document: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _cell(value: Any) -> Any:
    return spreadsheet_safe(value) if isinstance(value, str) else value


def write_xlsx(document: dict[str, Any], path: Path) -> None:
    workbook = Workbook()
    about = workbook.active
    about.title = "about"
    about.append(["generated_at", document["generated_at"]])
    about.append(["suppression_threshold", document["suppression_threshold"]])
    about.append(["tenants", ", ".join(t["tenant"] for t in document["tenants"])])
    for name, columns in TABLES:
        sheet = workbook.create_sheet(name)
        sheet.append(["tenant", "country", *columns])
        for figures in document["tenants"]:
            for row in figures[name]:
                sheet.append([figures["tenant"], figures["country"], *(_cell(row[c]) for c in columns)])
    workbook.save(path)
