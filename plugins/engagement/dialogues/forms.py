"""The form of a dialogue's input, validated by core like any record form: what a participant
submits (topic, text, language, organization) and what moderators add (author on someone's behalf,
tags, status, the input it is merged into). The service decides who may set which."""

from __future__ import annotations

from core.plugin_api import N_, FieldSpec, PluginForm
from plugins.engagement.dialogues.service import InputService, check_tags, normalize_tags
from plugins.engagement.vocabulary import INPUT_STATUSES, LANGUAGES, WORKING_GROUPS

# Long enough for a written statement; longer is refused with the limit, never cut.
MAX_TEXT = 6000

INPUT_FIELDS = (
    FieldSpec("topic", "choice", N_("Working group"), required=True, choices=WORKING_GROUPS),
    FieldSpec("text", "textarea", N_("Input"), required=True, max_length=MAX_TEXT),
    FieldSpec("language", "choice", N_("Language of the input"), choices=LANGUAGES),
    FieldSpec("organization", "reference", N_("Organization"), references="organization"),
    FieldSpec(
        "organization_name",
        "text",
        N_("Organization, if not listed"),
        max_length=300,
    ),
    FieldSpec("author_name", "text", N_("Author"), max_length=250),
    FieldSpec(
        "tags",
        "text",
        N_("Tags"),
        max_length=1000,
        normalize=normalize_tags,
        validator=check_tags,
        help=N_("Separated by commas."),
    ),
    FieldSpec("status", "choice", N_("Status"), choices=INPUT_STATUSES),
    FieldSpec("merged_into", "integer", N_("Merged into input no.")),
)

INPUT_FORM = PluginForm("dialogue_input", INPUT_FIELDS, InputService)
