"""Stand-in reader (CSV in UTF-8, XLSX) until the full reader lands; same interface."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.errors import Message
from core.i18n.markers import N_

MAX_FILE_BYTES = 50 * 1024 * 1024
Cell = Any


class UnreadableFile(Exception):
    def __init__(self, message: Message) -> None:
        self.message = message
        super().__init__(message.msgid)


@dataclass(frozen=True)
class Table:
    path: Path
    kind: str
    header: tuple[str, ...]
    encoding: str | None
    delimiter: str | None
    estimated_rows: int | None

    def rows(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        if self.kind == "xlsx":
            import openpyxl

            wb = openpyxl.load_workbook(open(self.path, "rb"), read_only=True, data_only=True)
            for n, row in enumerate(wb.active.iter_rows(values_only=True), start=1):
                if n == 1:
                    continue
                cells = tuple("" if c is None else c for c in row)
                while cells and cells[-1] == "":
                    cells = cells[:-1]
                if cells:
                    yield n, cells
            wb.close()
            return
        with open(self.path, encoding=self.encoding, newline="") as f:
            r = csv.reader(f, delimiter=self.delimiter)
            next(r)
            for row in r:
                if any(c.strip() for c in row):
                    yield r.line_num, tuple(row)


def read_table(path: Path, filename: str = "") -> Table:
    data = path.read_bytes()
    if not data:
        raise UnreadableFile(Message(N_("This file is empty.")))
    if data[:2] == b"PK":
        import openpyxl

        wb = openpyxl.load_workbook(open(path, "rb"), read_only=True, data_only=True)
        header = next(wb.active.iter_rows(values_only=True), ())
        n = wb.active.max_row
        wb.close()
        return Table(
            path, "xlsx", tuple("" if h is None else str(h).strip() for h in header), None, None, (n or 1) - 1
        )
    enc = "utf-8-sig"
    text = data.decode(enc)
    first = text.splitlines()[0]
    delim = ";" if first.count(";") > first.count(",") else ","
    header = next(csv.reader(io.StringIO(first), delimiter=delim))
    return Table(path, "csv", tuple(h.strip() for h in header), enc, delim, text.count("\n"))
