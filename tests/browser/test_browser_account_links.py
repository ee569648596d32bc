"""Mailed links in a real browser, on the demo server (no SMTP server configured, so mails land in
the tenant's outbox, in its database): a coordinator invites someone in Arabic
and the invitee joins through the link, right to left; a member who forgot their password gets a
Spanish mail and sets a new one."""

from __future__ import annotations

import re
import secrets
from email.message import EmailMessage

from tests.browser.kit import ARABIC, PASSWORD, goto_ok, member_email, sign_in
from tests.support import translation

LINK = re.compile(r"http://127\.0\.0\.1:\d+(/t/[\w-]+/(?:invite|password/reset)/[\w-]+)")


def _link_in(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    match = LINK.search(str(body.get_content()))  # type: ignore[attr-defined]
    assert match, "no link in the mail"
    return match.group(1)


def _rtl_arabic(page) -> None:
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl"), page.url
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"


def test_an_invitation_is_accepted_in_arabic_right_to_left(new_context, live_server):
    invitee = f"invitee-{secrets.token_hex(4)}@demo-ar.browser.test"
    coordinator = sign_in(new_context(locale="ar"), "demo-ar", "coordinator", "/members/invite")
    _rtl_arabic(coordinator)
    coordinator.fill("#f-email", invitee)
    coordinator.fill("#f-display_name", "سلمى")
    coordinator.select_option("#f-role", "ngo")
    coordinator.select_option("#f-locale", "ar")
    with coordinator.expect_navigation():
        coordinator.locator("main form [type=submit]").click()
    _rtl_arabic(coordinator)
    # No mail server on the demo: the coordinator is shown the link once, and the mail is kept.
    shown = coordinator.locator("#invitation-link").inner_text().strip()
    (mail,) = live_server.outbox("demo-ar", invitee)
    assert mail["Content-Language"] == "ar" and ARABIC.search(str(mail["Subject"]))
    link = _link_in(mail)
    assert shown.endswith(link)
    assert invitee in coordinator.locator("#pending-invitations, main").first.inner_text()

    page = new_context(locale="ar").new_page()
    goto_ok(page, link)
    _rtl_arabic(page)
    assert translation("ar", "Create my account") in page.locator("main form [type=submit]").inner_text()
    page.fill("#f-password", "كلمة مرور طويلة بما يكفي 2026")
    page.fill("#f-confirm_password", "كلمة مرور طويلة بما يكفي 2026")
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    assert page.url.rstrip("/").endswith("/t/demo-ar"), page.url
    _rtl_arabic(page)
    assert ARABIC.search(page.locator(".flash-success").inner_text())

    # The link worked once: a second visit is told, in Arabic, that it is no longer valid.
    again = new_context(locale="ar").new_page()
    response = again.goto(link)
    assert response is not None and response.status == 404
    _rtl_arabic(again)
    assert translation("ar", "This link is no longer valid") in again.locator("main").inner_text()


def test_a_forgotten_password_is_reset_through_the_mailed_link(new_context, live_server):
    address = member_email("mex", "observer")
    page = new_context().new_page()
    goto_ok(page, "/t/mex/login")
    with page.expect_navigation():
        page.get_by_role("link", name=translation("es", "Forgot your password?")).click()
    page.fill("#email", address)
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    assert page.locator("#reset-sent").is_visible()
    page.wait_for_timeout(300)  # the mail leaves in a background task after the answer
    mails = live_server.outbox("mex", address)
    assert mails and mails[-1]["Content-Language"] == "es"
    link = _link_in(mails[-1])

    goto_ok(page, link)
    new_password = PASSWORD + "-nuevo"
    page.fill("#f-password", new_password)
    page.fill("#f-confirm_password", new_password)
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    assert page.url.rstrip("/").endswith("/t/mex"), page.url
    assert translation("es", "Your new password is set. Your other sessions are signed out.") in (
        page.locator(".flash-success").inner_text()
    )

    # The new password signs in; put the shared test member's password back for other tests.
    goto_ok(page, "/t/mex/profile")
    page.fill("#f-current_password", new_password)
    page.fill("#f-new_password", PASSWORD)
    page.fill("#f-confirm_password", PASSWORD)
    with page.expect_navigation():
        page.locator("form[action$='/profile/password'] [type=submit]").click()
    assert sign_in(new_context(), "mex", "observer").url.endswith("/t/mex/")
