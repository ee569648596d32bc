#!/usr/bin/env python
"""Benchmark: the dashboard page over HTTP at 100,000 contacts and 20,000 joint actions.

For each backend a throwaway tenant gets, straight through the driver (no service, no audit: a
volume to read): 500 organizations, ``--contacts`` contacts (``core.testing.volume.insert_contacts``),
``--actions`` joint actions in every status (a fifth of them overdue, one in twenty archived) tagged
with one or two topics of the taxonomy, and 1,000 meetings over the last two years with five
attendances each; then ANALYZE (VACUUM ANALYZE on PostgreSQL, as autovacuum would soon after such
a load: it also sets the visibility map that index-only scans need). A real ``pilot-crm serve``
(uvicorn, one worker) serves it; a coordinator signed in through the form asks for ``GET /t/bench/``
(the dashboard: headline figures, actions by status and by topic, meetings per month, attendance
balance, actions needing attention) ``--requests`` times, one after the other, after a warm-up.
Printed: p50, p95 and max of the latency seen by the client, and the number of SQL queries one
dashboard runs (counted in-process; independent ones run at once).

Run:  .venv/bin/python tests/bench/bench_dashboard.py [--requests 100] [--contacts 100000]
      [--actions 20000] [--sqlite-only | --postgres-only]   (about 2 minutes; see tests/bench/README.md)
Not collected by pytest (``norecursedirs`` in pyproject.toml). Exits 1 when a p95 is 100 ms or more.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from core.actions.tables import ActionTopic, JointAction  # noqa: E402
from core.contacts.tables import Contact  # noqa: E402
from core.db.bulk import insert_rows  # noqa: E402
from core.db.routing import RoutingEngine  # noqa: E402
from core.forms.vocabulary import ACTION_STATUSES, SIDES  # noqa: E402
from core.meetings.tables import Attendance, Meeting  # noqa: E402
from core.organizations.tables import Organization  # noqa: E402
from core.tenancy.context import tenant_context  # noqa: E402
from core.testing.environment import TenantSpec, TestEnvironment, build_environment, postgres_reachable  # noqa: E402
from core.testing.volume import insert_contacts  # noqa: E402
from core.testing.web import sign_in  # noqa: E402
from core.topics.tables import Topic  # noqa: E402
from tests.support import free_port  # noqa: E402

SLUG = "bench"
TARGET_MS = 100.0
ORGANIZATIONS = 500
MEETINGS = 1000
ATTENDEES = 5
STATUSES = [choice.value for choice in ACTION_STATUSES]
SIDE_VALUES = [choice.value for choice in SIDES]


async def seed(env: TestEnvironment, contacts: int, actions: int) -> None:
    tenant = env.registry.get(SLUG)
    assert tenant is not None
    now = datetime.now(UTC)
    today = now.date()
    with tenant_context(tenant):
        org_ids = await insert_rows(
            Organization,
            [
                {"name": f"Organización {i:04d}", "sector": "ngo", "side": SIDE_VALUES[i % len(SIDE_VALUES)]}
                for i in range(ORGANIZATIONS)
            ],
            return_ids=True,
        )
        await insert_contacts(contacts, {})
        topics = [row["id"] for row in await Topic.select(Topic.id).order_by(Topic.id).run()]
        action_ids = await insert_rows(
            JointAction,
            [
                {
                    "title": f"Acción conjunta {i}",
                    "status": STATUSES[i % len(STATUSES)],
                    "owner_side": SIDE_VALUES[i % 2],
                    "government_lead": org_ids[i % ORGANIZATIONS],
                    # a fifth overdue (a past due date), the rest due later or undated
                    "due_date": today - timedelta(days=1 + i % 300)
                    if i % 5 == 0
                    else (today + timedelta(days=i % 400) if i % 2 else None),
                    "archived_at": now if i % 20 == 7 else None,
                }
                for i in range(actions)
            ],
            return_ids=True,
        )
        await insert_rows(
            ActionTopic,
            [
                {"action": action_id, "topic": topics[(i * k) % len(topics)]}
                for i, action_id in enumerate(action_ids)
                for k in ((1, 7) if i % 3 == 0 else (1,))
            ],
        )
        meeting_ids = await insert_rows(
            Meeting,
            [
                {
                    "title": f"Reunión {i}",
                    "meeting_type": "launch",
                    "starts_at": now - timedelta(hours=17 * i),
                    "ends_at": now - timedelta(hours=17 * i - 2),
                    "timezone": tenant.declaration.timezone,
                    "mode": "online",
                }
                for i in range(MEETINGS)
            ],
            return_ids=True,
        )
        contact_ids = [r["id"] for r in await Contact.select(Contact.id).limit(MEETINGS * ATTENDEES).run()]
        await insert_rows(
            Attendance,
            [
                {
                    "meeting": meeting_id,
                    "contact": contact_ids[(i * ATTENDEES + k) % len(contact_ids)],
                    "organization": org_ids[k],
                    "side": SIDE_VALUES[k % len(SIDE_VALUES)],
                    "status": "attended" if k < 4 else "invited",
                }
                for i, meeting_id in enumerate(meeting_ids)
                for k in range(ATTENDEES)
            ],
        )
        # Statistics for the planner, and on PostgreSQL the visibility map that lets a count read an
        # index alone: what autovacuum does within a minute or so of a bulk load.
        await Contact.raw("VACUUM ANALYZE" if env.backend == "postgres" else "ANALYZE")
    await env.registry.close()


async def count_queries(env: TestEnvironment) -> int:
    """The SQL statements ``DashboardService.build`` runs, counted at the routing engine."""
    from core.accounts.roles import Actor
    from core.dashboard.service import DashboardService

    tenant = env.registry.get(SLUG)
    assert tenant is not None
    user = env.users[(SLUG, "coordinator")]
    actor = Actor(user_id=user["id"], email=user["email"], role=user["role"])
    seen = 0
    original = RoutingEngine.run_querystring

    async def counting(self: RoutingEngine, querystring: Any, in_pool: bool = True) -> Any:
        nonlocal seen
        seen += 1
        return await original(self, querystring, in_pool=in_pool)

    with tenant_context(tenant):
        await DashboardService(actor).build()  # the topic labels' first load is cached
        RoutingEngine.run_querystring = counting  # type: ignore[method-assign]
        try:
            await DashboardService(actor).build()
        finally:
            RoutingEngine.run_querystring = original  # type: ignore[method-assign]
    await env.registry.close()
    return seen


def measure(env: TestEnvironment, requests: int) -> list[float]:
    settings = env.registry.settings
    port = free_port()
    cli = str(Path(sys.executable).with_name("pilot-crm"))
    command = [cli, "--data-dir", str(settings.data_dir), "--tenants-dir", str(settings.tenants_dir)]
    log = (env.root / "serve.log").open("w")
    server = subprocess.Popen([*command, "serve", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            for _ in range(300):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            browser = sign_in(client, env, SLUG, "coordinator")
            for _ in range(max(5, requests // 10)):  # warm-up
                browser.get("/").raise_for_status()
            times = []
            for _ in range(requests):
                started = time.perf_counter()
                response = browser.get("/")
                times.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200 or 'data-figure="contacts"' not in response.text:
                    raise SystemExit(f"dashboard answered {response.status_code}")
            return times
    finally:
        server.terminate()
        server.wait(timeout=15)
        log.close()


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--actions", type=int, default=20_000)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    args = parser.parse_args()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    backends = [b for b in ("sqlite", "postgres") if not (args.sqlite_only and b == "postgres")]
    backends = [b for b in backends if not (args.postgres_only and b == "sqlite")]
    rows = []
    for backend in backends:
        if backend == "postgres" and not postgres_reachable():
            print("postgres: skipped, not reachable")
            continue
        with (
            tempfile.TemporaryDirectory(prefix=f"bench-dashboard-{backend}-") as tmp,
            build_environment(backend, Path(tmp), [TenantSpec(SLUG)]) as env,
        ):
            started = time.perf_counter()
            asyncio.run(seed(env, args.contacts, args.actions))
            print(f"{backend}: seeded in {time.perf_counter() - started:.1f}s", flush=True)
            queries = asyncio.run(count_queries(env))
            times = measure(env, args.requests)
            rows.append((backend, queries, times))
            print(f"  p50 {statistics.median(times):.1f} ms, p95 {percentile(times, 95):.1f} ms", flush=True)
    print()
    print(
        f"GET /t/{SLUG}/ (dashboard), {args.contacts:,} contacts, {args.actions:,} joint actions, "
        f"{args.requests} requests one after the other"
    )
    header = f"{'backend':<9} {'queries':>7} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"
    print(header)
    print("-" * len(header))
    failed = False
    for backend, queries, times in rows:
        p95 = percentile(times, 95)
        failed |= p95 >= TARGET_MS
        flag = "" if p95 < TARGET_MS else f"  >= {TARGET_MS:.0f} ms"
        print(
            f"{backend:<9} {queries:>7} {statistics.median(times):>7.1f} {p95:>7.1f} {max(times):>7.1f}{flag}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
