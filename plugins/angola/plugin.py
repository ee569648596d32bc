"""Angola's hooks: national priorities, province/NIF fields, and the NIF rule for NGOs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from core.plugin_api import N_, FieldInvalid, FieldSpec, Message, TopicSpec, hookimpl, required_for_sectors

from .provinces import PROVINCES

# The versions of core.plugin_api this plugin is written against (pilot-crm plugins check).
API_VERSIONS = (1,)

# Each priority narrows a topic of the shared taxonomy (``refines``): pages show it with that topic
# as context rather than two near-duplicates.
TOPICS = [
    TopicSpec("AO-CHILD-TRAFFICKING", N_("Child trafficking"), priority=True, refines="TIP"),
    TopicSpec(
        "AO-FLORA", N_("Trafficking in protected flora (timber)"), priority=True, refines="ENVIRONMENTAL"
    ),
    TopicSpec(
        "AO-ILLICIT-MINING", N_("Illicit mining (diamonds and gold)"), priority=True, refines="ENVIRONMENTAL"
    ),
]

# NIF: 10 digits (legal entity) or, for a person, the identity card number (9 digits, 2 letters, 3 digits).
NIF_RE = re.compile(r"\d{10}|\d{9}[A-Z]{2}\d{3}")


def check_nif(value: str) -> None:
    if not NIF_RE.fullmatch(value):
        raise FieldInvalid(
            N_(
                "Enter a valid NIF: 10 digits, or 9 digits, 2 capital letters and 3 digits "
                "(e.g. 004567890LA042)."
            )
        )


PROVINCE = FieldSpec(
    "ao_province", "choice", N_("Province"), choices=PROVINCES, help=N_("One of Angola's 18 provinces.")
)
NIF = FieldSpec(
    "ao_nif",
    "text",
    N_("Tax identification number (NIF)"),
    max_length=14,
    validator=check_nif,
    normalize=str.upper,
    help=N_(
        "10 digits for a company; for a person, 9 digits, 2 letters and 3 digits (the identity card number)."
    ),
)
FIELDS = {"organization": [PROVINCE, NIF], "contact": [PROVINCE]}


@hookimpl
def pilot_crm_topics() -> list[TopicSpec]:
    return TOPICS


@hookimpl
def pilot_crm_form_fields(form: str) -> list[FieldSpec]:
    return FIELDS.get(form, [])


@hookimpl
def pilot_crm_validate(form: str, data: dict[str, Any]) -> dict[str, list[Message]] | None:
    return required_for_sectors(
        form, data, "ao_nif", {"ngo"}, N_("A NIF is required for non-governmental organizations.")
    )


@hookimpl
def pilot_crm_locale_dirs() -> list[Path]:
    return [Path(__file__).parent / "locales"]
