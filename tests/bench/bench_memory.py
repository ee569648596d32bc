#!/usr/bin/env python
"""Benchmark: a server's memory under requests whose parameters never repeat.

A real ``pilot-crm serve`` process (uvicorn, one worker) serves two throwaway tenants; a client sends
it, over HTTP, requests whose parameter combinations are all distinct: every list of the API and
of the pages, page sizes 1 to 200, searches of zero to eight terms drawn from a vocabulary, with
and without archived records, with list cursors, with filters, in every tenant language and in
languages the tenant does not have, a few of them malformed (too many terms, a parameter given
twice). Anything the server cached per distinct request (compiled queries per page size or per
number of terms, parsed query strings, translations per Accept-Language…) would show as growth.

The server's resident memory (VmRSS from /proc) is read after a warm-up of ``--warmup`` distinct
requests (so lazily built state exists: compiled query shapes, templates, catalogs, connection
pools), then after ``--requests`` more. The growth must stay under 5 MB.

Run:  .venv/bin/python tests/bench/bench_memory.py [--requests 5000] [--warmup 1000]
      [--sqlite-only | --postgres-only]
Not collected by pytest (``norecursedirs`` in pyproject.toml).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from core.testing.environment import TestEnvironment, build_environment, postgres_reachable  # noqa: E402
from core.testing.pytest_plugin import DEFAULT_SPECS  # noqa: E402
from core.testing.web import sign_in  # noqa: E402
from tests.support import free_port  # noqa: E402

LIMIT_MB = 5.0
LISTS = ("organizations", "contacts", "meetings", "actions", "topics")
FILTERS = {
    "organizations": {"sector": ["ngo", "government_ministry", "academia"], "country": ["MEX", "AGO", "FRA"]},
    "contacts": {"language": ["es", "en", "pt"], "protected": ["true", "false"]},
    "meetings": {"mode": ["online", "in_person"], "from": ["2024-01-01", "2025-06-01"]},
    "actions": {"status": ["proposed", "agreed", "completed"], "due_before": ["2026-01-01", "2027-01-01"]},
    "topics": {"category": ["instrument", "crime", "national"], "priority": ["true", "false"]},
}
WORDS = [
    "ana",
    "ruiz",
    "méxico",
    "ministerio",
    "red",
    "trata",
    "armas",
    "migrantes",
    "jóvenes",
    "ong",
    "fiscalía",
    "luanda",
    "justiça",
    "rede",
    "formação",
    "diálogo",
    "acción",
    "plan",
    "norte",
    "sur",
]
LANGUAGES = [
    "es",
    "en",
    "pt",
    "fr",
    "ar",
    "es-MX",
    "pt-BR",
    "en-GB;q=0.8",
    "de",
    "zh-Hant",
    "sw",
    "x-klingon",
]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def seed(client: httpx.Client, headers: dict[str, str]) -> None:
    """Enough records in alpha for every list to have a next page (cursors to send)."""
    for i in range(60):
        org = client.post(
            "/t/alpha/api/v1/organizations",
            json={"name": f"Organización {random.choice(WORDS)} {i}", "sector": "ngo"},
            headers=headers,
        ).json()
        client.post(
            "/t/alpha/api/v1/contacts",
            json={
                "first_name": random.choice(WORDS).title(),
                "last_name": f"Persona {i}",
                "organization": org["id"],
            },
            headers=headers,
        )
        client.post(
            "/t/alpha/api/v1/meetings",
            json={
                "title": f"Reunión {random.choice(WORDS)} {i}",
                "meeting_type": "launch",
                "mode": "online",
                "starts_at": "2025-03-01T10:00:00-06:00",
                "ends_at": "2025-03-01T12:00:00-06:00",
            },
            headers=headers,
        )
        client.post(
            "/t/alpha/api/v1/actions", json={"title": f"Acción {random.choice(WORDS)} {i}"}, headers=headers
        )


def combinations(
    rng: random.Random, cursors: dict[str, str]
) -> Iterator[tuple[str, list[tuple[str, str]], str]]:
    """Endless distinct (path, query, Accept-Language) combinations over the API and the pages."""
    seen: set[tuple] = set()
    while True:
        resource = rng.choice(LISTS)
        api = rng.random() < 0.7
        path = f"/t/alpha/api/v1/{resource}" if api else f"/t/alpha/{resource}"
        query: list[tuple[str, str]] = []
        if api:
            query.append(("limit", str(rng.randint(1, 200))))
        terms = rng.randint(0, 9)  # nine terms is one too many: a 400, which must not cost memory either
        if terms:
            query.append(("q", " ".join(rng.choice(WORDS) for _ in range(terms))))
        if rng.random() < 0.3:
            query.append(("include_archived", rng.choice(["true", "false"])))
        if rng.random() < 0.3 and resource in cursors:
            query.append(("cursor", cursors[resource]))
        if rng.random() < 0.4:
            name, values = rng.choice(list(FILTERS[resource].items()))
            query.append((name, rng.choice(values)))
        if rng.random() < 0.02:
            query.append(("q", "again"))  # a parameter given twice: refused
        language = rng.choice(LANGUAGES)
        key = (path, tuple(query), language)
        if key in seen:
            continue
        seen.add(key)
        yield path, query, language


def run_backend(backend: str, requests: int, warmup: int) -> tuple[float, float]:
    root = Path(tempfile.mkdtemp(prefix=f"bench-memory-{backend}-"))
    with build_environment(backend, root, DEFAULT_SPECS) as env:
        return measure(env, requests, warmup)


def measure(env: TestEnvironment, requests: int, warmup: int) -> tuple[float, float]:
    settings = env.registry.settings
    port = free_port()
    cli = str(Path(sys.executable).with_name("pilot-crm"))
    command = [cli, "--data-dir", str(settings.data_dir), "--tenants-dir", str(settings.tenants_dir)]
    log = (env.root / "serve.log").open("w")
    server = subprocess.Popen([*command, "serve", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT)
    origin = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=origin, timeout=30) as client:
            for _ in range(300):
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            token = {"Authorization": f"Bearer {env.tokens[('alpha', 'coordinator')]}"}
            seed(client, token)
            cursors = {}
            for resource in LISTS:
                page = client.get(f"/t/alpha/api/v1/{resource}", params={"limit": 1}, headers=token).json()
                if page.get("next"):
                    cursors[resource] = page["next"]
            # A coordinator's session (the pages are signed-in pages), through the sign-in form.
            browser = sign_in(client, env, "alpha", "coordinator")
            cookie = {"Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items())}
            rng = random.Random(8)
            stream = combinations(rng, cursors)
            statuses: dict[int, int] = {}

            def send(n: int) -> None:
                for _ in range(n):
                    path, query, language = next(stream)
                    headers = {"Accept-Language": language, **(token if "/api/" in path else cookie)}
                    status = client.get(path, params=query, headers=headers).status_code
                    statuses[status] = statuses.get(status, 0) + 1
                    if status >= 500:
                        raise SystemExit(f"{path} {query}: {status}")

            send(warmup)
            before = rss_mb(server.pid)
            started = time.perf_counter()
            send(requests)
            elapsed = time.perf_counter() - started
            after = rss_mb(server.pid)
            answers = dict(sorted(statuses.items()))
            print(f"  answers (warm-up included): {answers}, {requests / elapsed:.0f} req/s")
            return before, after
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--warmup", type=int, default=1000)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--postgres-only", action="store_true")
    args = parser.parse_args()
    backends = [b for b in ("sqlite", "postgres") if not (args.sqlite_only and b == "postgres")]
    backends = [b for b in backends if not (args.postgres_only and b == "sqlite")]
    os.environ.setdefault("PILOT_CRM_SESSION_IDLE_MINUTES", "600")
    failed = False
    print(f"{args.requests} requests with distinct parameters after a warm-up of {args.warmup}")
    print(f"{'backend':<10} {'RSS before':>11} {'RSS after':>10} {'growth':>8}  (limit {LIMIT_MB:.0f} MB)")
    for backend in backends:
        if backend == "postgres" and not postgres_reachable():
            print("postgres   skipped: not reachable")
            continue
        before, after = run_backend(backend, args.requests, args.warmup)
        growth = after - before
        verdict = "ok" if growth < LIMIT_MB else "TOO MUCH"
        failed |= growth >= LIMIT_MB
        print(f"{backend:<10} {before:>8.1f} MB {after:>7.1f} MB {growth:>+6.2f} MB  {verdict}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
