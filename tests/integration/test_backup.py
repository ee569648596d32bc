"""``pilot-crm backup`` / ``restore``: round trip, tenant isolation, damaged archives, a live app."""

from __future__ import annotations

import io
import json
import secrets
import tarfile
from pathlib import Path

from click.testing import CliRunner

from core.cli.main import cli

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
