"""Reading spreadsheets for the import: every encoding, delimiter and line ending people produce reads
back exactly what was written; broken or hostile files are refused with a message; memory stays flat."""

from __future__ import annotations

import codecs
import contextlib
import csv
import os
import tempfile
import time
import tracemalloc
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from core.imports.reading import (
    MAX_COLUMNS,
    MAX_FIELD_CHARS,
    Table,
    UnreadableFile,
    read_table,
)

ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252"]
DELIMITERS = [",", ";", "\t", "|"]
LINE_ENDINGS = ["\r\n", "\n", "\r"]

# Letters people type, the characters that make CSV hard, and text that looks like a formula.
LATIN = "abcXYZ019 éèàçñüöÉ"  # in Windows-1252 each accented byte is a UTF-8 lead byte: never valid UTF-8
WORLD = LATIN + "ابتثجحخ€“”ßøłščžБЖ中文"
SPECIAL = ",;\t|\"'\n\r=+-@ "
FORMULAS = ["=1+2", "@SUM(A1)", "+33 1 23", "-2", '=HYPERLINK("http://x")', "=cmd|' /C calc'!A0"]


def names(alphabet: str) -> st.SearchStrategy[list[str]]:
    name = st.text(alphabet=alphabet.replace(" ", ""), min_size=1, max_size=8)
    return st.lists(name, min_size=1, max_size=6, unique=True)


def cells(alphabet: str) -> st.SearchStrategy[str]:
    return st.one_of(st.text(alphabet=alphabet + SPECIAL, max_size=20), st.sampled_from(FORMULAS))


@st.composite
def tables(draw: st.DrawFn, alphabet: str) -> tuple[list[str], list[list[str]]]:
    header = draw(names(alphabet))
    rows = draw(st.lists(st.lists(cells(alphabet), min_size=len(header), max_size=len(header)), max_size=8))
    return header, rows


def expected_rows(rows: list[list[str]]) -> list[tuple[int, tuple[str, ...]]]:
    """What rows() promises: spreadsheet line numbers, trailing empty cells trimmed, blank rows skipped."""
    expected = []
    for line, row in enumerate(rows, start=2):
        trimmed = list(row)
        while trimmed and trimmed[-1] == "":
            trimmed.pop()
        if trimmed:
            expected.append((line, tuple(trimmed)))
    return expected


def write_csv(path: Path, rows: list[list[str]], encoding: str, delimiter: str, newline: str) -> None:
    """As spreadsheet programs write CSV: a field is quoted when it holds the delimiter, a quote or a
    line break of any kind (Python 3.11's csv writer leaves a lone CR unquoted when lines end in LF)."""

    def field(text: str) -> str:
        if any(char in text for char in delimiter + '"\r\n'):
            return '"' + text.replace('"', '""') + '"'
        return text

    lines = [delimiter.join(map(field, row)) if row != [""] else '""' for row in rows]
    path.write_bytes("".join(line + newline for line in lines).encode(encoding))


