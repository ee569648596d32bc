"""My profile (language, password), members (coordinators) and the audit log page, through HTTP.

Each test adds its own members through the members page, so the shared test accounts keep their
language and password for the other tests of the module."""

from __future__ import annotations

import re
import secrets
from typing import Any

from markupsafe import escape

from core.testing.web import Browser, sign_in

ONE_TIME_PASSWORD = re.compile(r'<code class="secret" id="one-time-password">([^<]+)</code>')


def _open(
    client: Any, slug: str, email: str, password: str, locale: str | None = None
) -> tuple[Browser, Any]:
    """A browser after a sign-in attempt with these credentials, and the sign-in response."""
    browser = Browser(client, slug, locale)
    browser.get("/login")
    response = browser.post(
        "/login", {"email": email, "password": password, "next": f"/t/{slug}/"}, follow_redirects=False
    )
    return browser, response


def _add_member(coordinator: Browser, role: str = "observer", name: str = "") -> tuple[str, str, Any]:
    """Add a member on the members page: (email, the one-time password shown, the page)."""
    email = f"member-{secrets.token_hex(4)}@example.org"
    coordinator.get("/members")
    page = coordinator.post("/members", {"email": email, "display_name": name, "role": role})
    assert page.status_code == 200, page.text[:1000]
    match = ONE_TIME_PASSWORD.search(page.text)
    assert match, "the one-time password is shown on the page"
    return email, match.group(1), page


def _member_id(coordinator: Browser, email: str) -> int:
    page = coordinator.get("/members").text
    match = re.search(rf'<tr id="member-(\d+)"[^>]*>\s*<td[^>]*>{re.escape(email)}</td>', page)
    assert match, email
    return int(match.group(1))


def _new_member(
    client: Any, env: Any, slug: str = "alpha", role: str = "observer"
) -> tuple[Browser, str, str]:
    coordinator = sign_in(client, env, slug, "coordinator")
    email, password, _ = _add_member(coordinator, role)
    browser, response = _open(client, slug, email, password)
    assert response.status_code == 303
    return browser, email, password


def test_a_coordinator_adds_a_member_whose_one_time_password_signs_in(client, env):
    coordinator = sign_in(client, env, "alpha", "coordinator")
    email, password, page = _add_member(coordinator, "ngo", name="Ana Pérez")
    assert page.headers["cache-control"] == "no-store"
    assert password not in "".join(page.headers.get_list("set-cookie"))
    assert email in page.text and "Ana Pérez" in page.text
    again = coordinator.get("/members")
    assert password not in again.text  # shown once only
    member, response = _open(client, "alpha", email, password)
    assert response.status_code == 303
    assert member.get("/profile").status_code == 200


def test_adding_a_member_explains_mistakes_next_to_the_fields(client, env):
    coordinator = sign_in(client, env, "alpha", "coordinator", locale="es")
    coordinator.get("/members")
    bad = coordinator.post("/members", {"email": "not-an-email", "display_name": "Keep me", "role": "king"})
    assert bad.status_code == 400
    assert 'value="Keep me"' in bad.text and 'value="not-an-email"' in bad.text
    assert 'id="f-email-error"' in bad.text and 'id="f-role-error"' in bad.text
    assert "Seleccione una opción válida." in bad.text
    taken = coordinator.post("/members", {"email": env.email("alpha", "ngo"), "role": "ngo"})
    assert taken.status_code == 409
    assert "Ya existe un miembro con esta dirección de correo electrónico." in taken.text


def test_profile_language_change_persists(client, env):
    member, _, _ = _new_member(client, env)
    assert '<html lang="es" dir="ltr">' in member.get("/profile").text
    saved = member.post("/profile", {"locale": "en"}, follow_redirects=False)
    assert saved.status_code == 303
    page = member.get(saved.headers["location"])
    assert '<html lang="en" dir="ltr">' in page.text and "Your language is saved." in page.text
    assert '<html lang="en"' in member.get("/organizations").text
    refused = member.post("/profile", {"locale": "pt"})  # not one of alpha's languages
    assert refused.status_code == 400 and 'aria-invalid="true"' in refused.text
    assert '<html lang="en"' in member.get("/profile").text


def test_wrong_current_password_is_refused_inline_in_the_members_language(client, env):
    member, _, password = _new_member(client, env)
    member.get("/profile")
    wrong = member.post(
        "/profile/password",
        {"current_password": "not my password", "new_password": "short", "confirm_password": "short"},
    )
    assert wrong.status_code == 400 and '<html lang="es"' in wrong.text
    spanish = env.registry.get("alpha").translator("es").gettext("The current password is not correct.")
    assert f'<p class="error" id="f-current_password-error">{escape(spanish)}</p>' in wrong.text
    assert wrong.text.count('aria-invalid="true"') == 2
    assert "Utilice al menos 10 caracteres." in wrong.text  # next to the new password
    assert "not my password" not in wrong.text  # passwords are never sent back
    mismatch = member.post(
        "/profile/password",
        {"current_password": password, "new_password": "a long new password", "confirm_password": "other"},
    )
    assert mismatch.status_code == 400 and 'id="f-confirm_password-error"' in mismatch.text


