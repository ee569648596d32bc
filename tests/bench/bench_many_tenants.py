#!/usr/bin/env python
"""Benchmark: one app process serving many SQLite tenants (issue 13: resources stay bounded with
the number of tenants, and a load spread over many tenants is served as fast as on one).

Every tenant is a copy of one migrated database (a member, an API token, 60 contacts), declared in
its own ``tenants/<slug>.toml``. A real ``pilot-crm serve`` process (uvicorn, one worker) serves
them; the figures come from outside it (``/proc/<pid>``, HTTP).

1. **touched once**: ``--tenants`` (1,000) declared tenants each get one authenticated API request
   (16 at a time). Printed: the server's threads, open descriptors and RSS before and after, and
   after the idle connections closed (``PILOT_CRM_SQLITE_IDLE_SECONDS``, ``--idle``); the server
   must still answer.
2. **spread vs one**: ``--spread`` (200) declared tenants; wrk (2 threads, 16 connections) with a
   Lua script asks for a page of 50 contacts, round robin over every tenant (*spread*) or always of
   the first (*one*), in alternating rounds after a warm-up; the medians and **ratio = spread /
   one** (target ≥ 0.95), and non-2xx answers (must be 0).
3. **idle RSS** of that process after the load (target < 250 MB).

Run:  .venv/bin/python tests/bench/bench_many_tenants.py [--tenants 1000] [--spread 200]
      [--rounds 3] [--seconds 5] [--idle 10] [--max-connections N]
Not collected by pytest (``norecursedirs`` in pyproject.toml). Needs wrk.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from core.tenancy.context import tenant_context  # noqa: E402
from core.testing.environment import TenantSpec, build_environment  # noqa: E402
from core.testing.volume import insert_contacts  # noqa: E402
from tests.support import free_port  # noqa: E402

CONTACTS = 60
PAGE = "/api/v1/contacts?limit=50"
RATIO_TARGET, RSS_TARGET_MB = 0.95, 250

LUA = """
local slugs = {%(slugs)s}
local token = "%(token)s"
local spread = %(spread)s
local threads = 0
function setup(thread)
  thread:set("offset", threads * 7919)
  threads = threads + 1
end
function init(args)
  counter = offset or 0
