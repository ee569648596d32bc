"""The mandatory criteria of an activity's call, checked one by one against an application.

Pure: no I/O. Each check is a dict ``{"criterion", "passed", "reason", "params"}`` where ``reason``
is an English msgid and ``params`` its values as codes (sector codes, country codes, an ISO
instant), so the check is stored once and translated whenever it is shown (``display.py``). An
application is eligible when every check passes; criteria the activity does not set are not checked.
"""

from __future__ import annotations

from typing import Any

from core.plugin_api import N_
from plugins.engagement.moments import instant

CRITERIA = ("sector", "country", "issue_areas", "region", "consent", "deadline")

REASONS = {
    ("sector", True): N_("Sector {sector} is eligible."),
    ("sector", False): N_("Sector {sector} is not eligible: only {eligible}."),
    ("country", True): N_("Country {country} is eligible."),
    ("country", False): N_("Country {country} is not eligible: only {eligible}."),
    ("issue_areas", True): N_("Issue areas in common with the activity: {areas}."),
    ("issue_areas", False): N_("None of the activity's issue areas was chosen: {eligible}."),
    ("region", True): N_("Based in the region."),
    ("region", False): N_("Does not say they are based in the region."),
    ("consent", True): N_("Consent to the processing of personal data given."),
    ("consent", False): N_("Consent to the processing of personal data not given."),
    ("deadline", True): N_("Submitted before the deadline ({deadline})."),
    ("deadline", False): N_("Not submitted before the deadline ({deadline})."),
}


def codes(text: str | None) -> list[str]:
    """ "GTM, MEX" → ["GTM", "MEX"] (an activity's countries as stored)."""
    return [code.strip().upper() for code in (text or "").split(",") if code.strip()]


def applicant_country(application: dict[str, Any]) -> str:
    """The organization's country, else where the applicant lives."""
    return (application.get("organization_country") or application.get("country") or "").upper()


def _check(criterion: str, passed: bool, **params: Any) -> dict[str, Any]:
    return {
        "criterion": criterion,
        "passed": passed,
        "reason": REASONS[(criterion, passed)],
        "params": params,
    }


def checks(activity: dict[str, Any], application: dict[str, Any]) -> list[dict[str, Any]]:
    """The checks of ``application`` against ``activity``'s criteria, in the order of CRITERIA."""
    found = []
    answers = application.get("answers") or {}
    sectors = list(activity.get("eligible_sectors") or [])
    if sectors:
        sector = application.get("organization_sector") or ""
        found.append(_check("sector", sector in sectors, sector=sector, eligible=sectors))
    countries = codes(activity.get("eligible_countries"))
    if countries:
        country = applicant_country(application)
        found.append(_check("country", country in countries, country=country, eligible=countries))
    areas = list(activity.get("issue_areas") or [])
    if areas:
        chosen = answers.get("issue_areas") or []
        common = [a for a in areas if a in chosen] if isinstance(chosen, list) else []
        found.append(_check("issue_areas", bool(common), areas=common, eligible=areas))
    if activity.get("region") or countries:
        # The call stores its yes/no question as "yes"/"no"; an API or import may give a boolean.
        found.append(_check("region", answers.get("based_in_region") in (True, "yes")))
    found.append(_check("consent", instant(application.get("consent_at")) is not None))
    deadline = instant(activity.get("registration_deadline"))
    if deadline is not None:
        submitted = instant(application.get("submitted_at"))
        on_time = submitted is not None and submitted <= deadline
        found.append(_check("deadline", on_time, deadline=deadline.isoformat()))
    return found


def eligible(found: list[dict[str, Any]]) -> bool:
    return all(check["passed"] for check in found)
