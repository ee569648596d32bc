"""``pilot-crm backup`` / ``restore``: round trip, tenant isolation (by slug and by the database's identity),
damaged archives, a live app, recovery onto a fresh server."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import json
import secrets
import sqlite3
import subprocess
import tarfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner
from litestar.testing import TestClient

from core.cli.main import cli
from core.db.backup import pg_tool
from core.db.piccolo_migrations.pilot_crm_core_2026_11_30t13_18_44_881878 import ID as IDENTITY_MIGRATION
from core.db.postgres import drop_database, ensure_database
from core.settings import Settings
from core.tenancy.registry import TenantRegistry
from core.testing.environment import PG_HOST, PG_PORT, PG_USER, TenantSpec
from core.web.app import create_app

API = "/t/alpha/api/v1"


def cli_args(env) -> list[str]:
    settings = env.registry.settings
    return ["--tenants-dir", str(settings.tenants_dir), "--data-dir", str(settings.data_dir)]


def invoke(env, *args, input=None, environ=None):
    return CliRunner().invoke(cli, [*cli_args(env), *args], input=input, env=environ)


def backup(env, slug: str, *extra: str) -> Path:
    result = invoke(env, "backup", "--tenant", slug, *extra)
    assert result.exit_code == 0, result.output
    archive = Path(result.output.strip())
    assert archive.is_file() and archive.name.startswith(f"{slug}-") and archive.name.endswith(".tar.gz")
    return archive


def create_org(client, env, slug="alpha", **fields):
    body = {"name": f"Backup Org {secrets.token_hex(4)}", "sector": "ngo", **fields}
    r = client.post(f"/t/{slug}/api/v1/organizations", json=body, headers=env.headers(slug, "coordinator"))
    assert r.status_code == 201, r.text
    return r.json()


def snapshot(client, env, slug="alpha") -> dict[str, list[dict]]:
    """Every organization and contact of the tenant, archived ones included, as the API shows them."""
    out = {}
    for kind in ("organizations", "contacts"):
        items, cursor = [], None
        while True:
            params = {"limit": 200, "include_archived": "true", **({"cursor": cursor} if cursor else {})}
            r = client.get(f"/t/{slug}/api/v1/{kind}", params=params, headers=env.headers(slug, "observer"))
            assert r.status_code == 200, r.text
            items.extend(r.json()["items"])
            if (cursor := r.json()["next"]) is None:
                break
        out[kind] = sorted(items, key=lambda item: item["id"])
    return out


def test_round_trip_restores_exactly_the_backed_up_data_while_the_app_runs(client, env, tmp_path):
    h = env.headers("alpha", "coordinator")
    kept = create_org(client, env, city="Puebla")
    archived_later = create_org(client, env)
    contact = client.post(
        f"{API}/contacts",
        json={"first_name": "Ana", "last_name": "Respaldo", "organization": kept["id"]},
        headers=h,
    )
    assert contact.status_code == 201
    before = snapshot(client, env)
    assert {kept["id"], archived_later["id"]} <= {o["id"] for o in before["organizations"]}

    archive = backup(env, "alpha", "--output", str(tmp_path))
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert (
        manifest["tenant"] == "alpha" and manifest["engine"] == env.backend and len(manifest["sha256"]) == 64
    )

    # Change, archive and create after the backup.
    r = client.patch(f"{API}/organizations/{kept['id']}", json={"version": 1, "city": "Oaxaca"}, headers=h)
    assert r.status_code == 200 and r.json()["version"] == 2
    assert client.post(f"{API}/organizations/{archived_later['id']}/archive", headers=h).status_code in (
        200,
        201,
    )
    created_later = create_org(client, env)
    assert snapshot(client, env) != before

    restored = invoke(env, "restore", "--tenant", "alpha", str(archive), "--yes")
    assert restored.exit_code == 0, restored.output
    assert "alpha: restored the backup of" in restored.output

    # The app was running all along (same TestClient): it now serves exactly the backed-up data.
    after = snapshot(client, env)
    assert after == before
    ids = {o["id"] for o in after["organizations"]}
    assert created_later["id"] not in ids
    org = client.get(f"{API}/organizations/{kept['id']}", headers=h).json()
    assert org["city"] == "Puebla" and org["version"] == 1 and org["archived_at"] is None
    # …and keeps working: reads and writes after the restore succeed.
    again = client.patch(
        f"{API}/organizations/{kept['id']}", json={"version": 1, "city": "Mérida"}, headers=h
    )
    assert again.status_code == 200 and again.json()["version"] == 2
    create_org(client, env)
    assert (
        client.get("/t/beta/api/v1/organizations", headers=env.headers("beta", "observer")).status_code == 200
    )


def test_default_output_is_the_data_dirs_backups_folder(client, env):
    archive = backup(env, "beta")
    assert archive.parent == env.registry.settings.data_dir / "backups"
    assert archive.stat().st_mode & 0o077 == 0  # tenant data: not readable by others


def test_a_backup_of_beta_is_refused_for_alpha(client, env, tmp_path):
    create_org(client, env, slug="beta", sector="government_ministry")
    beta_archive = backup(env, "beta", "--output", str(tmp_path))
    before = snapshot(client, env)
    refused = invoke(env, "restore", "--tenant", "alpha", str(beta_archive), "--yes")
    assert refused.exit_code == 1
    assert (
        refused.output.strip().count("\n") == 0 and "'beta'" in refused.output and "refused" in refused.output
    )
    assert snapshot(client, env) == before


def test_damaged_or_foreign_archives_are_refused_and_change_nothing(client, env, tmp_path):
    archive = backup(env, "alpha", "--output", str(tmp_path))
    create_org(client, env)  # so a wrongly applied restore would show
    before = snapshot(client, env)

    flipped = tmp_path / "flipped.tar.gz"
    data = bytearray(archive.read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 16):
        data[i] ^= 0xFF
    flipped.write_bytes(bytes(data))

    # A well-formed archive whose payload no longer matches the manifest's checksum.
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            content = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name != "manifest.json":
                content = content[:-1] + bytes([content[-1] ^ 0x01])
            dst.addfile(member, io.BytesIO(content))

    not_a_backup = tmp_path / "notes.tar.gz"
    with tarfile.open(not_a_backup, "w:gz") as tar:
        info = tarfile.TarInfo("notes.txt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"hello"))
    plain = tmp_path / "plain.txt"
    plain.write_text("not an archive")

    expected = {
        flipped: ("damaged", "checksum"),
        tampered: ("checksum",),
        not_a_backup: ("not a Pilot CRM backup",),
        plain: ("damaged",),
        tmp_path / "missing.tar.gz": ("no such file",),
    }
    for path, reasons in expected.items():
        result = invoke(env, "restore", "--tenant", "alpha", str(path), "--yes")
        assert result.exit_code == 1, (path, result.output)
        assert result.output.strip().count("\n") == 0, result.output
        assert any(reason in result.output for reason in reasons), result.output
    assert snapshot(client, env) == before


def test_restore_asks_first_and_a_no_changes_nothing(client, env, tmp_path):
    archive = backup(env, "alpha", "--output", str(tmp_path))
    create_org(client, env)
    before = snapshot(client, env)
    declined = invoke(env, "restore", "--tenant", "alpha", str(archive), input="n\n")
    assert declined.exit_code == 1 and "Replace ALL data of tenant 'alpha'" in declined.output
    assert snapshot(client, env) == before
    accepted = invoke(env, "restore", "--tenant", "alpha", str(archive), input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert snapshot(client, env) != before


def test_missing_postgresql_tools_fail_with_one_line(client, env, tmp_path):
    empty = tmp_path / "no-tools"
    empty.mkdir()
    environ = {"PILOT_CRM_PG_BINDIR": str(empty)}
    result = invoke(env, "backup", "--tenant", "alpha", "--output", str(tmp_path), environ=environ)
    if env.backend == "postgres":
        assert result.exit_code == 1 and "pg_dump not found" in result.output
        assert result.output.strip().count("\n") == 0
    else:  # SQLite backups need no external tool
        assert result.exit_code == 0, result.output


def test_unknown_tenant_is_one_line(env, tmp_path):
    result = invoke(env, "backup", "--tenant", "atlantis")
    assert result.exit_code == 1 and "atlantis" in result.output


# -- identity: an archive restores only into the database it came from ---------------------------


def read_archive(archive: Path) -> tuple[dict, bytes]:
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        return manifest, tar.extractfile(manifest["payload"]).read()  # type: ignore[union-attr]


def write_archive(path: Path, manifest: dict, payload: bytes) -> Path:
    manifest = {**manifest, "size": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
    with tarfile.open(path, "w:gz") as tar:
        for name, data in (("manifest.json", json.dumps(manifest).encode()), (manifest["payload"], payload)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def relabel(foreign: Path, own: Path, out: Path) -> Path:
    """``foreign``'s database under ``own``'s manifest (slug, identity, payload name, with the size and
    checksum recomputed): every label says it is ``own``; only the database inside can tell."""
    manifest, _ = read_archive(own)
    _, payload = read_archive(foreign)
    return write_archive(out, manifest, payload)


def test_a_relabelled_backup_of_another_tenants_database_is_refused(client, env, tmp_path):
    create_org(client, env, slug="beta", sector="government_ministry")
    alpha_archive = backup(env, "alpha", "--output", str(tmp_path))
    forged = relabel(
        backup(env, "beta", "--output", str(tmp_path)), alpha_archive, tmp_path / "forged.tar.gz"
    )
    assert read_archive(forged)[0]["tenant"] == "alpha"
    create_org(client, env)
    before = snapshot(client, env)
    refused = invoke(env, "restore", "--tenant", "alpha", str(forged), "--yes")
    assert refused.exit_code == 1, refused.output
    assert refused.output.strip().count("\n") == 0
    assert "is a backup of another tenant's database" in refused.output
    assert "created for 'beta'" in refused.output and "not of 'alpha': refused" in refused.output
    assert snapshot(client, env) == before


def test_an_archive_whose_manifest_and_database_disagree_is_refused(client, env, tmp_path):
    archive = backup(env, "alpha", "--output", str(tmp_path))
    manifest, payload = read_archive(archive)
    altered = write_archive(tmp_path / "altered.tar.gz", {**manifest, "identity": str(uuid.uuid4())}, payload)
    before = snapshot(client, env)
    refused = invoke(env, "restore", "--tenant", "alpha", str(altered), "--yes")
    assert refused.exit_code == 1 and "identity does not match the database inside" in refused.output
    assert refused.output.strip().count("\n") == 0
    assert snapshot(client, env) == before


@contextmanager
def fresh_server(env, tmp_path: Path) -> Iterator[list[str]]:
    """The CLI options of a server with alpha declared but no database yet (a new data directory, or
    a PostgreSQL database that does not exist), as when recovering from the loss of a machine."""
    url = None
    if env.backend == "postgres":
        url = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/pilot_crm_test_fresh_{secrets.token_hex(4)}"
    tenants = tmp_path / "fresh" / "tenants"
    tenants.mkdir(parents=True)
    (tenants / "alpha.toml").write_text(TenantSpec("alpha", plugins=("mexico",)).toml(url), encoding="utf-8")
    try:
        yield ["--tenants-dir", str(tenants), "--data-dir", str(tmp_path / "fresh" / "var")]
    finally:
        if url:
            asyncio.run(drop_database(url))


def test_restore_onto_a_fresh_server_checks_the_slug_recorded_in_the_database(client, env, tmp_path):
    create_org(client, env, city="Tlaxcala")
    archive = backup(env, "alpha", "--output", str(tmp_path))
    expected = snapshot(client, env)
    forged = relabel(backup(env, "beta", "--output", str(tmp_path)), archive, tmp_path / "forged.tar.gz")
    with fresh_server(env, tmp_path) as options:
        refused = CliRunner().invoke(cli, [*options, "restore", "--tenant", "alpha", str(forged), "--yes"])
        assert refused.exit_code == 1, refused.output
        assert "created for 'beta'" in refused.output and "not of 'alpha': refused" in refused.output
        restored = CliRunner().invoke(cli, [*options, "restore", "--tenant", "alpha", str(archive), "--yes"])
        assert restored.exit_code == 0, restored.output
        settings = Settings.from_env(options[3], options[1])
        with TestClient(create_app(settings, TenantRegistry.load(settings))) as fresh:
            assert snapshot(fresh, env) == expected


def test_an_archive_made_before_databases_had_an_identity_is_checked_by_slug(client, env, tmp_path):
    archive = backup(env, "alpha", "--output", str(tmp_path))
    manifest, payload = read_archive(archive)
    old = as_before_identities(env, payload, tmp_path)
    # Its manifest naming an identity that the database inside lacks: altered, refused.
    refused = invoke(
        env, "restore", "--tenant", "alpha", str(write_archive(tmp_path / "a.tar.gz", manifest, old)), "--yes"
    )
    assert refused.exit_code == 1 and "identity does not match the database inside" in refused.output
    # As such an archive really is (no identity anywhere): restored, on the slug alone.
    legacy = write_archive(tmp_path / "legacy.tar.gz", {**manifest, "identity": ""}, old)
    restored = invoke(env, "restore", "--tenant", "alpha", str(legacy), "--yes")
    assert restored.exit_code == 0, restored.output
    assert invoke(env, "tenants", "check").exit_code == 0  # and migrate gave the database its identity back
    assert invoke(env, "backup", "--tenant", "alpha", "--output", str(tmp_path / "after")).exit_code == 0


# What the release that introduced database identities changed, undone: a database as it was before.
BEFORE_IDENTITIES = (
    "DROP TABLE crm_tenant_identity",
    "ALTER TABLE crm_topic DROP COLUMN declared",
    f"DELETE FROM migration WHERE name = '{IDENTITY_MIGRATION}'",  # noqa: S608 - a constant
)


def as_before_identities(env, payload: bytes, tmp_path: Path) -> bytes:
    """The payload of a backup made before databases had an identity."""
    work = tmp_path / "older"
    work.mkdir()
    if env.backend == "sqlite":
        path = work / "payload.sqlite3"
        path.write_bytes(payload)
        with contextlib.closing(sqlite3.connect(path)) as conn:
            for statement in BEFORE_IDENTITIES:
                conn.execute(statement)
            conn.commit()
        return path.read_bytes()
    # PostgreSQL: restore the dump into a scratch database, undo the migration there, dump it again.
    url = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/pilot_crm_test_older_{secrets.token_hex(4)}"
    (work / "in.dump").write_bytes(payload)
    asyncio.run(ensure_database(url))
    try:
        subprocess.run(
            [pg_tool("pg_restore"), "--no-owner", f"--dbname={url}", str(work / "in.dump")], check=True
        )
        for statement in BEFORE_IDENTITIES:
            subprocess.run([pg_tool("psql"), url, "-qc", statement], check=True)
        out = work / "out.dump"
        subprocess.run(
            [pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={out}", url], check=True
        )
        return out.read_bytes()
    finally:
        asyncio.run(drop_database(url))
