"""Helpers for tests that run the real CLI or server: the source tree's own files, copies of the shipped
tenant declarations, a served app on a free port, translations read straight from a catalog,
installed copies of the app (wheels in fresh virtualenvs), and things built once per run however
many pytest-xdist workers ask for them."""

from __future__ import annotations

import asyncio
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from filelock import FileLock

from core.db.postgres import drop_database
from core.testing.environment import PG_HOST, PG_PORT, PG_USER
from core.testing.processes import free_port, stop  # noqa: F401 - the tests take free_port from here

# The repository checkout the tests run from (its tenants/, locales/ and plugin catalogs). The app
# itself never looks here: an installed app finds everything it ships inside its packages.
REPO_ROOT = Path(__file__).resolve().parents[1]
SHIPPED_TENANTS = ("mex", "ago", "demo-ar", "global")
# What a build of the app reads from the source tree.
BUILD_INPUTS = ("pyproject.toml", "README.md", "core", "plugins", "locales")


def translation(
    locale: str, msgid: str, catalogs: Path = REPO_ROOT / "locales", context: str | None = None
) -> str:
    """The translation of ``msgid`` (with its message ``context``, if it has one) in the catalogs
    under ``catalogs`` (core's by default; a plugin's ``locales`` folder for its strings); the msgid
    itself while it is untranslated."""
    with (catalogs / locale / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        message = read_po(fh).get(msgid, context=context)
    return (message.string if message is not None else "") or msgid


def copy_shipped_tenants(dest: Path, backend: str) -> list[str]:
    """Copy the repository's tenant declarations into ``dest``; on PostgreSQL each is pointed at a
    throwaway database of its own. Returns those databases' URLs (for ``drop_databases``)."""
    dest.mkdir(parents=True, exist_ok=True)
    urls = []
    for slug in SHIPPED_TENANTS:
        text = (REPO_ROOT / "tenants" / f"{slug}.toml").read_text(encoding="utf-8")
        if backend == "postgres":
            name = f"pilot_crm_test_{slug.replace('-', '_')}_{secrets.token_hex(4)}"
            url = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
            urls.append(url)
            # First in the file: a top-level key must come before the declaration's tables ([names]).
            text = f'database_url = "{url}"\n' + re.sub(r"(?m)^database_url\s*=.*$", "", text)
        (dest / f"{slug}.toml").write_text(text, encoding="utf-8")
    return urls


def drop_databases(urls: Sequence[str]) -> None:
    async def drop() -> None:
        for url in urls:
            await drop_database(url)

    asyncio.run(drop())


@contextmanager
def refused_port() -> Iterator[int]:
    """A loopback port that refuses connections while the block runs: bound but never listening, so
    no other process (a test in another worker) can start listening on it meanwhile."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def _wait_healthy(origin: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"pilot-crm serve exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{origin}/healthz", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"pilot-crm serve did not answer /healthz in 30 s:\n{log.read_text()[-3000:]}")


@contextmanager
def serving(
    command: Sequence[str], port: int, log: Path, env: Mapping[str, str], cwd: Path | None = None
) -> Iterator[str]:
    """Run ``command`` (a ``pilot-crm … serve --port PORT``) until the block ends, once it answers
    ``/healthz``; yields the server's origin. Its output goes to ``log``."""
    origin = f"http://127.0.0.1:{port}"
    with log.open("w") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=dict(env), cwd=cwd)
    try:
        _wait_healthy(origin, process, log)
        yield origin
    finally:
        stop(process, timeout=10)


# --- Installed copies: wheels in fresh virtualenvs ----------------------------------------------------


def run(command: Sequence[str], **kwargs) -> str:
    """Run ``command``; fail the test with its output's end unless it exits 0. Returns its stdout."""
    done = subprocess.run(list(command), capture_output=True, text=True, check=False, timeout=300, **kwargs)
    output = (done.stderr or done.stdout)[-3000:]
    assert done.returncode == 0, f"{' '.join(command)} exited {done.returncode}:\n{output}"
    return done.stdout


def app_environment() -> dict[str, str]:
    """The environment of an installed app: none of the tests' settings or interpreter paths."""
    dropped = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV"}
    return {k: v for k, v in os.environ.items() if not k.startswith("PILOT_CRM_") and k not in dropped}


