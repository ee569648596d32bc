"""The participants of an activity as lists show them: group, attendance rate and scores, and
the cohort's figures (mean pre, mean post, mean gain, how many answered both)."""

from __future__ import annotations

from typing import Any

from core.plugin_api import Actor
from plugins.engagement.delivery.assessment import Assessment, cohort_summary
from plugins.engagement.delivery.cohort import Cohort, attendance_rates


async def participant_rows(actor: Actor, activity_id: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The participants with their group, attendance rate and scores, and the cohort's figures."""
    cohort = Cohort(actor, None, activity_id)
    rows = await cohort.rows()
    groups = {g["id"]: g["name"] for g in await cohort.groups()}
    rates = await attendance_rates(activity_id)
    scores = await Assessment(actor, activity_id).scores()
    for row in rows:
        row["group_name"] = groups.get(row["group"], "")
        rate = rates.get(row["id"])
        row["attendance_rate"] = None if rate is None else round(100 * rate)
        row.update(scores.get(row["id"], {"pre": None, "post": None, "gain": None}))
    return rows, cohort_summary([scores[r["id"]] for r in rows if r["id"] in scores])


def public_row(row: dict[str, Any]) -> dict[str, Any]:
    """A participant as the API gives it: nothing of a contact the member may not see."""
    keys = ("id", "activity", "contact", "application", "group", "source", "created_at", "has_link")
    shown = {k: row.get(k) for k in keys}
    shown.update(attendance_rate=row["attendance_rate"], pre=row["pre"], post=row["post"], gain=row["gain"])
    if row["hidden"]:
        shown["hidden"] = True
        return shown
    shown.update(
        first_name=row["first_name"],
        last_name=row["last_name"],
        organization_name=row["organization_name"],
        country=row["country"],
        sector=row["sector"],
        group_name=row["group_name"],
    )
    return shown
