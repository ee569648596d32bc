#!/usr/bin/env python
"""Benchmark: importing 10,000 contacts from an XLSX file (dry run + commit), against a raw-driver
bulk insert of the same rows into the same table.

Each measurement runs in a fresh process with a throwaway tenant on the backend (20 organizations,
which the file's "Organization" column names):

* **app**: a real ``pilot-crm serve`` (uvicorn, one worker) and a coordinator signed in through the
  form, doing what a person does over HTTP: upload the workbook (``POST /imports``), accept the
  suggested mapping (``POST /imports/{id}/plan``), poll the progress fragment until the dry run is
  over, then ``POST /imports/{id}/commit`` and poll again until it is committed. The progress is
  polled every 0.1 s (the page polls every second; a finer poll measures the work, not the wait).
  Afterwards the API must list all N contacts.
* **raw**: the same N rows, already clean (E.164 phones, organization ids, JSON lists, the search
  text), inserted into ``crm_contact`` in one transaction with the driver alone: ``sqlite3``'s
  ``executemany`` on the tenant's file, asyncpg's ``executemany`` on its database.

Printed per backend: the app's seconds for the upload, the dry run and the commit, its rows per second
over the three, the server's CPU seconds over the three (steadier than wall time on a shared machine),
the raw insert's seconds and rows per second, and **ratio = app rows/s ÷ raw rows/s**.
The issue's target is under 5 s for the app side (upload + dry run + commit).

Run:  .venv/bin/python tests/bench/bench_import.py [--rows 10000] [--rounds 1]
      [--sqlite-only | --postgres-only] [--profile FILE]
      (--profile: py-spy samples of the server's threads, SQLite; see tests/bench/README.md)
Not collected by pytest (``norecursedirs`` in pyproject.toml).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from openpyxl import Workbook  # noqa: E402

from core.testing.environment import (  # noqa: E402
    TenantSpec,
    TestEnvironment,
    build_environment,
    postgres_reachable,
)
from core.testing.web import sign_in  # noqa: E402
from tests.support import free_port  # noqa: E402

SLUG = "bench"
API = f"/t/{SLUG}/api/v1"
HEADERS = ["First name", "Last name", "Email", "Phone", "Organization", "Position"]
ORGANIZATIONS = 20
POLL_SECONDS = 0.1
TARGET_SECONDS = 5.0
SELECTED = re.compile(r'name="column_(\d+)"[^>]*>(.*?)</select>', re.S)


def people(rows: int) -> list[dict[str, Any]]:
    """N distinct contacts, each with an email, a valid Mexican phone and one of the organizations."""
    return [
        {
            "first_name": f"Nombre{n}",
            "last_name": f"Apellido{n}",
            "email": f"persona{n}@example.org",
            "phone": f"+52 55 1{n // 10000 % 10}{n // 1000 % 10}{n // 100 % 10} {n % 100:02d}00",
            "e164": f"+52551{n // 10000 % 10}{n // 1000 % 10}{n // 100 % 10}{n % 100:02d}00",
            "organization": n % ORGANIZATIONS,
            "position": f"Cargo {n % 37}",
        }
        for n in range(rows)
    ]


def workbook(contacts: list[dict[str, Any]]) -> bytes:
    """The file as a spreadsheet program saves it. Not openpyxl's write-only mode: its sheets lack the
    ``<dimension>`` element, and openpyxl then parses the whole sheet once more each time it opens it
    (see tests/bench/README.md)."""
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for c in contacts:
        org = f"Organization {c['organization']}"
        sheet.append([c["first_name"], c["last_name"], c["email"], c["phone"], org, c["position"]])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def make_organizations(client: httpx.Client, env: TestEnvironment) -> list[int]:
    ids = []
    for n in range(ORGANIZATIONS):
        made = client.post(
            f"{API}/organizations",
            json={"name": f"Organization {n}", "sector": "ngo"},
            headers=env.headers(SLUG, "coordinator"),
        )
        assert made.status_code == 201, made.text
        ids.append(made.json()["id"])
    return ids


def cpu_seconds(pid: int) -> float:
    """The process's CPU time so far (user + system, every thread), from ``/proc/PID/stat``."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until_over(browser: Any, batch: int) -> None:
    """Poll the progress fragment (as the page's HTMX does) until it asks for the page's refresh."""
    while True:
        fragment = browser.get(f"/imports/{batch}/progress", headers={"HX-Request": "true"})
        assert fragment.status_code == 200, fragment.text[:2000]
        if fragment.headers.get("HX-Refresh") == "true":
            return
        time.sleep(POLL_SECONDS)


