"""A second local PostgreSQL server for the tests that spread tenants over two servers.

Debian's cluster tools (``pg_createcluster``) make one beside the machine's own: same major version,
its own data directory and port (``PILOT_CRM_TEST_PG2_PORT``, default 5433), trust authentication on
the loopback like the first. It is created once per machine and started when it is down; tests only
create and drop databases in it. Under ``CI=true`` a machine that cannot have it fails those tests
instead of skipping them (``core.testing.pytest_plugin.require_second_server``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

from core.testing.environment import PG_HOST, PG_USER
from core.testing.processes import listening

CLUSTER = os.environ.get("PILOT_CRM_TEST_PG2_CLUSTER", "pilotcrm-test")
PORT = int(os.environ.get("PILOT_CRM_TEST_PG2_PORT", "5433"))


class SecondServerUnavailable(Exception):
    """Why this machine has no second server (one line)."""


def _version() -> str:
    versions = sorted(Path("/etc/postgresql").glob("*"), key=lambda p: int(p.name) if p.name.isdigit() else 0)
    if not versions:
        raise SecondServerUnavailable("no PostgreSQL installation under /etc/postgresql")
    return versions[-1].name


def _run(*argv: str) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, timeout=120)  # noqa: S603 - the cluster tools
    if done.returncode != 0:
        reason = " ".join((done.stderr or done.stdout).split()) or f"exit code {done.returncode}"
        raise SecondServerUnavailable(f"{' '.join(argv[:2])}: {reason}")


def ensure_second_server() -> str:
    """The DSN prefix (``postgresql://user@host:port``) of the second server, creating and starting
    its cluster when needed. Raises SecondServerUnavailable with the reason when it cannot."""
    prefix = f"postgresql://{PG_USER}@{PG_HOST}:{PORT}"
    if listening(PORT, PG_HOST, timeout=1):
        return prefix
    if shutil.which("pg_createcluster") is None:
        raise SecondServerUnavailable("Debian's cluster tools (pg_createcluster) are not installed")
    if os.geteuid() != 0:
        raise SecondServerUnavailable("creating a PostgreSQL cluster needs root")
    version = _version()
    if not Path(f"/etc/postgresql/{version}/{CLUSTER}").is_dir():
        _run("pg_createcluster", version, CLUSTER, "--port", str(PORT), "--", "--auth=trust")
    _run("pg_ctlcluster", "--skip-systemctl-redirect", version, CLUSTER, "start")
    for _ in range(100):
        if listening(PORT, PG_HOST, timeout=1):
            return prefix
        time.sleep(0.1)
    raise SecondServerUnavailable(f"cluster {CLUSTER} started but does not listen on port {PORT}")
