"""Small helpers the browser scenarios share: signing in through the real form, reading pages."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PASSWORD = "browser-tests-Pa55word"
# The test members: (tenant, role). Emails are ``<role>@<tenant>.browser.test``.
MEMBERS = [
    ("mex", "coordinator"),
    ("mex", "government"),
    ("mex", "ngo"),
    ("mex", "observer"),
    ("demo-ar", "coordinator"),
    ("global", "coordinator"),
]
ARABIC = re.compile(r"[\u0600-\u06FF]")
SCREENSHOTS = Path(__file__).parent / "screenshots"


def member_email(slug: str, role: str) -> str:
    return f"{role}@{slug}.browser.test"


def sign_in(context: Any, slug: str, role: str, next_path: str = "/") -> Any:
    """A new page of ``context`` signed in as the test member of ``role`` in ``slug``, on ``next_path``."""
    page = context.new_page()
    page.goto(f"/t/{slug}/login?next=/t/{slug}{next_path}")
    page.fill("#email", member_email(slug, role))
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.locator("form[action$='/login'] [type=submit]").click()
    assert f"/t/{slug}/login" not in page.url, f"sign-in as {role}@{slug} failed: {page.content()[:2000]}"
    return page


def goto_ok(page: Any, path: str) -> Any:
    """Open ``path`` and insist on a 200 (pages not built yet fail here with their status)."""
    response = page.goto(path)
    assert response is not None and response.status == 200, f"GET {path} -> {response and response.status}"
    return response


def save_screenshot(page: Any, name: str, *, full_page: bool = True) -> Path:
    """A screenshot of ``page`` kept as ``screenshots/<name>`` (linked from the README). Written aside,
    then renamed over the kept one: two runs at once never leave half a picture."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / name
    partial = path.with_name(f".{os.getpid()}-{name}")  # ends in .png: Playwright picks the format by it
    page.screenshot(path=str(partial), full_page=full_page)
    partial.replace(path)
    return path


def csrf_token(page: Any) -> str:
    token = page.locator("input[name=_csrf_token]").first.get_attribute("value")
    assert token, "no CSRF token on the page"
    return str(token)


def first_link(page: Any, pattern: str) -> str:
    """The first href on the page matching the regular expression ``pattern``."""
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    for href in hrefs:
        if re.search(pattern, href or ""):
            return str(href)
    raise AssertionError(f"no link matching {pattern!r} on {page.url}")


def picker_options(page: Any, picker: str, search: str = "") -> list[tuple[str, str]]:
    """Open the searchable picker ``picker`` (the id of the select it drives) with the keyboard,
    typing ``search`` first: the (value, label) of the options it then offers."""
    combobox = page.locator(f"#{picker}-search")
    combobox.focus()
    if search:
        page.keyboard.type(search)
    else:
        page.keyboard.press("ArrowDown")
    page.wait_for_function(
        "id => document.getElementById(id).getAttribute('aria-expanded') === 'true'", arg=f"{picker}-search"
    )
    page.wait_for_selector(f"#{picker}-listbox [role=option]")
    found = page.eval_on_selector_all(
        f"#{picker}-listbox [role=option]", "os => os.map(o => [o.dataset.value, o.textContent.trim()])"
    )
    return [(str(value), str(label)) for value, label in found]


def choose_in_picker(page: Any, picker: str, value: str) -> None:
    """Choose the option of ``value`` in the open picker ``picker`` with the keyboard (ArrowDown to it,
    Enter); the select it drives then holds that value."""
    combobox = page.locator(f"#{picker}-search")
    for _ in range(page.locator(f"#{picker}-listbox [role=option]").count() + 1):
        active = combobox.get_attribute("aria-activedescendant")
        if active and page.locator(f"[id='{active}']").get_attribute("data-value") == value:
            break
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value(f"#{picker}") == value
    assert combobox.get_attribute("aria-expanded") == "false"


@dataclass
class RequestGuard:
    """Every request made by the pages of a test, checked against the app's own origin. Requests to
    any other host are recorded (the test fails) and aborted, so a test never reaches outside."""

    origin: str
    seen: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    def is_own(self, url: str) -> bool:
        own, other = urlsplit(self.origin), urlsplit(url)
        return url.startswith("data:") or (other.scheme, other.netloc) == (own.scheme, own.netloc)

    def watch(self, context: Any) -> None:
        context.on("request", lambda request: self.seen.append(request.url))
        context.on("page", lambda page: page.on("pageerror", lambda exc: self.page_errors.append(str(exc))))
        context.route(
            "**/*", lambda route: route.continue_() if self.is_own(route.request.url) else route.abort()
        )

    def foreign(self) -> list[str]:
        return [url for url in self.seen if not self.is_own(url)]


def open_context(
    browser: Any,
    origin: str,
    guard: RequestGuard,
    locale: str = "es-MX",
    width: int = 1280,
    height: int = 900,
) -> Any:
    """A browser context (one member's browser) in ``locale`` on a ``width`` × ``height`` screen,
    whose pages are all watched by ``guard``."""
    context = browser.new_context(
        base_url=origin,
        locale=locale,
        viewport={"width": width, "height": height},
        extra_http_headers={"Accept-Language": locale},
    )
    context.set_default_timeout(10_000)
    guard.watch(context)
    return context
