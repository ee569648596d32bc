#!/usr/bin/env python
"""Benchmark over HTTP: the product's contacts list against a minimal raw-driver server, both under
uvicorn (one worker), loaded by wrk.

For each backend a throwaway tenant gets 60 organizations and 10,000 contacts (made by the database
in one statement, ``core.testing.volume.insert_contacts``; nine in ten linked to an organization),
then ANALYZE (VACUUM ANALYZE on PostgreSQL). The product's SQL for
``GET /t/bench/api/v1/contacts?limit=50`` (an observer's token: the token lookup, the page of 50
with the organization's name and side, the list's count) is captured from the routing engine
while the app serves it once in-process. Then two servers run side by side, each in its own
process, on the same database:

* **app**: ``pilot-crm serve`` (uvicorn, one worker, its own protocol class and options);
* **raw**: ``tests/bench/raw_list_server.py``, a bare ASGI app under uvicorn with the same options,
  that checks the token, runs the captured page and count SQL with the driver and encodes the same
  JSON body (checked equal to the app's before measuring).

wrk (16 connections by default) loads each in alternating rounds (app, raw, app, raw…) after a
warm-up; the figure per side is the median of the rounds, ratio = app / raw (target >= 0.6).

Run:  .venv/bin/python tests/bench/bench_http_list.py [--rounds 5] [--seconds 3] [--connections 16]
      [--sqlite-only | --postgres-only] [--profile PREFIX]   (about 2 minutes; see tests/bench/README.md)
Not collected by pytest (``norecursedirs`` in pyproject.toml).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from core.accounts.roles import SYSTEM  # noqa: E402
from core.contacts.tables import Contact  # noqa: E402
from core.db.budget import PoolLimits  # noqa: E402
from core.db.routing import RoutingEngine  # noqa: E402
from core.db.sqlite import BUSY_TIMEOUT_MS, PRAGMAS  # noqa: E402
from core.organizations.service import OrganizationService  # noqa: E402
from core.tenancy.context import tenant_context  # noqa: E402
from core.testing.environment import (  # noqa: E402
    TenantSpec,
    TestEnvironment,
    build_environment,
    postgres_reachable,
)
from core.testing.volume import insert_contacts  # noqa: E402
from core.web.app import create_app  # noqa: E402
from tests.support import free_port  # noqa: E402

SLUG = "bench"
ROLE = "observer"
LIMIT = 50
PATH = f"/t/{SLUG}/api/v1/contacts"
TARGET = 0.6
ORGANIZATIONS = 60
BENCH_DIR = Path(__file__).resolve().parent


# -- the tenant -------------------------------------------------------------------------------------


async def seed(env: TestEnvironment, contacts: int) -> None:
    tenant = env.registry.get(SLUG)
    assert tenant is not None
    with tenant_context(tenant):
        for i in range(ORGANIZATIONS):
            await OrganizationService(SYSTEM).create({"name": f"Organización {i:03d}", "sector": "ngo"})
        await insert_contacts(contacts, {})
        # Nine contacts in ten work for an organization (the page reads its name and side by a join);
        # a fresh tenant's organization ids follow each other.
        await Contact.raw(
            "UPDATE crm_contact SET organization = (SELECT MIN(id) FROM crm_organization) + id % {} "
            "WHERE id % 10 <> 0",
            ORGANIZATIONS,
        )
        # As autovacuum would soon after a bulk load (on PostgreSQL VACUUM also sets the visibility
        # map, which lets the list's count read an index alone).
        await Contact.raw("VACUUM ANALYZE" if env.backend == "postgres" else "ANALYZE")
    await env.registry.close()


@contextmanager
def capture_queries(out: list[tuple[str, list[Any]]]) -> Iterator[None]:
    """(sql, args) of every query sent through the routing engine, compiled for the tenant's engine."""
    original = RoutingEngine.run_querystring

    async def recording(self: RoutingEngine, querystring: Any, in_pool: bool = True) -> Any:
        out.append(querystring.compile_string(engine_type=self.engine_type))
        return await original(self, querystring, in_pool=in_pool)

    RoutingEngine.run_querystring = recording  # type: ignore[method-assign]
    try:
        yield
    finally:
        RoutingEngine.run_querystring = original  # type: ignore[method-assign]


