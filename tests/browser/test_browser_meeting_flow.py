"""From a meeting of ``mex`` to a completed joint action, in Spanish, across three members' browsers:
the coordinator marks every attendee's attendance in one save (HTMX swaps the section), starts a
joint action from the meeting (prefilled with its topics and the attendees' organizations), and the
government and the non-governmental participants each confirm it; the action page then says who
confirmed each side and when. The attendance table stays within a 360 px phone screen."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from tests.browser.kit import goto_ok, member_email, sign_in

TITLE = "Plan de seguimiento de la reunión (prueba de navegador)"


def a_meeting_with_attendees(page) -> str:
    """The path of the first meeting of the list whose attendance form has two rows or more."""
    goto_ok(page, "/t/mex/meetings")
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    for href in dict.fromkeys(h for h in hrefs if re.fullmatch(r"/t/mex/meetings/\d+", h or "")):
        goto_ok(page, href)
        if page.locator("#attendance-form select[name^=status_]").count() >= 2:
            return href
    raise AssertionError("no demo meeting of mex has two attendees")


def confirm(page, action_path: str, side: str) -> None:
    goto_ok(page, action_path)
    entry = page.locator(f"#completion-{side}")
    with page.expect_navigation():
        entry.locator("form[action$='/confirm'] [type=submit]").click()
    assert urlsplit(page.url).path == action_path, page.url


def test_from_a_meeting_to_an_action_confirmed_by_both_sides(new_context):
    coordinator = sign_in(new_context(locale="es-MX"), "mex", "coordinator")
    meeting_path = a_meeting_with_attendees(coordinator)

    # Every row's attendance, one save: HTMX swaps the section in place (no page load).
    selects = coordinator.locator("#attendance-form select[name^=status_]")
    rows = selects.count()
    for i in range(rows):
        selects.nth(i).select_option("absent" if i % 2 else "attended")
    coordinator.locator("#attendance-save").click()
    coordinator.wait_for_selector("#attendees [role=status] .flash-success")
    assert urlsplit(coordinator.url).path == meeting_path
    goto_ok(coordinator, meeting_path)
    saved = coordinator.locator("#attendance-form select[name^=status_]")
    assert [saved.nth(i).input_value() for i in range(rows)] == [
        "absent" if i % 2 else "attended" for i in range(rows)
    ]

    # A joint action from this meeting: born in it, on its topics, with its attendees' organizations.
    with coordinator.expect_navigation():
        coordinator.locator("#new-action-from-meeting").click()
    assert urlsplit(coordinator.url).path == f"{meeting_path}/actions/new"
    meeting_id = meeting_path.rsplit("/", 1)[-1]
    assert coordinator.locator("#f-origin_meeting").input_value() == meeting_id
    assert coordinator.locator(".form-notice").count() == 1
    coordinator.fill("#f-title", TITLE)
    with coordinator.expect_navigation():
        coordinator.locator("main form [type=submit]").click()
    action_path = urlsplit(coordinator.url).path
    assert re.fullmatch(r"/t/mex/actions/\d+", action_path), coordinator.url
    assert coordinator.locator(f"main a[href='{meeting_path}']").count() >= 1
    # The coordinator is of neither side: told why, not given a button.
    assert coordinator.locator("#why-not-government").count() == 1
    assert coordinator.locator("#why-not-non_governmental").count() == 1
    assert coordinator.locator("form[action$='/confirm']").count() == 0
    goto_ok(coordinator, meeting_path)
    assert coordinator.locator(f"a[href='{action_path}']").count() == 1

    # Each side confirms as its own member; the page then says who confirmed and when.
    government = sign_in(new_context(locale="es-MX"), "mex", "government")
    confirm(government, action_path, "government")
    assert government.locator("#why-not-non_governmental").count() == 1
    ngo = sign_in(new_context(locale="es-MX"), "mex", "ngo")
    confirm(ngo, action_path, "non_governmental")

    goto_ok(coordinator, action_path)
    for side, role in (("government", "government"), ("non_governmental", "ngo")):
        entry = coordinator.locator(f"#completion-{side} .confirmed").inner_text()
        assert member_email("mex", role) in entry, entry
        assert re.search(r"\d{1,2}:\d{2}", entry) and not re.search(r"\d:\d{2}:\d{2}", entry), entry
    assert coordinator.locator("form[action$='/confirm']").count() == 0


def test_the_attendance_table_fits_a_phone(new_context):
    phone = sign_in(new_context(locale="es-MX", width=360, height=740), "mex", "coordinator")
    meeting_path = a_meeting_with_attendees(phone)
    goto_ok(phone, meeting_path)
    for selector in ("#attendance-form", "#attendance-form select[name^=status_]", "#attendance-save"):
        box = phone.locator(selector).first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360, (selector, box)
    # One card per attendee: the column names are on each cell, the header row is hidden.
    assert phone.locator("#attendance-form table.stack td[data-label]").count() >= 3
