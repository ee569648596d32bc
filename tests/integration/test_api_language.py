"""The language of API answers: an explicit Accept-Language decides it, over the member's saved page
language; pages keep the saved language whatever the browser asks for."""

from __future__ import annotations

from core.testing.web import sign_in

API = "/t/alpha/api/v1"
INVALID = {"first_name": "", "last_name": "X"}  # alpha speaks es (default) and en


def _saved_english(client, env, role: str):
    member = sign_in(client, env, "alpha", role)
    member.get("/profile")
    assert member.post("/profile", {"locale": "en"}, follow_redirects=False).status_code == 303
    return member


def _required(client, env, role: str, language: str | None) -> str:
    headers = env.headers("alpha", role, locale=language)
    response = client.post(f"{API}/contacts", json=INVALID, headers=headers)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    return response.json()["errors"]["first_name"][0]


def test_an_explicit_accept_language_decides_the_problem_details_language(client, env):
    _saved_english(client, env, "government")
    assert _required(client, env, "government", "es") == "Este campo es obligatorio."
    assert _required(client, env, "government", "es-MX,en;q=0.3") == "Este campo es obligatorio."


def test_without_a_usable_header_the_saved_language_answers(client, env):
    _saved_english(client, env, "ngo")
    assert _required(client, env, "ngo", None) == "This field is required."
    # fr is not one of alpha's languages: the saved one, not the tenant's default (es).
    assert _required(client, env, "ngo", "fr") == "This field is required."


def test_pages_keep_the_saved_language_whatever_the_browser_asks(client, env):
    member = _saved_english(client, env, "observer")
    member.locale = "es"
    page = member.get("/contacts")
    assert page.status_code == 200 and '<html lang="en" dir="ltr">' in page.text
