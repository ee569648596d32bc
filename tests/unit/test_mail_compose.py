"""Composed mails: plain text and an escaped HTML alternative whose root carries the language and
its direction (an Arabic mail reads right to left in a mail client too)."""

from __future__ import annotations

import pytest

from core.mail import Mail
from core.mail.compose import compose


@pytest.mark.parametrize(("language", "direction"), [("ar", "rtl"), ("es", "ltr"), ("fr", "ltr")])
def test_the_html_part_carries_the_language_and_its_direction(language, direction):
    mail = Mail(to="a@example.org", subject="s", paragraphs=("x",), language=language)
    html = compose(mail, "crm@example.org").get_body(preferencelist=("html",))
    assert html is not None
    assert f'<html lang="{language}" dir="{direction}">' in html.get_content()  # type: ignore[attr-defined]


def test_paragraphs_are_escaped_and_a_bare_link_is_clickable():
    link = "https://crm.example.org/t/mex/invite/abc"
    mail = Mail(to="a@example.org", subject="<b>", paragraphs=("<script>x</script>", link), language="es")
    message = compose(mail, "crm@example.org")
    html = message.get_body(preferencelist=("html",)).get_content()  # type: ignore[union-attr]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert f'<a href="{link}">{link}</a>' in html
    assert message["Content-Language"] == "es"
