"""Dry runs and commits run in the background of the process that accepted them, so the request
that starts one answers at once and a 100,000-line file keeps no one waiting; the page then polls
the batch's progress (``progress``), from any process.

A dry run writes its progress to the batch row as it goes. A commit is one transaction, which no
other connection sees into until it ends, so its progress lives in this process's memory; another
process shows the commit as under way without a count. A batch left *reading* or *committing* by a
process that died is recognised by its age and offered again (``settle``).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from core.errors import DomainError, Message, ValidationFailed
from core.i18n.markers import N_
from core.imports.reading import UnreadableFile
from core.imports.tables import ImportBatch
from core.records.service import now
from core.tenancy.context import tenant_context
from core.tenancy.registry import TenantRuntime

log = logging.getLogger(__name__)
# A batch whose row has not moved for this long belongs to a process that is gone.
STALE = timedelta(minutes=15)
UNEXPECTED = N_(
    "The import stopped because of an unexpected error. Try again; if it happens again, "
    "tell your administrator."
)


@dataclass(slots=True)
class Progress:
    """How far a phase is: lines done out of ``total``, since ``started`` (monotonic seconds)."""

    done: int = 0
    total: int = 0
    started: float = 0.0

    def update(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    @property
    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 and self.done else 0.0

    @property
    def seconds_left(self) -> float | None:
        rate = self.rate
        return max(self.total - self.done, 0) / rate if rate else None


# (tenant slug, batch id) → the progress of a phase running in this process.
RUNNING: dict[tuple[str, int], Progress] = {}
_TASKS: set[asyncio.Task[Any]] = set()


def running(tenant: TenantRuntime, batch_id: int) -> Progress | None:
    return RUNNING.get((tenant.slug, batch_id))


def failure_of(exc: BaseException) -> dict[str, Any]:
    """The message a failed phase leaves on its batch, for the page to show in the reader's language."""
    message: Message
    if isinstance(exc, UnreadableFile):
        message = exc.message
    elif isinstance(exc, ValidationFailed):
        message = next((m for messages in exc.errors.values() for m in messages), exc.message)
    elif isinstance(exc, DomainError):
        message = exc.message
    else:
        message = Message(UNEXPECTED)
    return {"message": message.msgid, "params": dict(message.params or {})}


def launch(
    tenant: TenantRuntime,
    batch_id: int,
    phase: Callable[[Callable[[int, int], None]], Awaitable[Any]],
    on_failure: str,
) -> None:
    """Run ``phase(progress)`` for the batch in the background; if it fails, the batch takes the
    status ``on_failure`` and the reason."""
    key = (tenant.slug, batch_id)
    progress = Progress(started=time.monotonic())
    RUNNING[key] = progress

    async def run() -> None:
        with tenant_context(tenant):
            try:
                await phase(progress.update)
            except Exception as exc:
                if not isinstance(exc, DomainError | UnreadableFile):
                    log.exception("import batch %s of tenant %s failed", batch_id, tenant.slug)
                await (
                    ImportBatch.update(
                        {
                            ImportBatch.status: on_failure,
                            ImportBatch.failure: failure_of(exc),
                            ImportBatch.updated_at: now(),
                        }
                    )
                    .where(ImportBatch.id == batch_id)
                    .run()
                )
            finally:
                RUNNING.pop(key, None)

    # A fresh context: the request's (its transaction, if any) must not leak into the job.
    task = asyncio.get_running_loop().create_task(run(), context=contextvars.Context())
    _TASKS.add(task)
    task.add_done_callback(_TASKS.discard)


async def settle(tenant: TenantRuntime, batch: dict[str, Any]) -> dict[str, Any]:
    """``batch`` as it stands: one left mid-phase by a process that is gone is put back (a dry run
    to its mapping, a commit — rolled back with its transaction — to its dry run)."""
    if batch["status"] not in ("reading", "committing") or running(tenant, batch["id"]) is not None:
        return batch
    if now() - batch["updated_at"] < STALE:
        return batch
    status = "mapping" if batch["status"] == "reading" else "planned"
    failure = {"message": N_("The import was interrupted. Start it again."), "params": {}}
    await (
        ImportBatch.update({ImportBatch.status: status, ImportBatch.failure: failure})
        .where(ImportBatch.id == batch["id"])
        .run()
    )
    return {**batch, "status": status, "failure": failure}