def measure_app(env: TestEnvironment, rows: int, profile: str | None) -> dict[str, float]:
    settings = env.registry.settings
    port = free_port()
    cli = str(Path(sys.executable).with_name("pilot-crm"))
    command = [cli, "--data-dir", str(settings.data_dir), "--tenants-dir", str(settings.tenants_dir)]
    log = (env.root / "serve.log").open("w")
    server = subprocess.Popen([*command, "serve", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    sampler = None
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120) as client:
            for _ in range(300):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            if profile:  # every thread of the server: the dry run and the commit work in worker threads
                spy = [
                    str(Path(sys.executable).with_name("py-spy")),
                    "record",
                    "--threads",
                    "--format",
                    "raw",
                ]
                sampler = subprocess.Popen(
                    [*spy, "-o", profile, "--pid", str(server.pid)], stdout=log, stderr=log
                )
            make_organizations(client, env)
            content = workbook(people(rows))
            browser = sign_in(client, env, SLUG, "coordinator", "en")
            browser.get("/imports")

            cpu = cpu_seconds(server.pid)
            started = time.perf_counter()
            files = {"file": ("contacts.xlsx", content, "application/octet-stream")}
            uploaded = browser.upload("/imports", {"entity": "contact"}, files, follow_redirects=False)
            assert uploaded.status_code == 303, uploaded.text[:2000]
            batch = int(uploaded.headers["location"].rsplit("/", 1)[1])
            mapping_page = browser.get(f"/imports/{batch}").text
            upload_s = time.perf_counter() - started

            started = time.perf_counter()
            chosen = {}
            for index, options in SELECTED.findall(mapping_page):
                if found := re.search(r'<option value="([^"]+)" selected', options):
                    chosen[f"column_{index}"] = found.group(1)
            assert len(chosen) == len(HEADERS), f"not every column was suggested: {chosen}"
            planned = browser.post(
                f"/imports/{batch}/plan", {**chosen, "on_duplicate": "skip"}, follow_redirects=False
            )
            assert planned.status_code == 303, planned.text[:2000]
            wait_until_over(browser, batch)
            dry_run_s = time.perf_counter() - started
            page = browser.get(f"/imports/{batch}").text
            assert 'id="import-commit"' in page, page[:3000]

            started = time.perf_counter()
            committed = browser.post(f"/imports/{batch}/commit", {}, follow_redirects=False)
            assert committed.status_code == 303, committed.text[:2000]
            wait_until_over(browser, batch)
            commit_s = time.perf_counter() - started
            cpu = cpu_seconds(server.pid) - cpu
            assert 'id="import-undo"' in browser.get(f"/imports/{batch}").text

            listed = client.get(
                f"{API}/contacts", params={"limit": 1}, headers=env.headers(SLUG, "coordinator")
            )
            total = listed.json().get("total")
            if total is not None:
                assert total == rows, f"{total} contacts after importing {rows}"
            return {"upload": upload_s, "dry_run": dry_run_s, "commit": commit_s, "cpu": cpu}
    finally:
        server.terminate()
        server.wait(timeout=30)
        if sampler is not None:
            sampler.wait(timeout=60)
        log.close()


def raw_rows(rows: int, organization_ids: list[int]) -> list[tuple[Any, ...]]:
    """The rows the import writes, already clean: what the driver alone has to insert."""
    stamp = datetime.now(UTC)
    return [
        (
            1,
            stamp,
            stamp,
            "",
            " ".join([c["first_name"], c["last_name"], c["email"], c["position"]]).lower(),
            c["first_name"],
            c["last_name"],
            organization_ids[c["organization"]],
            c["position"],
            json.dumps([c["email"]]),
            json.dumps([c["e164"]]),
        )
        for c in people(rows)
    ]


COLUMNS = (
    "version",
    "created_at",
    "updated_at",
    "owner_side",
    "search_text",
    "first_name",
    "last_name",
    "organization",
    "position",
    "emails",
    "phones",
)


def measure_raw(env: TestEnvironment, rows: int) -> dict[str, float]:
    tenant = env.registry.get(SLUG)
    url = tenant.declaration.database_url
    listed = ", ".join(f'"{c}"' for c in COLUMNS)
    if env.backend == "sqlite":
        path = url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as db:
            db.executemany(
                'INSERT INTO "crm_organization" ("name", "sector") VALUES (?, ?)',
                [(f"Organization {n}", "ngo") for n in range(ORGANIZATIONS)],
            )
            ids = [r[0] for r in db.execute('SELECT "id" FROM "crm_organization" ORDER BY "id"')]
        data = raw_rows(rows, ids)
        data = [(*r[:1], str(r[1]), str(r[2]), *r[3:]) for r in data]
        marks = ", ".join("?" for _ in COLUMNS)
        started = time.perf_counter()
        with sqlite3.connect(path) as db:
            db.executemany(f'INSERT INTO "crm_contact" ({listed}) VALUES ({marks})', data)  # noqa: S608
        seconds = time.perf_counter() - started
        with sqlite3.connect(path) as db:
            assert db.execute('SELECT COUNT(*) FROM "crm_contact"').fetchone()[0] == rows
        return {"raw": seconds}
    return asyncio.run(_raw_postgres(url, rows, listed))


async def _raw_postgres(url: str, rows: int, listed: str) -> dict[str, float]:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        await connection.executemany(
            'INSERT INTO "crm_organization" ("name", "sector") VALUES ($1, $2)',
            [(f"Organization {n}", "ngo") for n in range(ORGANIZATIONS)],
        )
        ids = [r["id"] for r in await connection.fetch('SELECT "id" FROM "crm_organization" ORDER BY "id"')]
        data = raw_rows(rows, ids)
        marks = ", ".join(f"${i}" for i in range(1, len(COLUMNS) + 1))
        started = time.perf_counter()
        async with connection.transaction():
            await connection.executemany(f'INSERT INTO "crm_contact" ({listed}) VALUES ({marks})', data)  # noqa: S608
        seconds = time.perf_counter() - started
        assert await connection.fetchval('SELECT COUNT(*) FROM "crm_contact"') == rows
        return {"raw": seconds}
    finally:
        await connection.close()


def measure(backend: str, side: str, rows: int, profile: str | None) -> dict[str, float]:
    with (
        tempfile.TemporaryDirectory(prefix=f"bench-import-{backend}-") as tmp,
        build_environment(backend, Path(tmp), [TenantSpec(SLUG)]) as env,
    ):
        return measure_app(env, rows, profile) if side == "app" else measure_raw(env, rows)


def worker(backend: str, side: str, rows: int, profile: str | None = None) -> dict[str, float]:
    command = [sys.executable, __file__, "--worker", backend, side, str(rows)]
    if profile:
        command += ["--profile", profile]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{backend} {side} failed:\n{done.stderr[-4000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def summarize(path: Path, top: int = 30) -> None:
    """The functions of the app's own code (and its libraries) holding the most samples, counting
    each sample once per function on its stack (inclusive), idle threads left out."""
    inclusive: dict[str, int] = {}
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not count.isdigit() or any(
            idle in frames[-1] for idle in ("select", "wait (threading", "_worker")
        ):
            continue
        total += int(count)
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + int(count)
    print(f"{total} busy samples; functions by share of them (inclusive):")
    for frame, count in sorted(inclusive.items(), key=lambda item: -item[1])[:top]:
        print(f"  {100 * count / total:5.1f} %  {frame}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds per side; medians printed")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    parser.add_argument(
        "--profile", help="sample the server with py-spy into this file and summarize it (SQLite)"
    )
    parser.add_argument("--worker", nargs=3, metavar=("BACKEND", "SIDE", "ROWS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        backend, side, rows = args.worker
        print(json.dumps(measure(backend, side, int(rows), args.profile)))
        return 0

    backends = [b for b in ("sqlite", "postgres") if not (args.sqlite_only and b == "postgres")]
    backends = [b for b in backends if not (args.postgres_only and b == "sqlite")]
    if "postgres" in backends and not postgres_reachable():
        print("PostgreSQL unreachable: its rows are skipped")
        backends.remove("postgres")
    if args.profile:
        path = Path(args.profile).resolve()
        figures = worker("sqlite", "app", args.rows, str(path))
        print(f"app: {figures}; py-spy samples written to {path}")
        summarize(path)
        return 0
    print(f"Import of {args.rows:,} contacts from XLSX over HTTP (upload + dry run + commit) vs raw insert")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    columns = ("backend", "upload s", "dry run s", "commit s", "app s", "app cpu s")
    columns += ("app rows/s", "raw s", "raw rows/s", "ratio")
    print("{:<9} {:>8} {:>9} {:>8} {:>6} {:>9} {:>10} {:>6} {:>10} {:>6}".format(*columns))
    over = False
    for backend in backends:
        apps, raws = [], []
        for _ in range(args.rounds):
            apps.append(worker(backend, "app", args.rows))
            raws.append(worker(backend, "raw", args.rows))
        upload, dry_run, commit = (
            statistics.median(a[k] for a in apps) for k in ("upload", "dry_run", "commit")
        )
        app = statistics.median(a["upload"] + a["dry_run"] + a["commit"] for a in apps)
        cpu = statistics.median(a["cpu"] for a in apps)
        raw = statistics.median(r["raw"] for r in raws)
        over = over or app > TARGET_SECONDS
        print(
            f"{backend:<9} {upload:>8.2f} {dry_run:>9.2f} {commit:>8.2f} {app:>6.2f} {cpu:>9.2f} "
            f"{args.rows / app:>10,.0f} {raw:>6.2f} {args.rows / raw:>10,.0f} {raw / app:>6.3f}",
            flush=True,
        )
    if over:
        print(f"the app side took more than {TARGET_SECONDS:.0f} s")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
