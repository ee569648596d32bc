"""The priority score of an application, from the activity's rules. Pure: no I/O.

The score is the sum of its parts, each kept with the points it gave so the queue can show why:

- ``review_group``: 40 when the applicant's country (organization's, else residence) is one of the
  activity's ``priority_countries`` (the countries under review in its priority review group);
- ``youth``: 20 for an applicant under 35 in the activity's starting year (from ``birth_year``),
  only while the share of young people among those selected is below ``youth_share_target``;
- ``issue_areas``: 10 per issue area of the activity the applicant chose, at most 3 (30);
- ``motivation``: 5 when a motivation was written.

So at most 95. A part that gives nothing is left out.
"""

from __future__ import annotations

from typing import Any

from plugins.engagement.moments import instant
from plugins.engagement.selection.eligibility import applicant_country, codes

REVIEW_GROUP_POINTS = 40
YOUTH_POINTS = 20
YOUTH_AGE = 35
ISSUE_AREA_POINTS = 10
MAX_ISSUE_AREAS = 3
MOTIVATION_POINTS = 5


def is_young(activity: dict[str, Any], application: dict[str, Any]) -> bool:
    """Under 35 in the year the activity starts; unknown birth years are not young."""
    starts = instant(activity.get("starts_at"))
    birth_year = application.get("birth_year")
    return starts is not None and isinstance(birth_year, int) and starts.year - birth_year < YOUTH_AGE


def youth_share_below_target(activity: dict[str, Any], selected: int, selected_young: int) -> bool:
    """Whether the young share of those selected is still below the activity's target (percent)."""
    target = activity.get("youth_share_target")
    if not target:
        return False
    return selected == 0 or selected_young * 100 < target * selected


def parts(
    activity: dict[str, Any], application: dict[str, Any], *, youth_wanted: bool
) -> list[dict[str, Any]]:
    """The score's parts: ``[{"part", "points", "count"}]``; ``youth_wanted`` says whether the
    selection still falls short of its youth share."""
    found = []
    if applicant_country(application) in codes(activity.get("priority_countries")):
        found.append({"part": "review_group", "points": REVIEW_GROUP_POINTS, "count": 1})
    if youth_wanted and is_young(activity, application):
        found.append({"part": "youth", "points": YOUTH_POINTS, "count": 1})
    chosen = (application.get("answers") or {}).get("issue_areas") or []
    areas = [a for a in activity.get("issue_areas") or [] if isinstance(chosen, list) and a in chosen]
    if areas:
        count = min(len(areas), MAX_ISSUE_AREAS)
        found.append({"part": "issue_areas", "points": count * ISSUE_AREA_POINTS, "count": count})
    if (application.get("motivation") or "").strip():
        found.append({"part": "motivation", "points": MOTIVATION_POINTS, "count": 1})
    return found


def total(found: list[dict[str, Any]]) -> int:
    return sum(part["points"] for part in found)
