"""From 360 px wide the pages fit the screen: no horizontal page scroll (wide tables scroll inside
their ``.table-wrap``), in a left-to-right and a right-to-left language."""

from __future__ import annotations

import pytest

from tests.browser.kit import first_link, goto_ok, sign_in

WIDTH = 360
AREAS = ["/organizations", "/contacts", "/meetings", "/actions", "/topics"]
COORDINATOR_PAGES = ["/", "/profile", "/members", "/audit"]
LOCALES = [("mex", "es-MX"), ("demo-ar", "ar")]


def _page_width(page) -> int:
    return int(page.evaluate("document.scrollingElement.scrollWidth"))


# The outermost elements sticking out of the viewport (either side: right-to-left pages overflow to
# the left), except the skip link, which waits off-screen until it is focused.
CULPRITS = """(width) => [...document.querySelectorAll('main *')].filter(e => {
  const out = x => { const r = x.getBoundingClientRect(); return r.right > width + 1 || r.left < -1; };
  return !e.matches('.skip-link') && out(e) && !out(e.parentElement);
}).slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""


def _too_wide(page) -> list[str]:
    """The page's path when it scrolls sideways, with the elements that stick out."""
    width = _page_width(page)
    if width <= WIDTH + 1:
        return []
    culprits = page.evaluate(CULPRITS, WIDTH)
    return [f"{page.url.split('/t/', 1)[-1]} is {width}px wide ({', '.join(culprits)})"]


@pytest.mark.parametrize(("slug", "locale"), LOCALES)
def test_dashboard_and_a_list_fit_360px(new_context, slug, locale):
    page = sign_in(new_context(locale=locale, width=WIDTH, height=800), slug, "coordinator")
    for path in ["/", "/organizations"]:
        goto_ok(page, f"/t/{slug}{path}")
        assert _page_width(page) <= WIDTH + 1, f"/t/{slug}{path} is {_page_width(page)}px wide"
    # A wide table scrolls inside its wrapper rather than widening the page.
    wrap = page.locator(".table-wrap").first
    assert wrap.evaluate("e => getComputedStyle(e).overflowX") in ("auto", "scroll")


@pytest.mark.parametrize(("slug", "locale"), LOCALES)
def test_every_page_fits_360px(new_context, slug, locale):
    """Lists, details, forms and the coordinator's pages, all in one member's browser."""
    page = sign_in(new_context(locale=locale, width=WIDTH, height=800), slug, "coordinator")
    too_wide: list[str] = []
    for path in COORDINATOR_PAGES:
        goto_ok(page, f"/t/{slug}{path}")
        too_wide += _too_wide(page)
    for area in AREAS:
        goto_ok(page, f"/t/{slug}{area}")
        too_wide += _too_wide(page)
        goto_ok(page, first_link(page, rf"^/t/{slug}{area}/\d+$"))
        too_wide += _too_wide(page)
        goto_ok(page, f"/t/{slug}{area}/new")
        too_wide += _too_wide(page)
    assert not too_wide, f"pages that scroll sideways at {WIDTH}px: {too_wide}"
