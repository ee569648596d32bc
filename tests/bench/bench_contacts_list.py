#!/usr/bin/env python
"""Benchmark: the contacts list endpoint against the same SQL through the raw driver.

``GET /t/{slug}/api/v1/contacts?limit=50`` (a page of 50 contacts with their organization's name and
side) is measured through the whole app, called in-process at its ASGI interface after its lifespan has
started its pools (tenant middleware, token lookup, routing, guards, DI, service, JSON response),
side by side with the *same work* done by hand with
the raw driver (aiosqlite on one persistent connection for SQLite, opened like the app's reader; an
asyncpg pool sized like the app's for PostgreSQL):

* the bearer-token lookup query and the page query, with the exact SQL and arguments Piccolo
  generated for that request (captured from the routing engine while the app served it);
* turning rows into dicts, decoding the JSON columns (emails, phones, roles, extra) and merging
  ``extra`` as ``RecordService._serialize`` does, computing the ``next`` keyset cursor;
* encoding the response body with msgspec (what Litestar uses), so both sides produce the same bytes
  (checked once before measuring).

The request is an observer's, so the page query carries the protected-contacts rule ("unprotected, or
created by me", bound into the compiled list query) on both sides.

Both sides run at the same concurrency (sequential, then 8 concurrent), after a warm-up, in
alternating rounds (app, raw, app, raw…); each rate is the median of the rounds. The ratio is
app / raw: neither side pays for an HTTP client. A third figure, for reference, sends the same
request through httpx.AsyncClient + httpx.ASGITransport: that adds the client library's own work
(about 0.3 ms a request) to the app side only.

Run:  .venv/bin/python tests/bench/bench_contacts_list.py [--rounds 5] [--seconds 0.8] [--sqlite-only]
      [--postgres-only] [--uvloop] [--show-sql]   (about 70 s; see tests/bench/README.md)
Not collected by pytest (``norecursedirs`` in pyproject.toml).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import gc
import hashlib
import json
import logging
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiosqlite  # noqa: E402
import asyncpg  # noqa: E402
import httpx  # noqa: E402
import msgspec  # noqa: E402

from core.accounts.roles import SYSTEM  # noqa: E402
from core.contacts.service import ContactService  # noqa: E402
from core.db.routing import RoutingEngine  # noqa: E402
from core.db.sqlite import PRAGMAS, PersistentSQLiteEngine  # noqa: E402
from core.demo import data_mex as DEMO_MEX  # noqa: E402
from core.organizations.service import OrganizationService  # noqa: E402
from core.tenancy.context import tenant_context  # noqa: E402
from core.tenancy.registry import TenantRuntime  # noqa: E402
from core.testing.environment import (  # noqa: E402
    PG_HOST,
    PG_PORT,
    TenantSpec,
    TestEnvironment,
    build_environment,
    postgres_reachable,
)
from core.web.app import create_app  # noqa: E402

SLUG = "bench"
ROLE = "observer"
LIMIT = 50
PATH = f"/t/{SLUG}/api/v1/contacts"
QUERY = f"limit={LIMIT}"
CONCURRENCY = (1, 8)
TARGET = 0.6

# Names come from the Mexican demo data (plain strings only: some lists hold name/spelling pairs).
SURNAMES = tuple(n for n in DEMO_MEX.LAST_NAMES if isinstance(n, str))
FIRST_NAMES = tuple(n for names in DEMO_MEX.FIRST_NAMES.values() for n in names if isinstance(n, str))
SECTORS = (
    "government_ministry",
    "law_enforcement",
    "prosecution_judiciary",
    "ngo",
    "community_group",
    "academia",
    "foundation",
    "media",
    "international_organization",
)
ROLES = ("review_focal_point", "governmental_expert", "ngo_focal_point", "unodc_staff", "donor")


# -- seeding ----------------------------------------------------------------------------------------


async def _gather_limited(coros: list[Awaitable[Any]], width: int) -> list[Any]:
    sem = asyncio.Semaphore(width)

    async def one(c: Awaitable[Any]) -> Any:
        async with sem:
            return await c

    return await asyncio.gather(*(one(c) for c in coros))


async def seed(tenant: TenantRuntime, n_orgs: int, n_contacts: int) -> None:
    """Organizations and contacts through the domain services (validation, search text, audit)."""
    rnd = random.Random(42)
    width = 1 if tenant.declaration.engine_kind == "sqlite" else 8
    with tenant_context(tenant):
        orgs = await _gather_limited(
            [
                OrganizationService(SYSTEM).create(
                    {
                        "name": f"Organización {i:03d} {rnd.choice(SURNAMES)}",
                        "sector": SECTORS[i % len(SECTORS)],
                        "acronym": f"O{i:03d}",
                        "city": "Ciudad de México",
                    }
                )
                for i in range(n_orgs)
            ],
            width,
        )
        org_ids = [o["id"] for o in orgs]

        def contact(i: int) -> dict[str, Any]:
            first, last = rnd.choice(FIRST_NAMES), f"{rnd.choice(SURNAMES)} {rnd.choice(SURNAMES)}"
            return {
                "first_name": first,
                "last_name": last,
                "organization": rnd.choice(org_ids) if i % 10 else None,  # some without: LEFT JOIN
                "position": "Coordinación de enlace",
                "emails": [f"persona{i}@example.org"] + ([f"p{i}@example.com"] if i % 3 == 0 else []),
                "phones": [f"+52 55 {1000 + i % 9000:04d} {i % 10000:04d}"],
                "preferred_language": "es",
                "roles": rnd.sample(ROLES, k=1 + i % 2),
                "consent_basis": "consent",
                "consent_date": "2024-05-17",
            }

        await _gather_limited([ContactService(SYSTEM).create(contact(i)) for i in range(n_contacts)], width)


# -- capturing the SQL the endpoint runs ------------------------------------------------------------


@contextmanager
def capture_queries(out: list[tuple[str, list[Any]]]) -> Iterator[None]:
    """Record (sql, args) of every query Piccolo sends through the routing engine, compiled for the
    tenant's engine exactly as the tenant engine compiles it."""
    original = RoutingEngine.run_querystring

    async def recording(self: RoutingEngine, querystring: Any, in_pool: bool = True) -> Any:
        out.append(querystring.compile_string(engine_type=self.engine_type))
        return await original(self, querystring, in_pool=in_pool)

    RoutingEngine.run_querystring = recording  # type: ignore[method-assign]
    try:
        yield
    finally:
        RoutingEngine.run_querystring = original  # type: ignore[method-assign]


