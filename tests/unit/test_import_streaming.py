"""A large workbook's rows read in a process of their own arrive as they would in-process, in
order, and a problem the reading process meets reaches the caller as the same error."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

from core.imports.reading import UnreadableFile, read_table
from core.imports.streaming import MIN_ROWS, InProcessRows, ProcessRows, row_chunks


def workbook(path: Path, rows: int) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Nombre", "Apellido", "Teléfono"])
    for i in range(rows):
        sheet.append([f"Ana{i}", "+SUM(A1)" if i % 7 == 0 else f"Pérez {i}", 5255_1234_0000 + i])
    out = io.BytesIO()
    book.save(out)
    path.write_bytes(out.getvalue())
    return path


def drain(source) -> list:
    rows = []
    try:
        while chunk := source.next_chunk():
            rows.extend(chunk)
    finally:
        source.close()
    return rows


def test_a_large_workbook_is_read_in_another_process_with_the_same_rows(tmp_path):
    table = read_table(workbook(tmp_path / "upload", MIN_ROWS + 300), "lista.xlsx")
    source = row_chunks(table, "lista.xlsx")
    assert isinstance(source, ProcessRows)
    streamed = drain(source)
    assert streamed == drain(InProcessRows(table))
    assert len(streamed) == MIN_ROWS + 300
    assert streamed[0] == (2, ("Ana0", "+SUM(A1)", 5255_1234_0000))
    assert [line for line, _ in streamed] == list(range(2, MIN_ROWS + 302))


def test_a_small_workbook_or_a_csv_is_read_in_process(tmp_path):
    small = read_table(workbook(tmp_path / "small", 10), "small.xlsx")
    assert isinstance(row_chunks(small, "small.xlsx"), InProcessRows)
    text = tmp_path / "big.csv"
    text.write_text("a,b\n" + "x,y\n" * (MIN_ROWS * 2), encoding="utf-8")
    assert isinstance(row_chunks(read_table(text, "big.csv"), "big.csv"), InProcessRows)


def test_the_reading_process_reports_an_unreadable_file(tmp_path):
    path = workbook(tmp_path / "upload", MIN_ROWS + 10)
    table = read_table(path, "lista.xlsx")
    path.write_bytes(b"PK\x03\x04 no longer a workbook")  # damaged after its header was read
    source = row_chunks(table, "lista.xlsx")
    assert isinstance(source, ProcessRows)
    with pytest.raises(UnreadableFile) as caught:
        drain(source)
    assert "damaged" in caught.value.message.msgid
