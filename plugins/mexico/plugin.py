"""Mexico's hooks: national priorities, state/RFC/plan-axis fields, and the RFC rule."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from core.plugin_api import (
    N_,
    Choice,
    FieldInvalid,
    FieldSpec,
    Message,
    TopicSpec,
    hookimpl,
    required_for_sectors,
)

from .states import STATES

# The versions of core.plugin_api this plugin is written against (pilot-crm plugins check).
API_VERSIONS = (1,)

# Where a priority narrows a topic of the shared taxonomy, it says which (``refines``), so that pages
# show the priority with that topic as context rather than two near-duplicates. Circular migration
# and youth spans smuggling of migrants and youth, and narrows neither.
TOPICS = [
    TopicSpec("MX-FIREARMS", N_("Firearms trafficking flows"), priority=True, refines="FIREARMS"),
    TopicSpec(
        "MX-VICTIMS", N_("Protection of victims of trafficking in persons"), priority=True, refines="VICTIMS"
    ),
    TopicSpec("MX-MIGRATION-YOUTH", N_("Circular migration and youth"), priority=True),
    TopicSpec(
        "MX-SUPPLY-CHAINS", N_("Forced labour in private-sector supply chains"), priority=True, refines="TIP"
    ),
    TopicSpec("MX-ENVIRONMENT", N_("Environmental crime"), priority=True, refines="ENVIRONMENTAL"),
]

# General axes of the Plan Nacional de Desarrollo 2025-2030.
PND_AXES = (
    Choice("governance", N_("Governance with justice and citizen participation")),
    Choice("wellbeing", N_("Development with well-being and humanism")),
    Choice("economy", N_("Moral economy and work")),
    Choice("sustainable", N_("Sustainable development")),
)

# Sectors whose organizations must give their RFC.
RFC_SECTORS = frozenset({"private_company", "business_association"})


def check_rfc_date(rfc: str) -> None:
    """The six digits after the 3-4 letters are a date (YYMMDD): incorporation or birth."""
    digits = rfc[-9:-3]
    try:
        date(2000 + int(digits[:2]), int(digits[2:4]), int(digits[4:]))
    except ValueError:
        raise FieldInvalid(N_("The date in this RFC ({date}) is not a valid date."), date=digits) from None


STATE = FieldSpec(
    "mx_state",
    "choice",
    N_("State"),
    choices=STATES,
    help=N_("Federal entity: one of the 31 states or Mexico City."),
)
RFC = FieldSpec(
    "mx_rfc",
    "text",
    N_("RFC (tax ID)"),
    max_length=13,
    pattern=r"^[A-ZÑ&]{3,4}\d{6}[A-Z0-9]{3}$",
    help=N_(
        "Federal Taxpayer Registry code in capital letters: 12 characters for a legal entity, "
        "13 for a natural person."
    ),
    pattern_message=N_(
        "Enter a valid RFC, e.g. ABC010203XY4 for a legal entity or ABCD010203XY4 for a person."
    ),
    validator=check_rfc_date,
    normalize=str.upper,
)
PND_AXIS = FieldSpec(
    "mx_pnd_axis",
    "choice",
    N_("National Development Plan axis"),
    choices=PND_AXES,
    help=N_("General axis of the National Development Plan 2025-2030 to which this action contributes."),
)
FIELDS = {"organization": [STATE, RFC], "contact": [STATE], "action": [PND_AXIS]}


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
        "mx_rfc",
        RFC_SECTORS,
        N_("An RFC is required for private companies and business associations."),
    )


@hookimpl
def pilot_crm_locale_dirs() -> list[Path]:
    return [Path(__file__).parent / "locales"]
