"""Hooks of the Arabic demonstration tenant. NOT a real pilot: topics, governorates and registry
numbers are invented to show what a country plugin can do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.plugin_api import N_, Choice, FieldSpec, Message, TopicSpec, hookimpl, required_for_sectors

# The versions of core.plugin_api this plugin is written against (pilot-crm plugins check).
API_VERSIONS = (1,)

TOPICS = [
    TopicSpec("DEMO-SMUGGLING-ROUTES", N_("Migrant smuggling routes"), priority=True),
    TopicSpec("DEMO-CYBER-CHILDREN", N_("Cybercrime against children"), priority=True),
    TopicSpec("DEMO-ANTIQUITIES", N_("Looting and trafficking of antiquities"), priority=True),
]

GOVERNORATES = (
    Choice("capital", N_("Capital Governorate")),
    Choice("north", N_("Northern Governorate")),
    Choice("south", N_("Southern Governorate")),
    Choice("east", N_("Eastern Governorate")),
    Choice("west", N_("Western Governorate")),
    Choice("coast", N_("Coastal Governorate")),
    Choice("valley", N_("Valley Governorate")),
    Choice("desert", N_("Desert Governorate")),
)

# Sectors whose organizations must give their (fictional) registry number.
REGISTERED_SECTORS = frozenset({"ngo", "foundation"})

GOVERNORATE = FieldSpec(
    "demo_governorate",
    "choice",
    N_("Governorate"),
    choices=GOVERNORATES,
    help=N_("Fictional governorate, for demonstration only."),
)
REGISTRY_NO = FieldSpec(
    "demo_registry_no",
    "text",
    N_("Registry number"),
    max_length=10,
    pattern=r"^REG-\d{6}$",
    help=N_("Fictional registry number in the form REG-123456."),
    pattern_message=N_("Enter a registry number in the form REG-123456."),
)
FIELDS = {"organization": [GOVERNORATE, REGISTRY_NO], "contact": [GOVERNORATE, REGISTRY_NO]}


@hookimpl
def pilot_crm_topics() -> list[TopicSpec]:
    return TOPICS


@hookimpl
def pilot_crm_form_fields(form: str) -> list[FieldSpec]:
    return FIELDS.get(form, [])


@hookimpl
def pilot_crm_validate(form: str, data: dict[str, Any]) -> dict[str, list[Message]] | None:
    return required_for_sectors(
        form,
        data,
        "demo_registry_no",
        REGISTERED_SECTORS,
        N_("A registry number is required for non-governmental organizations and foundations."),
    )


@hookimpl
def pilot_crm_locale_dirs() -> list[Path]:
    return [Path(__file__).parent / "locales"]
