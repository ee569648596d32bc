"""The activity form. Core builds, validates, renders and translates it like its own, and the API
describes it; other plugins may append fields to it (stored in ``extra``)."""

from __future__ import annotations

from core.plugin_api import N_, SECTORS, FieldSpec, PluginForm
from plugins.engagement import fields
from plugins.engagement.delivery.sessions import SESSION_FORM
from plugins.engagement.dialogues.forms import INPUT_FORM
from plugins.engagement.service import ActivityService
from plugins.engagement.vocabulary import FORMATS, KINDS, LANGUAGES, STATUSES


def countries_field(name: str, label: str, help_text: str) -> FieldSpec:
    """A list of ISO alpha-3 codes, stored as "GTM, MEX"."""
    return FieldSpec(
        name,
        "text",
        label,
        max_length=2000,
        normalize=fields.normalize_countries,
        validator=fields.check_countries,
        help=help_text,
    )


ACTIVITY_FIELDS = (
    FieldSpec("kind", "choice", N_("Kind of activity"), required=True, choices=KINDS),
    FieldSpec("title", "text", N_("Title"), required=True, max_length=300),
    FieldSpec("objectives", "textarea", N_("Objectives"), max_length=20000),
    FieldSpec("format", "choice", N_("Format"), required=True, choices=FORMATS),
    FieldSpec("starts_at", "datetime", N_("Starts"), required=True),
    FieldSpec("ends_at", "datetime", N_("Ends"), required=True),
    FieldSpec("timezone", "timezone", N_("Time zone"), help=N_("IANA time zone; defaults to the pilot's.")),
    FieldSpec(
        "registration_deadline",
        "datetime",
        N_("Registration deadline"),
        help=N_("Applications close at this moment, before the activity starts."),
    ),
    FieldSpec("languages", "multichoice", N_("Languages"), choices=LANGUAGES),
    FieldSpec("capacity", "integer", N_("Capacity"), validator=fields.check_capacity),
    FieldSpec("region", "text", N_("Region"), max_length=120),
    countries_field(
        "eligible_countries",
        N_("Eligible countries"),
        N_("Three-letter ISO codes separated by commas, e.g. MEX, GTM, HND."),
    ),
    FieldSpec("eligible_sectors", "multichoice", N_("Eligible stakeholder types"), choices=SECTORS),
    FieldSpec(
        "issue_areas",
        "topics",
        N_("Issue areas"),
        help=N_(
            "Topic codes, e.g. the Protocols on trafficking in persons, smuggling of migrants, firearms."
        ),
    ),
    FieldSpec(
        "priority_review_group",
        "integer",
        N_("Priority review group"),
        validator=fields.check_review_group,
        help=N_("Applicants from countries under review in this group come first."),
    ),
    countries_field(
        "priority_countries",
        N_("Countries of the priority review group"),
        N_("Three-letter ISO codes; their applicants get priority points in the selection."),
    ),
    FieldSpec(
        "youth_share_target",
        "integer",
        N_("Youth share target (%)"),
        validator=fields.check_percentage,
    ),
    FieldSpec(
        "reading_materials",
        "textarea",
        N_("Reading materials"),
        max_length=20000,
        validator=fields.check_reading_materials,
        help=N_('One per line: a title, a bar and a web address, e.g. "Toolkit | https://…".'),
    ),
    FieldSpec("status", "choice", N_("Status"), required=True, choices=STATUSES),
    FieldSpec(
        "completion_attendance",
        "integer",
        N_("Attendance needed for a certificate (%)"),
        validator=fields.check_percentage,
        help=N_("Share of the sessions held that a participant must attend; 80 when left blank."),
    ),
    FieldSpec(
        "completion_requires_post",
        "boolean",
        N_("Certificate requires the final self-assessment"),
        help=N_("When the activity has a self-assessment, participants must submit it after the activity."),
    ),
)

FORMS = [PluginForm("activity", ACTIVITY_FIELDS, ActivityService), SESSION_FORM, INPUT_FORM]
