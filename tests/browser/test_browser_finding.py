"""Finding things in a browser: a coordinator archives a contact, finds it again through the list's
"archived records only" filter (on a 360 px phone, the list stacked as cards), restores it with the
button on its page, and finds it in the search across the whole tenant; the filter's chip removes
the filter. Keyboard only where it matters: the filter is ticked and sent from the keyboard."""

from __future__ import annotations

import secrets

from tests.browser.kit import goto_ok, sign_in


def test_a_coordinator_finds_an_archived_contact_and_restores_it(new_context):
    page = sign_in(new_context(locale="en", width=360, height=740), "mex", "coordinator", "/contacts/new")
    last_name = f"Archivada {secrets.token_hex(3)}"
    page.fill("#f-first_name", "Lucía")
    page.fill("#f-last_name", last_name)
    with page.expect_navigation():
        page.locator("main form [type=submit]").last.click()
    contact_url = page.url
    assert "/t/mex/contacts/" in contact_url, page.content()[:2000]

    page.get_by_role("link", name="Archive").click()
    with page.expect_navigation():
        page.locator("main form[action$='/archive'] [type=submit]").click()
    goto_ok(page, f"/t/mex/contacts?q={last_name.split()[1]}")
    assert page.get_by_text("Nothing matches").count() + page.get_by_text("No contact matches.").count() == 1

    # The filter, from the keyboard: tick "Archived records only" and send the search form.
    page.locator("#filter-archived").focus()
    page.keyboard.press("Space")
    assert page.locator("#filter-archived").is_checked()
    with page.expect_navigation():
        page.locator("#q").press("Enter")
    assert "archived=true" in page.url
    row = page.locator("table.stack tbody tr", has_text=last_name)
    assert row.count() == 1 and page.locator("#list-total").inner_text().strip() == "1 contact"
    # On a phone the row is a card: its cells stacked, each labelled, nothing wider than the screen.
    cell = row.locator("td").first
    assert cell.evaluate("td => getComputedStyle(td).display") == "block"
    assert cell.get_attribute("data-label") == "Name"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    chip = page.locator("a.chip", has_text="Archived records")
    assert chip.count() == 1

    row.get_by_role("link", name=last_name, exact=False).click()
    page.wait_for_url(contact_url)
    restore = page.get_by_role("button", name="Restore")
    with page.expect_navigation():
        restore.click()
    assert page.locator(".flash-success").inner_text().strip() == "Restored."
    assert page.get_by_role("button", name="Restore").count() == 0

    goto_ok(page, f"/t/mex/search?q={last_name.split()[1]}")
    contacts = page.locator("#results-contacts")
    assert contacts.get_by_role("link", name=last_name, exact=False).count() == 1
    assert contacts.locator(".count").inner_text() == "1"

    # The archived view is empty again; its chip takes the filter off.
    goto_ok(page, f"/t/mex/contacts?q={last_name.split()[1]}&archived=true")
    assert page.locator("table.stack tbody tr").count() == 0
    with page.expect_navigation():
        page.locator("a.chip", has_text="Archived records").click()
    assert "archived" not in page.url
    assert page.locator("table.stack tbody tr", has_text=last_name).count() == 1
