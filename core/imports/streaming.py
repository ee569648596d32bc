"""A large workbook's rows read in a process of their own.

Parsing XLSX is openpyxl's Python, cell by cell: about a third of a dry run. Read in a second
process, it runs on another core while this one judges the rows already read; the pipe between them
holds a few chunks at most (the reader waits when it is full), so memory stays flat. The process is
*spawned* — a fresh interpreter, never a fork of a threaded server — which costs a fraction of a
second, so only large workbooks are read this way (CSV is parsed by the csv module's C code and
stays in-process). Where a process cannot be started, the rows are read in-process as usual.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from core.errors import Message
from core.imports.reading import Cell, Table, UnreadableFile, read_table

log = logging.getLogger(__name__)
# Below this many lines, starting a process costs more than it saves.
MIN_ROWS = 2_000
CHUNK = 500
_CONTEXT = multiprocessing.get_context("spawn")
Rows = list[tuple[int, tuple[Cell, ...]]]


def _produce(path: str, filename: str, connection: Any) -> None:
    """The reading process: send the rows a chunk at a time, then ``("end", None)``."""
    try:
        rows = read_table(Path(path), filename).rows()
        while chunk := list(islice(rows, CHUNK)):
            connection.send(("rows", chunk))
        connection.send(("end", None))
    except UnreadableFile as exc:
        connection.send(("unreadable", (exc.message.msgid, dict(exc.message.params or {}))))
    except BaseException as exc:
        connection.send(("failed", repr(exc)))
    finally:
        connection.close()


class ProcessRows:
    """Chunks of a table's rows from a reading process; ``next_chunk`` blocks (call it in a thread)
    and returns an empty list at the end."""

    def __init__(self, table: Table, filename: str) -> None:
        receiver, sender = _CONTEXT.Pipe(duplex=False)
        self.connection = receiver
        self.process = _CONTEXT.Process(
            target=_produce, args=(str(table.path), filename, sender), daemon=True
        )
        self.process.start()
        sender.close()  # the child holds its end; EOF here then means the child is gone

    def next_chunk(self) -> Rows:
        try:
            kind, payload = self.connection.recv()
        except EOFError:
            raise RuntimeError("the reading process ended without a word") from None
        if kind == "rows":
            return payload
        if kind == "end":
            return []
        if kind == "unreadable":
            msgid, params = payload
            raise UnreadableFile(Message(msgid, params))
        raise RuntimeError(f"the reading process failed: {payload}")

    def close(self) -> None:
        self.connection.close()
        self.process.join(timeout=2)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(timeout=2)


class InProcessRows:
    """The same chunks, read here (a small file, a CSV, or no process available)."""

    def __init__(self, table: Table) -> None:
        self.rows: Iterator[tuple[int, tuple[Cell, ...]]] = table.rows()

    def next_chunk(self) -> Rows:
        return list(islice(self.rows, CHUNK))

    def close(self) -> None:
        close = getattr(self.rows, "close", None)
        if close is not None:
            close()


def row_chunks(table: Table, filename: str) -> ProcessRows | InProcessRows:
    """Where a table's rows come from: a reading process for a large workbook, else here."""
    if table.kind == "xlsx" and (table.estimated_rows or 0) >= MIN_ROWS:
        try:
            return ProcessRows(table, filename)
        except (OSError, AssertionError, RuntimeError) as exc:  # no process here (a daemon's child…)
            log.warning("reading %s in-process: %s", filename, exc)
    return InProcessRows(table)
