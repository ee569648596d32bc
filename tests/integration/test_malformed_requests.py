"""Malformed requests against a real ``pilot-crm serve`` (uvicorn, raw sockets), on every route the
app has (every operation of its OpenAPI document and every page route, read from the app), on its
404 and error pages, static files and the schema: a bad, missing or repeated Host header, odd
request targets, bad percent-encoding, overlong headers and addresses. The answer is a 4xx (the
app's problem document, or the server's own refusal), never a 5xx, and the server logs no
traceback. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.testing.environment import TestEnvironment
from core.testing.surface import api_operations, page_operations
from core.web.app import create_app
from core.web.guard import MAX_HEAD_BYTES, MAX_PATH_BYTES, MAX_QUERY_BYTES
from tests.support import free_port, serving

CLI = str(Path(sys.executable).with_name("pilot-crm"))
EXTRA_PATHS = [
    "/",
    "/no/such/path",
    "/t/alpha/no/such/page",
    "/t/nowhere/login",
    "/static/app.css",
    "/schema/openapi.json",
    "/healthz",
]


@pytest.fixture(scope="module")
def server(env: TestEnvironment, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, Path]]:
    settings = env.registry.settings
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    command = [
        CLI,
        "--data-dir",
        str(settings.data_dir),
        "--tenants-dir",
        str(settings.tenants_dir),
        "serve",
        "--port",
        str(port),
    ]
    with serving(command, port, log, os.environ):
        yield port, log


@pytest.fixture(scope="module")
def targets(env: TestEnvironment, server: tuple[int, Path]) -> list[str]:
    """Every route of the app as a request target in tenant alpha (path parameters filled with 1),
    plus pages that do not exist, static files and the schema."""
    port, _ = server
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        api = api_operations(client)
    operations = api + page_operations(create_app(env.registry.settings, env.registry), api)
    paths = set(EXTRA_PATHS)
    for op in operations:
        path = op.path.replace("{tenant_slug}", "alpha")
        for name in op.params:
            path = path.replace("{" + name + "}", "1")
        paths.add(path)
    return sorted(paths)


def exchange(port: int, raw: bytes) -> tuple[int, bytes]:
    """Send ``raw`` as it is; the status code and body of the answer (0 when the server closed the
    connection before the client could read an answer: it refused the request mid-way)."""
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        try:
            sock.sendall(raw)
            while chunk := sock.recv(65536):
                data += chunk
        except (BrokenPipeError, ConnectionResetError):
            pass
    if not data:
        return 0, b""
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def request(
    target: str, headers: list[tuple[str, str | bytes]], method: str = "GET", version: str = "1.1"
) -> bytes:
    lines = [f"{method} {target} HTTP/{version}".encode()]
    for name, value in headers:
        lines.append(name.encode() + b": " + (value if isinstance(value, bytes) else value.encode("latin-1")))
    return b"\r\n".join([*lines, b"Connection: close", b"", b""])


HOSTS_REFUSED = {
    "a port that is not a number": "localhost:abc",
    "a port out of range": "localhost:99999999",
    "an unclosed IPv6 literal": "[::1",
    "an invalid IPv6 literal": "[nothing]:80",
    "a user in the host": "user@localhost",
    "a path in the host": "localhost/evil",
    "an empty port": "localhost:",
}


def assert_refused(port: int, raw: bytes, where: str, expected: set[int]) -> None:
    status, body = exchange(port, raw)
    assert status in expected, f"{where}: {status} {body[:300]!r}"
    if body.startswith(b"{"):  # the app's own refusal: a problem document
        problem = json.loads(body)
        assert problem["status"] == status and problem["title"], where


def test_a_malformed_host_is_a_400_on_every_route(server, targets):
    port, log = server
    for target in targets:
        for method in ("GET", "POST"):
            for case, host in HOSTS_REFUSED.items():
                headers = [("Host", host), ("Content-Length", "0")]
                assert_refused(
                    port, request(target, headers, method), f"{method} {target} with {case}", {400}
                )
            assert_refused(
                port, request(target, [("Host", "a"), ("Host", "b")], method), f"{target} two hosts", {400}
            )
            assert_refused(port, request(target, [], method), f"{method} {target} with no Host", {400})
    assert "Traceback" not in log.read_text()


@given(
    port_text=st.text(
        st.characters(min_codepoint=33, max_codepoint=126, exclude_characters="0123456789/?#@[]"),
        min_size=1,
        max_size=12,
    )
)
def test_generated_ports_that_are_not_numbers_are_refused(server, port_text):
    port, _ = server
    assert_refused(port, request("/t/alpha/login", [("Host", f"localhost:{port_text}")]), port_text, {400})


def test_odd_targets_and_bad_percent_encoding_are_4xx_never_5xx(server, targets):
    port, log = server
    odd = [
        "*",
        "//t//alpha//login",
        "/t/alpha/../../etc/passwd",
        "/static/../core/settings.py",
        "/t/%ff%fe/login",
        "/t/alpha/contacts%zz",
        "/t/alpha/contacts%",
        "/t/alpha/%00",
        "/t/alpha%2flogin",
        "http://evil.example/t/alpha/login",
    ]
    for target in odd + [f"{t}?q=%ff%fe&next=%zz&%=1" for t in targets]:
        status, body = exchange(port, request(target, [("Host", "localhost")]))
        assert 0 < status < 500, f"{target}: {status} {body[:300]!r}"
    assert "Traceback" not in log.read_text()


def test_overlong_heads_and_addresses_are_refused_while_normal_ones_pass(server):
    port, log = server
    ok = request("/t/alpha/login", [("Host", "localhost"), ("Cookie", "a=" + "b" * 2000)])
    assert exchange(port, ok)[0] == 200
    cases = {
        "one long header": request(
            "/t/alpha/login", [("Host", "localhost"), ("X-Long", "a" * (MAX_HEAD_BYTES + 1))]
        ),
        "eight megabytes of header": request(
            "/t/alpha/login", [("Host", "localhost"), ("X-Long", "a" * 8_000_000)]
        ),
        "many headers": request(
            "/t/alpha/login", [("Host", "localhost"), *((f"X-{i}", "1") for i in range(2000))]
        ),
        "a long path": request("/t/alpha/" + "a" * MAX_PATH_BYTES, [("Host", "localhost")]),
        "a long query": request("/t/alpha/contacts?q=" + "a" * MAX_QUERY_BYTES, [("Host", "localhost")]),
        "a long API query": request(
            "/t/alpha/api/v1/contacts?q=" + "a" * MAX_QUERY_BYTES, [("Host", "localhost")]
        ),
    }
    for case, raw in cases.items():
        status, _ = exchange(port, raw)
        # 0: the server refused the head while it was still arriving and closed the connection.
        assert status in (400, 414, 431) or (status == 0 and "megabytes" in case), f"{case}: {status}"
    assert exchange(port, ok)[0] == 200  # the server is still up and serving
    assert "Traceback" not in log.read_text()
