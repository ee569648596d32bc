"""Checks of single activity fields that core's field kinds do not make: a list of countries, a
positive capacity, a percentage and reading materials as "title | url" lines. Each
raises ``FieldInvalid`` with a msgid, which core turns into a localized field-level error."""

from __future__ import annotations

import re

import pycountry

from core.plugin_api import N_, FieldInvalid

URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)
MAX_MATERIALS = 50


def normalize_countries(text: str) -> str:
    """ "mex gtm, HND" → "GTM, HND, MEX": codes split on commas or spaces, upper case, once each."""
    codes = {code.upper() for code in re.split(r"[\s,;]+", text) if code}
    return ", ".join(sorted(codes))


def country_codes(text: str) -> list[str]:
    return [code for code in text.split(", ") if code]


def check_countries(text: str) -> None:
    unknown = [code for code in country_codes(text) if pycountry.countries.get(alpha_3=code) is None]
    if unknown:
        raise FieldInvalid(N_("Unknown ISO country code: {code}."), code=unknown[0])


def check_capacity(number: int) -> None:
    if number <= 0:
        raise FieldInvalid(N_("Enter a number greater than zero."))


def check_review_group(number: int) -> None:
    if not 1 <= number <= 99:
        raise FieldInvalid(N_("Enter a review group number between 1 and 99."))


def check_percentage(number: int) -> None:
    if not 0 <= number <= 100:
        raise FieldInvalid(N_("Enter a percentage between 0 and 100."))


def reading_materials(text: str) -> list[dict[str, str]]:
    """The materials of a "title | url" text, one per line, blank lines left out."""
    materials = []
    for line in text.splitlines():
        if not line.strip():
            continue
        title, bar, url = line.rpartition("|")
        materials.append({"title": title.strip(), "url": url.strip()} if bar else {"title": "", "url": ""})
    return materials


def check_reading_materials(text: str) -> None:
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_MATERIALS:
        raise FieldInvalid(N_("Enter at most {max} reading materials."), max=MAX_MATERIALS)
    for number, material in enumerate(reading_materials(text), start=1):
        if not material["title"] or not URL.match(material["url"]):
            raise FieldInvalid(
                N_('Line {line}: write a title, a bar and a web address, e.g. "Toolkit | https://…".'),
                line=number,
            )
