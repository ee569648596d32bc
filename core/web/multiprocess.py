"""Where the worker processes of one ``serve`` share their metrics (prometheus-client's multiprocess
mode). Kept apart from ``core.web.metrics``: prometheus-client decides at import whether values go to
memory or to files, so ``serve`` must set the directory before anything imports it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_multiprocess_dir(port: int) -> Path:
    """The directory: ``PROMETHEUS_MULTIPROC_DIR`` if set, else one per user and port in the
    temporary directory (two ``serve`` on one host never share a port, so never mix their values).
    Emptied of a previous run's ``*.db`` files, as prometheus-client requires (values left by dead
    processes would be added to the new ones); nothing else in it is touched. Kept at exit: uvicorn
    ends on the signal it was stopped with, so no clean-up would run; the next start empties it.
    Sets the variable for the workers."""
    default = Path(tempfile.gettempdir()) / f"pilot-crm-metrics-{os.getuid()}-{port}"
    directory = Path(os.environ.get(MULTIPROC_ENV) or default)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    if directory.stat().st_uid != os.getuid():  # another user's, in a shared /tmp: not ours to write
        raise PermissionError(f"{directory} belongs to another user: set {MULTIPROC_ENV}")
    for stale in directory.glob("*.db"):
        stale.unlink(missing_ok=True)
    os.environ[MULTIPROC_ENV] = str(directory)
    return directory