def test_password_change_replaces_the_old_one_and_ends_other_sessions(client, env):
    member, email, old = _new_member(client, env)
    other_device, _ = _open(client, "alpha", email, old)
    assert other_device.get("/profile").status_code == 200
    new = "a much longer passphrase " + secrets.token_hex(2)
    member.get("/profile")
    changed = member.post(
        "/profile/password",
        {"current_password": old, "new_password": new, "confirm_password": new},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert member.get("/profile").status_code == 200  # this browser stays signed in
    assert other_device.get("/profile", follow_redirects=False).status_code == 303  # the others do not
    assert _open(client, "alpha", email, old)[1].status_code == 400
    assert _open(client, "alpha", email, new)[1].status_code == 303


def test_role_change_takes_effect_and_a_coordinator_cannot_demote_themselves(client, env):
    coordinator = sign_in(client, env, "alpha", "coordinator")
    member, email, _ = _new_member(client, env, role="observer")
    assert member.get("/organizations/new").status_code == 403
    member_id = _member_id(coordinator, email)
    changed = coordinator.post(f"/members/{member_id}/role", {"role": "ngo"}, follow_redirects=False)
    assert changed.status_code == 303
    assert member.get("/organizations/new").status_code == 200
    own_id = env.users[("alpha", "coordinator")]["id"]
    refused = coordinator.post(f"/members/{own_id}/role", {"role": "observer"})
    assert refused.status_code == 200 and "flash-error" in refused.text
    assert coordinator.get("/members").status_code == 200  # still a coordinator
    refused = coordinator.post(f"/members/{own_id}/deactivate", {})
    assert "flash-error" in refused.text and coordinator.get("/members").status_code == 200


def test_deactivation_ends_the_members_session_and_reactivation_restores_access(client, env):
    coordinator = sign_in(client, env, "alpha", "coordinator")
    member, email, password = _new_member(client, env, role="ngo")
    assert member.get("/organizations").status_code == 200
    member_id = _member_id(coordinator, email)
    confirm = coordinator.get(f"/members/{member_id}/deactivate")
    assert confirm.status_code == 200 and email in confirm.text
    done = coordinator.post(f"/members/{member_id}/deactivate", {}, follow_redirects=False)
    assert done.status_code == 303
    gone = member.get("/organizations", follow_redirects=False)
    assert gone.status_code == 303 and "/t/alpha/login" in gone.headers["location"]
    assert _open(client, "alpha", email, password)[1].status_code == 400
    coordinator.get("/members")
    coordinator.post(f"/members/{member_id}/reactivate", {})
    assert _open(client, "alpha", email, password)[1].status_code == 303


def test_only_coordinators_manage_members_and_read_the_audit_log(client, env):
    coordinator_id = env.users[("alpha", "coordinator")]["id"]
    for role in ("government", "ngo", "observer"):
        browser = sign_in(client, env, "alpha", role)
        assert browser.get("/members").status_code == 403
        assert browser.get("/audit").status_code == 403
        browser.get("/profile")
        assert browser.post("/members", {"email": "x@example.org", "role": "coordinator"}).status_code == 403
        assert browser.post(f"/members/{coordinator_id}/deactivate", {}).status_code == 403
    assert "/members" not in sign_in(client, env, "alpha", "observer").get("/profile").text


def test_the_audit_log_lists_member_changes_escaped_and_paged(client, env):
    coordinator = sign_in(client, env, "alpha", "coordinator")
    email, _, _ = _add_member(coordinator, "observer", name="<script>alert(1)</script>")
    member_id = _member_id(coordinator, email)
    coordinator.post(f"/members/{member_id}/role", {"role": "government"})
    page = coordinator.get("/audit?entity=member")
    assert page.status_code == 200
    entry = page.text.split(f'href="/t/alpha/members#member-{member_id}"', 1)
    assert len(entry) == 2, "the member's entries link to their row"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert" not in page.text
    # only the changed field, before → after
    assert re.search(r'<td data-label="[^"]+">observer</td><td data-label="[^"]+">government</td>', page.text)
    assert env.email("alpha", "coordinator") in page.text
    nobody = coordinator.get("/audit?by=nobody@example.org")
    assert "member-" + str(member_id) not in nobody.text
    first = coordinator.get("/audit")
    ids = [int(i) for i in re.findall(r'<tr id="entry-(\d+)">', first.text)]
    assert ids == sorted(ids, reverse=True)  # newest first
    older = coordinator.get(f"/audit?before={ids[-1]}")
    assert all(int(i) < ids[-1] for i in re.findall(r'<tr id="entry-(\d+)">', older.text))


def test_a_coordinator_of_one_pilot_cannot_manage_another(client, env):
    alpha = sign_in(client, env, "alpha", "coordinator")
    stolen = Browser(client, "beta")
    stolen.cookies = dict(alpha.cookies)
    for path in ("/members", "/audit", "/profile"):
        response = stolen.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/t/beta/login")
    beta_member = env.users[("beta", "observer")]["id"]
    forged = stolen.post(f"/members/{beta_member}/deactivate", {}, follow_redirects=False)
    assert forged.status_code in (303, 403)
    beta = sign_in(client, env, "beta", "observer")
    assert beta.get("/profile").status_code == 200  # the beta member is untouched


def test_guessing_the_current_password_is_throttled(client, env):
    from core.testing.web import sign_in as _sign_in

    browser = _sign_in(client, env, "beta", "government")
    browser.get("/profile")
    for _ in range(5):
        wrong = browser.post(
            "/profile/password",
            {"current_password": "guess", "new_password": "x" * 12, "confirm_password": "x" * 12},
        )
        assert wrong.status_code == 400
    blocked = browser.post(
        "/profile/password",
        {"current_password": "guess", "new_password": "x" * 12, "confirm_password": "x" * 12},
    )
    assert blocked.status_code == 429
