"""A member of ``mex`` opening ``ago`` pages sees the ``ago`` sign-in page and none of ``ago``'s data,
even when they copy their session cookie over to ``ago``'s paths."""

from __future__ import annotations

import pytest

from tests.browser.kit import RequestGuard, sign_in

AGO_PATHS = ["/", "/organizations", "/contacts", "/meetings", "/actions", "/topics", "/profile"]


@pytest.fixture(scope="module")
def ago_organizations(live_server) -> list[dict]:
    """``ago``'s demo organizations, read through its API with a token issued by the CLI."""
    token = live_server.run_cli("tokens", "create", "--tenant", "ago", "--email", "coordinator@ago.demo")
    token = token.strip()
    items = live_server.api_get("ago", "/organizations?limit=100", token)["items"]
    assert len(items) >= 30
    return items


def _assert_no_ago_data(page, organizations: list[dict]) -> None:
    html = page.content()
    shown = [org["name"] for org in organizations if org["name"] in html]
    assert not shown, f"{page.url} shows ago organizations: {shown}"


def test_a_mex_member_sees_no_ago_data(new_context, live_server, ago_organizations):
    context = new_context(locale="es-MX")
    page = sign_in(context, "mex", "ngo", "/organizations")
    assert page.locator("html").get_attribute("lang") == "es"

    known = ago_organizations[0]
    paths = [*AGO_PATHS, f"/organizations/{known['id']}", f"/organizations/{known['id']}/edit"]

    def visit_all() -> None:
        for path in paths:
            page.goto(f"/t/ago{path}")
            assert page.url.startswith(live_server.url("ago", "/login")), f"/t/ago{path} -> {page.url}"
            assert page.locator("#password").count() == 1
            _assert_no_ago_data(page, ago_organizations)

    visit_all()

    # The mex session cookie replayed on ago's paths is unknown there: still the ago sign-in page.
    session = next(c for c in context.cookies() if c["name"] == "pcrm_session")
    context.add_cookies([{**session, "path": "/t/ago/"}])
    visit_all()

    # The member is still signed in to mex, where their own data shows.
    page.goto("/t/mex/organizations")
    assert page.url.endswith("/t/mex/organizations")
    assert page.locator("table tbody tr").count() > 0


def test_the_request_guard_catches_other_hosts(browser, live_server):
    """The guard every scenario relies on: a page asking another host is recorded (and aborted)."""
    guard = RequestGuard(live_server.origin)
    context = browser.new_context(base_url=live_server.origin)
    guard.watch(context)
    try:
        page = context.new_page()
        page.goto("/t/mex/login")
        assert guard.seen and not guard.foreign()
        page.evaluate(
            "() => new Promise(done => { const img = new Image(); img.onerror = img.onload = done;"
            " img.src = 'http://elsewhere.invalid/pixel.png'; })"
        )
        assert guard.foreign() == ["http://elsewhere.invalid/pixel.png"]
    finally:
        context.close()
