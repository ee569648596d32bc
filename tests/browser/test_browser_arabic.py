"""Arabic is fully right-to-left: every page of ``demo-ar`` declares ``lang="ar" dir="rtl"``, its
navigation is in Arabic script, and a form submits in Arabic."""

from __future__ import annotations

from tests.browser.kit import ARABIC, first_link, goto_ok, sign_in
from tests.support import translation

LIST_PAGES = ["/", "/organizations", "/contacts", "/meetings", "/actions", "/topics", "/profile"]
NAV_ITEMS = ["Dashboard", "Organizations", "Contacts", "Meetings", "Joint actions", "Topics"]


def _assert_arabic_rtl(page) -> None:
    html = page.locator("html")
    assert (html.get_attribute("lang"), html.get_attribute("dir")) == ("ar", "rtl"), page.url
    nav = page.locator("nav.main-nav").inner_text()
    assert ARABIC.search(nav), f"navigation not in Arabic on {page.url}: {nav!r}"
    for msgid in NAV_ITEMS:
        assert translation("ar", msgid) in nav, f"{msgid!r} is not in Arabic in the navigation of {page.url}"
    heading = page.locator("main h1").first.inner_text()
    assert heading.strip(), f"no heading on {page.url}"
    # The layout really is mirrored: the body's computed direction follows the document's.
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"


def test_every_demo_ar_page_is_arabic_and_rtl(new_context):
    page = sign_in(new_context(locale="ar"), "demo-ar", "coordinator")
    for path in LIST_PAGES:
        goto_ok(page, f"/t/demo-ar{path}")
        _assert_arabic_rtl(page)
    for area in ("/organizations", "/contacts", "/meetings", "/actions"):
        goto_ok(page, f"/t/demo-ar{area}")
        goto_ok(page, first_link(page, rf"^/t/demo-ar{area}/\d+$"))
        _assert_arabic_rtl(page)
    goto_ok(page, "/t/demo-ar/organizations/new")
    _assert_arabic_rtl(page)
    for name, msgid in (("name", "Name"), ("sector", "Sector"), ("city", "City")):
        label = page.locator(f"label[for='f-{name}']").inner_text()
        assert label.startswith(translation("ar", msgid)) and ARABIC.search(label), label


def test_an_arabic_form_submits(new_context):
    page = sign_in(new_context(locale="ar"), "demo-ar", "coordinator", "/organizations/new")
    _assert_arabic_rtl(page)
    page.fill("#f-name", "جمعية الاختبار للمتصفح")
    page.select_option("#f-sector", "ngo")
    page.select_option("#f-demo_governorate", "capital")
    page.fill("#f-demo_registry_no", "REG-246810")
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()
    assert page.url.rstrip("/").split("/")[-1].isdigit(), f"not on the new record: {page.url}"
    _assert_arabic_rtl(page)
    assert page.locator("main h1").first.inner_text().startswith("جمعية الاختبار للمتصفح")
    flash = page.locator(".flash-success").inner_text()
    assert ARABIC.search(flash), f"the confirmation is not in Arabic: {flash!r}"
