"""The searchable picker with the keyboard alone, as a screen reader user meets it: Tab into it, type,
ArrowDown/ArrowUp/Home/End through the options, Enter to choose, Escape to close, submit the form;
the WAI-ARIA combobox pattern's roles and states are checked at every step. Several values are
chosen the same way and shown as tokens, each a button that removes it."""

from __future__ import annotations

import re
import secrets

from playwright.sync_api import expect

from tests.browser.kit import choose_in_picker, member_email, picker_options, sign_in

SOMETHING = re.compile(r"\S")

SEARCH = "#f-organization-search"
LISTBOX = "#f-organization-listbox"


def aria(page, selector: str, name: str) -> str | None:
    return page.locator(selector).get_attribute(name)


def active_option(page, combobox: str):
    """The option the combobox's aria-activedescendant points at (it must exist, and be the only
    option marked selected)."""
    active = aria(page, combobox, "aria-activedescendant")
    assert active, "no active option"
    option = page.locator(f"[id='{active}']")
    assert option.get_attribute("role") == "option" and option.get_attribute("aria-selected") == "true"
    listbox = "#" + (aria(page, combobox, "aria-controls") or "")
    assert page.locator(f"{listbox} [role=option][aria-selected=true]").count() == 1
    return option


def test_an_organization_is_chosen_with_the_keyboard_alone(new_context):
    page = sign_in(new_context(locale="es-MX"), "mex", "coordinator", "/contacts/new")
    last_name = f"Teclado {secrets.token_hex(3)}"
    page.focus("#f-first_name")
    page.keyboard.type("Rocío")
    page.keyboard.press("Tab")
    page.keyboard.type(last_name)
    page.keyboard.press("Tab")

    # Tab lands in the combobox (the native select it drives is hidden), labelled by the field's label.
    assert page.evaluate("document.activeElement.id") == "f-organization-search"
    assert page.locator("#f-organization").is_hidden()
    combobox = page.locator(SEARCH)
    assert combobox.get_attribute("role") == "combobox"
    assert combobox.get_attribute("aria-autocomplete") == "list"
    assert combobox.get_attribute("aria-expanded") == "false"
    assert combobox.get_attribute("aria-controls") == "f-organization-listbox"
    assert page.get_by_role("combobox", name="Organización").count() == 1
    listbox = page.locator(LISTBOX)
    assert listbox.get_attribute("role") == "listbox" and listbox.is_hidden()
    status = page.locator("#f-organization-status")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"

    # Typing fetches the matches: the list opens, no option is active yet, the count is announced.
    page.keyboard.type("secretaria")
    page.wait_for_selector(f"{LISTBOX} [role=option]")
    assert combobox.get_attribute("aria-expanded") == "true" and listbox.is_visible()
    assert combobox.get_attribute("aria-activedescendant") is None
    options = page.locator(f"{LISTBOX} [role=option]")
    count = options.count()
    assert count >= 3, "the Mexican demo has several ministries (secretarías)"
    labels = [options.nth(i).inner_text().strip() for i in range(count)]
    assert all("secretar" in label.lower() for label in labels)
    expect(status).to_have_text(SOMETHING)
    assert str(count) in status.inner_text()

    # ArrowDown, ArrowUp, End and Home move the active option; the focus stays in the combobox.
    page.keyboard.press("ArrowDown")
    assert active_option(page, SEARCH).inner_text().strip() == labels[0]
    page.keyboard.press("ArrowDown")
    assert active_option(page, SEARCH).inner_text().strip() == labels[1]
    page.keyboard.press("ArrowUp")
    assert active_option(page, SEARCH).inner_text().strip() == labels[0]
    page.keyboard.press("End")
    assert active_option(page, SEARCH).inner_text().strip() == labels[-1]
    page.keyboard.press("Home")
    assert active_option(page, SEARCH).inner_text().strip() == labels[0]
    page.keyboard.press("ArrowDown")
    chosen = active_option(page, SEARCH)
    chosen_label, chosen_value = chosen.inner_text().strip(), chosen.get_attribute("data-value")
    assert page.evaluate("document.activeElement.id") == "f-organization-search"

    # Escape closes the list without choosing; ArrowDown opens it again.
    page.keyboard.press("Escape")
    assert combobox.get_attribute("aria-expanded") == "false" and listbox.is_hidden()
    assert combobox.get_attribute("aria-activedescendant") is None
    assert page.input_value("#f-organization") == ""
    page.keyboard.press("ArrowDown")
    expect(combobox).to_have_attribute("aria-activedescendant", SOMETHING)
    assert combobox.get_attribute("aria-expanded") == "true"
    assert active_option(page, SEARCH).inner_text().strip() == labels[0]
    page.keyboard.press("ArrowDown")

    # Enter chooses: the list closes, the combobox shows the name, the form's field holds the id.
    page.keyboard.press("Enter")
    assert combobox.get_attribute("aria-expanded") == "false" and listbox.is_hidden()
    assert combobox.get_attribute("aria-activedescendant") is None
    assert page.input_value(SEARCH) == chosen_label
    assert page.input_value("#f-organization") == chosen_value
    assert page.url.endswith("/contacts/new"), "Enter on an option must not submit the form"

    # Enter again (the list closed) submits the form; the contact works for the organization chosen.
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/contacts/new" not in page.url, page.content()[:2000]
    main = page.locator("main").inner_text()
    assert last_name in main and chosen_label in main


