"""The selection's pure rules, without a database: each mandatory criterion gives its reason, an
application is eligible exactly when every check passes, and the score is the sum of its parts
within its bounds (hypothesis, a few examples: these run in every test command)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.engagement.selection import eligibility, scoring

ACTIVITY: dict[str, Any] = {
    "starts_at": "2027-03-10T09:00:00-06:00",
    "registration_deadline": "2027-02-01T23:59:00-06:00",
    "eligible_sectors": ["ngo", "academia"],
    "eligible_countries": "GTM, MEX",
    "priority_countries": "GTM",
    "issue_areas": ["TIP", "SOM"],
    "region": "Centroamérica",
    "youth_share_target": 30,
}
ON_TIME = datetime(2027, 1, 5, tzinfo=UTC)


def application(**fields: Any) -> dict[str, Any]:
    return {
        "organization_sector": "ngo",
        "organization_country": "",
        "country": "MEX",
        "answers": {"issue_areas": ["TIP"], "based_in_region": True},
        "consent_at": ON_TIME,
        "submitted_at": ON_TIME,
        "birth_year": 1980,
        "motivation": "",
        **fields,
    }


def failed(found: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["criterion"]: c for c in found if not c["passed"]}


def test_each_criterion_says_why_it_failed():
    assert failed(eligibility.checks(ACTIVITY, application())) == {}
    found = eligibility.checks(
        ACTIVITY,
        application(
            organization_sector="government_ministry",
            organization_country="USA",
            answers={"issue_areas": ["CYBER"]},
            consent_at=None,
            submitted_at=datetime(2027, 3, 1, tzinfo=UTC),
        ),
    )
    reasons = failed(found)
    assert set(reasons) == {"sector", "country", "issue_areas", "region", "consent", "deadline"}
    assert reasons["sector"]["reason"] == "Sector {sector} is not eligible: only {eligible}."
    assert reasons["sector"]["params"] == {"sector": "government_ministry", "eligible": ["ngo", "academia"]}
    # The organization's country counts before where the applicant lives.
    assert reasons["country"]["params"]["country"] == "USA"
    assert not eligibility.eligible(found)
    # Criteria the activity does not set are not checked.
    assert [c["criterion"] for c in eligibility.checks({}, application())] == ["consent"]


def test_the_score_is_explained_part_by_part():
    young = application(
        organization_country="GTM",
        birth_year=1995,
        motivation="Why",
        answers={"issue_areas": ["TIP", "SOM"]},
    )
    parts = scoring.parts(ACTIVITY, young, youth_wanted=True)
    assert [(p["part"], p["points"]) for p in parts] == [
        ("review_group", 40),
        ("youth", 20),
        ("issue_areas", 20),
        ("motivation", 5),
    ]
    assert scoring.total(parts) == 85
    assert "youth" not in {p["part"] for p in scoring.parts(ACTIVITY, young, youth_wanted=False)}
    # The youth share: wanted while those selected fall short of the target (30 %).
    assert scoring.youth_share_below_target(ACTIVITY, 0, 0)
    assert scoring.youth_share_below_target(ACTIVITY, 10, 2)
    assert not scoring.youth_share_below_target(ACTIVITY, 10, 3)
    assert not scoring.youth_share_below_target({}, 10, 0)


SECTORS = st.sampled_from(["ngo", "academia", "government_ministry", "private_company", ""])
COUNTRIES = st.sampled_from(["GTM", "MEX", "USA", ""])
AREAS = st.lists(st.sampled_from(["TIP", "SOM", "FIREARMS", "CYBER"]), unique=True, max_size=4)


@settings(max_examples=40, deadline=None)
@given(
    sector=SECTORS,
    country=COUNTRIES,
    own=COUNTRIES,
    areas=AREAS,
    based=st.booleans(),
    consent=st.booleans(),
    day=st.integers(min_value=1, max_value=60),
    birth=st.one_of(st.none(), st.integers(min_value=1940, max_value=2012)),
    motivation=st.text(max_size=5),
    wanted=st.booleans(),
)
def test_eligibility_and_score_hold_for_any_application(
    sector, country, own, areas, based, consent, day, birth, motivation, wanted
):
    applied = application(
        organization_sector=sector,
        organization_country=country,
        country=own,
        answers={"issue_areas": areas, "based_in_region": based},
        consent_at=ON_TIME if consent else None,
        submitted_at=datetime(2027, 1, 1, tzinfo=UTC) + timedelta(days=day),
        birth_year=birth,
        motivation=motivation,
    )
    found = eligibility.checks(ACTIVITY, applied)
    assert [c["criterion"] for c in found] == list(eligibility.CRITERIA)
    assert eligibility.eligible(found) == all(c["passed"] for c in found)
    assert all(c["reason"] == eligibility.REASONS[(c["criterion"], c["passed"])] for c in found)
    where = country or own
    assert failed(found).get("country") is None or where not in ("GTM", "MEX")
    parts = scoring.parts(ACTIVITY, applied, youth_wanted=wanted)
    assert 0 <= scoring.total(parts) <= 95
    assert ("review_group" in {p["part"] for p in parts}) == (where == "GTM")
    assert all(p["points"] > 0 for p in parts)
