"""API tokens: scoped (read / write), expiring and revocable; issued, listed and revoked with the
``pilot-crm tokens`` commands and used over HTTP, on every backend."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from core.accounts import service as accounts
from core.cli.main import cli
from core.testing.web import sign_in

API = "/t/alpha/api/v1"


def _cli(env, *args: str, input: str | None = None):
    settings = env.registry.settings
    dirs = ["--tenants-dir", str(settings.tenants_dir), "--data-dir", str(settings.data_dir)]
    return CliRunner().invoke(cli, [*dirs, *args], input=input)


def _member(env, role: str = "ngo") -> str:
    """A new member of alpha (so each test revokes and deactivates only its own)."""
    email = f"tok-{secrets.token_hex(4)}@example.org"
    added = _cli(
        env, "users", "add", "--tenant", "alpha", "--email", email, "--role", role, "--password-stdin",
        input="a long enough password\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    return email


def _token(env, email: str, *options: str) -> str:
    created = _cli(env, "tokens", "create", "--tenant", "alpha", "--email", email, *options)
    assert created.exit_code == 0, created.output
    token = created.output.strip()
    assert created.output == token + "\n"  # only the token
    return token


def _rows(env, *options: str) -> list[dict[str, str]]:
    listed = _cli(env, "tokens", "list", "--tenant", "alpha", *options)
    assert listed.exit_code == 0, listed.output
    header, *lines = listed.output.splitlines()
    keys = header.split("\t")
    assert keys == ["id", "member", "name", "scope", "created", "expires", "last used", "revoked"]
    return [dict(zip(keys, line.split("\t"), strict=True)) for line in lines]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _clock(monkeypatch, shift: timedelta) -> None:
    """Move the clock tokens are checked against by ``shift``."""
    monkeypatch.setattr(accounts, "_now", lambda: datetime.now(UTC) + shift)


def test_a_read_token_reads_but_cannot_write(client, env):
    email = _member(env, "coordinator")
    read = _token(env, email, "--scope", "read", "--name", "reporting")
    write = _token(env, email)
    name = f"Fundación Lectura {secrets.token_hex(4)}"
    body = {"name": name, "sector": "ngo"}
    refused = client.post(
        f"{API}/organizations", json=body, headers={**_bearer(read), "Accept-Language": "en"}
    )
    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["detail"] == "This token may only read."
    spanish = client.post(
        f"{API}/organizations", json=body, headers={**_bearer(read), "Accept-Language": "es"}
    )
    assert spanish.status_code == 403 and spanish.json()["detail"] == "Este token solo permite lecturas."
    found = client.get(f"{API}/organizations", params={"q": name}, headers=_bearer(read))
    assert found.status_code == 200 and found.json()["items"] == []  # nothing written

    created = client.post(f"{API}/organizations", json=body, headers=_bearer(write))
    assert created.status_code == 201, created.text
    org = created.json()
    patch = {"name": name + " cambiado", "version": org["version"]}
    refused = client.patch(f"{API}/organizations/{org['id']}", json=patch, headers=_bearer(read))
    assert refused.status_code == 403
    assert client.get(f"{API}/organizations/{org['id']}", headers=_bearer(read)).json() == org

    rows = {row["name"]: row for row in _rows(env, "--email", email)}
    assert rows["reporting"]["scope"] == "read" and rows["cli"]["scope"] == "write"


def test_an_expired_token_is_refused(client, env, monkeypatch):
    email = _member(env)
    token = _token(env, email, "--expires-in-days", "1")
    (row,) = _rows(env, "--email", email)
    assert row["expires"] != "never"
    assert client.get(f"{API}/organizations", headers=_bearer(token)).status_code == 200
    _clock(monkeypatch, timedelta(days=1, minutes=1))
    assert client.get(f"{API}/organizations", headers=_bearer(token)).status_code == 401
    never = _token(env, email)
    assert client.get(f"{API}/organizations", headers=_bearer(never)).status_code == 200
    assert _rows(env, "--email", email)[0]["expires"] == "never"


def test_a_revoked_token_is_refused_and_an_unknown_id_is_an_error(client, env):
    email = _member(env)
    token = _token(env, email)
    other = _token(env, email)
    assert client.get(f"{API}/organizations", headers=_bearer(token)).status_code == 200
    by_token = {row["id"]: row for row in _rows(env, "--email", email)}
    token_id = min(by_token, key=int)  # the first issued
    revoked = _cli(env, "tokens", "revoke", "--tenant", "alpha", "--id", token_id)
    assert revoked.exit_code == 0, revoked.output
    assert client.get(f"{API}/organizations", headers=_bearer(token)).status_code == 401
    assert client.get(f"{API}/organizations", headers=_bearer(other)).status_code == 200
    rows = {row["id"]: row for row in _rows(env, "--email", email)}
    assert rows[token_id]["revoked"] != "-" and len(rows) == 2
    assert [row["revoked"] for row_id, row in rows.items() if row_id != token_id] == ["-"]

    unknown = _cli(env, "tokens", "revoke", "--tenant", "alpha", "--id", "987654321")
    assert unknown.exit_code == 1
    assert unknown.output.strip() == "error: no token 987654321 in tenant 'alpha'"


def test_deactivating_a_member_revokes_their_tokens_for_good(client, env):
    email = _member(env)
    tokens = [_token(env, email), _token(env, email, "--scope", "read")]
    for token in tokens:
        assert client.get(f"{API}/organizations", headers=_bearer(token)).status_code == 200
    coordinator = sign_in(client, env, "alpha", "coordinator")
    page = coordinator.get("/members").text
    match = re.search(rf'<tr id="member-(\d+)"[^>]*>\s*<td[^>]*>{re.escape(email)}</td>', page)
    assert match
    member_id = match.group(1)
    coordinator.get(f"/members/{member_id}/deactivate")
    done = coordinator.post(f"/members/{member_id}/deactivate", {}, follow_redirects=False)
    assert done.status_code == 303
    for token in tokens:
        assert client.get(f"{API}/organizations", headers=_bearer(token)).status_code == 401
    assert all(row["revoked"] != "-" for row in _rows(env, "--email", email))
    audit = client.get(
        f"{API}/audit",
        params={"entity": "member", "entity_id": member_id},
        headers=env.headers("alpha", "coordinator"),
    )
    assert audit.status_code == 200
    entry = next(item for item in audit.json() if item["action"] == "deactivate")
    assert entry["after"] == {"active": False, "tokens_revoked": 2}

    coordinator.get("/members")
    coordinator.post(f"/members/{member_id}/reactivate", {})
    for token in tokens:
        assert client.get(f"{API}/organizations", headers=_bearer(token)).status_code == 401


def test_the_list_shows_metadata_and_never_the_token_or_its_hash(env):
    email = _member(env)
    token = _token(env, email, "--name", "sync job", "--scope", "read")
    listed = _cli(env, "tokens", "list", "--tenant", "alpha")
    assert listed.exit_code == 0
    from core.accounts.tokens import hash_token

    assert token not in listed.output and hash_token(token) not in listed.output
    mine = [row for row in _rows(env) if row["member"] == email]
    assert len(mine) == 1
    (row,) = mine
    assert (row["name"], row["scope"], row["expires"], row["last used"], row["revoked"]) == (
        "sync job",
        "read",
        "never",
        "-",
        "-",
    )
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["created"])
    assert _rows(env, "--email", "nobody@example.org") == []


@pytest.mark.parametrize("later", [timedelta(seconds=30), timedelta(seconds=61)])
def test_last_used_is_recorded_at_most_once_a_minute(client, env, monkeypatch, later):
    email = _member(env)
    token = _token(env, email)
    assert _rows(env, "--email", email)[0]["last used"] == "-"
    assert client.get(f"{API}/organizations", headers=_bearer(token)).status_code == 200
    first = _rows(env, "--email", email)[0]["last used"]
    assert first != "-"
    _clock(monkeypatch, later)
    assert client.get(f"{API}/organizations", headers=_bearer(token)).status_code == 200
    second = _rows(env, "--email", email)[0]["last used"]
    if later < accounts.LAST_USED_RESOLUTION:
        assert second == first
    else:
        assert second > first
