#!/usr/bin/env python
"""Benchmark: 200 PostgreSQL tenants served by 2 app processes, load spread over all of them.

Before the connection budget each process opened a pool per tenant at start-up: 200 tenants did not
start against ``max_connections = 100`` ("sorry, too many clients already") and 80 tenants under a
spread load failed requests. This builds the tenants (``core.testing.fleet``: one migrated database
per server, copied for the others), starts ``pilot-crm serve --workers 2`` on them with a budget of
``--budget`` connections per server and process, and drives it with wrk, a Lua script picking a
tenant at random for every request (``GET /t/<slug>/api/v1/organizations?limit=20`` with that
tenant's API token). Meanwhile it samples ``pg_stat_activity`` on each server (connections to the
tenants' databases only). It prints:

* requests/s spread over all tenants, and the same load on one tenant (reference) with the ratio;
* failed requests (socket errors and non-2xx answers; must be 0);
* connections opened per request (``pg_stat_database.sessions``): what a load spread over more
  tenants than the budget holds costs, since a PostgreSQL connection serves one database;
* the most connections seen per server against the budget (``--budget`` × ``--workers``);
* the connections left once the load stopped and the idle time (``--idle``) passed.

It exits 1 when a request failed or a server counted more connections than the budget.

Run:  .venv/bin/python tests/bench/bench_pg_tenants.py [--tenants 200] [--workers 2] [--budget 20]
      [--seconds 10] [--connections 32] [--two-servers]   (building and dropping 200 databases takes
      a minute or two; see tests/bench/README.md)
Not collected by pytest (``norecursedirs`` in pyproject.toml).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import asyncpg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from core.testing.environment import PG_HOST, PG_PORT, PG_USER  # noqa: E402
from core.testing.fleet import Fleet, pg_fleet  # noqa: E402

LUA = """
local targets = {%(targets)s}
request = function()
  local t = targets[math.random(#targets)]
  return wrk.format("GET", t[1], {["Authorization"] = "Bearer " .. t[2]})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write("RESULT ", string.format(
    '{"requests": %%d, "seconds": %%f, "connect": %%d, "read": %%d, "write": %%d, "timeout": %%d,'
    .. ' "status": %%d, "p50_ms": %%f, "p99_ms": %%f}',
    summary.requests, summary.duration / 1e6, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000), "\\n")
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lua_script(fleet: Fleet, slugs: list[str], folder: Path) -> Path:
    targets = ", ".join(
        f'{{"/t/{slug}/api/v1/organizations?limit=20", "{fleet.headers(slug)["Authorization"].split()[1]}"}}'
        for slug in slugs
    )
    path = folder / f"spread-{len(slugs)}.lua"
    path.write_text(LUA % {"targets": targets}, encoding="utf-8")
    return path


def wrk(port: int, script: Path, seconds: int, connections: int, threads: int) -> dict[str, Any]:
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", str(script)]
    done = subprocess.run([*argv, f"http://127.0.0.1:{port}"], capture_output=True, text=True, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rate"] = result["requests"] / result["seconds"]
    result["failed"] = sum(result[k] for k in ("connect", "read", "write", "timeout", "status"))
    return result


class Sampler(threading.Thread):
    """Polls pg_stat_activity on each server of the fleet and keeps the highest count."""

    def __init__(self, fleet: Fleet) -> None:
        super().__init__(daemon=True)
        self.fleet = fleet
        self.peaks = dict.fromkeys(fleet.databases, 0)
        self.stop = threading.Event()

    def run(self) -> None:
        asyncio.run(self._run())

    async def _run(self) -> None:
        monitors = {
            s: await asyncpg.connect(f"postgresql://{PG_USER}@{s}/postgres") for s in self.fleet.databases
        }
        try:
            while not self.stop.is_set():
                for server, conn in monitors.items():
                    count = await conn.fetchval(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = ANY($1::text[])",
                        self.fleet.databases[server],
                    )
                    self.peaks[server] = max(self.peaks[server], count)
                await asyncio.sleep(0.05)
        finally:
            for conn in monitors.values():
                await conn.close()


def serve(fleet: Fleet, args: argparse.Namespace, port: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PILOT_CRM_TENANTS_DIR": str(fleet.settings.tenants_dir),
        "PILOT_CRM_DATA_DIR": str(fleet.settings.data_dir),
        "PILOT_CRM_PG_MAX_CONNECTIONS": str(args.budget),
        "PILOT_CRM_PG_IDLE_SECONDS": str(args.idle),
    }
    argv = [str(ROOT / ".venv/bin/pilot-crm"), "serve", "--port", str(port), "--workers", str(args.workers)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            argv, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"pilot-crm serve exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.3)
    raise SystemExit("pilot-crm serve did not answer /healthz within 120 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tenants", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--budget", type=int, default=20, help="PILOT_CRM_PG_MAX_CONNECTIONS per process")
    parser.add_argument("--idle", type=float, default=5.0, help="PILOT_CRM_PG_IDLE_SECONDS")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--two-servers", action="store_true", help="alternate the tenants over a second server"
    )
    args = parser.parse_args()

    servers = [f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}"]
    if args.two_servers:
        from core.testing.clusters import ensure_second_server

        servers.append(ensure_second_server())
    folder = Path(tempfile.mkdtemp(prefix="pilot-crm-bench-pg-"))
    started = time.monotonic()
    with pg_fleet(folder, servers, args.tenants, prefix="b") as fleet:
        built = time.monotonic() - started
        print(f"{args.tenants} tenants on {', '.join(fleet.databases)} built in {built:.0f} s")
        port = free_port()
        process = serve(fleet, args, port, folder / "serve.log")
        try:
            spread = lua_script(fleet, fleet.slugs, folder)
            single = lua_script(fleet, fleet.slugs[:1], folder)
            wrk(port, spread, 2, args.connections, args.threads)  # warm-up: every tenant's first query
            sampler = Sampler(fleet)
            sampler.start()
            opened = asyncio.run(fleet.sessions())
            all_tenants = wrk(port, spread, args.seconds, args.connections, args.threads)
            all_tenants["opened"] = asyncio.run(fleet.sessions()) - opened
            sampler.stop.set()
            sampler.join()
            opened = asyncio.run(fleet.sessions())
            one_tenant = wrk(port, single, args.seconds, args.connections, args.threads)
            one_tenant["opened"] = asyncio.run(fleet.sessions()) - opened
            time.sleep(args.idle * 1.5)
            left = asyncio.run(fleet.connections())
        finally:
            stop(process)
        budget = args.budget * args.workers
        print(
            f"\n{args.workers} processes, budget {args.budget} per server and process ({budget} per server),"
            f" wrk -c{args.connections} -t{args.threads}, {args.seconds:g} s"
        )
        print(f"{'load':<22} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'failed':>7} {'opened/req':>10}")
        for name, result in ((f"spread over {args.tenants}", all_tenants), ("one tenant", one_tenant)):
            print(
                f"{name:<22} {result['rate']:>8.0f} {result['p50_ms']:>8.1f} {result['p99_ms']:>8.1f}"
                f" {result['failed']:>7} {result['opened'] / max(result['requests'], 1):>10.2f}"
            )
        print(f"ratio spread / one tenant: {all_tenants['rate'] / one_tenant['rate']:.2f}")
        for server, peak in sampler.peaks.items():
            print(
                f"{server}: at most {peak} connections during the load (budget {budget}),"
                f" {left[server]} left {args.idle * 1.5:g} s after it"
            )
        failed = all_tenants["failed"] + one_tenant["failed"]
        over = any(peak > budget for peak in sampler.peaks.values())
        if failed or over:
            print(
                f"FAILED: {failed} failed requests, over budget: {over}. Server log: {folder / 'serve.log'}"
            )
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
