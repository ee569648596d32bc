"""Invitations and password resets by mail, and idle session expiry, through HTTP and the CLI, with
a real SMTP server (core.testing's ``smtp_sink``) receiving the mails, on every backend."""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from litestar.testing import TestClient
from markupsafe import escape

from core.accounts.tables import AccountLink, User, WebSession
from core.audit import service as audit
from core.cli.main import cli
from core.settings import MailSettings
from core.tenancy.context import tenant_context
from core.testing.mail import MailSink, body_text, mailed_link, outbox_mails
from core.testing.web import Browser, sign_in
from tests.support import refused_port

NEW_PASSWORD = "a brand new passphrase"
LINK_GONE = "Este enlace ya no es válido"  # alpha speaks Spanish by default


@pytest.fixture(scope="module")
def client(env, smtp_sink: MailSink) -> Iterator[TestClient]:
    """The app serving ``env``, sending its mail to the module's SMTP sink."""
    from core.web.app import create_app

    settings = dataclasses.replace(
        env.registry.settings, mail=smtp_sink.settings, base_url="http://testserver.local"
    )
    with TestClient(create_app(settings, env.registry)) as test_client:
        yield test_client


def _db(client: TestClient, env: Any, slug: str, work: Any) -> Any:
    """Run ``work()`` (a coroutine function) in ``slug``'s database, on the app's own event loop."""

    async def run() -> Any:
        with tenant_context(env.registry.get(slug)):
            return await work()

    return client.blocking_portal.call(run)


def _path(link: str) -> str:
    return urlsplit(link).path


def _invite(coordinator: Browser, locale: str = "es", role: str = "observer") -> tuple[str, Any]:
    email = f"invitee-{secrets.token_hex(4)}@example.org"
    coordinator.get("/members/invite")
    response = coordinator.post(
        "/members/invite",
        {"email": email, "display_name": "Ana Invitada", "role": role, "locale": locale},
        follow_redirects=False,
    )
    return email, response


def _invited_link(client: TestClient, env: Any, mailbox: MailSink, **options: Any) -> tuple[str, str]:
    """Invite a new member of alpha as its coordinator: (email, path of the mailed link)."""
    coordinator = sign_in(client, env, "alpha", "coordinator")
    email, response = _invite(coordinator, **options)
    assert response.status_code == 303, response.text[:1000]
    (mail,) = mailbox.wait_for(1)
    return email, _path(mailed_link(mail))


def _accept(
    client: TestClient, path: str, password: str = NEW_PASSWORD, **fields: str
) -> tuple[Browser, Any]:
    browser = Browser(client, "alpha")
    page = browser.get(path)
    assert page.status_code == 200, page.text[:500]
    data = {"display_name": "Ana", "password": password, "confirm_password": password, **fields}
    return browser, browser.post(path, data, follow_redirects=False)


def _member(client: TestClient, env: Any, mailbox: MailSink) -> tuple[str, Browser]:
    """A new active member of alpha (invited and accepted), signed in: (email, their browser)."""
    email, path = _invited_link(client, env, mailbox)
    browser, accepted = _accept(client, path)
    assert accepted.status_code == 303
    mailbox.clear()
    return email, browser


def _sign_in(client: TestClient, email: str, password: str) -> tuple[Browser, Any]:
    browser = Browser(client, "alpha")
    browser.get("/login")
    response = browser.post(
        "/login", {"email": email, "password": password, "next": "/t/alpha/"}, follow_redirects=False
    )
    return browser, response


# --- Invitations ---------------------------------------------------------------------------------


