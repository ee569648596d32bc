"""The choices of an activity's form: its kind, format, status and languages. Labels are English
msgids, translated per request through the plugin's catalogs (sector labels come from core's)."""

from __future__ import annotations

from core.plugin_api import N_, NP_, Choice

KINDS = (
    Choice("training", N_("Training")),
    Choice("workshop", N_("Workshop")),
    Choice("constructive_dialogue", N_("Constructive dialogue")),
    Choice("preparation_day", N_("Preparation day")),
    Choice("course_cohort", N_("Course cohort")),
)

FORMATS = (
    Choice("in_person", N_("In person")),
    Choice("online_synchronous", N_("Online, synchronous")),
    Choice("asynchronous", N_("Asynchronous")),
    Choice("dual", N_("Dual (live and self-paced)")),
)

# An activity's life: prepared, open for applications, applicants being selected, held, done.
STATUSES = (
    Choice("draft", N_("Draft")),
    Choice("call_open", N_("Call open")),
    Choice("selection", N_("Selection")),
    Choice("running", N_("Running")),
    Choice("completed", NP_("activity status", "Completed")),
)

# The languages activities are held in: the six official languages of the United Nations, and
# Portuguese, spoken in several of the pilots' countries.
LANGUAGES = (
    Choice("ar", N_("Arabic")),
    Choice("zh", N_("Chinese")),
    Choice("en", N_("English")),
    Choice("fr", N_("French")),
    Choice("pt", N_("Portuguese")),
    Choice("ru", N_("Russian")),
    Choice("es", N_("Spanish")),
)


def label_of(choices: tuple[Choice, ...], value: str | None) -> str:
    """The msgid of ``value``'s label (the value itself when it is not one of ``choices``)."""
    return next((c.label for c in choices if c.value == value), value or "")


# Constructive dialogues (plugins/engagement/dialogues): the working groups of the Conference of the
# Parties to the Convention whose chairs meet stakeholders, in the order a summary follows them.
# Inputs store the code; the labels are translated when shown.
WORKING_GROUPS = (
    Choice("firearms", N_("Firearms")),
    Choice("technical_assistance", N_("Technical assistance")),
    Choice("international_cooperation", N_("International cooperation")),
    Choice("trafficking_in_persons", N_("Trafficking in persons")),
    Choice("smuggling_of_migrants", N_("Smuggling of migrants")),
)

# An input's moderation: received as submitted, included in the summary, or merged into another.
INPUT_STATUSES = (
    Choice("received", N_("Received")),
    Choice("included", N_("Included in the summary")),
    Choice("merged", N_("Merged into another input")),
)

# The kinds of activity that take inputs.
DIALOGUE_KINDS = ("constructive_dialogue", "preparation_day")


# The call's gender question (optional), and the selection panel's breakdown by it.
GENDERS = (
    Choice("woman", N_("Woman")),
    Choice("man", N_("Man")),
    Choice("another", N_("Another gender")),
    Choice("prefer_not_to_say", N_("Prefer not to say")),
)