# -- the raw side -----------------------------------------------------------------------------------

JSON_LISTS = ("emails", "phones", "roles")


# The app decodes JSON columns with msgspec (core.records.service.load_json); so does the raw side.
json_decode = msgspec.json.Decoder().decode


def _cursor(value: Any, row_id: int) -> str:
    raw = json.dumps([value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _body(rows: list[dict[str, Any]]) -> bytes:
    more = len(rows) > LIMIT
    rows = rows[:LIMIT]
    items = []
    for row in rows:
        row.pop("search_text", None)
        for column in JSON_LISTS:
            value = row[column]
            row[column] = [] if value is None else json_decode(value) if isinstance(value, str) else value
        extra = row.pop("extra", None)
        extra = {} if extra is None else json_decode(extra) if isinstance(extra, str) else extra
        if extra:
            row.update(extra)
        items.append(row)
    nxt = _cursor(rows[-1]["last_name"], rows[-1]["id"]) if more else None
    return msgspec.json.encode({"items": items, "next": nxt})


def _token_args(token: str) -> list[Any]:
    """The token lookup's arguments: the token's hash and "now" (expired tokens don't match)."""
    return [hashlib.sha256(token.encode()).hexdigest(), datetime.now(UTC)]


@dataclass
class RawSQLite:
    path: str
    token_sql: str
    page_sql: str
    page_args: list[Any]
    conn: aiosqlite.Connection | None = None

    async def start(self) -> None:
        # The same connection settings as the app's reader connection (type converters included).
        kwargs = PersistentSQLiteEngine(self.path).connection_kwargs
        self.conn = await aiosqlite.connect(**kwargs)
        for pragma in PRAGMAS:
            await self.conn.execute(pragma)

    async def stop(self) -> None:
        if self.conn is not None:
            await self.conn.close()

    async def request(self, token: str) -> bytes:
        conn = self.conn
        assert conn is not None
        async with conn.execute(self.token_sql, _token_args(token)) as cur:
            user = await cur.fetchone()
        if user is None or not user[4]:
            raise RuntimeError("token not found")
        async with conn.execute(self.page_sql, self.page_args) as cur:
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, r, strict=True)) for r in await cur.fetchall()]
        return _body(rows)


