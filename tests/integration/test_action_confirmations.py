"""Who confirms a joint action's completion, through pages and the API: each side's confirmation
shows who and when; a member who cannot confirm a side is told why; members are linked to their
organization by coordinators; and in a tenant declaring ``confirmations = "organization_members"``
only members of the lead (government side) or of a partner (non-governmental side) confirm."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest

from core.testing.environment import TenantSpec
from core.testing.web import sign_in

SIDE_OF = {"government": "government", "ngo": "non_governmental"}
ROLES = ("coordinator", "government", "ngo", "observer")
NOT_OF_SIDE = {
    "government": "Only a member of the government side can confirm for the government side.",
    "non_governmental": (
        "Only a member of the non-governmental side can confirm for the non-governmental side."
    ),
}


@pytest.fixture(scope="module")
def pilot_crm_tenants() -> list[TenantSpec]:
    """``alpha`` confirms by side (the default); ``gamma`` only by the lead's and partners' members."""
    return [
        TenantSpec("alpha", locales=("es", "en"), plugins=("networks",)),
        TenantSpec("gamma", locales=("en", "es"), default_locale="en", confirmations="organization_members"),
    ]


def api(slug: str) -> str:
    return f"/t/{slug}/api/v1"


def create(client, env, slug: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"{api(slug)}{path}", json=body, headers=env.headers(slug, "coordinator"))
    assert response.status_code == 201, response.text
    return response.json()


def org(client, env, slug: str, sector: str) -> dict[str, Any]:
    return create(
        client, env, slug, "/organizations", {"name": f"Org {secrets.token_hex(3)}", "sector": sector}
    )


def action(
    client, env, slug: str, lead: dict | None = None, partners: tuple[dict, ...] = ()
) -> dict[str, Any]:
    body: dict[str, Any] = {"title": f"Acción {secrets.token_hex(3)}", "status": "agreed"}
    if lead is not None:
        body["government_lead"] = lead["id"]
    if partners:
        body["partners"] = [p["id"] for p in partners]
    return create(client, env, slug, "/actions", body)


def confirm(client, env, slug: str, role: str, action_id: int):
    return client.post(
        f"{api(slug)}/actions/{action_id}/confirm", headers=env.headers(slug, role, "en"), json={}
    )


def link(client, env, slug: str, role: str, organization: dict | None, coordinator=None):
    """The coordinator links ``role``'s member to ``organization`` (None: to none) on the members page."""
    coordinator = coordinator or sign_in(client, env, slug, "coordinator", locale="en")
    member = env.users[(slug, role)]["id"]
    coordinator.get("/members")
    value = str(organization["id"]) if organization else ""
    return coordinator.post(
        f"/members/{member}/organization", {"organization": value}, follow_redirects=False
    )


def completion(page: str, side: str) -> str:
    """The text of one side's entry in the completion section, tags removed."""
    match = re.search(rf'<dd id="completion-{side}">(.*?)</dd>', page, re.S)
    assert match, f"no completion entry for {side}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


# --- by side (the default) ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_each_side_says_who_may_confirm_it_and_why_not(client, env, role):
    made = action(client, env, "alpha")
    page = sign_in(client, env, "alpha", role, locale="en").get(f"/actions/{made['id']}").text
    for side, reason in NOT_OF_SIDE.items():
        entry = completion(page, side)
        assert "Not confirmed yet" in entry
        if SIDE_OF.get(role) == side:
            assert "Confirm completion for my side" in entry and reason not in entry
        else:
            assert reason.replace("'", "&#39;") in entry and "Confirm completion" not in entry
    response = confirm(client, env, "alpha", role, made["id"])
    assert response.status_code == (200 if role in SIDE_OF else 403)


def test_who_confirmed_and_when_to_the_minute_in_the_tenants_time_zone(client, env):
    made = action(client, env, "alpha")
    assert confirm(client, env, "alpha", "government", made["id"]).status_code == 200
    record = client.get(
        f"{api('alpha')}/actions/{made['id']}", headers=env.headers("alpha", "observer")
    ).json()
    (entry,) = record["confirmations"]
    name = "government alpha"  # the member's display name (core.testing.environment)
    assert entry["side"] == "government" and entry["by"] == name
    assert record["confirmed_by"] == ["government"]

    page = sign_in(client, env, "alpha", "ngo", locale="en").get(f"/actions/{made['id']}").text
    government = completion(page, "government")
    assert government.startswith(f"✓ Confirmed by {name} on ")
    # A long date, the time to the minute (no seconds) and the tenant's time zone by name.
    assert re.search(r" on \w+ \d{1,2}, \d{4}.* \d{1,2}:\d{2}\s?[AP]M \(.*Mexico City", government), (
        government
    )
    assert not re.search(r"\d:\d{2}:\d{2}", government)
    assert "Confirm completion for my side" in completion(page, "non_governmental")

    # The same side again: nothing changes (no second confirmation, no new time).
    assert confirm(client, env, "alpha", "government", made["id"]).status_code == 200
    again = client.get(
        f"{api('alpha')}/actions/{made['id']}", headers=env.headers("alpha", "observer")
    ).json()
    assert again["confirmations"] == record["confirmations"]


def test_a_discontinued_action_says_it_can_no_longer_be_completed(client, env):
    made = action(client, env, "alpha")
    changed = client.patch(
        f"{api('alpha')}/actions/{made['id']}",
        json={"version": made["version"], "status": "discontinued"},
        headers=env.headers("alpha", "coordinator"),
    )
    assert changed.status_code == 200, changed.text
    page = sign_in(client, env, "alpha", "ngo", locale="en").get(f"/actions/{made['id']}").text
    for side in NOT_OF_SIDE:
        assert "This action can no longer be completed." in completion(page, side)
    assert "Confirm completion" not in page
    assert confirm(client, env, "alpha", "ngo", made["id"]).status_code == 409


