"""Every page on a 360 × 740 phone, in Arabic (right to left, demo-ar), Chinese (global) and Spanish
(mex): the pages are found by crawling the links a signed-in coordinator sees (GET pages of the same
tenant only; no sign-out, downloads or exports), plus the public pages (sign-in, password reset,
the engagement calls). On each page nothing is wider than the screen, every control is within it,
and the main menu, folded behind one button, opens and closes by keyboard. The dashboard, a meeting
with its attendance and the contacts list are photographed for the README.

One browser context per language, one tab reused for every page, no sleeps."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.kit import RequestGuard, goto_ok, open_context, save_screenshot, sign_in

WIDTH, HEIGHT = 360, 740
LOCALES = [  # (tenant, browser locale, <html lang>, direction, screenshot suffix)
    ("demo-ar", "ar", "ar", "rtl", "ar"),
    ("global", "zh-CN", "zh", "ltr", "zh"),
    ("mex", "es-MX", "es", "ltr", "es"),
]
# Links that are not pages to look at: files, exports, calendar feeds, personal-data downloads.
NOT_A_PAGE = re.compile(r"(/export|\.(csv|xlsx|ics|pdf|md|json|png|zip)$|/(personal-data|logout|language)$)")
MAX_PAGES = 90

# The layout of the page in one call: the document's width, the controls outside [0, width] and the
# outermost elements sticking out (either side: right-to-left pages overflow to the left). Controls
# that take no box (a folded menu, a closed <details>) or are visually hidden (a 1 px clip) are
# not on the screen and so are skipped.
LAYOUT = """(width) => {
  const shown = e => {
    const r = e.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1 || !e.checkVisibility({visibilityProperty: true})) return false;
    for (let a = e; a; a = a.parentElement) {
      if (getComputedStyle(a).clipPath !== 'none') return false;
    }
    return true;
  };
  const name = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\\s+/).join('.') : '') +
    (e.name ? '[name=' + e.name + ']' : '');
  const out = e => { const r = e.getBoundingClientRect(); return r.right > width + 0.5 || r.left < -0.5; };
  const controls = [...document.querySelectorAll('button, input, select, textarea, .button')]
    .filter(e => e.type !== 'hidden' && out(e) && shown(e))
    .map(e => { const r = e.getBoundingClientRect();
                return `${name(e)} [${Math.round(r.left)}, ${Math.round(r.right)}]`; });
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => out(e) && !e.matches('.skip-link') && !(e.parentElement && out(e.parentElement)) && shown(e))
    .slice(0, 3).map(name);
  return {scroll: document.scrollingElement.scrollWidth, controls, wide};
}"""


def shape(path: str) -> str:
    """The template a path shows, ids aside: /t/mex/contacts/12/edit -> /t/mex/contacts/N/edit."""
    return re.sub(r"/\d+(?=/|$)", "/N", path)


def layout_problems(page: Any) -> list[str]:
    found = page.evaluate(LAYOUT, WIDTH)
    where = urlsplit(page.url).path
    problems = []
    if found["scroll"] > WIDTH + 1:
        problems.append(f"{where} is {found['scroll']}px wide ({', '.join(found['wide'])})")
    if found["controls"]:
        problems.append(f"{where}: controls outside the screen: {found['controls'][:4]}")
    return problems


def menu_problems(page: Any) -> list[str]:
    """Tab to the menu button, Enter opens the menu (its links then take the focus in turn and fit
    the screen), Escape folds it again and gives the focus back to the button."""
    where = urlsplit(page.url).path
    toggle = page.locator(".menu-toggle")
    if not toggle.is_visible():
        return [f"{where}: no menu button on a {WIDTH}px screen"]
    if toggle.get_attribute("aria-expanded") != "false" or page.locator("#site-menu").is_visible():
        return [f"{where}: the menu is not folded when the page opens"]
    page.evaluate("document.activeElement && document.activeElement.blur()")
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('menu-toggle')"):
            break
    else:
        return [f"{where}: Tab never reaches the menu button"]
    page.keyboard.press("Enter")
    problems = []
    if toggle.get_attribute("aria-expanded") != "true" or not page.locator("#site-menu").is_visible():
        problems.append(f"{where}: Enter does not open the menu")
    page.keyboard.press("Tab")
    if not page.evaluate("!!document.activeElement.closest('#site-menu')"):
        problems.append(f"{where}: Tab from the open menu's button leaves the menu")
    problems += [f"{p} (menu open)" for p in layout_problems(page)]
    page.keyboard.press("Escape")
    if toggle.get_attribute("aria-expanded") != "false" or page.locator("#site-menu").is_visible():
        problems.append(f"{where}: Escape does not close the menu")
    if not page.evaluate("document.activeElement.classList.contains('menu-toggle')"):
        problems.append(f"{where}: after Escape the focus is not on the menu button")
    return problems


def page_links(page: Any, slug: str) -> list[str]:
    """The tenant's pages the page links to, without their query strings and fragments."""
    hrefs = page.eval_on_selector_all(
        "a[href]:not([download])", "els => els.map(e => new URL(e.href, location.href).pathname)"
    )
    return [h for h in hrefs if h.startswith(f"/t/{slug}/") or h == f"/t/{slug}"]