async def product_queries(env: TestEnvironment) -> list[tuple[str, list[Any]]]:
    """The SQL of one steady-state list request (after a first one, which records the token's use)."""
    app = create_app(env.registry.settings, env.registry)
    headers = env.headers(SLUG, ROLE)
    async with (
        app.lifespan(),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client,
    ):
        (await client.get(PATH, params={"limit": LIMIT}, headers=headers)).raise_for_status()
        queries: list[tuple[str, list[Any]]] = []
        with capture_queries(queries):
            (await client.get(PATH, params={"limit": LIMIT}, headers=headers)).raise_for_status()
    await env.registry.close()
    return queries


def raw_config(env: TestEnvironment, queries: list[tuple[str, list[Any]]], token: str) -> dict[str, Any]:
    if len(queries) != 3:
        raise SystemExit(f"expected 3 queries (token, page, count), captured {len(queries)}: {queries}")
    (token_sql, _), (page_sql, page_args), (count_sql, count_args) = queries
    tenant = env.registry.get(SLUG)
    assert tenant is not None
    url = tenant.declaration.database_url
    return {
        "backend": env.backend,
        "database": url.removeprefix("sqlite:///") if env.backend == "sqlite" else url,
        "pragmas": list(PRAGMAS),
        "busy_timeout": BUSY_TIMEOUT_MS / 1000,
        "pool_size": PoolLimits.from_env().per_tenant,  # sized like the product's
        "path": PATH,
        "limit": LIMIT,
        "token_sql": token_sql,
        "page_sql": page_sql,
        "page_args": list(page_args),
        "count_sql": count_sql,
        "count_args": list(count_args),
    }


