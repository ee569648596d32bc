"""An observer reads everything and changes nothing: no edit controls on lists and details, and a
forged POST (valid session, valid CSRF token) is refused with 403."""

from __future__ import annotations

import re

from tests.browser.kit import csrf_token, first_link, goto_ok, sign_in

AREAS = ["/organizations", "/contacts", "/meetings", "/actions", "/topics"]
# Links to forms that change data (not the attendees' export, which reads), and the labels of such
# buttons (English and Spanish).
EDIT_HREF = re.compile(r"/(new|edit|archive|attendees(?!/export\.)|progress|confirm)(\?|/|$)")
EDIT_LABEL = re.compile(r"^\s*(New|Edit|Archive|Nuev[oa]|Editar|Archivar)\b", re.IGNORECASE)
# The only forms an observer may post: the language switch, signing out, and the columns a list
# shows them (their own preference, not the tenant's records).
HARMLESS_FORMS = re.compile(r"/(language|logout|columns)$")


def _assert_no_edit_controls(page) -> None:
    hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    assert not [h for h in hrefs if EDIT_HREF.search(h)], f"edit links on {page.url}: {hrefs}"
    labels = page.eval_on_selector_all(
        "main a, main button, main input[type=submit]", "els => els.map(e => e.textContent || e.value)"
    )
    assert not [x for x in labels if EDIT_LABEL.match(x or "")], f"edit controls on {page.url}: {labels}"
    actions = page.eval_on_selector_all(
        "form[method=post], form[method=POST]", "els => els.map(e => e.getAttribute('action'))"
    )
    assert all(HARMLESS_FORMS.search(a or "") for a in actions), f"write forms on {page.url}: {actions}"


def test_an_observer_sees_no_edit_controls(new_context):
    page = sign_in(new_context(locale="es-MX"), "mex", "observer", "/organizations")
    for area in AREAS:
        goto_ok(page, f"/t/mex{area}")
        _assert_no_edit_controls(page)
        detail = first_link(page, rf"^/t/mex{area}/\d+$")
        goto_ok(page, detail)
        _assert_no_edit_controls(page)


def test_a_forged_post_from_an_observer_is_refused(new_context, live_server):
    page = sign_in(new_context(locale="es-MX"), "mex", "observer", "/organizations")
    token = csrf_token(page)
    detail = first_link(page, r"^/t/mex/organizations/\d+$")

    created = page.request.post(
        "/t/mex/organizations/new",
        form={"_csrf_token": token, "name": "Forged by an observer", "sector": "ngo", "country": "MEX"},
        max_redirects=0,
    )
    assert created.status == 403, created.text()[:500]
    archived = page.request.post(f"{detail}/archive", form={"_csrf_token": token}, max_redirects=0)
    assert archived.status == 403, archived.text()[:500]

    # Nothing changed: the forged organization does not exist and the other one is not archived.
    goto_ok(page, "/t/mex/organizations?q=Forged")
    assert "Forged by an observer" not in page.content()
    goto_ok(page, detail)
    assert page.locator(".flash-info").count() == 0
