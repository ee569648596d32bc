"""Hardening through HTTP, on every backend: security headers on every kind of response, HSTS and
Secure cookies only when the deployment is behind TLS, and a clear 4xx problem (never a 500, never a
write) for bodies that are too large, not JSON, not UTF-8, not an object, too deep, out of range or
carrying unknown fields. Plus a scan proving the templates need no inline script or style."""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.testing.web import sign_in
from core.web.security import CONTENT_SECURITY_POLICY, HSTS

API = "/t/alpha/api/v1"
TEMPLATES = Path(__file__).resolve().parents[2] / "core" / "web" / "templates"
EXPECTED = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
    "cross-origin-opener-policy": "same-origin",
}
BIG = "9" * 25


def marker() -> str:
    return "Hardening " + secrets.token_hex(6)


def json_headers(env, role: str = "coordinator") -> dict[str, str]:
    return {**env.headers("alpha", role), "Content-Type": "application/json"}


def assert_secure_headers(response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (name, response.request.url)


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"].startswith("https://")
    return body


def organizations_named(client, env, name: str) -> list:
    page = client.get(f"{API}/organizations", params={"q": name}, headers=env.headers("alpha", "observer"))
    assert page.status_code == 200
    return page.json()["items"]


# -- headers ---------------------------------------------------------------------------------------


def test_every_kind_of_response_carries_the_security_headers(client, env):
    browser = sign_in(client, env, "alpha", "coordinator")
    responses = [
        client.get("/t/alpha/login"),  # page, signed out
        browser.get("/organizations"),  # page, signed in
        client.get(f"{API}/organizations", headers=env.headers("alpha", "observer")),  # API
        client.get(f"{API}/organizations/999999", headers=env.headers("alpha", "observer")),  # API 404
        client.get(f"{API}/organizations"),  # 401
        client.get("/no/such/path"),  # router's own 404
        client.delete(f"{API}/topics", headers=env.headers("alpha", "coordinator")),  # 405
        client.get("/static/app.css"),  # static file
        client.get("/static/vendor/htmx.min.js"),
        client.get("/schema/openapi.json"),
        client.get("/healthz"),
        browser.get("/organizations/999999"),  # HTML error page
    ]
    assert [r.status_code for r in responses] == [200, 200, 200, 404, 401, 404, 405, 200, 200, 200, 200, 404]
    for response in responses:
        assert_secure_headers(response)
        assert "strict-transport-security" not in response.headers  # not configured for TLS


def test_the_schema_is_served_as_json_only_no_third_party_ui(client):
    document = client.get("/schema/openapi.json")
    assert document.status_code == 200 and document.json()["info"]["title"] == "Pilot CRM"
    for ui in ("/schema/swagger", "/schema/redoc", "/schema/elements", "/schema/rapidoc"):
        assert client.get(ui).status_code == 404
    assert "<script" not in client.get("/schema").text


@pytest.fixture(scope="module")
def tls_client(env) -> Iterator:
    """The same tenants served by an app configured for TLS (``secure_cookies``). It loads its own
    registry: engines and pools belong to the event loop of the client that started them."""
    from litestar.testing import TestClient

    from core.web.app import create_app

    app = create_app(dataclasses.replace(env.registry.settings, secure_cookies=True))
    with TestClient(app, base_url="https://testserver.local") as test_client:
        yield test_client


def test_hsts_and_secure_cookies_when_configured_for_tls(tls_client, env):
    for response in (
        tls_client.get("/t/alpha/login"),
        tls_client.get(f"{API}/organizations", headers=env.headers("alpha", "observer")),
        tls_client.get("/no/such/path"),
        tls_client.get("/static/app.css"),
    ):
        assert_secure_headers(response)
        assert response.headers["strict-transport-security"] == HSTS
    browser = sign_in(tls_client, env, "alpha", "coordinator")
    signed_out = browser.post("/logout", follow_redirects=False)
    assert signed_out.status_code == 303
    flashed = browser.get("/login")  # shows the flash, then clears its cookie
    cookies = [
        header
        for response in (signed_out, flashed, tls_client.get("/t/alpha/login"))
        for header in response.headers.get_list("set-cookie")
    ]
    names = {header.split("=", 1)[0] for header in cookies}
    assert {"pcrm_session", "pcrm_flash", "csrftoken"} <= names
    for header in cookies:
        flags = {part.strip().lower() for part in header.split(";")[1:]}
        assert {"secure", "httponly", "samesite=lax"} <= flags, header


def test_cookies_are_not_secure_without_tls_but_still_httponly_and_samesite(client, env):
    browser = sign_in(client, env, "alpha", "coordinator")
    signed_out = browser.post("/logout", follow_redirects=False)
    for header in signed_out.headers.get_list("set-cookie"):
        flags = {part.strip().lower() for part in header.split(";")[1:]}
        assert {"httponly", "samesite=lax"} <= flags and "secure" not in flags, header


# -- bad input -------------------------------------------------------------------------------------


def test_oversized_body_is_a_localized_413_and_writes_nothing(client, env):
    name = marker()
    body = json.dumps({"name": name, "sector": "ngo", "city": "x" * (3 * 1024 * 1024)}).encode()
    response = client.post(f"{API}/organizations", content=body, headers=json_headers(env))
    problem = assert_problem(response, 413)
    assert problem["title"] == "La solicitud es demasiado grande."  # alpha's default locale, Spanish
    english = client.post(
        f"{API}/organizations", content=body, headers={**json_headers(env), "Accept-Language": "en"}
    )
    assert assert_problem(english, 413)["title"] == "The request is too large."
    assert organizations_named(client, env, name) == []


@pytest.mark.parametrize(
    "case, body",
    [
        ("truncated", b'{"name": "@", "sector": '),
        ("not json", b"name=@&sector=ngo"),
        ("trailing garbage", b'{"name": "@", "sector": "ngo"} }'),
        ("invalid utf-8", b'{"name": "@ \xff\xfe", "sector": "ngo"}'),
        ("deep nesting", b'{"name": "@", "sector": "ngo", "topics": ' + b"[" * 5000 + b"]" * 5000 + b"}"),
        ("float overflow", b'{"name": "@", "sector": "ngo", "city": 1e999}'),
    ],
)
def test_unreadable_json_is_a_400_with_a_detail_and_writes_nothing(client, env, case, body):
    name = marker()
    response = client.post(
        f"{API}/organizations",
        content=body.replace(b"@", name.encode()),
        headers={**json_headers(env), "Accept-Language": "en"},
    )
    problem = assert_problem(response, 400)
    expected = "not valid UTF-8" if case == "invalid utf-8" else "not valid JSON"
    assert expected in problem["detail"], problem
    assert organizations_named(client, env, name) == []


@pytest.mark.parametrize("body", [b"[1, 2]", b'"a string"', b"42", b"null", b"true"])
def test_a_body_that_is_not_an_object_is_a_400_field_error(client, env, body):
    observer = env.headers("alpha", "observer")
    before = client.get(f"{API}/organizations", params={"limit": 200}, headers=observer).json()
    response = client.post(f"{API}/organizations", content=body, headers=json_headers(env))
    assert assert_problem(response, 400)["errors"]
    after = client.get(f"{API}/organizations", params={"limit": 200}, headers=observer).json()
    assert after["items"] == before["items"]


def _records(client, env):
    """An organization, a contact, a meeting and a joint action to aim bad input at."""
    h = env.headers("alpha", "coordinator")
    org = client.post(f"{API}/organizations", json={"name": marker(), "sector": "ngo"}, headers=h).json()
    gov = client.post(
        f"{API}/organizations", json={"name": marker(), "sector": "government_ministry"}, headers=h
    ).json()
    person = {"first_name": "Ana", "last_name": marker(), "organization": org["id"]}
    contact = client.post(f"{API}/contacts", json=person, headers=h).json()
    meeting = client.post(
        f"{API}/meetings",
        json={
            "title": marker(),
            "meeting_type": "launch",
            "mode": "online",
            "starts_at": "2025-05-06T10:00:00-06:00",
            "ends_at": "2025-05-06T11:00:00-06:00",
        },
        headers=h,
    ).json()
    joint = {"title": marker(), "government_lead": gov["id"], "partners": [org["id"]]}
    action = client.post(f"{API}/actions", json=joint, headers=h).json()
    return org, contact, meeting, action


def test_unknown_fields_are_refused_field_by_field_on_every_kind_of_body(client, env):
    h = {**env.headers("alpha", "coordinator"), "Accept-Language": "en"}
    org, contact, meeting, action = _records(client, env)
    name = marker()
    created = client.post(f"{API}/organizations", json={"name": name, "sector": "ngo", "owner": 1}, headers=h)
    assert assert_problem(created, 400)["errors"] == {"owner": ["Unknown field."]}
    assert organizations_named(client, env, name) == []
    updated = client.patch(
        f"{API}/organizations/{org['id']}", json={"version": org["version"], "is_admin": True}, headers=h
    )
    assert assert_problem(updated, 400)["errors"] == {"is_admin": ["Unknown field."]}
    assert client.get(f"{API}/organizations/{org['id']}", headers=h).json() == org
    progress = client.post(
        f"{API}/actions/{action['id']}/progress",
        json={"on_date": "2026-01-15", "note": "Avance", "author": 1},
        headers=h,
    )
    assert assert_problem(progress, 400)["errors"] == {"author": ["Unknown field."]}
    assert client.get(f"{API}/actions/{action['id']}/progress", headers=h).json() == []
    attendee = client.put(
        f"{API}/meetings/{meeting['id']}/attendees/{contact['id']}",
        json={"status": "attended", "organization": org["id"]},
        headers=h,
    )
    assert assert_problem(attendee, 400)["errors"] == {"organization": ["Unknown field."]}
    assert client.get(f"{API}/meetings/{meeting['id']}/attendees", headers=h).json() == []
    not_object = client.put(
        f"{API}/meetings/{meeting['id']}/attendees/{contact['id']}", json=["attended"], headers=h
    )
    assert assert_problem(not_object, 400)["errors"]
    assert client.get(f"{API}/meetings/{meeting['id']}/attendees", headers=h).json() == []


def test_out_of_range_numbers_are_a_400_never_a_driver_overflow(client, env):
    h = {**env.headers("alpha", "coordinator"), "Accept-Language": "en"}
    org, contact, meeting, _ = _records(client, env)
    last_name = marker()
    for number in (BIG, "-" + BIG, "1e308"):
        response = client.post(
            f"{API}/contacts",
            content=f'{{"first_name": "Ana", "last_name": "{last_name}", "organization": {number}}}'.encode(),
            headers=json_headers(env),
        )
        assert list(assert_problem(response, 400)["errors"]) == ["organization"]
    listed = client.get(f"{API}/contacts", params={"q": last_name}, headers=h).json()
    assert listed["items"] == []
    stale = client.patch(
        f"{API}/organizations/{org['id']}",
        content=f'{{"version": {BIG}, "city": "Nowhere"}}'.encode(),
        headers=json_headers(env),
    )
    assert list(assert_problem(stale, 400)["errors"]) == ["version"]
    assert client.get(f"{API}/organizations/{org['id']}", headers=h).json() == org
    for method, path in (
        ("GET", f"/organizations/{BIG}"),
        ("PATCH", f"/organizations/{BIG}"),
        ("POST", f"/actions/{BIG}/progress"),
        ("PUT", f"/meetings/{BIG}/attendees/{contact['id']}"),
        ("PUT", f"/meetings/{meeting['id']}/attendees/{BIG}"),
        ("GET", f"/organizations?limit={BIG}"),
    ):
        response = client.request(method, API + path, json={"status": "invited", "version": 1}, headers=h)
        assert_problem(response, 400)
    assert client.get(f"{API}/meetings/{meeting['id']}/attendees", headers=h).json() == []
    for path, name in (
        ("/contacts", "organization"),
        ("/meetings", "organization"),
        ("/actions", "government_lead"),
        ("/actions", "origin_meeting"),
        ("/actions", "partner"),
    ):
        for value in (BIG, "\u00b2"):  # out of range; a digit to str.isdigit() that int() refuses
            listed = client.get(API + path, params={name: value}, headers=h)
            assert listed.status_code == 200 and listed.json()["items"] == [], (path, name, value)


def test_nul_and_control_characters_are_a_400_never_a_driver_error(client, env):
    """PostgreSQL text cannot hold NUL: in an address it is refused before any handler runs, in a
    text field it is a field error (other control characters too), in a cursor it is invalid."""
    h = {**env.headers("alpha", "coordinator"), "Accept-Language": "en"}
    for path in (
        "/contacts?role=f%00r",
        "/contacts?q=a%00b",
        "/audit?entity=%00",
        "/audit/export?by=x%00%40example.org",
    ):
        assert_problem(client.get(API + path, headers=h), 400)
    browser = sign_in(client, env, "alpha", "coordinator", locale="en")
    assert browser.get("/contacts?q=a%00b").status_code == 400
    last_name = marker()
    for bad in (r"Ana\u0000", r"Ana\u0007Ruiz", r"\u001b[31mAna"):  # JSON escapes
        response = client.post(
            f"{API}/contacts",
            content=f'{{"first_name": "{bad}", "last_name": "{last_name}"}}'.encode(),
            headers={**json_headers(env), "Accept-Language": "en"},
        )
        problem = assert_problem(response, 400)
        assert problem["errors"] == {"first_name": ["Remove the control characters from this text."]}
    assert client.get(f"{API}/contacts", params={"q": last_name}, headers=h).json()["items"] == []
    multiline = client.post(
        f"{API}/meetings",
        json={
            "title": "Tab\tand lines",
            "meeting_type": "launch",
            "mode": "online",
            "starts_at": "2025-01-01T10:00:00-06:00",
            "ends_at": "2025-01-01T11:00:00-06:00",
            "agenda": "1. One\r\n2. Two",
        },
        headers=h,
    )
    assert multiline.status_code == 201, multiline.text  # tab and line breaks are text
    for cursor in (
        base64.urlsafe_b64encode(json.dumps(["Ruiz", int(BIG)]).encode()).decode(),
        base64.urlsafe_b64encode(json.dumps(["Ru\u0000iz", 1]).encode()).decode(),
    ):
        response = client.get(f"{API}/contacts", params={"cursor": cursor}, headers=h)
        assert list(assert_problem(response, 400)["errors"]) == ["cursor"]


# -- templates -------------------------------------------------------------------------------------

INLINE = {
    "inline script": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE),
    "style attribute": re.compile(r"\sstyle\s*=", re.IGNORECASE),
    "style element": re.compile(r"<style[\s>]", re.IGNORECASE),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def test_templates_need_no_inline_script_or_style():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 10
    found = [
        f"{path.relative_to(TEMPLATES)}: {kind}"
        for path in templates
        for kind, pattern in INLINE.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
