"""Checks, score parts, statuses and decisions in the reader's language: the stored codes become
translated sentences here, when shown, never when stored."""

from __future__ import annotations

from typing import Any

from core.plugin_api import N_, SECTORS, Choice, Translator
from plugins.engagement.moments import instant
from plugins.engagement.vocabulary import label_of

APPLICATION_STATUSES = (
    Choice("submitted", N_("Submitted")),
    Choice("selected", N_("Selected")),
    Choice("waitlisted", N_("Waitlisted")),
    Choice("rejected", N_("Rejected")),
    Choice("offered", N_("Place offered")),
    Choice("declined", N_("Declined")),
    Choice("withdrawn", N_("Withdrawn")),
)
# What a reviewer may decide from the queue (a decline is recorded for a selected or offered person).
DECISIONS = (
    Choice("selected", N_("Select")),
    Choice("waitlisted", N_("Waitlist")),
    Choice("rejected", N_("Reject")),
    Choice("declined", N_("Record a decline")),
)
# The call's eligibility questions, by the key their answers are stored under.
ANSWERS = {
    "issue_areas": N_("Issue areas"),
    "based_in_region": N_("Based in the region"),
}
PARTS = {
    "review_group": N_("Review group country +{points}"),
    "youth": N_("Youth +{points}"),
    "issue_areas": N_("Issue areas ({count}) +{points}"),
    "motivation": N_("Motivation given +{points}"),
}


def sector_label(t: Translator, code: str) -> str:
    return t.gettext(label_of(SECTORS, code)) if code else "—"


def check_text(t: Translator, check: dict[str, Any]) -> str:
    """One eligibility check as a sentence, its codes shown as labels."""
    params = dict(check.get("params") or {})
    if "sector" in params:
        params["sector"] = sector_label(t, params["sector"])
    if check.get("criterion") == "sector":
        params["eligible"] = ", ".join(sector_label(t, code) for code in params.get("eligible") or [])
    else:
        params["eligible"] = ", ".join(params.get("eligible") or [])
    if "areas" in params:
        params["areas"] = ", ".join(params["areas"])
    if "country" in params:
        params["country"] = params["country"] or "—"
    if "deadline" in params:
        moment = instant(params["deadline"])
        params["deadline"] = t.format_moment(moment) if moment else ""
    reason = str(check["reason"])
    return t.gettext(reason, **params)


def part_text(t: Translator, part: dict[str, Any]) -> str:
    msgid = PARTS[part["part"]]
    return t.gettext(msgid, points=part["points"], count=part["count"])


def score_parts(application: dict[str, Any]) -> list[dict[str, Any]]:
    return list((application.get("extra") or {}).get("score_parts") or [])


def status_label(t: Translator, status: str) -> str:
    return t.gettext(label_of(APPLICATION_STATUSES, status))


def answers(t: Translator, application: dict[str, Any]) -> list[tuple[str, str]]:
    """The answers to the call's questions as (label, value): known questions by their label,
    yes and no in words, lists joined; others by their key, as submitted."""
    shown = []
    for key, value in sorted((application.get("answers") or {}).items()):
        label = t.gettext(ANSWERS[key]) if key in ANSWERS else str(key)
        if isinstance(value, bool):
            text = t.gettext(N_("Yes") if value else N_("No"))
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value)
        else:
            text = "" if value is None else str(value)
        shown.append((label, text))
    return shown
