"""Running app processes follow the tenants directory: no restart to add, change, move, disable or
remove a tenant.

Each process looks at the declarations' names, sizes and modification times about once a second
(one ``scandir``: cheap even for a thousand tenants) and reloads the registry when they change, or
at once on SIGHUP. A runtime a reload replaced keeps serving the requests it had started; it is
closed (its connections released) when the last of them ends, or after a grace period.

Polling rather than inotify: it works the same on every file system the tenants directory may sit
on (a network share, a container volume), and ``tenants`` commands write declarations by rename
(``core.tenancy.files``), so a poll never sees half a file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from core.tenancy.registry import TenantRegistry, TenantRuntime

log = logging.getLogger("pilot_crm")

POLL_SECONDS = float(os.environ.get("PILOT_CRM_TENANTS_POLL_SECONDS", "1.0"))
GRACE_SECONDS = 30.0

Snapshot = dict[str, tuple[int, int, int]]


def snapshot(directory: Path) -> Snapshot:
    """name → (modification time, size, inode) of every declaration in ``directory``."""
    found: Snapshot = {}
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name.endswith(".toml") and entry.is_file():
                    stat = entry.stat()
                    found[entry.name] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    except OSError:
        return {}
    return found


async def retire(runtime: TenantRuntime, grace: float = GRACE_SECONDS) -> None:
    """Close ``runtime`` once no request uses it any more (or after ``grace`` seconds)."""
    deadline = time.monotonic() + grace
    try:
        while runtime.in_flight > 0 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
    finally:
        try:
            await runtime.close()
        except Exception:
            log.exception("tenant %s: closing its replaced runtime failed", runtime.slug)


class DeclarationWatcher:
    """Started on app start-up, stopped on shutdown (``core.web.app``)."""

    def __init__(
        self,
        registry: TenantRegistry,
        interval: float = POLL_SECONDS,
        on_reload: Callable[[Iterable[TenantRuntime]], None] | None = None,
    ) -> None:
        self.registry = registry
        self.on_reload = on_reload  # the app mounts plugins a new tenant enables (core.plugins.routes)
        self.interval = interval
        self._seen: Snapshot = {}
        self._task: asyncio.Task[None] | None = None
        self._retiring: set[asyncio.Task[None]] = set()
        self._signal = False
        self._lock = asyncio.Lock()

    @property
    def directory(self) -> Path:
        return self.registry.settings.tenants_dir

    async def reload(self) -> None:
        """Reload now: new runtimes take over at once (their connections open on their first query);
        the runtimes replaced are closed in the background once their requests are done."""
        async with self._lock:
            try:
                fresh, reloaded = self.registry.read()
                if self.on_reload is not None:
                    # Before the swap: no request finds its tenant without the routes.
                    self.on_reload(fresh.values())
                self.registry.swap(fresh)
            except Exception:  # the running set stays whatever went wrong
                log.exception("reloading the tenant declarations failed: the running set stays")
                return
        for what, slugs in (
            ("added", reloaded.added),
            ("changed", reloaded.changed),
            ("removed", reloaded.removed),
        ):
            if slugs:
                log.warning("tenants %s: %s", what, ", ".join(slugs))
        for runtime in reloaded.retired:
            task = asyncio.get_running_loop().create_task(retire(runtime))
            self._retiring.add(task)
            task.add_done_callback(self._retiring.discard)

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            current = snapshot(self.directory)
            if current != self._seen:
                self._seen = current
                await self.reload()

    async def start(self) -> None:
        self._seen = snapshot(self.directory)
        if self.interval > 0:
            self._task = asyncio.get_running_loop().create_task(self._poll())
        with contextlib.suppress(ValueError, RuntimeError, NotImplementedError, AttributeError):
            # Only the main thread may handle signals (not an app run by a test client's thread).
            asyncio.get_running_loop().add_signal_handler(signal.SIGHUP, self._on_signal)
            self._signal = True

    def _on_signal(self) -> None:
        log.warning("SIGHUP: reloading the tenant declarations")
        self._seen = snapshot(self.directory)
        task = asyncio.get_running_loop().create_task(self.reload())
        self._retiring.add(task)
        task.add_done_callback(self._retiring.discard)

    async def stop(self) -> None:
        if self._signal:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for task in list(self._retiring):
            task.cancel()
        await asyncio.gather(*self._retiring, return_exceptions=True)
