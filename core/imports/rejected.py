"""The rejected lines of a dry run as a file (CSV or XLSX): the file's own cells, then the line
number and the reasons in the reader's language, to fix and import again. The page's download
and the CLI's ``--rejected`` file are this one file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from core.i18n.markers import N_
from core.i18n.translator import Translator
from core.records.writers import chunks

BATCH = 500


def stored_message(t: Translator, stored: dict[str, Any] | None) -> str:
    """A message stored on a batch or a line (msgid and parameters) in the reader's language."""
    if not stored:
        return ""
    msgid, params = stored["message"], stored.get("params", {})
    return t.gettext(msgid, **params)


def reasons(t: Translator, errors: list[dict[str, Any]]) -> str:
    """A line's problems in one sentence each: "Column (Field): message"."""
    parts = []
    for error in errors:
        label = error["field"]
        field = t.gettext(label) if label else ""
        column = error["column"]
        where = f"{column} ({field})" if column and field else column or field
        text = stored_message(t, error)
        parts.append(f"{where}: {text}" if where else text)
    return "; ".join(parts)


def rejected_file(
    service: Any, batch_id: int, headers: list[str], t: Translator, fmt: str
) -> AsyncIterator[bytes]:
    """The file's bytes as they are written, a few hundred lines at a time (``service``: the
    ``ImportService`` the batch belongs to)."""
    width = len(headers)
    header = [*headers, t.gettext(N_("Line")), t.gettext(N_("Reason"))]

    async def batches() -> AsyncIterator[list[list[Any]]]:
        rows: list[list[Any]] = []
        async for row in service.rejected(batch_id):
            cells = (row["cells"] + [""] * width)[:width]
            rows.append([*cells, row["line"], reasons(t, row["errors"])])
            if len(rows) >= BATCH:
                yield rows
                rows = []
        yield rows

    return chunks(fmt, header, batches())
