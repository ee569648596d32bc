"""The aggregate report as files: one JSON document, and one XLSX workbook (xlsxwriter, which writes
every XLSX of the product; openpyxl only reads them) with a sheet
per table, each row led by its tenant. Suppressed cells are empty in the workbook, flagged in their
own column, as in the JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import xlsxwriter

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
    # Text stays text: no formula or link is made of a cell that happens to look like one.
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False})
    sheets: list[tuple[str, list[list[Any]]]] = [
        (
            "about",
            [
                ["generated_at", document["generated_at"]],
                ["suppression_threshold", document["suppression_threshold"]],
                ["tenants", ", ".join(t["tenant"] for t in document["tenants"])],
            ],
        )
    ]
    for name, columns in TABLES:
        rows = [["tenant", "country", *columns]]
        for figures in document["tenants"]:
            for row in figures[name]:
                rows.append([figures["tenant"], figures["country"], *(_cell(row[c]) for c in columns)])
        sheets.append((name, rows))
    for name, rows in sheets:
        sheet = workbook.add_worksheet(name)
        for index, row in enumerate(rows):
            sheet.write_row(index, 0, row)
    workbook.close()