def crawl(page: Any, slug: str, start: list[str]) -> Iterator[str]:
    """Open the coordinator's pages breadth first, the first of each template (/contacts/12 and
    /contacts/31 are one); yields each path once it is open."""
    queue, seen_shapes, opened = list(start), set(), 0
    while queue and opened < MAX_PAGES:
        path = queue.pop(0)
        if NOT_A_PAGE.search(path) or shape(path) in seen_shapes:
            continue
        seen_shapes.add(shape(path))
        goto_ok(page, path)
        opened += 1
        yield path
        queue += [link for link in page_links(page, slug) if shape(link) not in seen_shapes]


@pytest.fixture(scope="module", params=LOCALES, ids=[loc[4] for loc in LOCALES])
def phone(request, browser, live_server) -> Iterator[tuple[Any, Any, tuple[str, ...]]]:
    """A coordinator's phone in one of the languages (one context and one tab for all its pages),
    and a signed-out visitor's in the same language, for the public pages."""
    slug, locale, *_ = request.param
    guard = RequestGuard(live_server.origin)
    member, visitor = (open_context(browser, live_server.origin, guard, locale, WIDTH, HEIGHT) for _ in "ab")
    yield sign_in(member, slug, "coordinator"), visitor.new_page(), request.param
    member.close()
    visitor.close()
    assert not guard.foreign(), f"pages requested other hosts: {guard.foreign()}"
    assert not guard.page_errors, f"uncaught script errors: {guard.page_errors}"


def test_every_page_fits_the_phone_and_its_menu_works_by_keyboard(phone):
    page, visitor, (slug, _, lang, direction, _) = phone
    problems: list[str] = []
    opened = []
    for path in crawl(page, slug, [f"/t/{slug}/"]):
        opened.append(path)
        assert page.locator("html").get_attribute("lang") == lang, f"{path} is not in {lang}"
        assert page.locator("html").get_attribute("dir") == direction
        problems += layout_problems(page)
        problems += menu_problems(page)
    # The crawl reached every area of the menu, and the detail, form and coordinator pages.
    shapes = {shape(p) for p in opened}
    expected = {f"/t/{slug}/{area}" for area in ("members", "audit", "imports", "duplicates", "profile")}
    for area in ("organizations", "contacts", "meetings", "actions", "topics"):
        expected |= {f"/t/{slug}/{area}", f"/t/{slug}/{area}/new"}
    for area in ("organizations", "contacts", "meetings", "topics"):  # every demo tenant has some
        expected.add(f"/t/{slug}/{area}/N")
    expected |= {f"/t/{slug}/contacts/N/edit", f"/t/{slug}/meetings/N/archive"}
    assert expected <= shapes, f"the crawl missed {sorted(expected - shapes)}"
    assert len(opened) >= 25, f"only {len(opened)} pages crawled: {opened}"

    # The public pages, signed out, in the same language.
    paths = [f"/t/{slug}/login", f"/t/{slug}/password/forgot"]
    if slug in ("demo-ar", "global"):  # the tenants with the engagement plugin
        goto_ok(visitor, f"/t/{slug}/engagement/calls")
        calls = [p for p in page_links(visitor, slug) if re.search(r"/engagement/calls/\d+$", p)]
        assert calls, f"the calls of {slug} link to no open call"
        paths += [f"/t/{slug}/engagement/calls", calls[0]]
    for path in paths:
        goto_ok(visitor, path)
        problems += layout_problems(visitor)
        problems += menu_problems(visitor)
    assert not problems, f"{len(problems)} problems at {WIDTH}px in {lang}:\n" + "\n".join(problems)


def test_phone_screenshots(phone):
    """The dashboard, a meeting with its attendance and the contacts list, as a phone shows them."""
    page, _, (slug, _, _, _, suffix) = phone
    goto_ok(page, f"/t/{slug}/")
    save_screenshot(page, f"phone-dashboard-{suffix}.png")
    goto_ok(page, f"/t/{slug}/meetings")
    for link in page_links(page, slug):
        if re.search(r"/meetings/\d+$", link):
            goto_ok(page, link)
            if page.locator("#attendees table").count():
                break
    else:
        raise AssertionError(f"no meeting of {slug} has attendees")
    save_screenshot(page, f"phone-meeting-{suffix}.png")
    goto_ok(page, f"/t/{slug}/contacts")
    save_screenshot(page, f"phone-contacts-{suffix}.png")


def test_without_javascript_the_menu_is_open(browser, live_server):
    """No script, no folding: the menu's links and the language switcher are on the page."""
    context = browser.new_context(
        base_url=live_server.origin, java_script_enabled=False, viewport={"width": WIDTH, "height": HEIGHT}
    )  # not open_context: no script, so nothing to watch for script errors
    try:
        page = sign_in(context, "mex", "coordinator")
        assert not page.locator(".menu-toggle").is_visible()
        assert page.locator("nav.main-nav a[href='/t/mex/contacts']").is_visible()
        assert page.locator("#lang-select").is_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= WIDTH + 1
    finally:
        context.close()
