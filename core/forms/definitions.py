"""Core form definitions and their merge with the tenant's plugin fields."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pluggy

from core.forms import vocabulary as v
from core.forms.fields import FieldSpec
from core.i18n.markers import N_, NP_
from core.plugins.contributions import PluginForm

CORE_FORMS: dict[str, tuple[FieldSpec, ...]] = {
    "organization": (
        # An organization's name, not a person's (several languages use different words).
        FieldSpec("name", "text", NP_("organization", "Name"), required=True, max_length=300),
        FieldSpec("acronym", "text", N_("Acronym"), max_length=40),
        FieldSpec(
            "sector",
            "choice",
            N_("Sector"),
            required=True,
            choices=v.SECTORS,
            help=N_("The sector decides the stakeholder side."),
        ),
        FieldSpec("country", "country", N_("Country"), help=N_("Three-letter ISO code, e.g. MEX.")),
        FieldSpec("city", "text", N_("City"), max_length=120),
        FieldSpec("website", "url", N_("Website"), max_length=300),
        FieldSpec("topics", "topics", N_("Topics")),
    ),
    "contact": (
        FieldSpec("first_name", "text", N_("First name"), required=True, max_length=120),
        FieldSpec("last_name", "text", N_("Last name"), required=True, max_length=120),
        FieldSpec("organization", "reference", N_("Organization"), references="organization"),
        FieldSpec("position", "text", N_("Position"), max_length=200),
        FieldSpec("emails", "emails", N_("Email addresses")),
        FieldSpec(
            "phones", "phones", N_("Phone numbers"), help=N_("International format, e.g. +52 55 1234 5678.")
        ),
        FieldSpec("preferred_language", "locale", N_("Preferred language")),
        FieldSpec("roles", "multichoice", N_("Roles"), choices=v.CONTACT_ROLES),
        FieldSpec("consent_basis", "choice", N_("Lawful basis"), choices=v.CONSENT_BASES),
        FieldSpec("consent_date", "date", N_("Consent date")),
        FieldSpec(
            "protected",
            "boolean",
            N_("Protected person"),
            help=N_("At-risk person: limit who can see this contact."),
        ),
    ),
    "meeting": (
        FieldSpec("title", "text", N_("Title"), required=True, max_length=300),
        FieldSpec("meeting_type", "choice", N_("Meeting type"), required=True, choices=v.MEETING_TYPES),
        FieldSpec("starts_at", "datetime", N_("Starts"), required=True),
        FieldSpec("ends_at", "datetime", N_("Ends"), required=True),
        FieldSpec(
            "timezone", "timezone", N_("Time zone"), help=N_("IANA time zone; defaults to the pilot's.")
        ),
        FieldSpec("mode", "choice", N_("Mode"), required=True, choices=v.MEETING_MODES),
        FieldSpec("place", "text", N_("Place"), max_length=300),
        FieldSpec("agenda", "textarea", N_("Agenda"), max_length=20000),
        FieldSpec("minutes", "textarea", N_("Minutes"), max_length=100000),
        FieldSpec("outcomes", "textarea", N_("Outcomes"), max_length=20000),
        FieldSpec("topics", "topics", N_("Topics")),
    ),
    "action": (
        FieldSpec("title", "text", N_("Title"), required=True, max_length=300),
        FieldSpec("description", "textarea", N_("Description"), max_length=20000),
        FieldSpec("status", "choice", N_("Status"), choices=v.ACTION_STATUSES),
        FieldSpec("government_lead", "reference", N_("Government lead"), references="organization"),
        FieldSpec("partners", "references", N_("Non-governmental partners"), references="organization"),
        FieldSpec("origin_meeting", "reference", N_("Origin meeting"), references="meeting"),
        FieldSpec("due_date", "date", N_("Due date")),
        FieldSpec("topics", "topics", N_("Topics")),
    ),
    "topic": (
        FieldSpec(
            "code",
            "text",
            N_("Code"),
            required=True,
            max_length=64,
            pattern=r"[A-Za-z0-9-]+",
            pattern_message=N_("Use letters, digits and hyphens only."),
        ),
        FieldSpec("label", "text", N_("Label"), required=True, max_length=200),
        FieldSpec("category", "choice", N_("Category"), required=True, choices=v.TOPIC_CATEGORIES),
        FieldSpec("priority", "boolean", N_("National priority")),
    ),
}


@dataclass(frozen=True, slots=True)
class FormDefinition:
    name: str
    fields: tuple[FieldSpec, ...]

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def plugin_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.source != "core")


def plugin_forms(pm: pluggy.PluginManager) -> dict[str, tuple[str, PluginForm]]:
    """The forms the manager's plugins declare (``pilot_crm_forms``): name → (plugin, form)."""
    found: dict[str, tuple[str, PluginForm]] = {}
    for impl in pm.hook.pilot_crm_forms.get_hookimpls():
        for form in impl.function() or []:  # type: ignore[attr-defined]
            if form.name in CORE_FORMS or form.name in found:
                raise ValueError(f"plugin {impl.plugin_name!r} redefines form {form.name!r}")
            found[form.name] = (impl.plugin_name, form)
    return found


def build_form(name: str, pm: pluggy.PluginManager) -> FormDefinition:
    """Core's (or a plugin's) fields of ``name`` followed by each enabled plugin's additions, tagged
    with the plugin's name. A plugin's own form counts as core fields of its records: ``source``
    tells the added fields apart, which are stored in the ``extra`` column."""
    if name in CORE_FORMS:
        fields = list(CORE_FORMS[name])
    else:
        declared = plugin_forms(pm)
        if name not in declared:
            raise KeyError(name)
        fields = list(declared[name][1].fields)
    seen = {f.name for f in fields}
    # get_hookimpls() lists plugins in registration order: core, then the tenant's plugins as declared.
    for impl in pm.hook.pilot_crm_form_fields.get_hookimpls():
        specs: list[FieldSpec] = impl.function(form=name) or []  # type: ignore[assignment]
        for spec in specs:
            if spec.name in seen:
                raise ValueError(f"plugin {impl.plugin_name!r} redefines field {spec.name!r} on {name!r}")
            seen.add(spec.name)
            fields.append(replace(spec, source=impl.plugin_name))
    return FormDefinition(name, tuple(fields))
