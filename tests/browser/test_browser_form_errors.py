"""A form with bad input comes back with the error in the member's language next to the field (tied
to it for screen readers) and with everything that was typed still there."""

from __future__ import annotations

from tests.browser.kit import sign_in
from tests.support import translation

PHONE_ERROR = "Enter a valid phone number in international format, e.g. +52 55 1234 5678."


def test_a_bad_phone_is_explained_in_spanish_and_the_input_is_kept(new_context):
    expected = translation("es", PHONE_ERROR)
    assert expected != PHONE_ERROR, "the Spanish catalog has no translation of the phone error"

    page = sign_in(new_context(locale="es-MX"), "mex", "ngo", "/contacts/new")
    page.fill("#f-first_name", "Perla")
    page.fill("#f-last_name", "Navegador Prueba")
    page.fill("#f-position", "Enlace")
    page.fill("#f-phones", "55 no es un teléfono")
    with page.expect_navigation():
        page.locator("main form [type=submit]").click()

    assert page.locator("html").get_attribute("lang") == "es"
    phones = page.locator("#f-phones")
    assert phones.get_attribute("aria-invalid") == "true"
    described_by = (phones.get_attribute("aria-describedby") or "").split()
    error_ids = [ref for ref in described_by if "error" in ref]
    assert error_ids, f"the phones field is not described by an error: {described_by}"
    error = page.locator(f"[id='{error_ids[0]}']")
    assert error.inner_text().strip() == expected
    # Next to the field: the message sits in the same field container as the input, and is visible.
    assert page.locator(".field").filter(has=phones).locator(f"[id='{error_ids[0]}']").is_visible()
    # What was typed is kept.
    assert page.input_value("#f-first_name") == "Perla"
    assert page.input_value("#f-last_name") == "Navegador Prueba"
    assert page.input_value("#f-position") == "Enlace"
    assert page.input_value("#f-phones") == "55 no es un teléfono"
