"""The networks plugin in a real browser, in Spanish (``mex``) and in Arabic (``demo-ar``): a
coordinator adds a network from the menu, adds two member organizations on its page (with the
searchable picker, which leaves out the network's members), then finds the
network in the panel of a member's page and on the dashboard's chart."""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

import pytest

from tests.browser.kit import ARABIC, choose_in_picker, goto_ok, picker_options, sign_in
from tests.support import REPO_ROOT, translation

NETWORKS = REPO_ROOT / "plugins" / "networks" / "locales"
CASES = [
    ("mex", "es-MX", "es", "Alianza ciudadana contra la corrupción"),
    ("demo-ar", "ar", "ar", "تحالف المجتمع المدني"),
]


def plugin_text(lang: str, msgid: str) -> str:
    return translation(lang, msgid, NETWORKS)


@pytest.mark.parametrize(("slug", "browser_locale", "lang", "name"), CASES, ids=[c[0] for c in CASES])
def test_a_network_with_two_members_shows_on_the_organization_and_the_dashboard(
    new_context, slug, browser_locale, lang, name
):
    name = f"{name} {secrets.token_hex(2)}"
    page = sign_in(new_context(locale=browser_locale), slug, "coordinator")
    assert page.locator("html").get_attribute("lang") == lang

    # The menu leads to the networks, whose page offers a new one.
    menu = page.locator("nav.main-nav")
    with page.expect_navigation():
        menu.get_by_role("link", name=plugin_text(lang, "Networks"), exact=True).click()
    assert urlsplit(page.url).path == f"/t/{slug}/networks"
    with page.expect_navigation():
        page.get_by_role("link", name=plugin_text(lang, "New network")).click()
    page.fill("#f-name", name)
    page.select_option("#f-scope", "national")
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    network_path = urlsplit(page.url).path
    assert re.fullmatch(rf"/t/{slug}/networks/\d+", network_path), page.url
    assert page.locator("main h1").first.inner_text().startswith(name)

    # Two member organizations, added with the form on the network's page.
    # The organization is chosen with the picker, which leaves out the network's members.
    members: list[tuple[str, str]] = []
    for role in ("founding_member", "member"):
        assert page.locator("#f-organization").is_hidden()
        offered = picker_options(page, "f-organization")
        assert not {value for value, _ in offered} & {value for value, _ in members}
        members.append(offered[0])
        choose_in_picker(page, "f-organization", offered[0][0])
        assert page.input_value("#f-organization-search") == offered[0][1]
        page.select_option("#f-role", role)
        with page.expect_navigation():
            page.locator("form#add-member [type=submit]").click()
        assert urlsplit(page.url).path == network_path
        assert page.locator(".flash-success").inner_text().strip() == plugin_text(lang, "Member added.")
    table = page.locator("#network-members")
    for org_id, org_name in members:
        link = table.locator(f"a[href='/t/{slug}/organizations/{org_id}']")
        assert link.inner_text().strip() == org_name.split(" (")[0]
    assert table.locator("[data-role='founding_member']").inner_text() == plugin_text(lang, "Founding member")

    # The first member's page has the networks panel, linking back to the network.
    with page.expect_navigation():
        table.locator(f"a[href='/t/{slug}/organizations/{members[0][0]}']").click()
    panel = page.locator("[data-panel='networks']")
    assert panel.locator("h2").inner_text() == plugin_text(lang, "Networks")
    assert panel.locator(f"a[href='{network_path}']").inner_text() == name

    # The dashboard's networks card: the new network's bar counts its two members.
    goto_ok(page, f"/t/{slug}/")
    card = page.locator("[data-panel='networks']")
    assert card.locator("h2").inner_text() == plugin_text(lang, "Networks and alliances")
    network_id = network_path.rsplit("/", 1)[-1]
    bar = card.locator(f"g.bar[data-network='{network_id}']")
    assert bar.get_attribute("data-value") == "2"
    if lang == "ar":
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert "chart-rtl" in (card.locator("svg").get_attribute("class") or "")
        assert ARABIC.search(card.inner_text())