def get(url: str, headers: Mapping[str, str] | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers=dict(headers or {}))  # noqa: S310 - our own server
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own 127.0.0.1 server
        return response.status, response.headers.get("Content-Type", ""), response.read()


def build_wheel(source: Path, outdir: Path) -> Path:
    """Build ``source`` as a release is built (an sdist, then the wheel from it) with the tests'
    own setuptools (no network, no build isolation); returns the wheel."""
    run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(outdir), str(source)])
    (built,) = outdir.glob("*.whl")
    return built


def run_directory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The temporary directory of the whole run: under pytest-xdist each worker's own directory is
    a folder of it, so what is made here is seen by every worker."""
    own = tmp_path_factory.getbasetemp()
    return own.parent if os.environ.get("PYTEST_XDIST_WORKER") else own


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Path]) -> Path:
    """What ``build(directory)`` returns, built once per run: the first worker to ask builds it in
    the run's directory ``name`` under a file lock; the others wait for the lock and reuse it. A
    build that failed is started again from an empty directory by the next one to ask."""
    root = run_directory(tmp_path_factory) / name
    result = root.with_name(f"{name}.result")
    with FileLock(root.with_name(f"{name}.lock")):
        if result.exists():
            return Path(result.read_text(encoding="utf-8"))
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir()
        built = build(root)
        result.write_text(str(built), encoding="utf-8")
        return built


def build_app_wheel(root: Path) -> Path:
    """The app's wheel, built from a copy of the source tree (the build writes nothing into the
    checkout)."""
    source = root / "source"
    source.mkdir(parents=True)
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "*.egg-info")
    for name in BUILD_INPUTS:
        if (REPO_ROOT / name).is_dir():
            shutil.copytree(REPO_ROOT / name, source / name, ignore=skip)
        else:
            shutil.copy2(REPO_ROOT / name, source / name)
    return build_wheel(source, root / "dist")


def fresh_venv(root: Path, *wheels: Path) -> Path:
    """A fresh virtualenv at ``root`` holding ``wheels`` alone, installed by pip without an index.
    Their dependencies are borrowed from the tests' environment through a ``.pth`` file, which puts
    them after the venv's own site-packages and does not run the ``.pth`` files found there (so the
    tests' editable install of the app stays out: the venv's own wheel shadows it)."""
    run([sys.executable, "-m", "venv", "--without-pip", str(root)])
    python = str(root / "bin" / "python")
    pip = [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index"]
    run([*pip, *map(str, wheels)])
    site = Path(sysconfig.get_path("purelib", vars={"base": str(root), "platbase": str(root)}))
    borrowed = sorted({sysconfig.get_path("purelib"), sysconfig.get_path("platlib")})
    (site / "zz-borrowed-dependencies.pth").write_text("\n".join(borrowed) + "\n", encoding="utf-8")
    return root


def record_on_topics(
    client: Any, env: Any, slug: str, entity: str, topics: Sequence[str], tag: str = ""
) -> int:
    """A new organization, meeting or joint action (``entity`` as its API path names it) of tenant
    ``slug`` on ``topics``, made by its coordinator through the API, ``tag`` in its name; its id."""
    tag = tag or secrets.token_hex(4)
    api, h = f"/t/{slug}/api/v1", env.headers(slug, "coordinator")
    if entity == "organizations":
        body: dict[str, Any] = {"name": f"Org {tag}", "sector": "academia"}
    elif entity == "meetings":
        body = {
            "title": f"Meeting {tag}",
            "meeting_type": "thematic_session",
            "mode": "in_person",
            "starts_at": "2025-07-01T09:00:00-06:00",
            "ends_at": "2025-07-01T11:00:00-06:00",
        }
    else:
        lead = client.post(
            f"{api}/organizations",
            json={"name": f"Ministry {tag}", "sector": "government_ministry"},
            headers=h,
        ).json()
        body = {"title": f"Action {tag}", "government_lead": lead["id"]}
    response = client.post(f"{api}/{entity}", json={**body, "topics": list(topics)}, headers=h)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])