# -- servers and wrk --------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    command: list[str]
    port: int
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{PATH}?limit={LIMIT}"

    def start(self, headers: dict[str, str]) -> bytes:
        """Start the server; the body of its first 200 answer."""
        with self.log.open("w") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} server exited:\n{self.log.read_text()[-2000:]}")
            try:
                response = httpx.get(self.url, headers=headers, timeout=10)
                if response.status_code == 200:
                    return response.content
                raise SystemExit(f"{self.name} answered {response.status_code}: {response.text[:300]}")
            except httpx.TransportError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name} server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wrk(url: str, token: str, connections: int, threads: int, seconds: int, timeout: str = "10s") -> float:
    """Requests per second wrk measured; SystemExit when any answer was not a 2xx or a socket failed
    (also the wrk round of ``bench_search.py``)."""
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, seconds)}s",
            "--timeout",
            timeout,
            "-H",
            f"Authorization: Bearer {token}",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    if bad := re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*", out):
        raise SystemExit(f"wrk saw failures against {url}: {bad.group(0)}\n{out}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if found is None:
        raise SystemExit(f"no rate in wrk's output:\n{out}")
    return float(found.group(1))


def profile(server: Server, pid: int, token: str, args: argparse.Namespace, out: Path) -> None:
    """Sample the server with py-spy during one more wrk round; write where its time goes to ``out``:
    functions by samples in themselves and by samples anywhere below them (each once per stack)."""
    spy = Path(sys.executable).with_name("py-spy")
    folded = out.with_suffix(".folded")
    sampler = subprocess.Popen(
        [
            str(spy),
            "record",
            "--pid",
            str(pid),
            "--format",
            "raw",
            "--output",
            str(folded),
            "--duration",
            str(args.seconds),
            "--rate",
            "200",
            "--nonblocking",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wrk(server.url, token, args.connections, args.threads, args.seconds)
    sampler.wait(timeout=60)
    own: dict[str, int] = {}
    below: dict[str, int] = {}
    total = 0
    for line in folded.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [re.sub(r":\d+\)$", ")", f) for f in stack.split(";")]
        n = int(count)
        total += n
        own[frames[-1]] = own.get(frames[-1], 0) + n
        for frame in set(frames):
            below[frame] = below.get(frame, 0) + n
    lines = [f"py-spy, {total} samples of the app server's threads while wrk ran", "", "self:"]
    lines += [f"{n / total:6.1%}  {f}" for f, n in sorted(own.items(), key=lambda i: -i[1])[:40]]
    lines += ["", "inclusive:"]
    lines += [f"{n / total:6.1%}  {f}" for f, n in sorted(below.items(), key=lambda i: -i[1])[:80]]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"  profile written to {out}", flush=True)


@dataclass
class Result:
    backend: str
    app: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return statistics.median(self.app) / statistics.median(self.raw)


def bench_backend(backend: str, args: argparse.Namespace) -> Result:
    print(f"{backend}:", flush=True)
    with (
        tempfile.TemporaryDirectory(prefix=f"bench-http-{backend}-") as tmp,
        build_environment(backend, Path(tmp), [TenantSpec(SLUG)]) as env,
    ):
        started = time.perf_counter()
        asyncio.run(seed(env, args.contacts))
        print(
            f"  seeded {ORGANIZATIONS} organizations, {args.contacts} contacts, ANALYZE: "
            f"{time.perf_counter() - started:.1f}s",
            flush=True,
        )
        token = env.tokens[(SLUG, ROLE)]
        config = raw_config(env, asyncio.run(product_queries(env)), token)
        config_path = Path(tmp) / "raw.json"
        config_path.write_text(json.dumps(config), encoding="utf-8")
        settings = env.registry.settings
        cli = str(Path(sys.executable).with_name("pilot-crm"))
        app_port, raw_port = free_port(), free_port()
        servers = {
            "app": Server(
                "app",
                [
                    cli,
                    "--data-dir",
                    str(settings.data_dir),
                    "--tenants-dir",
                    str(settings.tenants_dir),
                    "serve",
                    "--port",
                    str(app_port),
                ],
                app_port,
                Path(tmp) / "app.log",
            ),
            "raw": Server(
                "raw",
                [sys.executable, str(BENCH_DIR / "raw_list_server.py"), str(config_path), str(raw_port)],
                raw_port,
                Path(tmp) / "raw.log",
            ),
        }
        headers = env.headers(SLUG, ROLE)
        result = Result(backend)
        try:
            bodies = {name: server.start(headers) for name, server in servers.items()}
            app_body, raw_body = json.loads(bodies["app"]), json.loads(bodies["raw"])
            if app_body != raw_body:
                raise SystemExit("the raw server's body differs from the app's")
            print(
                f"  response: {len(bodies['app'])} bytes, {len(app_body['items'])} items of "
                f"{app_body['total']}; raw body: the same JSON",
                flush=True,
            )
            for server in servers.values():  # warm-up
                wrk(server.url, token, args.connections, args.threads, max(1, args.seconds // 2))
            for n in range(args.rounds):
                for name, server in servers.items():
                    rate = wrk(server.url, token, args.connections, args.threads, args.seconds)
                    getattr(result, name).append(rate)
                print(
                    f"  round {n + 1}: app {result.app[-1]:6.0f}/s  raw {result.raw[-1]:6.0f}/s", flush=True
                )
            if args.profile:
                app = servers["app"]
                assert app.process is not None
                profile(app, app.process.pid, token, args, Path(f"{args.profile}.{backend}.txt"))
        finally:
            for server in servers.values():
                server.stop()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per side (median)")
    parser.add_argument("--seconds", type=int, default=3, help="length of one wrk round")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument(
        "--profile", metavar="PREFIX", help="sample the app server with py-spy: PREFIX.BACKEND.txt"
    )
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)  # Litestar puts the root logger at INFO

    started = time.perf_counter()
    results: list[Result] = []
    notes: list[str] = []
    if not args.postgres_only:
        results.append(bench_backend("sqlite", args))
    if not args.sqlite_only:
        if postgres_reachable():
            results.append(bench_backend("postgres", args))
        else:
            notes.append("PostgreSQL skipped: not reachable")

    print()
    print(
        f"GET {PATH}?limit={LIMIT} over HTTP, wrk -c{args.connections} -t{args.threads}, "
        f"median of {args.rounds} alternating rounds of {args.seconds:g}s"
    )
    header = f"{'backend':<9} {'app req/s':>10} {'raw req/s':>10} {'ratio':>6}"
    print(header)
    print("-" * len(header))
    failed = False
    for r in results:
        flag = "" if r.ratio >= TARGET else "  < target"
        failed |= r.ratio < TARGET
        print(
            f"{r.backend:<9} {statistics.median(r.app):>10.0f} {statistics.median(r.raw):>10.0f} "
            f"{r.ratio:>6.2f}{flag}"
        )
    for note in notes:
        print(note)
    print(
        f"ratio = app (pilot-crm serve) / raw driver server (target >= {TARGET}); "
        f"total {time.perf_counter() - started:.0f}s"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
