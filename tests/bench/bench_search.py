#!/usr/bin/env python
"""Benchmark: search at 100,000 contacts over HTTP, beside the database's own index queried directly.

A throwaway tenant per backend gets ``--contacts`` contacts with varied names (the demo data's first
names and surnames of Mexico, Angola, the Arab region and the global set, so a surname matches a
fraction of the rows, not all), written in bulk (``core.db.bulk.insert_rows``: the full-text index
is kept by the database as the rows arrive), then the statistics are refreshed. ``pilot-crm serve``
(uvicorn, one worker) serves it on a free port; the client is one keep-alive connection.

Per backend, for a surname, a three-letter fragment and a word that matches nothing:

* **list**: ``GET /t/bench/api/v1/contacts?q=…&limit=50`` (the page and the total count);
* **search**: ``GET /t/bench/api/v1/search?q=…`` (the search page's JSON: organizations, contacts,
  meetings and actions, each ranked and counted);
* **index**: how many rows match, asked of the index itself with the raw driver (sqlite3 on the
  tenant's file: ``SELECT count(*) FROM crm_contact_fts WHERE crm_contact_fts MATCH '"term"'``;
  asyncpg: ``SELECT count(*) FROM crm_contact WHERE search_text LIKE '%term%'``, through the
  pg_trgm GIN index).

p50 and p95 of ``--requests`` sequential requests each, after a warm-up; the ratio is list p95 over
index p95. Then the list's throughput (``wrk``, 16 connections, ``GET …/contacts?limit=50``) alone,
and while two clients loop over searches: a missing word (served by the index) and a missing
two-letter word (no trigram: a scan of the table, the slowest search there is); the ratio is
throughput while searching over throughput alone.

Run:  .venv/bin/python tests/bench/bench_search.py [--contacts 100000] [--requests 60]
      [--sqlite-only] [--postgres-only]   (about 3 minutes; see tests/bench/README.md)
Not collected by pytest (``norecursedirs`` in pyproject.toml).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from core.contacts.tables import Contact  # noqa: E402
from core.db.bulk import insert_rows  # noqa: E402
from core.db.statistics import refresh_statistics  # noqa: E402
from core.demo import data_ago, data_demo_ar, data_global, data_mex  # noqa: E402
from core.records.search import fold, search_text  # noqa: E402
from core.tenancy.context import tenant_context  # noqa: E402
from core.tenancy.registry import TenantRuntime  # noqa: E402
from core.testing.environment import TenantSpec, TestEnvironment, build_environment, postgres_reachable  # noqa: E402
from tests.bench.bench_http_list import wrk  # noqa: E402

SLUG = "bench"
ROLE = "coordinator"
TARGET_P95_MS = 50.0
TARGET_SHARE = 0.8
CHUNK = 5000
MISS = "zqxjv"
SHORT_MISS = "zq"


def _plain(names: Any) -> list[str]:
    found: list[str] = []
    for value in names.values() if isinstance(names, dict) else names:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list | tuple):
            found.extend(_plain(value))
    return found


DEMOS = (data_mex, data_ago, data_demo_ar, data_global)
FIRST_NAMES = sorted({n for d in DEMOS for n in _plain(d.FIRST_NAMES)})
SURNAMES = sorted({n for d in DEMOS for n in _plain(d.LAST_NAMES)})


async def seed(tenant: TenantRuntime, count: int) -> dict[str, int]:
    """``count`` contacts with names drawn from the demo data; how many hold each surname."""
    rnd = random.Random(13)
    held: dict[str, int] = {}
    with tenant_context(tenant):
        for start in range(0, count, CHUNK):
            rows = []
            for i in range(start, min(start + CHUNK, count)):
                first, surnames = rnd.choice(FIRST_NAMES), rnd.sample(SURNAMES, 2)
                last, emails = " ".join(surnames), [f"persona{i}@example.org"]
                for name in surnames:
                    held[name] = held.get(name, 0) + 1
                rows.append(
                    {
                        "first_name": first,
                        "last_name": last,
                        "position": "Coordinación de enlace",
                        "emails": emails,
                        "preferred_language": "es",
                        "consent_basis": "consent",
                        "consent_date": date(2024, 5, 17),
                        "owner_side": "government",
                        "search_text": search_text(first, last, "Coordinación de enlace", emails),
                    }
                )
            await insert_rows(Contact, rows)
        await refresh_statistics()
    return held


def chosen_terms(held: dict[str, int]) -> dict[str, str]:
    """A one-word surname of median frequency, three letters from inside it, and a miss."""
    words = sorted((n, s) for s, n in held.items() if " " not in s and len(s) >= 6 and s.isalpha())
    surname = words[len(words) // 2][1]
    return {"surname": surname, "fragment": surname[2:5].lower(), "miss": MISS}


# -- the app under uvicorn -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(env: TestEnvironment, port: int) -> subprocess.Popen[bytes]:
    settings = env.registry.settings
    environ = {
        **os.environ,
        "PILOT_CRM_DATA_DIR": str(settings.data_dir),
        "PILOT_CRM_TENANTS_DIR": str(settings.tenants_dir),
    }
    command = [str(Path(sys.executable).with_name("pilot-crm")), "serve", "--port", str(port)]
    return subprocess.Popen(command, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_until_up(client: httpx.Client, path: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if client.get(path).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the app did not start")


# -- measuring -----------------------------------------------------------------------------------


@dataclass
class Latency:
    p50: float
    p95: float


def latency(call: Callable[[], Any], requests: int) -> Latency:
    for _ in range(3):
        call()
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(times, n=20)
    return Latency(statistics.median(times), cuts[18])


def get(client: httpx.Client, path: str, **params: Any) -> Callable[[], Any]:
    def call() -> Any:
        response = client.get(path, params=params)
        if response.status_code != 200:
            raise RuntimeError(f"{path} {params}: {response.status_code} {response.text[:200]}")
        return response

    return call


class RawIndex:
    """Counts through the tenant's index with the raw driver, on a thread of its own for asyncpg."""

    def __init__(self, env: TestEnvironment) -> None:
        tenant = env.registry.get(SLUG)
        assert tenant is not None
        self.url = tenant.declaration.database_url
        self.sqlite = env.backend == "sqlite"
        if self.sqlite:
            self.conn = sqlite3.connect(self.url.removeprefix("sqlite:///"))
        else:
            self.loop = asyncio.new_event_loop()
            self.pg = self.loop.run_until_complete(asyncpg.connect(self.url))

    def count(self, term: str) -> Callable[[], int]:
        term = fold(term)  # as the app folds a search
        pattern = f"%{term}%"
        if self.sqlite:
            sql = "SELECT count(*) FROM crm_contact_fts WHERE crm_contact_fts MATCH ?"
            phrase = '"' + term.replace('"', '""') + '"'
            return lambda: self.conn.execute(sql, (phrase,)).fetchone()[0]
        sql = "SELECT count(*) FROM crm_contact WHERE search_text LIKE $1"
        return lambda: self.loop.run_until_complete(self.pg.fetchval(sql, pattern))

    def close(self) -> None:
        if self.sqlite:
            self.conn.close()
        else:
            self.loop.run_until_complete(self.pg.close())
            self.loop.close()


