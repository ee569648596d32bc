"""A real PgBouncer in transaction mode in front of a test PostgreSQL server.

Debian's ``pgbouncer`` binary runs in the foreground with a throwaway configuration: a free loopback
port, every database forwarded to the server, trust authentication (as the test servers have), a
small server pool so client connections share server connections between transactions, which is
what breaks a driver that keeps prepared statements. PgBouncer refuses to run as root: as root it is
started with ``-u postgres``, so its files are readable by that user.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from core.testing.processes import free_port, listening, stop

BINARY_PLACES = ("/usr/sbin/pgbouncer", "/usr/bin/pgbouncer")
RUN_AS = "postgres"


class PgBouncerUnavailable(Exception):
    """Why no PgBouncer can run on this machine (one line)."""


def _binary() -> str:
    found = shutil.which("pgbouncer") or next((p for p in BINARY_PLACES if os.access(p, os.X_OK)), None)
    if found is None:
        raise PgBouncerUnavailable("pgbouncer is not installed (Debian: apt-get install pgbouncer)")
    return found


def configuration(port: int, server_host: str, server_port: int, user: str, folder: Path) -> str:
    return "\n".join(
        [
            "[databases]",
            f"* = host={server_host} port={server_port}",
            "[pgbouncer]",
            "listen_addr = 127.0.0.1",
            f"listen_port = {port}",
            "unix_socket_dir =",
            "auth_type = trust",
            f"auth_file = {folder / 'users.txt'}",
            f"admin_users = {user}",
            "pool_mode = transaction",
            "default_pool_size = 2",
            "max_client_conn = 200",
            "",
        ]
    )


@contextmanager
def running_pgbouncer(server_host: str, server_port: int, user: str) -> Iterator[int]:
    """Run PgBouncer in front of ``server_host:server_port`` for ``user``; yield its port."""
    binary = _binary()
    folder = Path(tempfile.mkdtemp(prefix="pilot-crm-pgbouncer-"))
    folder.chmod(0o755)
    port = free_port()
    ini = folder / "pgbouncer.ini"
    ini.write_text(configuration(port, server_host, server_port, user, folder), encoding="utf-8")
    (folder / "users.txt").write_text(f'"{user}" ""\n', encoding="utf-8")
    for path in (ini, folder / "users.txt"):
        path.chmod(0o644)
    argv = [binary, *(["-u", RUN_AS] if os.geteuid() == 0 else []), str(ini)]
    log = folder / "pgbouncer.log"
    with log.open("wb") as output:
        process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT)  # noqa: S603 - our binary
    try:
        for _ in range(100):
            if listening(port):
                break
            if process.poll() is not None:
                break
            time.sleep(0.05)
        else:
            raise PgBouncerUnavailable(f"pgbouncer did not listen on port {port}")
        if process.poll() is not None:
            reason = " ".join(log.read_text(errors="replace").split()[-30:])
            raise PgBouncerUnavailable(f"pgbouncer exited with code {process.returncode}: {reason}")
        yield port
    finally:
        stop(process, timeout=5)
        shutil.rmtree(folder, ignore_errors=True)
