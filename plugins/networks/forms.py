"""The plugin's two forms. Core builds, validates, renders and translates them like its own, and the
API describes them; other plugins may append fields to them (stored in ``extra``)."""

from __future__ import annotations

from core.plugin_api import N_, NP_, FieldSpec, PluginForm
from plugins.networks.service import MembershipService, NetworkService
from plugins.networks.vocabulary import MEMBER_ROLES, SCOPES

NETWORK_FIELDS = (
    FieldSpec("name", "text", NP_("network", "Name"), required=True, max_length=300),
    FieldSpec("acronym", "text", N_("Acronym"), max_length=40),
    FieldSpec(
        "scope",
        "choice",
        N_("Scope"),
        required=True,
        choices=SCOPES,
        help=N_("Where the network's members come from: one country, a region or the whole world."),
    ),
    FieldSpec("website", "url", N_("Website"), max_length=300),
)

MEMBERSHIP_FIELDS = (
    FieldSpec("network", "reference", N_("Network"), required=True, references="network"),
    FieldSpec("organization", "reference", N_("Organization"), required=True, references="organization"),
    FieldSpec("role", "choice", N_("Role in the network"), required=True, choices=MEMBER_ROLES),
    FieldSpec("since", "date", N_("Member since")),
    FieldSpec(
        "focal_point",
        "reference",
        N_("Focal point"),
        references="contact",
        help=N_("The person who represents the organization in this network."),
    ),
)

FORMS = [
    PluginForm("network", NETWORK_FIELDS, NetworkService),
    PluginForm("membership", MEMBERSHIP_FIELDS, MembershipService),
]
