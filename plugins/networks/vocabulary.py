"""The choices of the plugin's forms: a network's scope and a member's role in it. Labels are
English msgids, translated per request through the plugin's catalogs."""

from __future__ import annotations

from core.plugin_api import N_, NGO_PARTICIPANT, NP_, Actor, Choice

SCOPES = (
    Choice("national", N_("National")),
    Choice("regional", N_("Regional")),
    Choice("global", N_("Global")),
)

MEMBER_ROLES = (
    # A role in a network, not a member account of the tenant (core's "Member"): a context of its own.
    Choice("member", NP_("network role", "Member")),
    Choice("founding_member", N_("Founding member")),
    Choice("steering_committee", N_("Steering committee")),
    Choice("secretariat", N_("Secretariat")),
    Choice("observer", N_("Observer")),
)

# The stakeholder side that owns networks and memberships: civil society's alliances, kept by the
# non-governmental side (read from the role, as the public surface names roles, not sides).
CIVIL_SOCIETY_SIDE = Actor(user_id=None, email="", role=NGO_PARTICIPANT).side


def label_of(choices: tuple[Choice, ...], value: str | None) -> str:
    """The msgid of ``value``'s label (the value itself when it is not one of ``choices``)."""
    return next((c.label for c in choices if c.value == value), value or "")
