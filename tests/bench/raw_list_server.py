#!/usr/bin/env python
"""The reference side of ``bench_http_list.py``: a minimal ASGI app serving the contacts list by hand.

It does the work the product's ``GET /t/{slug}/api/v1/contacts?limit=50`` does, with the driver and
nothing else: check the bearer token against the tenant's token table, read the page and the list's
count with the *same SQL and arguments* the product ran (captured by the benchmark and handed over
in a JSON file), turn rows into the same records (JSON columns decoded, ``extra`` merged, the ``next``
cursor), encode the body with msgspec. aiosqlite on one connection opened with the product's
settings (type converters, pragmas), or an asyncpg pool sized like the product's.

Served by uvicorn, one worker, with the protocol class and options ``pilot-crm serve`` uses.

Run by the benchmark:  python tests/bench/raw_list_server.py CONFIG.json PORT
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiosqlite  # noqa: E402
import asyncpg  # noqa: E402
import msgspec  # noqa: E402
import uvicorn  # noqa: E402

from core.web.server import BoundedHttpToolsProtocol  # noqa: E402

JSON_LISTS = ("emails", "phones", "roles")
json_decode = msgspec.json.Decoder().decode
UNAUTHORIZED = b'{"status":401}'


def _cursor(value: Any, row_id: int) -> str:
    raw = json.dumps([value, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _record(row: dict[str, Any]) -> dict[str, Any]:
    row.pop("search_text", None)
    for column in JSON_LISTS:
        value = row[column]
        row[column] = [] if value is None else json_decode(value) if isinstance(value, str) else value
    extra = row.pop("extra", None)
    extra = {} if extra is None else json_decode(extra) if isinstance(extra, str) else extra
    if extra:
        row.update(extra)
    return row


def _body(rows: list[dict[str, Any]], limit: int, total: int) -> bytes:
    more = len(rows) > limit
    items = [_record(row) for row in rows[:limit]]
    nxt = _cursor(items[-1]["last_name"], items[-1]["id"]) if more else None
    return msgspec.json.encode({"items": items, "next": nxt, "previous": None, "total": total})


class RawList:
    """The ASGI app. ``config``: backend, database (path or DSN), pool sizes, the path it serves,
    the page size, and the token, page and count SQL with their fixed arguments."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.path = config["path"]
        self.limit = config["limit"]
        self.token_sql = config["token_sql"]
        self.page_sql, self.page_args = config["page_sql"], config["page_args"]
        self.count_sql, self.count_args = config["count_sql"], config["count_args"]
        self.sqlite: aiosqlite.Connection | None = None
        self.pool: asyncpg.Pool | None = None

    async def start(self) -> None:
        if self.config["backend"] == "sqlite":
            self.sqlite = await aiosqlite.connect(
                self.config["database"],
                detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES,
                isolation_level=None,
                timeout=self.config["busy_timeout"],
            )
            for pragma in self.config["pragmas"]:
                await self.sqlite.execute(pragma)
        else:
            self.pool = await asyncpg.create_pool(
                dsn=self.config["database"], min_size=1, max_size=self.config["pool_size"]
            )

    async def stop(self) -> None:
        if self.sqlite is not None:
            await self.sqlite.close()
        if self.pool is not None:
            await self.pool.close()

    async def _sqlite_fetch(self, sql: str, args: list[Any]) -> list[dict[str, Any]]:
        assert self.sqlite is not None
        async with self.sqlite.execute(sql, args) as cur:
            names = [d[0] for d in cur.description]
            return [dict(zip(names, r, strict=True)) for r in await cur.fetchall()]

    async def _fetch(self, sql: str, args: list[Any]) -> list[dict[str, Any]]:
        if self.pool is None:
            return await self._sqlite_fetch(sql, args)
        return [dict(r) for r in await self.pool.fetch(sql, *args)]

    async def page(self, token: str) -> bytes | None:
        digest = hashlib.sha256(token.encode()).hexdigest()
        users = await self._fetch(self.token_sql, [digest, datetime.now(UTC)])
        if not users or not users[0]["active"]:
            return None
        rows = await self._fetch(self.page_sql, self.page_args)
        (counted,) = await self._fetch(self.count_sql, self.count_args)
        return _body(rows, self.limit, next(iter(counted.values())))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await self.start()
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await self.stop()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        status, body = 404, b""
        if scope["path"] == self.path:
            auth = next((v for k, v in scope["headers"] if k == b"authorization"), b"").decode("latin-1")
            found = await self.page(auth[7:].strip()) if auth[:7].lower() == "bearer " else None
            status, body = (200, found) if found is not None else (401, UNAUTHORIZED)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    uvicorn.run(
        RawList(config),
        host="127.0.0.1",
        port=int(sys.argv[2]),
        workers=1,
        log_level="info",  # the options `pilot-crm serve` gives uvicorn (core/cli/main.py)
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        http=BoundedHttpToolsProtocol,
    )


if __name__ == "__main__":
    main()