@dataclass
class RawPostgres:
    dsn: str
    token_sql: str
    page_sql: str
    page_args: list[Any]
    app_pool: asyncpg.Pool | None = None  # the app's pool, to size this one the same
    pool: asyncpg.Pool | None = None

    async def start(self) -> None:
        sizes = {}
        if self.app_pool is not None:
            sizes = {"min_size": self.app_pool.get_min_size(), "max_size": self.app_pool.get_max_size()}
        self.pool = await asyncpg.create_pool(dsn=self.dsn, **sizes)

    async def stop(self) -> None:
        if self.pool is not None:
            await self.pool.close()

    async def request(self, token: str) -> bytes:
        pool = self.pool
        assert pool is not None
        user = await pool.fetchrow(self.token_sql, *_token_args(token))
        if user is None or not user["active"]:
            raise RuntimeError("token not found")
        rows = [dict(r) for r in await pool.fetch(self.page_sql, *self.page_args)]
        return _body(rows)


# -- the app side -----------------------------------------------------------------------------------


def bare_asgi(app: Any, headers: dict[str, str]) -> Callable[[], Awaitable[bytes]]:
    """One GET straight into the ASGI callable: the app's whole request path, no client library."""
    raw_headers = [(b"host", b"bench"), *((k.lower().encode(), v.encode()) for k, v in headers.items())]

    async def call() -> bytes:
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": PATH,
            "raw_path": PATH.encode(),
            "root_path": "",
            "query_string": QUERY.encode(),
            "headers": raw_headers,
            "client": ("127.0.0.1", 1),
            "server": ("bench", 80),
        }
        chunks: list[bytes] = []
        status = 0

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await app(scope, receive, send)
        if status != 200:
            raise RuntimeError(f"status {status}")
        return b"".join(chunks)

    return call


# -- measuring --------------------------------------------------------------------------------------


async def rate(fn: Callable[[], Awaitable[Any]], concurrency: int, seconds: float) -> float:
    """Requests per second of ``fn`` run by ``concurrency`` workers for about ``seconds``."""
    gc.collect()
    count = 0
    start = time.perf_counter()
    deadline = start + seconds

    async def worker() -> None:
        nonlocal count
        while time.perf_counter() < deadline:
            await fn()
            count += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return count / (time.perf_counter() - start)


@dataclass
class Result:
    backend: str
    concurrency: int
    app: list[float] = field(default_factory=list)
    raw: list[float] = field(default_factory=list)
    client: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return statistics.median(self.app) / statistics.median(self.raw)


async def measure(
    backend: str, sides: dict[str, Callable[[], Awaitable[Any]]], rounds: int, seconds: float
) -> list[Result]:
    results = []
    for concurrency in CONCURRENCY:
        result = Result(backend, concurrency)
        for fn in sides.values():  # warm-up
            await rate(fn, concurrency, seconds / 2)
        for _ in range(rounds):  # alternating: app, raw, client, app, raw, client…
            for name, fn in sides.items():
                getattr(result, name).append(await rate(fn, concurrency, seconds))
        results.append(result)
        print(
            f"  {backend} c={concurrency}: app {statistics.median(result.app):7.0f}/s  "
            f"raw {statistics.median(result.raw):7.0f}/s  ratio {result.ratio:.2f}",
            flush=True,
        )
    return results