end
function request()
  counter = counter + 1
  local slug = spread and slugs[(counter %% #slugs) + 1] or slugs[1]
  return wrk.format("GET", "/t/" .. slug .. "%(page)s", {["Authorization"] = "Bearer " .. token})
end
"""


def slug(i: int) -> str:
    return f"t{i:04d}"


def proc_status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {key: value.strip() for key, _, value in (line.partition(":") for line in lines)}


def resources(pid: int) -> tuple[int, int, float]:
    """Threads, open descriptors, RSS in MB of process ``pid``."""
    status = proc_status(pid)
    return int(status["Threads"]), len(os.listdir(f"/proc/{pid}/fd")), int(status["VmRSS"].split()[0]) / 1024


def seed_database(root: Path) -> tuple[Path, str]:
    """A migrated SQLite database with members, tokens and CONTACTS contacts; the file and a token."""
    with build_environment("sqlite", root / "seed", [TenantSpec("seed")]) as env:
        tenant = env.registry.get("seed")
        assert tenant is not None

        async def fill() -> None:
            with tenant_context(tenant):
                await insert_contacts(CONTACTS, {})
            await env.registry.close()  # the last connection out folds the WAL into the file

        asyncio.run(fill())
        database = root / "seed.sqlite3"
        shutil.copyfile(tenant.declaration.sqlite_path, database)
        return database, env.tokens[("seed", "coordinator")]


def declare(root: Path, database: Path, count: int) -> tuple[Path, Path]:
    tenants_dir, data_dir = root / "tenants", root / "var"
    tenants_dir.mkdir(parents=True)
    data_dir.mkdir(parents=True)
    for i in range(count):
        copy = data_dir / f"{slug(i)}.sqlite3"
        shutil.copyfile(database, copy)
        text = TenantSpec(slug(i)).toml(f"sqlite:///{copy}")
        (tenants_dir / f"{slug(i)}.toml").write_text(text, encoding="utf-8")
    return tenants_dir, data_dir


@contextmanager
def server(tenants_dir: Path, data_dir: Path, env: dict[str, str]) -> Iterator[tuple[str, int]]:
    port = free_port()
    cli = str(Path(sys.executable).with_name("pilot-crm"))
    command = [
        cli,
        "--data-dir",
        str(data_dir),
        "--tenants-dir",
        str(tenants_dir),
        "serve",
        "--port",
        str(port),
    ]
    log = (data_dir.parent / "serve.log").open("w")
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **env})
    origin = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=origin, timeout=10) as client:
            for _ in range(3000):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    if process.poll() is not None:
                        raise SystemExit(f"the server stopped: see {log.name}") from None
                    time.sleep(0.1)
        print(f"  server up in {time.perf_counter() - started:.1f} s")
        yield origin, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def touch_each(origin: str, token: str, count: int) -> dict[int, int]:
    """One request per tenant, 16 at a time; the answers' statuses counted."""

    async def run() -> dict[int, int]:
        statuses: dict[int, int] = {}
        gate = asyncio.Semaphore(16)
        limits = httpx.Limits(max_connections=16)
        async with httpx.AsyncClient(base_url=origin, timeout=60, limits=limits) as client:

            async def one(i: int) -> None:
                async with gate:
                    response = await client.get(
                        f"/t/{slug(i)}{PAGE}", headers={"Authorization": f"Bearer {token}"}
                    )
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

            await asyncio.gather(*(one(i) for i in range(count)))
        return dict(sorted(statuses.items()))

    return asyncio.run(run())


def wrk(origin: str, script: Path, seconds: float) -> tuple[float, int]:
    """Requests per second and non-2xx answers (socket errors included) of one wrk run."""
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{max(1, round(seconds))}s", "-s", str(script), origin],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
    if errors := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        bad += sum(int(n) for n in errors.groups())
    return rate, bad


def touched_once(
    root: Path, database: Path, token: str, count: int, env: dict[str, str], idle: float
) -> None:
    print(f"\n1. {count} declared SQLite tenants, each touched once")
    tenants_dir, data_dir = declare(root / f"many-{count}", database, count)
    with server(tenants_dir, data_dir, env) as (origin, pid):
        before = resources(pid)
        started = time.perf_counter()
        statuses = touch_each(origin, token, count)
        elapsed = time.perf_counter() - started
        after = resources(pid)
        print(f"  {count} requests in {elapsed:.1f} s: {statuses}")
        time.sleep(idle + 2)
        rested = resources(pid)
        with httpx.Client(base_url=origin, timeout=10) as client:
            alive = client.get(f"/t/{slug(count - 1)}{PAGE}", headers={"Authorization": f"Bearer {token}"})
        print(f"  {'':<28} {'threads':>8} {'descriptors':>12} {'RSS MB':>8}")
        for label, (threads, fds, rss) in (
            ("after start-up", before),
            ("after every tenant once", after),
            (f"after {idle:.0f} s idle", rested),
        ):
            print(f"  {label:<28} {threads:>8} {fds:>12} {rss:>8.1f}")
        print(f"  still answering: {alive.status_code}")


def spread_vs_one(
    root: Path, database: Path, token: str, count: int, env: dict[str, str], rounds: int, seconds: float
) -> None:
    print(f"\n2. {count} declared SQLite tenants: the contacts list ({PAGE}) spread over all vs on one")
    tenants_dir, data_dir = declare(root / f"spread-{count}", database, count)
    slugs = ", ".join(f'"{slug(i)}"' for i in range(count))
    scripts = {}
    for side in ("spread", "one"):
        script = root / f"{side}.lua"
        values = {"slugs": slugs, "token": token, "spread": str(side == "spread").lower(), "page": PAGE}
        script.write_text(LUA % values)
        scripts[side] = script
    with server(tenants_dir, data_dir, env) as (origin, pid):
        for side in ("spread", "one"):
            wrk(origin, scripts[side], max(2.0, seconds / 2))  # warm-up: every tenant's caches
        rates: dict[str, list[float]] = {"spread": [], "one": []}
        failures = 0
        for _ in range(rounds):
            for side in ("spread", "one"):
                rate, bad = wrk(origin, scripts[side], seconds)
                rates[side].append(rate)
                failures += bad
        time.sleep(2)
        threads, fds, rss = resources(pid)
    spread, one = statistics.median(rates["spread"]), statistics.median(rates["one"])
    print(f"  rounds: spread {[round(r) for r in rates['spread']]}, one {[round(r) for r in rates['one']]}")
    print(f"  non-2xx answers: {failures}")
    print(f"  {'spread req/s':>12} {'one req/s':>10} {'ratio':>6}  (target ≥ {RATIO_TARGET})")
    print(f"  {spread:>12.0f} {one:>10.0f} {spread / one:>6.2f}")
    print(f"\n3. idle after the load: RSS {rss:.1f} MB (target < {RSS_TARGET_MB} MB)", end="")
    print(f", {threads} threads, {fds} descriptors")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tenants", type=int, default=1000, help="tenants touched once (0: skip)")
    parser.add_argument("--spread", type=int, default=200, help="tenants the load is spread over (0: skip)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument(
        "--idle", type=float, default=10.0, help="PILOT_CRM_SQLITE_IDLE_SECONDS of the server"
    )
    parser.add_argument("--max-connections", type=int, default=0, help="PILOT_CRM_SQLITE_MAX_CONNECTIONS")
    args = parser.parse_args()
    if shutil.which("wrk") is None and args.spread:
        raise SystemExit("wrk is not installed")
    env = {"PILOT_CRM_SQLITE_IDLE_SECONDS": str(int(args.idle))}
    if args.max_connections:
        env["PILOT_CRM_SQLITE_MAX_CONNECTIONS"] = str(args.max_connections)
    print(f"server settings: {env or 'defaults'}")
    root = Path(tempfile.mkdtemp(prefix="bench-many-tenants-"))
    try:
        database, token = seed_database(root)
        if args.tenants:
            touched_once(root, database, token, args.tenants, env, args.idle)
        if args.spread:
            spread_vs_one(root, database, token, args.spread, env, args.rounds, args.seconds)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
