"""Every form control has a label, and the keyboard alone gets to the content with a visible focus."""

from __future__ import annotations

from tests.browser.kit import goto_ok, sign_in

FORM_PAGES = [
    "/organizations",
    "/organizations/new",
    "/contacts/new",
    "/meetings/new",
    "/actions/new",
    "/topics/new",
    "/profile",
    "/members",
]
UNLABELLED = """() => [...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
  .filter(c => !(c.labels && c.labels.length) && !c.getAttribute('aria-label')
               && !c.getAttribute('aria-labelledby'))
  .map(c => c.outerHTML.slice(0, 120))"""


def test_every_form_control_is_labelled(new_context):
    page = sign_in(new_context(locale="es-MX"), "mex", "coordinator")
    unlabelled = {}
    for path in FORM_PAGES:
        goto_ok(page, f"/t/mex{path}")
        if controls := page.evaluate(UNLABELLED):
            unlabelled[path] = controls
    assert not unlabelled, f"form controls without a label: {unlabelled}"


def test_the_keyboard_reaches_the_content_with_a_visible_focus(new_context):
    page = sign_in(new_context(locale="ar"), "demo-ar", "coordinator")
    page.keyboard.press("Tab")
    skip = page.evaluate(
        """() => { const e = document.activeElement, r = e.getBoundingClientRect(), s = getComputedStyle(e);
        return {cls: e.className, inView: r.left >= 0 && r.right <= innerWidth && r.top >= 0 && r.width > 0,
                outline: s.outlineStyle, shadow: s.boxShadow}; }"""
    )
    assert skip["cls"] == "skip-link" and skip["inView"], f"the first Tab does not show the skip link: {skip}"
    assert skip["outline"] != "none" or skip["shadow"] != "none", f"the focus is not visible: {skip}"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