def wrk_rate(url: str, token: str, seconds: int) -> float:
    """The list's rate with wrk: 2 threads, 16 connections, as ``bench_http_list.py`` measures it."""
    return wrk(url, token, connections=16, threads=2, seconds=seconds, timeout="30s")


def while_searching(
    base: str, headers: dict[str, str], q: str, run: Callable[[], float]
) -> tuple[float, int]:
    """``run()`` while two clients loop over a search for ``q``; its result and the searches done."""
    stop, done = threading.Event(), [0, 0]

    def searcher(slot: int) -> None:
        with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
            while not stop.is_set():
                client.get(f"/t/{SLUG}/api/v1/contacts", params={"q": q, "limit": 50})
                done[slot] += 1

    threads = [threading.Thread(target=searcher, args=(slot,)) for slot in (0, 1)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.3)
        return run(), sum(done)
    finally:
        stop.set()
        for thread in threads:
            thread.join()


def bench_backend(backend: str, args: argparse.Namespace) -> list[str]:
    lines = [f"{backend}:"]
    with (
        tempfile.TemporaryDirectory(prefix=f"bench-search-{backend}-") as tmp,
        build_environment(backend, Path(tmp), [TenantSpec(SLUG)]) as env,
    ):
        tenant = env.registry.get(SLUG)
        assert tenant is not None
        started = time.perf_counter()
        held = asyncio.run(seed(tenant, args.contacts))
        asyncio.run(env.registry.close())
        terms = chosen_terms(held)
        print(
            f"  {backend}: seeded {args.contacts} contacts in {time.perf_counter() - started:.0f}s",
            flush=True,
        )
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        headers = env.headers(SLUG, ROLE)
        server = serve(env, port)
        raw = RawIndex(env)
        try:
            with httpx.Client(base_url=base, headers=headers, timeout=60) as client:
                list_path, search_path = f"/t/{SLUG}/api/v1/contacts", f"/t/{SLUG}/api/v1/search"
                wait_until_up(client, list_path)
                header = (
                    f"  {'query':<22} {'matches':>7}  {'list p50/p95 ms':>16}  {'search p50/p95 ms':>18}  "
                    f"{'index p50/p95 ms':>17}  {'list/index p95':>14}"
                )
                lines.append(header)
                for kind, term in terms.items():
                    matches = raw.count(term)()
                    listed = latency(get(client, list_path, q=term, limit=50), args.requests)
                    searched = latency(get(client, search_path, q=term), args.requests)
                    index = latency(raw.count(term), args.requests)
                    flag = "" if max(listed.p95, searched.p95) < TARGET_P95_MS else "  > 50 ms"
                    lines.append(
                        f"  {kind + ' ' + repr(term):<22} {matches:>7}  "
                        f"{listed.p50:>7.1f} / {listed.p95:>6.1f}  "
                        f"{searched.p50:>8.1f} / {searched.p95:>7.1f}  "
                        f"{index.p50:>7.2f} / {index.p95:>6.2f}  {listed.p95 / index.p95:>13.0f}x{flag}"
                    )
                    print(lines[-1], flush=True)
            url = f"{base}/t/{SLUG}/api/v1/contacts?limit=50"
            token = env.tokens[(SLUG, ROLE)]
            wrk_rate(url, token, 3)  # warm-up
            alone = wrk_rate(url, token, args.seconds)
            for label, q in (("a missing word", MISS), ("a missing 2-letter word (scan)", SHORT_MISS)):
                busy, searches = while_searching(base, headers, q, lambda: wrk_rate(url, token, args.seconds))
                share = busy / alone
                flag = "" if share >= TARGET_SHARE else f"  < {TARGET_SHARE}"
                lines.append(
                    f"  list throughput alone {alone:.0f} req/s; while two clients search {label}: "
                    f"{busy:.0f} req/s ({searches} searches), ratio {share:.2f}{flag}"
                )
                print(lines[-1], flush=True)
        finally:
            raw.close()
            server.terminate()
            server.wait(timeout=30)
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=60, help="sequential requests per figure")
    parser.add_argument("--seconds", type=int, default=5, help="length of one wrk run")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is needed (apt-get install wrk)")
        return 1
    started = time.perf_counter()
    lines: list[str] = []
    if not args.postgres_only:
        lines += bench_backend("sqlite", args)
    if not args.sqlite_only:
        if postgres_reachable():
            lines += bench_backend("postgres", args)
        else:
            lines.append("PostgreSQL skipped: not reachable")
    print()
    print(f"Search at {args.contacts:,} contacts, {args.requests} sequential requests per figure")
    print("\n".join(lines))
    print(
        f"targets: p95 < {TARGET_P95_MS:.0f} ms; list throughput while searching >= {TARGET_SHARE} x alone; "
        f"total {time.perf_counter() - started:.0f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
