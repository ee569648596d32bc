"""The plugin's cards: the application funnel on the dashboard (the tenant's activities of the last
twelve months and the upcoming ones) and on each activity's page, and a person's or an
organization's engagement on their pages. Loaders read through ``reading``; the templates are under
``templates/engagement/panels/``."""

from __future__ import annotations

from typing import Any

from core.plugin_api import N_, Actor, Choice, ContactVisibility, Datum, Panel, Translator, horizontal_bars
from plugins.engagement.panels import reading
from plugins.engagement.reviewing import is_reviewer
from plugins.engagement.vocabulary import WORKING_GROUPS

STEPS = (
    Choice("applied", N_("Applied")),
    Choice("eligible", N_("Eligible")),
    Choice("selected", N_("Selected")),
    Choice("attended", N_("Attended")),
    Choice("certified", N_("Certified")),
)
# An application's status (``Application.status``), as the panels and the export name it.
APPLICATION_STATUSES = (
    Choice("submitted", N_("Submitted")),
    Choice("selected", N_("Selected")),
    Choice("waitlisted", N_("Waitlisted")),
    Choice("rejected", N_("Not selected")),
    Choice("offered", N_("Offered a place")),
    Choice("declined", N_("Declined the place")),
    Choice("withdrawn", N_("Withdrawn")),
)
# A dialogue input's state in moderation (``DialogueInput.status``).
INPUT_STATUSES = (
    Choice("received", N_("Received")),
    Choice("merged", N_("Merged")),
    Choice("included", N_("Included in the summary")),
)


def label(t: Translator, choices: tuple[Choice, ...], value: str | None) -> str:
    return next((t.gettext(c.label) for c in choices if c.value == value), value or "")


def labelled(t: Translator, found: dict[str, list[dict[str, Any]]]) -> dict[str, Any] | None:
    """``found`` with each application's and input's status, and each input's working group, by
    its label; None when it is empty."""
    if not any(found.values()):
        return None
    for row in found["applications"]:
        row["status_label"] = label(t, APPLICATION_STATUSES, row["status"])
    for row in found["inputs"]:
        row["status_label"] = label(t, INPUT_STATUSES, row["status"])
        row["topic_label"] = label(t, WORKING_GROUPS, row["topic"])
    return found


def funnel_view(t: Translator, counts: dict[str, int]) -> dict[str, Any]:
    """The counts as bars, with a text description of the same numbers for screen readers."""
    data = [Datum(step.value, t.gettext(step.label), counts[step.value]) for step in STEPS]
    chart = horizontal_bars(data, fmt=t.format_number, rtl=t.direction == "rtl", label_share=0.3)
    description = "; ".join(
        t.gettext(N_("{label}: {value}"), label=d.label, value=t.format_number(d.value)) for d in data
    )
    return {"counts": counts, "steps": data, "chart": chart, "description": description}


async def dashboard_funnel(actor: Actor, t: Translator, _record: dict[str, Any] | None) -> dict[str, Any]:
    activities = await reading.recent_activities()
    return {**funnel_view(t, await reading.funnel(activities)), "activities": len(activities)}


async def activity_funnel(actor: Actor, t: Translator, record: dict[str, Any] | None) -> dict[str, Any]:
    assert record is not None
    counts = await reading.funnel([record["id"]])
    return {**funnel_view(t, counts), "can_export": await is_reviewer(actor)}


async def contact_engagement(
    actor: Actor, t: Translator, record: dict[str, Any] | None
) -> dict[str, Any] | None:
    """Nothing for a contact the reader sees only as a placeholder, nor for one with no engagement."""
    assert record is not None
    if record.get("hidden") or record.get("erased_at") is not None:
        return None
    return labelled(t, await reading.contact_engagement(record["id"]))


async def organization_engagement(
    actor: Actor, t: Translator, record: dict[str, Any] | None
) -> dict[str, Any] | None:
    assert record is not None
    visibility = ContactVisibility(actor)
    return labelled(t, await reading.organization_engagement(record["id"], visibility, t.gettext))


DASHBOARD_PANEL = Panel(
    key="engagement-funnel",
    title=N_("Applications to activities"),
    template="engagement/panels/dashboard_funnel.html",
    load=dashboard_funnel,
)
ACTIVITY_PANEL = Panel(
    key="engagement-funnel",
    title=N_("Application funnel"),
    template="engagement/panels/activity_funnel.html",
    load=activity_funnel,
)
CONTACT_PANEL = Panel(
    key="engagement",
    title=N_("Trainings and dialogues"),
    template="engagement/panels/contact.html",
    load=contact_engagement,
)
ORGANIZATION_PANEL = Panel(
    key="engagement",
    title=N_("Trainings and dialogues"),
    template="engagement/panels/organization.html",
    load=organization_engagement,
)
RECORD_PANELS = {"activity": ACTIVITY_PANEL, "contact": CONTACT_PANEL, "organization": ORGANIZATION_PANEL}
