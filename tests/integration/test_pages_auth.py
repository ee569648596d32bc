"""Signing in and out, CSRF, language switching and the organization pages, through HTTP."""

from __future__ import annotations

import secrets

from core.testing.web import Browser, sign_in


def test_pages_need_a_signed_in_member(client, env):
    anonymous = Browser(client, "alpha")
    response = anonymous.get("/organizations", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/t/alpha/login?next=/t/alpha/organizations"


def test_wrong_password_is_refused_in_the_members_language_and_throttled(client, env):
    browser = Browser(client, "beta", locale="pt")
    browser.get("/login")
    email = f"nobody-{secrets.token_hex(3)}@beta.test"
    for _ in range(5):
        response = browser.post("/login", {"email": email, "password": "nope", "next": "/t/beta/"})
        assert response.status_code == 400
    assert 'lang="pt"' in response.text
    blocked = browser.post("/login", {"email": email, "password": "nope", "next": "/t/beta/"})
    assert blocked.status_code == 429
    # Other accounts from the same address are not locked out by it.
    assert sign_in(client, env, "beta", "observer").get("/organizations").status_code == 200


def test_sign_in_rotates_the_session_and_sign_out_ends_it(client, env):
    browser = Browser(client, "alpha")
    browser.get("/login")
    browser.cookies["pcrm_session"] = "planted-by-an-attacker"
    browser.post(
        "/login",
        {
            "email": env.email("alpha", "ngo"),
            "password": __import__("core.testing.environment", fromlist=["TEST_PASSWORD"]).TEST_PASSWORD,
            "next": "/t/alpha/organizations",
        },
        follow_redirects=False,
    )
    session = browser.cookies["pcrm_session"]
    assert session != "planted-by-an-attacker"
    assert browser.get("/organizations").status_code == 200
    browser.get("/organizations")
    out = browser.post("/logout", {}, follow_redirects=False)
    assert out.status_code == 303
    replay = Browser(client, "alpha")
    replay.cookies["pcrm_session"] = session
    assert replay.get("/organizations", follow_redirects=False).status_code == 303


def test_forms_without_the_csrf_token_are_refused(client, env):
    browser = sign_in(client, env, "alpha", "coordinator")
    browser.get("/organizations/new")
    response = browser.post("/organizations/new", {"name": "x", "sector": "ngo"}, csrf=False)
    assert response.status_code == 403


def test_a_session_of_one_tenant_is_nothing_in_another(client, env):
    browser = sign_in(client, env, "alpha", "coordinator")
    stolen = Browser(client, "beta")
    stolen.cookies = dict(browser.cookies)
    response = stolen.get("/organizations", follow_redirects=False)
    assert response.status_code == 303 and "/t/beta/login" in response.headers["location"]


def test_language_switch_is_limited_to_the_tenants_locales(client, env):
    browser = sign_in(client, env, "alpha", "observer")
    browser.get("/organizations")
    browser.post("/language", {"lang": "en", "next": "/t/alpha/organizations"})
    assert '<html lang="en" dir="ltr">' in browser.get("/organizations").text
    browser.post("/language", {"lang": "ar", "next": "/t/alpha/organizations"})  # not offered in alpha
    assert '<html lang="es" dir="ltr">' in browser.get("/organizations").text


def test_organization_pages_create_show_and_keep_values_on_error(client, env):
    browser = sign_in(client, env, "alpha", "ngo", locale="es")
    browser.get("/organizations/new")
    name = "Colectivo " + secrets.token_hex(3)
    bad = browser.post(
        "/organizations/new", {"name": name, "sector": "ngo", "website": "no-es-una-url", "mx_state": "JAL"}
    )
    assert bad.status_code == 400
    assert f'value="{name}"' in bad.text and "no-es-una-url" in bad.text
    assert "http://" in bad.text and 'aria-invalid="true"' in bad.text
    created = browser.post(
        "/organizations/new",
        {"name": name, "sector": "ngo", "mx_state": "JAL", "topics": ["TIP"]},
        follow_redirects=False,
    )
    assert created.status_code == 303
    page = browser.get(created.headers["location"])
    assert name in page.text and "Jalisco" in page.text and "TIP" in page.text


def test_observers_see_no_edit_controls_and_forged_posts_are_refused(client, env):
    coordinator = sign_in(client, env, "alpha", "coordinator")
    coordinator.get("/organizations/new")
    made = coordinator.post(
        "/organizations/new", {"name": "Org " + secrets.token_hex(3), "sector": "ngo"}, follow_redirects=False
    )
    path = made.headers["location"].removeprefix("/t/alpha")
    observer = sign_in(client, env, "alpha", "observer")
    page = observer.get(path)
    assert page.status_code == 200 and f"{path}/edit" not in page.text and "/archive" not in page.text
    assert observer.get(f"{path}/edit").status_code == 403
    forged = observer.post(f"{path}/archive", {})
    assert forged.status_code == 403
    assert coordinator.get(path).status_code == 200 and "archived" not in coordinator.get(path).text.lower()


def test_unknown_pages_explain_themselves_in_the_members_language(client, env):
    browser = sign_in(client, env, "beta", "observer", locale="pt")
    response = browser.get("/organizations/999999")
    assert response.status_code == 404 and 'lang="pt"' in response.text
