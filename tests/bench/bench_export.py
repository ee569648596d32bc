#!/usr/bin/env python
"""Benchmark: exporting 100,000 contacts as CSV and as XLSX, rows per second and peak RSS.

Each measurement runs in a fresh process (so its peak RSS is its own): a throwaway tenant on the
backend, N contacts made by the database (``core.testing.volume.insert_contacts``), one small export
to warm up, then ``GET /t/bench/api/v1/contacts/export?format=…`` straight into the app's ASGI
callable, the body written to a temporary file as it arrives. Printed per backend, format and row
count: rows per second, the process's RSS before the export and its peak (VmHWM) after. The peak must
not grow with the row count: the script exits 1 when the peak for the largest count exceeds the
smallest's by more than 25 MB.

Run:  .venv/bin/python tests/bench/bench_export.py [--rows 10000,100000] [--sqlite-only] [--postgres-only]
      (about 3 minutes; see tests/bench/README.md)
Not collected by pytest (``norecursedirs`` in pyproject.toml).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from core.tenancy.context import tenant_context  # noqa: E402
from core.testing.environment import (  # noqa: E402
    TenantSpec,
    TestEnvironment,
    build_environment,
    postgres_reachable,
)
from core.testing.volume import get_into, insert_contacts  # noqa: E402
from core.web.app import create_app  # noqa: E402

SLUG = "bench"
PATH = f"/t/{SLUG}/api/v1/contacts/export"
GROWTH_LIMIT_MB = 25


def status_mb(field: str) -> float:
    """A ``/proc/self/status`` figure (VmRSS, VmHWM) in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {field} in /proc/self/status")


def measure(backend: str, fmt: str, rows: int) -> dict[str, float]:
    with (
        tempfile.TemporaryDirectory(prefix=f"bench-export-{backend}-") as tmp,
        build_environment(backend, Path(tmp), [TenantSpec(SLUG)]) as env,
    ):
        return asyncio.run(export(env, Path(tmp) / f"export.{fmt}", fmt, rows))


async def export(env: TestEnvironment, out: Path, fmt: str, rows: int) -> dict[str, float]:
    app = create_app(env.registry.settings, env.registry)
    headers = env.headers(SLUG, "coordinator")
    async with app.lifespan():
        with tenant_context(env.registry.get(SLUG)):
            await insert_contacts(rows, {"warm": 400})
        with out.open("wb") as file:  # warm-up: compiled queries, caches, imports
            assert await get_into(app, PATH, {"format": fmt, "q": "warm"}, headers, file) == 200
        before = status_mb("VmRSS")
        started = time.perf_counter()
        with out.open("wb") as file:
            assert await get_into(app, PATH, {"format": fmt}, headers, file) == 200
        seconds = time.perf_counter() - started
        return {
            "rows_per_s": rows / seconds,
            "seconds": seconds,
            "rss_before": before,
            "peak": status_mb("VmHWM"),
            "size_mb": out.stat().st_size / 1e6,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="10000,100000", help="comma-separated row counts")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--worker", nargs=3, metavar=("BACKEND", "FORMAT", "ROWS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.worker:
        backend, fmt, rows = args.worker
        print(json.dumps(measure(backend, fmt, int(rows))))
        return 0

    backends = [b for b in ("sqlite", "postgres") if not (args.sqlite_only and b == "postgres")]
    backends = [b for b in backends if not (args.postgres_only and b == "sqlite")]
    if "postgres" in backends and not postgres_reachable():
        print("PostgreSQL unreachable: its rows are skipped")
        backends.remove("postgres")
    counts = [int(n) for n in args.rows.split(",")]
    columns = ("backend", "format", "rows", "rows/s", "seconds", "RSS before", "peak RSS")
    print("{:<9} {:<6} {:>8} {:>8} {:>8} {:>11} {:>9}".format(*columns))
    failed = False
    for backend in backends:
        for fmt in ("csv", "xlsx"):
            peaks = []
            for rows in counts:
                worker = [sys.executable, __file__, "--worker", backend, fmt, str(rows)]
                done = subprocess.run(worker, capture_output=True, text=True, check=True)
                r = json.loads(done.stdout.strip().splitlines()[-1])
                peaks.append(r["peak"])
                print(
                    f"{backend:<9} {fmt:<6} {rows:>8} {r['rows_per_s']:>8.0f} {r['seconds']:>8.1f} "
                    f"{r['rss_before']:>8.1f} MB {r['peak']:>6.1f} MB",
                    flush=True,
                )
            if peaks[-1] - peaks[0] > GROWTH_LIMIT_MB:
                print(f"  the peak grew by {peaks[-1] - peaks[0]:.1f} MB with the rows", flush=True)
                failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