# --- members and their organization ---------------------------------------------------------------


def test_coordinators_link_members_to_an_organization_of_their_side(client, env):
    ministry, ngo_org = org(client, env, "alpha", "government_ministry"), org(client, env, "alpha", "ngo")
    coordinator = sign_in(client, env, "alpha", "coordinator", locale="en")
    member = env.users[("alpha", "government")]["id"]
    page = coordinator.get("/members").text
    assert f'id="organization-{member}"' in page and f'value="{ministry["id"]}"' in page

    wrong = link(client, env, "alpha", "government", ngo_org, coordinator)
    assert wrong.status_code == 303
    assert (
        "Choose a government organization for a government participant." in coordinator.get("/members").text
    )
    profile = sign_in(client, env, "alpha", "government", locale="en")
    assert "Not linked to an organization" in profile.get("/profile").text

    assert link(client, env, "alpha", "government", ministry, coordinator).status_code == 303
    assert (
        f"The organization of {env.email('alpha', 'government')} is saved."
        in coordinator.get("/members").text
    )
    shown = profile.get("/profile").text
    assert f'<a href="/t/alpha/organizations/{ministry["id"]}">{ministry["name"]}</a>' in shown
    audit = client.get(
        f"{api('alpha')}/audit?entity=member&entity_id={member}", headers=env.headers("alpha", "coordinator")
    ).json()
    assert audit[0]["action"] == "organization" and audit[0]["after"] == {"organization": ministry["id"]}

    # A new role of the other side undoes the link (a ministry's member does not work for an NGO).
    coordinator.post(f"/members/{member}/role", {"role": "ngo"})
    assert "Not linked to an organization" in profile.get("/profile").text
    coordinator.post(f"/members/{member}/role", {"role": "government"})
    assert link(client, env, "alpha", "government", None).status_code == 303


@pytest.mark.parametrize("role", ("government", "ngo", "observer"))
def test_only_coordinators_link_members(client, env, role):
    member = sign_in(client, env, "alpha", role, locale="en")
    target = env.users[("alpha", "ngo")]["id"]
    refused = member.post(f"/members/{target}/organization", {"organization": ""}, follow_redirects=False)
    assert refused.status_code == 403


# --- only the lead's and partners' members (gamma) ---------------------------------------------------


@pytest.fixture(scope="module")
def gamma(client, env) -> dict[str, Any]:
    return {
        "lead": org(client, env, "gamma", "government_ministry"),
        "other_ministry": org(client, env, "gamma", "law_enforcement"),
        "partner": org(client, env, "gamma", "ngo"),
        "other_ngo": org(client, env, "gamma", "academia"),
    }


SIDES = [
    ("government", "government", "lead", "other_ministry", "lead organization"),
    ("ngo", "non_governmental", "partner", "other_ngo", "partner organizations"),
]


@pytest.mark.parametrize(("role", "side", "theirs", "other", "who"), SIDES)
def test_only_members_of_the_lead_or_a_partner_confirm_for_their_side(
    client, env, gamma, role, side, theirs, other, who
):
    made = action(client, env, "gamma", gamma["lead"], (gamma["partner"],))
    member = sign_in(client, env, "gamma", role, locale="en")
    expected = {
        None: f"Only members of the {who} can confirm for the",
        other: f"Only members of the {who} ({gamma[theirs]['name']}) can confirm for the",
    }
    for linked, reason in expected.items():
        assert link(client, env, "gamma", role, gamma[linked] if linked else None).status_code == 303
        entry = completion(member.get(f"/actions/{made['id']}").text, side)
        assert reason in entry and "Confirm completion" not in entry
        refused = confirm(client, env, "gamma", role, made["id"])
        assert refused.status_code == 403 and reason in refused.json()["detail"]
        refused_page = member.post(f"/actions/{made['id']}/confirm", {})
        assert refused_page.status_code == 403 and reason in refused_page.text
    assert link(client, env, "gamma", role, gamma[theirs]).status_code == 303
    assert "Confirm completion for my side" in completion(member.get(f"/actions/{made['id']}").text, side)
    assert confirm(client, env, "gamma", role, made["id"]).status_code == 200
    record = client.get(
        f"{api('gamma')}/actions/{made['id']}", headers=env.headers("gamma", "observer")
    ).json()
    assert record["confirmed_by"] == [side]


@pytest.mark.parametrize(("role", "side", "theirs", "other", "who"), SIDES)
def test_an_action_without_a_lead_or_partners_says_so(client, env, gamma, role, side, theirs, other, who):
    made = action(client, env, "gamma")
    assert link(client, env, "gamma", role, gamma[theirs]).status_code == 303
    page = sign_in(client, env, "gamma", role, locale="en").get(f"/actions/{made['id']}").text
    assert "yet: only members of its" in completion(page, side)
    assert confirm(client, env, "gamma", role, made["id"]).status_code == 403


def test_coordinators_and_observers_still_confirm_for_no_side(client, env, gamma):
    made = action(client, env, "gamma", gamma["lead"], (gamma["partner"],))
    for role in ("coordinator", "observer"):
        page = sign_in(client, env, "gamma", role, locale="en").get(f"/actions/{made['id']}").text
        assert "Only a member of the government side can confirm" in completion(page, "government")
        assert confirm(client, env, "gamma", role, made["id"]).status_code == 403