def write_xlsx(path: Path, rows: list[list[object]]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text that looks like a formula stays text, as typed in Excel
    workbook.save(path)


def read_all(path: Path, filename: str = "") -> tuple[Table, list[tuple[int, tuple[object, ...]]]]:
    table = read_table(path, filename)
    return table, list(table.rows())


def refusal(path: Path, filename: str = "") -> str:
    with pytest.raises(UnreadableFile) as caught:
        read_all(path, filename)
    return caught.value.message.msgid


ROUND_TRIP = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.parametrize("delimiter", DELIMITERS, ids=["comma", "semicolon", "tab", "pipe"])
@pytest.mark.parametrize("encoding", ENCODINGS)
def test_csv_reads_back_what_was_written(encoding, delimiter):
    alphabet = LATIN if encoding == "cp1252" else WORLD

    @ROUND_TRIP
    @given(table=tables(alphabet), newline=st.sampled_from(LINE_ENDINGS))
    def round_trip(table, newline):
        header, rows = table
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "upload"
            write_csv(path, [header, *rows], encoding, delimiter, newline)
            read, streamed = read_all(path, "contacts.csv")
        assert read.kind == "csv"
        assert read.header == tuple(header)
        assert streamed == expected_rows(rows)
        assert read.estimated_rows == len(expected_rows(rows))
        if len(header) > 1:
            assert read.delimiter == delimiter

    round_trip()


@ROUND_TRIP
@given(table=tables(WORLD.replace("\r", "")))
def test_xlsx_reads_back_what_was_written(table):
    header, rows = table
    rows = [[cell.replace("\r", "") for cell in row] for row in rows]  # XML turns a lone CR into LF
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload"  # no extension: the kind comes from the content
        write_xlsx(path, [header, *rows])
        read, streamed = read_all(path)
    assert (read.kind, read.encoding, read.delimiter) == ("xlsx", None, None)
    assert read.header == tuple(header)
    assert streamed == expected_rows(rows)


def test_xlsx_cells_keep_their_types_and_formulas_are_not_evaluated(tmp_path):
    path = tmp_path / "typed.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["n", "x", "ok", "day", "moment", "formula", "text", 2024])
    sheet.append([7, 2.5, True, datetime(2026, 3, 1), datetime(2026, 3, 1, 9, 30), "=1+2", "=1+2", None])
    sheet["D2"].number_format = "yyyy-mm-dd"
    sheet["E2"].number_format = "yyyy-mm-dd hh:mm"
    sheet["G2"].data_type = "s"
    workbook.save(path)
    read, streamed = read_all(path)
    assert read.header == ("n", "x", "ok", "day", "moment", "formula", "text", "2024")
    # A formula saved without a computed value (openpyxl writes none) reads as empty, never computed.
    assert streamed == [(2, (7, 2.5, True, date(2026, 3, 1), datetime(2026, 3, 1, 9, 30), "", "=1+2"))]


def test_xlsx_rows_keep_their_sheet_numbers_and_the_header_may_start_lower(tmp_path):
    path = tmp_path / "gaps.xlsx"
    write_xlsx(path, [[], ["name", "city"], ["Ana"], [], ["", "", ""], ["Bo", "Rabat"]])
    read, streamed = read_all(path)
    assert (read.header_line, read.header) == (2, ("name", "city"))
    assert streamed == [(3, ("Ana",)), (6, ("Bo", "Rabat"))]


def test_header_cells_are_stripped_and_blank_ones_kept_for_the_caller_to_report(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text(" name ;;city;;\nAna;x;Rabat\n", encoding="utf-8")
    read, streamed = read_all(path)
    assert read.header == ("name", "", "city")
    assert streamed == [(2, ("Ana", "x", "Rabat"))]


def test_windows_1252_after_a_long_ascii_start_is_decoded_as_windows_1252(tmp_path):
    path = tmp_path / "late.csv"
    ascii_rows = "".join(f"contact {n};plain\r\n" for n in range(20_000))  # far beyond the sample
    path.write_bytes(("name;note\r\n" + ascii_rows + "Zoë;5 € “quoted”\r\n").encode("cp1252"))
    read, streamed = read_all(path)
    assert read.encoding == "cp1252"
    assert streamed[-1] == (20_002, ("Zoë", "5 € “quoted”"))


def test_bytes_windows_1252_leaves_undefined_read_as_latin_1_without_losing_the_rest(tmp_path):
    path = tmp_path / "undefined.csv"
    path.write_bytes(b"name,note\n\x81x,\x80 caf\xe9\n")
    read, streamed = read_all(path)
    assert read.encoding == "cp1252"
    assert streamed == [(2, ("\x81x", "€ café"))]


def test_utf16_without_byte_order_mark_is_recognised(tmp_path):
    for codec in ("utf-16-le", "utf-16-be"):
        path = tmp_path / f"{codec}.txt"
        path.write_bytes("nom\tville\r\nÉlodie\tالرباط\r\n".encode(codec))
        read, streamed = read_all(path)
        assert (read.encoding, read.delimiter, read.header) == (codec, "\t", ("nom", "ville"))
        assert streamed == [(2, ("Élodie", "الرباط"))]


def test_old_mac_line_endings_and_quoted_newlines(tmp_path):
    path = tmp_path / "cr.csv"
    path.write_bytes(b'name,note\r"Ana","two\rlines, and a comma"\r"Bo","say ""hi"""\r')
    _, streamed = read_all(path)
    assert streamed == [(2, ("Ana", "two\rlines, and a comma")), (3, ("Bo", 'say "hi"'))]


def test_line_numbers_count_records_not_physical_lines(tmp_path):
    path = tmp_path / "numbers.csv"
    path.write_text('name,note\n"Ana","a\nb\nc"\n\nBo,x\n', encoding="utf-8")
    _, streamed = read_all(path)
    assert streamed == [(2, ("Ana", "a\nb\nc")), (4, ("Bo", "x"))]


def test_a_one_column_file_is_one_column_whatever_its_cells_contain(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text('email\na@x.org,\nb@y.org;c@z.org\n"q,r"\n', encoding="utf-8")
    read, streamed = read_all(path)
    assert read.header == ("email",)
    assert [cells for _, cells in streamed] == [("a@x.org,",), ("b@y.org;c@z.org",), ("q,r",)]


def test_semicolon_is_chosen_over_commas_inside_cells(tmp_path):
    path = tmp_path / "european.csv"
    path.write_text("Name;Amount;City\nAna;1,50;Lisboa\nBo;2,75;Porto, Norte\n", encoding="utf-8-sig")
    read, streamed = read_all(path)
    assert (read.delimiter, read.encoding, read.header) == (";", "utf-8-sig", ("Name", "Amount", "City"))
    assert streamed[1] == (3, ("Bo", "2,75", "Porto, Norte"))


def test_header_only_has_no_rows(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("name,email\r\n", encoding="utf-8")
    read, streamed = read_all(path)
    assert (read.header, read.estimated_rows, streamed) == (("name", "email"), 0, [])


@pytest.mark.parametrize(
    ("content", "refused"),
    [
        (b"", "The file is empty."),
        (b"\xef\xbb\xbf\r\n  \r\n", "The file is empty."),
        (b",,,\r\n,,\r\n", "The file has no header row. Its first row must name the columns."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "This is an old Excel file (.xls)."),
        (b"PK\x03\x04" + b"not really a zip" * 10, "This XLSX file is damaged"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "This file is not a CSV or XLSX"),
        (b"%PDF-1.7\n" + bytes(range(1, 32)) * 40, "This file is not a CSV or XLSX"),
        (b"<html><table><tr><td>name</td></tr></table></html>", "This file is not a CSV or XLSX"),
    ],
    ids=["empty", "blank", "no header", "xls", "corrupt zip", "png", "binary", "html saved as xls"],
)
def test_files_that_are_not_spreadsheets_are_refused_with_a_message(tmp_path, content, refused):
    path = tmp_path / "upload"
    path.write_bytes(content)
    assert refusal(path, "contacts.xls").startswith(refused)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refusal(path).startswith("This XLSX file is damaged")


def test_a_truncated_workbook_is_refused(tmp_path):
    path = tmp_path / "cut.xlsx"
    write_xlsx(path, [["name"], *[[f"n{i}"] for i in range(100)]])
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    assert refusal(path).startswith("This XLSX file is damaged")


def test_too_many_columns_is_refused_naming_the_row(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text("a,b\n" + "x," * MAX_COLUMNS + "x\n", encoding="utf-8")
    table = read_table(path)
    with pytest.raises(UnreadableFile) as caught:
        list(table.rows())
    assert caught.value.message.params == {"line": 2, "limit": MAX_COLUMNS}
    path.write_text(",".join(f"c{i}" for i in range(MAX_COLUMNS + 1)), encoding="utf-8")
    assert refusal(path).startswith("Row {line} has more than {limit} columns.")
    exactly = tmp_path / "exactly.xlsx"
    write_xlsx(exactly, [[f"c{i}" for i in range(MAX_COLUMNS)]])
    assert len(read_table(exactly).header) == MAX_COLUMNS
    wide = tmp_path / "wide.xlsx"
    write_xlsx(wide, [[f"c{i}" for i in range(MAX_COLUMNS + 1)]])
    assert refusal(wide).startswith("Row {line} has more than {limit} columns.")


def test_an_oversize_field_is_refused_naming_the_row(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text('name,note\nAna,short\nBo,"' + "x" * (MAX_FIELD_CHARS + 1) + '"\n', encoding="utf-8")
    with pytest.raises(UnreadableFile) as caught:
        list(read_table(path).rows())
    assert caught.value.message.msgid == "Row {line} has a cell longer than {limit} characters."
    assert caught.value.message.params["line"] == 3
    fits = tmp_path / "fits.csv"
    fits.write_text('name,note\nBo,"' + "x" * (MAX_FIELD_CHARS // 2) + '"\n', encoding="utf-8")
    assert len(read_all(fits)[1][0][1][1]) == MAX_FIELD_CHARS // 2


def test_a_file_above_the_size_limit_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr("core.imports.reading.MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.csv"
    path.write_text("name\n" + "x\n" * 600, encoding="utf-8")
    assert refusal(path).startswith("The file is larger than {limit} MB.")


def test_invalid_utf16_is_refused_with_a_message(tmp_path):
    path = tmp_path / "broken.csv"
    lone_surrogate = b"\x00\xd8A\x00"
    path.write_bytes(codecs.BOM_UTF16_LE + "name\r\nAna\r\n".encode("utf-16-le") + lone_surrogate)
    assert refusal(path).startswith("The text of this file could not be decoded.")


# --- volume: 100,000 rows stream with the memory of 10,000 ---------------------------------------


def write_big_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["name", "email", "city"])
        writer.writerows([f"Contact {n}", f"c{n}@example.org", "Łódź"] for n in range(rows))


def write_big_xlsx(path: Path, rows: int) -> None:
    """A workbook laid out as Excel saves it (the sheet states its dimension first), its rows written
    straight into the sheet's XML: openpyxl takes seconds to write 100,000 rows."""
    workbook = Workbook()
    workbook.active.append(["n", "city"])
    workbook.save(path)
    with zipfile.ZipFile(path) as template:
        parts = {name: template.read(name) for name in template.namelist()}
    body = "".join(
        f'<row r="{n + 2}"><c r="A{n + 2}"><v>{n}</v></c>'
        f'<c r="B{n + 2}" t="inlineStr"><is><t>{"Rabat" if n % 2 else "Luanda"}</t></is></c></row>'
        for n in range(rows)
    )
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet = sheet.replace('<dimension ref="A1:B1" />', f'<dimension ref="A1:B{rows + 1}" />')
    sheet = sheet.replace("</row></sheetData>", "</row>" + body + "</sheetData>")
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in parts.items():
            out.writestr(name, data)


def test_a_workbook_understating_its_dimension_is_read_to_its_last_row(tmp_path):
    path = tmp_path / "understated.xlsx"
    write_big_xlsx(path, 30)
    with zipfile.ZipFile(path) as original:
        parts = {name: original.read(name) for name in original.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b'ref="A1:B31"', b'ref="A1"')
    with zipfile.ZipFile(path, "w") as out:
        for name, data in parts.items():
            out.writestr(name, data)
    read, streamed = read_all(path)
    assert (read.header, read.estimated_rows) == (("n", "city"), None)
    assert streamed[-1] == (31, (29, "Rabat"))


def peak_while_streaming(path: Path) -> tuple[int, int]:
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_table(path).rows())
        return count, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_100000_csv_rows_stream_in_flat_memory(tmp_path):
    small, large = tmp_path / "small.csv", tmp_path / "large.csv"
    write_big_csv(small, 10_000)
    write_big_csv(large, 100_000)
    small_count, small_peak = peak_while_streaming(small)
    large_count, large_peak = peak_while_streaming(large)
    assert (small_count, large_count) == (10_000, 100_000)
    assert large_peak < small_peak * 1.2 + 64 * 1024, (small_peak, large_peak)
    table = read_table(large)
    assert (table.estimated_rows, table.delimiter) == (100_000, ";")
    assert list(table.rows())[-1] == (100_001, ("Contact 99999", "c99999@example.org", "Łódź"))


def test_xlsx_rows_stream_without_being_kept(tmp_path):
    """openpyxl's read-only parser keeps one emptied XML element per row it has passed (about 70
    bytes); the rows themselves are not kept. (Measured on 1,000 and 10,000 rows: tracing
    openpyxl's parser is slow; the 100,000-row read below is timed untraced.)"""
    small, large = tmp_path / "small.xlsx", tmp_path / "large.xlsx"
    write_big_xlsx(small, 1_000)
    write_big_xlsx(large, 10_000)
    small_count, small_peak = peak_while_streaming(small)
    large_count, large_peak = peak_while_streaming(large)
    assert (small_count, large_count) == (1_000, 10_000)
    assert large_peak - small_peak < 9_000 * 100, (small_peak, large_peak)


def test_100000_xlsx_rows_are_read_in_a_few_seconds(tmp_path):
    path = tmp_path / "large.xlsx"
    write_big_xlsx(path, 100_000)
    started = time.monotonic()
    table = read_table(path)
    count, last = 0, None
    for row in table.rows():
        count, last = count + 1, row
    assert (table.estimated_rows, count, last) == (100_000, 100_000, (100_001, (99_999, "Rabat")))
    assert time.monotonic() - started < 20


def open_files() -> set[str]:
    paths = set()
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # the descriptor listdir itself used is gone already
            paths.add(os.readlink(f"/proc/self/fd/{fd}"))
    return paths


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to list open files")
def test_files_are_closed_after_reading_even_when_stopped_early(tmp_path):
    for path, rows in ((tmp_path / "closed.xlsx", write_xlsx), (tmp_path / "closed.csv", None)):
        if rows:
            rows(path, [["name"], ["Ana"], ["Bo"]])
        else:
            path.write_text("name\nAna\nBo\n", encoding="utf-8")
        table = read_table(path)
        assert str(path) not in open_files()
        stream = table.rows()
        next(stream)
        assert str(path) in open_files()
        stream.close()
        assert str(path) not in open_files()
