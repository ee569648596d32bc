"""No text is cut: every text field of every tenant's forms (core's and its country plugin's fields,
read from the forms API, never listed here) has a limit, and a value one character over it is
refused with a field error on the API and on the pages, naming the limit, with nothing saved. The
progress note (its own form) too. The browser is never asked to cut a value either: the form
pages carry no ``maxlength`` on the fields, which silently shortened a pasted text."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from core.actions.service import PROGRESS_FIELDS
from core.records.search import MAX_SEARCH_LENGTH
from core.testing.environment import TenantSpec, TestEnvironment, build_environment
from core.testing.web import Browser, sign_in
from core.web.app import create_app

SPECS = [
    TenantSpec("alpha", "MEX", "es", ("es", "en"), "America/Mexico_City", ("mexico",)),
    TenantSpec("beta", "AGO", "pt", ("pt", "en"), "Africa/Luanda", ("angola",)),
]
FORMS = {"organization": "organizations", "contact": "contacts", "meeting": "meetings", "action": "actions"}
TEXT_KINDS = ("text", "textarea", "url")
MAXLENGTH = re.compile(r"<(input|textarea)\b[^>]*\bmaxlength=", re.IGNORECASE)


def over(field: dict[str, Any]) -> str:
    """A value one character beyond the field's limit, valid in every other way."""
    limit = field["max_length"]
    if field["type"] == "url":
        return "https://example.org/" + "a" * (limit - len("https://example.org/") + 1)
    if field.get("pattern"):  # a formatted identifier: its shape repeated past the limit
        return "A" * (limit + 1)
    return "x" * (limit + 1)


def minimal(form: str, fields: list[dict[str, Any]]) -> dict[str, Any]:
    """Required values of ``form`` that pass (the tests here only ever make one field too long)."""
    values = {
        "name": "Limits Org",
        "first_name": "Ana",
        "last_name": "Limits",
        "title": "Limits",
        "meeting_type": "plenary",
        "starts_at": "2025-01-02T10:00",
        "ends_at": "2025-01-02T11:00",
        "mode": "online",
        "timezone": "UTC",
    }
    body = {}
    for field in fields:
        if not field["required"]:
            continue
        if field["choices"]:
            body[field["name"]] = field["choices"][0]["value"]
        else:
            body[field["name"]] = values.get(field["name"], "x")
    return body


@pytest.fixture(scope="module")
def world(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestEnvironment, Any]]:
    with build_environment(backend, tmp_path_factory.mktemp(backend), SPECS) as env:
        app = create_app(env.registry.settings, env.registry)
        with TestClient(app) as client:
            yield env, client


def text_fields(client: Any, env: TestEnvironment, slug: str) -> Iterator[tuple[str, list, dict]]:
    headers = env.headers(slug, "coordinator")
    for form in FORMS:
        fields = client.get(f"/t/{slug}/api/v1/forms/{form}", headers=headers).json()["fields"]
        for field in fields:
            if field["type"] in TEXT_KINDS:
                yield form, fields, field


def count(client: Any, env: TestEnvironment, slug: str, form: str) -> int:
    response = client.get(
        f"/t/{slug}/api/v1/{FORMS[form]}?limit=100", headers=env.headers(slug, "coordinator")
    )
    return len(response.json()["items"])


def test_every_text_field_has_a_limit(world):
    env, client = world
    fields = [(spec.slug, form, f) for spec in SPECS for form, _, f in text_fields(client, env, spec.slug)]
    assert len(fields) > 20 and {s.slug for s in SPECS} == {slug for slug, *_ in fields}
    assert not [(slug, form, f["name"]) for slug, form, f in fields if not f["max_length"]]
    assert all(f.max_length for f in PROGRESS_FIELDS if f.kind in TEXT_KINDS)


