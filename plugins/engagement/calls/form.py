"""The application form: core's field kinds and checks, with limits on every field. It is built per
activity (the issue-area checkboxes are the activity's own) and is no record form, so no other
plugin adds fields to it and it is not part of the API."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import phonenumbers
import pycountry
from babel import Locale

from core.plugin_api import (
    N_,
    SECTORS,
    Choice,
    FieldInvalid,
    FieldSpec,
    FormDefinition,
    Message,
    ValidationFailed,
    clean_fields,
)
from plugins.engagement.vocabulary import GENDERS

YES_NO = (Choice("yes", N_("Yes")), Choice("no", N_("No")))
# The honeypot: a field people never see (visually hidden, out of the tab order) and bots fill in.
HONEYPOT = "homepage"
EARLIEST_BIRTH_YEAR = 1900
# The largest body a complete form can be: every limit below, in Arabic (two bytes a character),
# percent-encoded (three characters a byte), with room to spare. Larger requests are refused (413).
MAX_BODY_BYTES = 128 * 1024


def to_e164(text: str) -> str:
    """A phone number in E.164, as core stores contacts' phones (international format required:
    the applicant's country is not known for sure)."""
    try:
        parsed = phonenumbers.parse(text, None)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise FieldInvalid(N_("Enter a valid phone number in international format, e.g. +52 55 1234 5678."))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def check_birth_year(year: int) -> None:
    latest = datetime.now(UTC).year
    if not EARLIEST_BIRTH_YEAR <= year <= latest:
        raise FieldInvalid(N_("Enter a year between {min} and {max}."), min=EARLIEST_BIRTH_YEAR, max=latest)


def check_consent(given: bool) -> None:
    if not given:
        raise FieldInvalid(N_("Agree to the processing of your data to apply."))


def application_form(issue_areas: list[str]) -> FormDefinition:
    """The form of a call whose activity is about ``issue_areas`` (topic codes)."""
    areas = tuple(Choice(code, code) for code in issue_areas)
    fields = (
        FieldSpec("first_name", "text", N_("First name"), required=True, max_length=120),
        FieldSpec("last_name", "text", N_("Last name"), required=True, max_length=120),
        FieldSpec("email", "email", N_("Email address"), required=True, max_length=254),
        FieldSpec(
            "phone",
            "text",
            N_("Phone number"),
            max_length=40,
            normalize=to_e164,
            help=N_("International format, e.g. +52 55 1234 5678."),
        ),
        FieldSpec("gender", "choice", N_("Gender"), choices=GENDERS),
        FieldSpec("birth_year", "integer", N_("Year of birth"), validator=check_birth_year),
        FieldSpec("country", "country", N_("Country of residence"), required=True),
        FieldSpec("job_title", "text", N_("Job title"), max_length=200),
        FieldSpec("organization_name", "text", N_("Organization"), required=True, max_length=300),
        FieldSpec(
            "organization_sector", "choice", N_("Type of organization"), required=True, choices=SECTORS
        ),
        FieldSpec("organization_country", "country", N_("Country where the organization is based")),
        *(
            (
                FieldSpec(
                    "issue_areas",
                    "multichoice",
                    N_("Issue areas you work on"),
                    choices=areas,
                    max_items=len(areas),
                ),
            )
            if areas
            else ()
        ),
        FieldSpec(
            "based_in_region",
            "choice",
            N_("Is your organization based in the region or countries this activity is for?"),
            required=True,
            choices=YES_NO,
        ),
        FieldSpec(
            "motivation",
            "textarea",
            N_("Why do you want to take part?"),
            required=True,
            max_length=5000,
        ),
        FieldSpec("language", "locale", N_("Language for our emails to you"), required=True),
        FieldSpec(
            "consent",
            "boolean",
            N_("I agree to the processing of my data as described above."),
            required=True,
            validator=check_consent,
        ),
    )
    return FormDefinition("application", fields)


def too_long(form: FormDefinition, data: dict[str, Any]) -> dict[str, list[Message]]:
    """Every text over its field's limit, said with the limit (checked before any other rule, so a
    value is never shortened nor refused for a reason that hides its length)."""
    errors: dict[str, list[Message]] = {}
    for spec in form.fields:
        value = data.get(spec.name)
        if spec.max_length and isinstance(value, str) and len(value.strip()) > spec.max_length:
            errors[spec.name] = [Message(N_("Enter at most {max} characters."), {"max": spec.max_length})]
    return errors


def clean(form: FormDefinition, data: dict[str, Any], locales: tuple[str, ...]) -> dict[str, Any]:
    """The submission cleaned field by field, or ValidationFailed naming each field's problem."""
    errors = too_long(form, data)
    try:
        cleaned = clean_fields(form.fields, data, locales=locales)
    except ValidationFailed as exc:
        errors = {**exc.errors, **errors}
        raise ValidationFailed(errors) from None
    if errors:
        raise ValidationFailed(errors)
    return cleaned


def country_choices(locale: str) -> list[tuple[str, str]]:
    """Every country as (alpha-3, its name in ``locale``), sorted by name."""
    names = Locale.parse(locale).territories
    found = []
    for country in pycountry.countries:
        found.append((country.alpha_3, names.get(country.alpha_2) or country.name))
    return sorted(found, key=lambda item: _sort_key(item[1]))


def _sort_key(name: str) -> str:
    return re.sub(r"[^\w ]", "", name).casefold()