async def bench_backend(env: TestEnvironment, args: argparse.Namespace) -> list[Result]:
    tenant = env.registry.get(SLUG)
    assert tenant is not None
    token = env.tokens[(SLUG, ROLE)]
    headers = env.headers(SLUG, ROLE)
    app = create_app(env.registry.settings, env.registry)
    async with app.lifespan():  # starts the PostgreSQL pools, closes everything at the end
        t0 = time.perf_counter()
        await seed(tenant, args.orgs, args.contacts)
        print(
            f"  seeded {args.orgs} organizations and {args.contacts} contacts in "
            f"{time.perf_counter() - t0:.1f}s",
            flush=True,
        )

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:

            async def via_http() -> bytes:
                response = await client.get(PATH, params={"limit": LIMIT}, headers=headers)
                if response.status_code != 200:
                    raise RuntimeError(f"status {response.status_code}: {response.text[:200]}")
                return response.content

            # The first use of a token records when it was used (then at most once a minute): let that
            # happen before capturing what a steady-state request runs.
            await via_http()
            queries: list[tuple[str, list[Any]]] = []
            with capture_queries(queries):
                app_body = await via_http()
            if len(queries) != 2:
                raise RuntimeError(f"expected 2 queries (token, page), captured {len(queries)}: {queries}")
            (token_sql, token_args), (page_sql, page_args) = queries
            assert token_args[0] == _token_args(token)[0], "the first query is not the token lookup"
            if args.show_sql:
                print(f"  token SQL: {token_sql}  {token_args}\n  page SQL:  {page_sql}  {page_args}")

            if env.backend == "sqlite":
                path = tenant.declaration.database_url.removeprefix("sqlite:///")
                raw: RawSQLite | RawPostgres = RawSQLite(path, token_sql, page_sql, list(page_args))
            else:
                raw = RawPostgres(
                    tenant.declaration.database_url,
                    token_sql,
                    page_sql,
                    list(page_args),
                    app_pool=tenant.engine.pool,
                )
            await raw.start()
            try:
                raw_body = await raw.request(token)
                items = len(json.loads(app_body)["items"])
                same = (
                    "identical bytes"
                    if raw_body == app_body
                    else ("same JSON" if json.loads(raw_body) == json.loads(app_body) else "DIFFERENT")
                )
                print(f"  response: {len(app_body)} bytes, {items} items; raw body vs app body: {same}")
                if same == "DIFFERENT":
                    raise RuntimeError("the raw side does not produce the app's response")
                app_side = bare_asgi(app, headers)
                if await app_side() != app_body:
                    raise RuntimeError("the ASGI call does not return what the HTTP client got")
                sides = {"app": app_side, "raw": lambda: raw.request(token), "client": via_http}
                return await measure(env.backend, sides, args.rounds, args.seconds)
            finally:
                await raw.stop()


def run_backend(backend: str, args: argparse.Namespace) -> list[Result]:
    print(f"{backend}:", flush=True)
    with (
        tempfile.TemporaryDirectory(prefix=f"bench-{backend}-") as tmp,
        build_environment(backend, Path(tmp), [TenantSpec(SLUG)]) as env,
    ):
        runner = asyncio.run
        if args.uvloop:
            import uvloop

            runner = uvloop.run  # type: ignore[assignment]
        return runner(bench_backend(env, args))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="alternating rounds per side (median)")
    parser.add_argument("--seconds", type=float, default=0.8, help="length of one round")
    parser.add_argument("--orgs", type=int, default=60)
    parser.add_argument("--contacts", type=int, default=2000)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument("--uvloop", action="store_true", help="run on uvloop (as uvicorn does)")
    parser.add_argument("--show-sql", action="store_true", help="print the captured SQL")
    args = parser.parse_args()

    # Litestar's default logging config puts the root logger at INFO; httpx would then log every
    # request of the client, a cost of the benchmark's client, not of the app.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    started = time.perf_counter()
    results: list[Result] = []
    notes: list[str] = []
    if not args.postgres_only:
        results += run_backend("sqlite", args)
    if not args.sqlite_only:
        if postgres_reachable():
            results += run_backend("postgres", args)
        else:
            notes.append(f"PostgreSQL skipped: not reachable at {PG_HOST}:{PG_PORT}")

    print()
    print(
        f"GET {PATH}?{QUERY}  (median of {args.rounds} alternating rounds of {args.seconds}s; "
        f"{'uvloop' if args.uvloop else 'asyncio'})"
    )
    header = (
        f"{'backend':<9} {'conc':>4} {'app req/s':>10} {'raw req/s':>10} {'ratio':>6}   "
        f"{'via httpx req/s':>15} {'httpx/raw':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        app, raw, client = (statistics.median(x) for x in (r.app, r.raw, r.client))
        flag = "" if r.ratio >= TARGET else "  < target"
        print(
            f"{r.backend:<9} {r.concurrency:>4} {app:>10.0f} {raw:>10.0f} {r.ratio:>6.2f}   "
            f"{client:>15.0f} {client / raw:>9.2f}{flag}"
        )
    for note in notes:
        print(note)
    print(
        f"ratio = app (ASGI, in-process) / raw driver (target >= {TARGET}); the httpx columns add a client "
        f"library's cost to the app side only; total {time.perf_counter() - started:.0f}s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