def test_an_over_limit_value_is_refused_on_the_api_naming_the_limit(world):
    env, client = world
    cases = 0
    for spec in SPECS:
        headers = {**env.headers(spec.slug, "coordinator"), "Content-Type": "application/json"}
        for form, fields, field in text_fields(client, env, spec.slug):
            before = count(client, env, spec.slug, form)
            body = {**minimal(form, fields), field["name"]: over(field)}
            url = f"/t/{spec.slug}/api/v1/{FORMS[form]}"
            response = client.post(url, content=json.dumps(body), headers=headers)
            where = f"{spec.slug} {form}.{field['name']}"
            assert response.status_code == 400, f"{where}: {response.status_code} {response.text[:300]}"
            messages = response.json()["errors"].get(field["name"])
            assert messages and str(field["max_length"]) in " ".join(messages).replace(".", "").replace(
                "\u00a0", ""
            ).replace(",", ""), f"{where}: {messages}"
            assert count(client, env, spec.slug, form) == before, where
            cases += 1
    assert cases > 20


def test_an_over_limit_value_is_refused_on_the_pages_and_nothing_is_cut(world):
    env, client = world
    cases = 0
    for spec in SPECS:
        browser: Browser = sign_in(client, env, spec.slug, "coordinator")
        for form, fields, field in text_fields(client, env, spec.slug):
            page = browser.get(f"/{FORMS[form]}/new")
            assert page.status_code == 200 and not MAXLENGTH.search(page.text), (spec.slug, form)
            before = count(client, env, spec.slug, form)
            marker = secrets.token_hex(4)
            data = {**minimal(form, fields), field["name"]: over(field)}
            if field["name"] != "name" and form == "organization":
                data["name"] = f"Limits {marker}"
            response = browser.post(f"/{FORMS[form]}/new", data, follow_redirects=False)
            where = f"{spec.slug} {form}.{field['name']}"
            assert response.status_code == 400, f"{where}: {response.status_code}"
            assert f'id="f-{field["name"]}-error"' in response.text, where
            assert count(client, env, spec.slug, form) == before, where
            cases += 1
    assert cases > 20


def test_a_long_progress_note_is_kept_whole_or_refused(world):
    """The issue's case: a 10,000-character note is saved whole; one over the limit is refused."""
    env, client = world
    slug = SPECS[0].slug
    headers = {**env.headers(slug, "coordinator"), "Content-Type": "application/json"}
    action = client.post(
        f"/t/{slug}/api/v1/actions", content=json.dumps({"title": "Notes"}), headers=headers
    ).json()["id"]
    note = "n" * 10_000
    url = f"/t/{slug}/api/v1/actions/{action}/progress"
    saved = client.post(url, content=json.dumps({"on_date": "2025-01-03", "note": note}), headers=headers)
    assert saved.status_code == 201, saved.text[:300]
    limit = next(f.max_length for f in PROGRESS_FIELDS if f.name == "note")
    refused = client.post(
        url, content=json.dumps({"on_date": "2025-01-04", "note": "n" * (limit + 1)}), headers=headers
    )
    assert refused.status_code == 400 and refused.json()["errors"]["note"]
    browser = sign_in(client, env, slug, "coordinator")
    page = browser.get(f"/actions/{action}")
    assert note in page.text and not MAXLENGTH.search(page.text)


@pytest.mark.parametrize("path", ["/contacts", "/organizations", "/meetings", "/actions", "/search"])
def test_a_search_over_its_limit_is_refused_by_the_field_not_cut(world, path):
    """Search boxes carry no ``maxlength`` either: a pasted search longer than the limit is refused
    with the limit named on the search field, and the words are shown back whole."""
    env, client = world
    browser: Browser = sign_in(client, env, SPECS[0].slug, "coordinator", "en")
    words = "trafficking " * ((MAX_SEARCH_LENGTH // 12) + 2)
    response = browser.get(path, params={"q": words})
    assert response.status_code == 400 and not MAXLENGTH.search(response.text)
    assert 'id="q-error"' in response.text and str(MAX_SEARCH_LENGTH) in response.text
    assert f'value="{words.strip()}"' in response.text or f'value="{words}"' in response.text
