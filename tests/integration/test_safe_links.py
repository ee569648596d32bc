"""Web addresses in text members type (meeting minutes, progress notes) become safe links on the
pages: http(s) and www. only, rel="noopener nofollow ugc", everything else escaped text."""

from __future__ import annotations

import html
import re
import secrets
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.testing.web import Browser, section, sign_in
from tests.integration.test_pages_actions import make_action

REL = "noopener nofollow ugc"

# (typed, the link it must become or None when it must stay text)
CASES = [
    ("https://www.unodc.org/unodc/en/treaties/CTOC/", "https://www.unodc.org/unodc/en/treaties/CTOC/"),
    ("http://example.org/a_b?x=1&y=2#frag", "http://example.org/a_b?x=1&amp;y=2#frag"),
    ("www.gob.mx/sre", "http://www.gob.mx/sre"),
    ("HTTPS://UN.ORG/ES", "HTTPS://UN.ORG/ES"),
    ("https://例子.中国/路径", None),  # linked, its href checked below: escaped, https
    ("javascript:alert(document.cookie)", None),
    ("data:text/html;base64,PHNjcmlwdD4=", None),
    ("ftp://files.example.org/x", None),
    ("mailto:ana@example.org", None),
    ("//evil.example/path", None),
    ("vbscript:msgbox(1)", None),
]


class Anchors(HTMLParser):
    """Every <a> of a fragment: its attributes and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None
        self._text = ""
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._open, self._text = dict(attrs), ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open is not None:
            self.links.append((self._open, self._text))
            self._open = None

    def handle_data(self, data: str) -> None:
        self.text += data
        if self._open is not None:
            self._text += data


def anchors(fragment: str) -> Anchors:
    parser = Anchors()
    parser.feed(fragment)
    return parser


def make_meeting(browser: Browser, minutes: str) -> str:
    browser.get("/meetings/new")
    made = browser.post(
        "/meetings/new",
        {
            "title": f"Links {secrets.token_hex(3)}",
            "meeting_type": "national_dialogue",
            "starts_at": "2025-05-06T10:00",
            "ends_at": "2025-05-06T13:00",
            "mode": "online",
            "minutes": minutes,
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text[:2000]
    return str(made.headers["location"]).removeprefix(f"/t/{browser.slug}")


def minutes_of(browser: Browser, path: str) -> str:
    page = browser.get(path)
    assert page.status_code == 200
    return section(page.text, "<h2>Minutes</h2>")


def test_addresses_in_minutes_become_safe_links_and_nothing_else_does(client, env):
    browser = sign_in(client, env, "alpha", "coordinator", locale="en")
    typed = "\n".join(f"Line {n}: see {value}." for n, (value, _) in enumerate(CASES))
    typed += '\n\nA forged one: <a href="javascript:alert(1)">click</a> and https://x.example/"onmouseover="alert(1)'
    shown = minutes_of(browser, make_meeting(browser, typed))
    found = anchors(shown)
    hrefs = [attrs["href"] for attrs, _ in found.links]
    for attrs, text in found.links:
        assert attrs["rel"] == REL, attrs
        assert re.match(r"(?i)https?://", attrs["href"] or ""), attrs
        assert set(attrs) == {"href", "rel"}, attrs  # no handler, no style smuggled in
        assert text and text.rstrip(".") == text, text  # the sentence's full stop stays outside
    for value, link in CASES:
        assert html.escape(value, quote=False) in shown or value in shown  # the text is all there
        if link is not None:
            assert f'<a href="{link}" rel="{REL}">' in shown
    unsafe = ("javascript", "data", "ftp", "mailto", "//", "vbscript")
    assert not any(h and h.lower().startswith(unsafe) for h in hrefs)
    assert any("例子.中国" in (h or "") or "xn--" in (h or "") for h in hrefs)
    assert "&lt;a href=&#34;javascript:alert(1)&#34;&gt;click&lt;/a&gt;" in shown
    assert 'onmouseover="' not in shown and "&#34;onmouseover=&#34;alert(1)" in shown  # quotes stay escaped
    # One link per safe address, none for the rest: the four listed, the IDN one and the forged line's.
    assert len(hrefs) == 6


def test_progress_notes_link_their_addresses(client, env):
    browser = sign_in(client, env, "alpha", "coordinator", locale="en")
    path, _, _ = make_action(client, env, browser)
    note = "Report published at https://example.org/report.pdf (draft at javascript:void(0))."
    added = browser.post(f"{path}/progress", {"on_date": "2025-05-07", "note": note}, follow_redirects=False)
    assert added.status_code == 303, added.text[:2000]
    progress = section(browser.get(path).text, 'id="progress"')
    report = "https://example.org/report.pdf"
    assert f'<a href="{report}" rel="{REL}">{report}</a> (draft' in progress
    assert "javascript:void(0))." in progress and 'href="javascript' not in progress


ADDRESS = st.builds(
    lambda scheme, host, path: f"{scheme}{host}.org/{path}",
    st.sampled_from(["https://", "http://", "www.", "javascript:", "ftp://", ""]),
    st.from_regex(r"[a-z]{1,12}", fullmatch=True),
    st.from_regex(r"[a-zA-Z0-9_\-/?=&%.]{0,20}", fullmatch=True),
)
WORDS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pieces=st.lists(st.one_of(ADDRESS, WORDS), min_size=1, max_size=6))
def test_generated_text_keeps_every_character_and_links_only_web_addresses(client, env, pieces):
    browser = sign_in(client, env, "alpha", "coordinator", locale="en")
    typed = " ".join(pieces).replace("\n", " ").strip()
    if not typed:
        return
    shown = minutes_of(browser, make_meeting(browser, typed))
    found = anchors(shown[shown.index("</h2>") + 5 :])
    # What the page shows, tags aside, is exactly what was typed (surrounding spaces aside).
    assert " ".join(found.text.split()) == " ".join(typed.split())
    for attrs, text in found.links:
        assert attrs["rel"] == REL and re.match(r"(?i)https?://", attrs["href"] or "")
        assert text.lower().startswith(("http://", "https://", "www."))