def test_an_invitation_is_mailed_in_the_members_language_and_accepting_it_signs_in(client, env, mailbox):
    coordinator = sign_in(client, env, "alpha", "coordinator")
    email, response = _invite(coordinator, locale="es")
    assert response.status_code == 303
    listed = coordinator.get(response.headers["location"])
    assert f"Se ha enviado una invitación a {email}." in listed.text
    assert re.search(rf'<tr id="invitation-\d+">\s*<td[^>]*>{re.escape(email)}</td>', listed.text)

    (mail,) = mailbox.wait_for(1)
    tenant = env.registry.get("alpha")
    assert mail["To"] == email and mail["From"] == "pilot-crm@test.example"
    assert mail["Subject"] == f"Invitación a {tenant.declaration.name}"
    assert mail["Content-Language"] == "es"
    text = body_text(mail)
    assert " de 20" in text  # the expiry date is written the Spanish way ("… de noviembre de 2026 …")
    assert "coordinator@alpha.test" in text  # who invited them
    html = mail.get_body(preferencelist=("html",))
    assert html is not None and 'lang="es"' in html.get_content()
    link = mailed_link(mail)
    assert link.startswith("http://testserver.local/t/alpha/invite/")

    invitee = Browser(client, "alpha")
    page = invitee.get(_path(link))
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert escape(email) in page.text and "Test tenant alpha" in page.text
    again = invitee.get(_path(link))  # opening it (a mail scanner, a second click) does not spend it
    assert again.status_code == 200

    accepted = invitee.post(
        _path(link),
        {"display_name": "Ana Aceptada", "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        follow_redirects=False,
    )
    assert accepted.status_code == 303 and accepted.headers["location"] == "/t/alpha/"
    dashboard = invitee.get("/")
    assert dashboard.status_code == 200 and "Ana Aceptada" in dashboard.text

    members = coordinator.get("/members").text
    assert not re.search(rf'<tr id="invitation-\d+">\s*<td[^>]*>{re.escape(email)}</td>', members)
    assert re.search(rf'<tr id="member-\d+"[^>]*>\s*<td[^>]*>{re.escape(email)}</td>', members)
    _, signed_in = _sign_in(client, email, NEW_PASSWORD)
    assert signed_in.status_code == 303

    async def actions() -> list[str]:
        user = await User.select(User.id).where(User.email == email).first().run()
        return [entry["action"] for entry in await audit.history("member", user["id"])]

    assert _db(client, env, "alpha", actions) == ["invite_accept", "invite"]


def test_an_invitation_link_works_once(client, env, mailbox):
    _, path = _invited_link(client, env, mailbox)
    _, first = _accept(client, path)
    assert first.status_code == 303
    second = Browser(client, "alpha")
    second.get("/login")
    reused = second.post(
        path, {"display_name": "X", "password": "another long one", "confirm_password": "another long one"}
    )
    assert reused.status_code == 404 and LINK_GONE in reused.text
    assert second.get(path).status_code == 404


def test_the_password_rules_apply_and_a_refused_form_does_not_spend_the_link(client, env, mailbox):
    _, path = _invited_link(client, env, mailbox)
    browser = Browser(client, "alpha", locale="en")
    browser.get(path)
    short = browser.post(path, {"display_name": "A", "password": "short", "confirm_password": "short"})
    assert short.status_code == 400 and "Use at least 10 characters." in short.text
    mismatch = browser.post(
        path, {"display_name": "A", "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD + "!"}
    )
    assert mismatch.status_code == 400 and "The two passwords are not the same." in mismatch.text
    # A name over the account's limit is refused by its field (no maxlength cuts it in the browser).
    long_name = browser.post(
        path, {"display_name": "N" * 201, "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    assert long_name.status_code == 400 and "Enter at most 200 characters." in long_name.text
    control = re.search(r'<input id="f-display_name"[^>]*>', long_name.text)
    assert control and 'aria-invalid="true"' in control.group(0) and "maxlength" not in control.group(0)
    _, accepted = _accept(client, path)
    assert accepted.status_code == 303


def test_an_expired_invitation_is_refused_and_can_be_resent(client, env, mailbox):
    email, path = _invited_link(client, env, mailbox)

    async def expire() -> None:
        past = datetime.now(UTC) - timedelta(minutes=1)
        user = await User.select(User.id).where(User.email == email).first().run()
        await AccountLink.update({AccountLink.expires_at: past}).where(AccountLink.user == user["id"]).run()

    _db(client, env, "alpha", expire)
    browser = Browser(client, "alpha")
    gone = browser.get(path)
    assert gone.status_code == 404 and LINK_GONE in gone.text
    assert gone.headers["cache-control"] == "no-store"
    coordinator = sign_in(client, env, "alpha", "coordinator")
    members = coordinator.get("/members").text
    row = rf'<tr id="invitation-(\d+)">\s*<td[^>]*>{re.escape(email)}</td>(.*?)</tr>'
    match = re.search(row, members, re.S)
    assert match and "Caducada" in match.group(2)
    mailbox.clear()
    resent = coordinator.post(f"/members/{match.group(1)}/invitation/resend", follow_redirects=False)
    assert resent.status_code == 303
    (mail,) = mailbox.wait_for(1)
    _, accepted = _accept(client, _path(mailed_link(mail)))
    assert accepted.status_code == 303


def test_resending_replaces_the_link_and_withdrawing_cancels_the_invitation(client, env, mailbox):
    email, old_path = _invited_link(client, env, mailbox)
    coordinator = sign_in(client, env, "alpha", "coordinator")
    member_id = re.search(
        rf'<tr id="invitation-(\d+)">\s*<td[^>]*>{re.escape(email)}</td>', coordinator.get("/members").text
    )
    assert member_id
    mailbox.clear()
    assert (
        coordinator.post(
            f"/members/{member_id.group(1)}/invitation/resend", follow_redirects=False
        ).status_code
        == 303
    )
    (mail,) = mailbox.wait_for(1)
    new_path = _path(mailed_link(mail))
    assert new_path != old_path and mail["To"] == email
    assert Browser(client, "alpha").get(old_path).status_code == 404
    assert Browser(client, "alpha").get(new_path).status_code == 200

    withdrawn = coordinator.post(f"/members/{member_id.group(1)}/invitation/revoke", follow_redirects=False)
    assert withdrawn.status_code == 303
    page = coordinator.get(withdrawn.headers["location"]).text
    assert f"Se ha retirado la invitación para {email}." in page and f">{email}</td>" not in page
    assert Browser(client, "alpha").get(new_path).status_code == 404
    _, again = _invite_email(coordinator, email)
    assert again.status_code == 303  # the address is free again


def _invite_email(coordinator: Browser, email: str) -> tuple[str, Any]:
    coordinator.get("/members/invite")
    response = coordinator.post(
        "/members/invite",
        {"email": email, "display_name": "", "role": "ngo", "locale": "en"},
        follow_redirects=False,
    )
    return email, response


def test_inviting_an_existing_member_or_bad_values_are_field_errors(client, env, mailbox):
    coordinator = sign_in(client, env, "alpha", "coordinator", locale="en")
    _, existing = _invite_email(coordinator, env.email("alpha", "ngo").upper())
    assert existing.status_code == 400
    assert "A member with this email address already exists." in existing.text
    assert 'id="f-email-error"' in existing.text
    coordinator.get("/members/invite")
    bad = coordinator.post(
        "/members/invite", {"email": "not-an-address", "display_name": "", "role": "king", "locale": "pt"}
    )
    assert bad.status_code == 400
    for name in ("email", "role", "locale"):
        assert f'id="f-{name}-error"' in bad.text
    assert mailbox.messages == []


TOO_MANY_INVITATIONS = (
    "Demasiadas invitaciones en la última hora, suyas o a esta dirección. "
    "Espere una hora y vuelva a intentarlo."
)


def _refusal(page: Any) -> str:
    match = re.search(r'<p class="form-error" role="alert" id="invitation-refused">([^<]*)</p>', page.text)
    assert match, page.text[:1000]
    return match.group(1)


def test_one_address_gets_at_most_three_invitations_an_hour(client, env, mailbox):
    """The first invitation and two resends are mailed; the next resend is refused (429) on the
    members page, in the coordinator's language, and mails nothing. Another address is unaffected."""
    email, _ = _invited_link(client, env, mailbox)
    coordinator = sign_in(client, env, "alpha", "coordinator")
    member_id = re.search(
        rf'<tr id="invitation-(\d+)">\s*<td[^>]*>{re.escape(email)}</td>', coordinator.get("/members").text
    )
    assert member_id
    resend = f"/members/{member_id.group(1)}/invitation/resend"
    for _ in range(2):
        assert coordinator.post(resend, follow_redirects=False).status_code == 303
    assert len(mailbox.wait_for(3)) == 3
    refused = coordinator.post(resend, follow_redirects=False)
    assert refused.status_code == 429 and str(escape(TOO_MANY_INVITATIONS)) == _refusal(refused)
    with pytest.raises(AssertionError):
        mailbox.wait_for(4, timeout=1)
    assert _invite(coordinator)[1].status_code == 303


def test_a_coordinator_sends_at_most_thirty_invitations_an_hour(client, env, mailbox):
    """Invitations refused for a mistake do not count; past the budget the form answers 429, keeps
    what was typed, and nothing is created or mailed."""
    coordinator = sign_in(client, env, "alpha", "coordinator")
    coordinator.get("/members/invite")
    bad = coordinator.post("/members/invite", {"email": "not-an-address", "role": "ngo", "locale": "es"})
    assert bad.status_code == 400
    for _ in range(30):
        assert _invite(coordinator)[1].status_code == 303
    mailbox.wait_for(30)
    email, refused = _invite(coordinator)
    assert refused.status_code == 429 and str(escape(TOO_MANY_INVITATIONS)) == _refusal(refused)
    assert f'value="{email}"' in refused.text
    assert email not in coordinator.get("/members").text
    with pytest.raises(AssertionError):
        mailbox.wait_for(31, timeout=1)
    # Another coordinator has a budget of their own.
    coordinator.get("/members")
    added = coordinator.post(
        "/members", {"email": f"coord-{secrets.token_hex(3)}@alpha.test", "role": "coordinator"}
    )
    one_time = re.search(r'id="one-time-password">([^<]+)<', added.text)
    assert one_time
    second, signed_in = _sign_in(
        client, re.search(r"(coord-\w+@alpha\.test)", added.text).group(1), one_time.group(1)
    )
    assert signed_in.status_code == 303
    assert _invite(second)[1].status_code == 303


def test_only_coordinators_invite(client, env):
    for role in ("government", "ngo", "observer"):
        browser = sign_in(client, env, "alpha", role)
        assert browser.get("/members/invite").status_code == 403
        posted = browser.post(
            "/members/invite", {"email": "x@example.org", "role": "observer", "locale": "es"}
        )
        assert posted.status_code == 403
        assert browser.post("/members/1/invitation/resend").status_code == 403
        assert browser.post("/members/1/invitation/revoke").status_code == 403


def test_every_form_needs_its_csrf_token(client, env, mailbox):
    coordinator = sign_in(client, env, "alpha", "coordinator")
    refused = coordinator.post(
        "/members/invite", {"email": "csrf@example.org", "role": "observer", "locale": "es"}, csrf=False
    )
    assert refused.status_code == 403
    _, path = _invited_link(client, env, mailbox)
    browser = Browser(client, "alpha")
    browser.get(path)
    fields = {"display_name": "A", "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert browser.post(path, fields, csrf=False).status_code == 403
    assert browser.post("/password/forgot", {"email": "x@example.org"}, csrf=False).status_code == 403
    assert browser.post("/password/reset/whatever", fields, csrf=False).status_code == 403
    assert browser.post(path, fields, follow_redirects=False).status_code == 303  # the link was not spent


def test_a_link_of_one_tenant_is_unknown_in_another(client, env, mailbox):
    _, path = _invited_link(client, env, mailbox)
    other = path.replace("/t/alpha/", "/t/beta/")
    browser = Browser(client, "beta")
    assert browser.get(other).status_code == 404
    fields = {"display_name": "A", "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    assert browser.post(other, fields).status_code == 404
    _, accepted = _accept(client, path)  # still valid where it belongs
    assert accepted.status_code == 303


def test_without_a_mail_server_the_link_is_kept_in_the_outbox_and_shown_once(client, env, mailbox):
    app = client.app
    configured = app.state.settings
    app.state.settings = dataclasses.replace(configured, mail=MailSettings())
    before = len(env.run(client, "alpha", outbox_mails))
    try:
        coordinator = sign_in(client, env, "alpha", "coordinator")
        email, page = _invite(coordinator)
    finally:
        app.state.settings = configured
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    assert f"No se ha podido enviar por correo la invitación para {email}" in page.text
    shown = re.search(r'<code class="secret" id="invitation-link">([^<]+)</code>', page.text)
    assert shown
    (kept_mail,) = env.run(client, "alpha", outbox_mails)[before:]  # in the tenant's database
    assert kept_mail["To"] == email
    assert mailed_link(kept_mail) == shown.group(1)
    assert env.run(client, "beta", lambda: outbox_mails(email)) == []  # and only in its tenant's
    assert not (configured.data_dir / "outbox").exists()  # nothing on this host's disk
    assert mailbox.messages == []
    assert "invitation-link" not in coordinator.get("/members").text  # shown once
    _, accepted = _accept(client, _path(shown.group(1)))
    assert accepted.status_code == 303


def test_a_failed_mail_leaves_the_invitation_pending(client, env, mailbox):
    app = client.app
    configured = app.state.settings
    with refused_port() as port:
        app.state.settings = dataclasses.replace(
            configured, mail=MailSettings(host="127.0.0.1", port=port, timeout=2)
        )
        try:
            coordinator = sign_in(client, env, "alpha", "coordinator")
            email, response = _invite(coordinator)
        finally:
            app.state.settings = configured
    assert response.status_code == 303
    page = coordinator.get(response.headers["location"]).text
    assert "no se ha podido enviar el correo" in page
    member_id = re.search(rf'<tr id="invitation-(\d+)">\s*<td[^>]*>{re.escape(email)}</td>', page)
    assert member_id
    resent = coordinator.post(f"/members/{member_id.group(1)}/invitation/resend", follow_redirects=False)
    assert resent.status_code == 303
    assert mailbox.wait_for(1)[0]["To"] == email


# --- Command line --------------------------------------------------------------------------------


def _cli(env: Any, *args: str) -> Any:
    settings = env.registry.settings
    dirs = ["--tenants-dir", str(settings.tenants_dir), "--data-dir", str(settings.data_dir)]
    return CliRunner().invoke(cli, [*dirs, *args])


def test_the_cli_invites_by_mail_or_prints_the_link(client, env, mailbox, monkeypatch):
    for name in [key for key in os.environ if key.startswith("PILOT_CRM_SMTP_")]:
        monkeypatch.delenv(name)
    email = f"cli-{secrets.token_hex(4)}@example.org"
    printed = _cli(env, "users", "invite", "--tenant", "alpha", "--email", email, "--role", "ngo",
                   "--base-url", "https://crm.example.org")  # fmt: skip
    assert printed.exit_code == 0, printed.output
    link = printed.output.strip().splitlines()[-1]
    assert link.startswith("https://crm.example.org/t/alpha/invite/")
    assert mailbox.messages == []
    _, accepted = _accept(client, _path(link))
    assert accepted.status_code == 303

    monkeypatch.setenv("PILOT_CRM_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PILOT_CRM_SMTP_PORT", str(mailbox.port))
    second = f"cli-{secrets.token_hex(4)}@example.org"
    mailed = _cli(env, "users", "invite", "--tenant", "alpha", "--email", second, "--role", "observer",
                  "--locale", "en", "--name", "Bo")  # fmt: skip
    assert mailed.exit_code == 0 and f"alpha: invitation mailed to {second}" in mailed.output
    (mail,) = mailbox.wait_for(1)
    assert mail["To"] == second and mail["Content-Language"] == "en"
    assert "You are invited to join" in body_text(mail)
    assert mailed_link(mail).startswith("http://127.0.0.1:8000/t/alpha/invite/")

    taken = _cli(env, "users", "invite", "--tenant", "alpha", "--email", second, "--role", "ngo")
    assert taken.exit_code == 1 and "already exists" in taken.output


# --- Password reset ------------------------------------------------------------------------------


def _forgot(client: TestClient, email: str) -> Any:
    browser = Browser(client, "alpha")
    page = browser.get("/login")
    assert "/t/alpha/password/forgot" in page.text
    browser.get("/password/forgot")
    return browser.post("/password/forgot", {"email": email})


def test_a_reset_link_sets_a_new_password_and_ends_every_other_session(client, env, mailbox):
    email, other_session = _member(client, env, mailbox)
    assert other_session.get("/contacts").status_code == 200

    # A locked-out member can still reset their password, and the lockout is lifted.
    for _ in range(5):
        _sign_in(client, email, "wrong password")
    assert _sign_in(client, email, NEW_PASSWORD)[1].status_code == 429

    sent = _forgot(client, email.upper())
    assert sent.status_code == 200 and 'id="reset-sent"' in sent.text
    (mail,) = mailbox.wait_for(1)
    assert mail["To"] == email and mail["Content-Language"] == "es"
    path = _path(mailed_link(mail))
    assert path.startswith("/t/alpha/password/reset/")

    browser = Browser(client, "alpha")
    form = browser.get(path)
    assert form.status_code == 200 and form.headers["cache-control"] == "no-store"
    mismatch = browser.post(path, {"password": "another passphrase", "confirm_password": "something else!"})
    assert mismatch.status_code == 400
    done = browser.post(
        path,
        {"password": "another passphrase", "confirm_password": "another passphrase"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/t/alpha/"
    assert done.headers["cache-control"] == "no-store"
    assert browser.get("/contacts").status_code == 200  # this browser is signed in

    ended = other_session.get("/contacts", follow_redirects=False)
    assert ended.status_code == 303 and "/login" in ended.headers["location"]
    assert _sign_in(client, email, NEW_PASSWORD)[1].status_code == 400
    assert _sign_in(client, email, "another passphrase")[1].status_code == 303

    again = Browser(client, "alpha")
    again.get("/login")
    reused = again.post(path, {"password": "a third passphrase", "confirm_password": "a third passphrase"})
    assert reused.status_code == 404 and LINK_GONE in reused.text


def test_forgot_password_answers_the_same_for_unknown_addresses_and_sends_nothing(client, env, mailbox):
    known = _forgot(client, env.email("alpha", "observer"))
    (mail,) = mailbox.wait_for(1)
    mailbox.clear()
    unknown = _forgot(client, f"nobody-{secrets.token_hex(4)}@example.org")
    assert (known.status_code, unknown.status_code) == (200, 200)

    def message(response: Any) -> str:
        match = re.search(r'<p role="status" id="reset-sent">(.*?)</p>', response.text)
        assert match
        return match.group(1)

    assert message(known) == message(unknown)
    with pytest.raises(AssertionError):
        mailbox.wait_for(1, timeout=1)
    assert mail["To"] == env.email("alpha", "observer")


@pytest.mark.parametrize(
    ("host", "mailed"),
    [("attacker.example", None), ("localhost", "http://localhost/t/alpha/password/reset/")],
)
def test_without_a_base_url_links_only_follow_a_trusted_host(client, env, mailbox, host, mailed):
    """The Host header is the client's: with no PILOT_CRM_BASE_URL, a reset asked for through an
    undeclared host mails nothing (it would hand the victim a link to that host), while the local
    machine (the demo) still works. The answer is the same either way."""
    app = client.app
    configured = app.state.settings
    app.state.settings = dataclasses.replace(configured, base_url="")
    try:
        browser = Browser(client, "alpha")
        browser.host = host
        browser.get("/password/forgot")
        sent = browser.post("/password/forgot", {"email": env.email("alpha", "government")})
    finally:
        app.state.settings = configured
    assert sent.status_code == 200 and 'id="reset-sent"' in sent.text
    if mailed is None:
        with pytest.raises(AssertionError):
            mailbox.wait_for(1, timeout=1)
    else:
        assert mailed_link(mailbox.wait_for(1)[0]).startswith(mailed)


def test_a_new_reset_link_replaces_the_previous_one(client, env, mailbox):
    email, _ = _member(client, env, mailbox)
    _forgot(client, email)
    first = _path(mailed_link(mailbox.wait_for(1)[0]))
    mailbox.clear()
    _forgot(client, email)
    second = _path(mailed_link(mailbox.wait_for(1)[0]))
    assert Browser(client, "alpha").get(first).status_code == 404
    assert Browser(client, "alpha").get(second).status_code == 200


def test_reset_requests_are_throttled_per_account(client, env, mailbox):
    email, _ = _member(client, env, mailbox)
    for _ in range(3):
        assert _forgot(client, email).status_code == 200
    mailbox.wait_for(3)
    mailbox.clear()
    throttled = _forgot(client, email)
    assert throttled.status_code == 429 and 'id="forgot-error"' in throttled.text
    with pytest.raises(AssertionError):
        mailbox.wait_for(1, timeout=1)
    assert _forgot(client, f"other-{secrets.token_hex(4)}@example.org").status_code == 200


def test_an_expired_reset_link_is_refused(client, env, mailbox):
    email, _ = _member(client, env, mailbox)
    _forgot(client, email)
    path = _path(mailed_link(mailbox.wait_for(1)[0]))

    async def expire() -> None:
        past = datetime.now(UTC) - timedelta(seconds=1)
        await AccountLink.update({AccountLink.expires_at: past}).where(AccountLink.purpose == "reset").run()

    _db(client, env, "alpha", expire)
    browser = Browser(client, "alpha")
    assert browser.get(path).status_code == 404
    browser.get("/login")
    posted = browser.post(path, {"password": "another passphrase", "confirm_password": "another passphrase"})
    assert posted.status_code == 404
    assert _sign_in(client, email, NEW_PASSWORD)[1].status_code == 303  # the password did not change


# --- Idle sessions -------------------------------------------------------------------------------


def _session_seen(client: TestClient, env: Any, email: str, shift: timedelta | None = None) -> datetime:
    """The member's session's last_seen_at, after moving it back by ``shift``."""

    async def work() -> datetime:
        user = await User.select(User.id).where(User.email == email).first().run()
        mine = WebSession.user == user["id"]
        if shift is not None:
            row = await WebSession.select(WebSession.last_seen_at).where(mine).first().run()
            await WebSession.update({WebSession.last_seen_at: row["last_seen_at"] - shift}).where(mine).run()
        row = await WebSession.select(WebSession.last_seen_at).where(mine).first().run()
        return row["last_seen_at"]

    return _db(client, env, "alpha", work)


def test_a_session_ends_after_the_idle_time_and_says_so(client, env, mailbox):
    email, browser = _member(client, env, mailbox)
    browser.locale = "es"
    seen = _session_seen(client, env, email)
    assert browser.get("/contacts").status_code == 200
    assert _session_seen(client, env, email) == seen  # not rewritten within the minute
    moved = _session_seen(client, env, email, timedelta(minutes=2))
    assert browser.get("/contacts").status_code == 200
    assert _session_seen(client, env, email) > moved  # refreshed once it is a minute old

    _session_seen(client, env, email, timedelta(minutes=31))
    expired = browser.get("/contacts?q=x", follow_redirects=False)
    assert expired.status_code == 303
    assert expired.headers["location"] == "/t/alpha/login?next=/t/alpha/contacts"
    login = browser.get(expired.headers["location"])
    spanish = env.registry.get("alpha").translator("es")
    notice = spanish.gettext("Your session has expired. Sign in again to continue.")
    assert login.status_code == 200 and str(escape(notice)) in login.text
    assert 'name="next" value="/t/alpha/contacts"' in login.text
    assert browser.get("/contacts", follow_redirects=False).status_code == 303  # the session is gone


def test_an_htmx_request_of_an_expired_session_loads_the_sign_in_page_whole(client, env, mailbox):
    email, browser = _member(client, env, mailbox)
    _session_seen(client, env, email, timedelta(minutes=31))
    fragment = browser.get("/contacts", headers={"HX-Request": "true"}, follow_redirects=False)
    assert fragment.status_code == 200 and fragment.content == b""
    assert fragment.headers["hx-redirect"] == "/t/alpha/login?next=/t/alpha/contacts"
    login = browser.get(fragment.headers["hx-redirect"])
    notice = (
        env.registry.get("alpha")
        .translator("es")
        .gettext("Your session has expired. Sign in again to continue.")
    )
    assert str(escape(notice)) in login.text


def test_a_member_active_within_the_idle_time_stays_signed_in(client, env):
    browser = sign_in(client, env, "alpha", "government")
    _session_seen(client, env, env.email("alpha", "government"), timedelta(minutes=29))
    assert browser.get("/contacts", follow_redirects=False).status_code == 200