def test_several_partners_are_chosen_as_tokens_and_removed_with_the_keyboard(new_context):
    page = sign_in(new_context(locale="es-MX"), "mex", "coordinator", "/actions/new")
    search = "#f-partners-search"
    assert page.locator("[data-picker='f-partners'] .checks").is_hidden()
    assert page.locator("#f-partners-picker-hint").is_visible()
    assert page.locator(search).get_attribute("role") == "combobox"
    page.focus("#f-government_lead-search")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "f-partners-search"
    chosen = []
    for _ in range(2):
        page.keyboard.press("ArrowDown")
        expect(page.locator(search)).to_have_attribute("aria-activedescendant", SOMETHING)
        if chosen:
            page.keyboard.press("ArrowDown")
        chosen.append(active_option(page, search).inner_text().strip())
        page.keyboard.press("Enter")
        assert page.locator(search).get_attribute("aria-expanded") == "false"
    tokens = page.locator("#f-partners-tokens .token")
    assert tokens.count() == 2
    assert [tokens.nth(i).locator(".token-label").inner_text().strip() for i in range(2)] == chosen
    assert page.locator("input[name=partners]:checked").count() == 2
    # Each token is a button named "Quitar <name>"; Enter on it removes that partner.
    first = page.get_by_role("button", name=f"Quitar {chosen[0]}")
    first.focus()
    page.keyboard.press("Enter")
    assert tokens.count() == 1 and page.locator("input[name=partners]:checked").count() == 1
    assert page.evaluate("document.activeElement.id") == "f-partners-search"


def test_a_members_organization_is_chosen_with_the_picker_among_their_sides(new_context):
    page = sign_in(new_context(locale="es-MX"), "mex", "coordinator", "/members")
    email = member_email("mex", "ngo")
    row = page.locator("tr[id^='member-']", has=page.locator(f"td:text-is('{email}')"))
    member_id = (row.get_attribute("id") or "").removeprefix("member-")
    picker = f"organization-{member_id}"
    assert page.locator(f"#{picker}").is_hidden()
    combobox = page.locator(f"#{picker}-search")
    assert combobox.get_attribute("role") == "combobox"
    assert page.get_by_role("combobox", name=f"Organización de {email}").count() == 1
    offered = picker_options(page, picker)
    assert offered
    value, label = offered[-1]
    choose_in_picker(page, picker, value)
    assert page.input_value(f"#{picker}-search") == label
    with page.expect_navigation():
        row.locator("form.member-organization [type=submit]").click()
    assert page.locator(".flash-success").count() == 1
    row = page.locator(f"#member-{member_id}")
    assert page.input_value(f"#{picker}") == value
    assert page.input_value(f"#{picker}-search") == label
