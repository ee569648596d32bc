"""Where the worker processes of one ``serve`` share their metrics (prometheus-client's multiprocess
mode). Kept apart from ``core.web.metrics``: prometheus-client decides at import whether values go to
memory or to files, so ``serve`` must set the directory before anything imports it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess_dir() -> tuple[Path, bool]:
    """The directory, and whether it is a fresh one of this ``serve`` (to remove at exit):
    ``PROMETHEUS_MULTIPROC_DIR`` if set, emptied of a previous run's ``*.db`` files (values left by
    dead processes would otherwise be added to the new ones; nothing else in it is touched); else a
    new temporary directory, so two ``serve`` on one host never mix their values. Sets the variable
    for the workers."""
    given = os.environ.get(MULTIPROC_ENV)
    if given:
        directory = Path(given)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink(missing_ok=True)
        return directory, False
    directory = Path(tempfile.mkdtemp(prefix="pilot-crm-metrics-"))
    os.environ[MULTIPROC_ENV] = str(directory)
    return directory, True
