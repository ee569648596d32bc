"""The plugin's JSON API (``/t/{tenant}/api/v1/engagement/activities``): activities are listed,
searched, filtered, created, updated with versions and archived through core's record service, by
coordinators only, with field-level errors in the member's language for what cannot be."""

from __future__ import annotations

import pytest

from core.plugin_api import COORDINATOR, ROLES
from plugins.engagement.tests.support import Api, activity, gettext, unique, workshop
from plugins.engagement.vocabulary import KINDS, STATUSES

PATH = "/engagement/activities"


def test_an_activity_is_created_found_changed_and_archived(client, env):
    api = Api(client, env)
    created = activity(
        api,
        title=unique("Taller sobre el Mecanismo de Examen"),
        objectives="Conocer el Mecanismo de Examen de la UNTOC.",
        format="dual",
        registration_deadline="2027-02-17T23:59:00-06:00",
        languages=["es", "en"],
        capacity=40,
        region="Américas",
        eligible_countries="mex, gtm HND",
        eligible_sectors=["ngo", "academia"],
        issue_areas=["tip", "SOM"],
        priority_review_group=1,
        youth_share_target=30,
        reading_materials="Guía | https://example.org/guia\n\nSHERLOC | https://example.org/sherloc",
    )
    assert created["version"] == 1 and created["timezone"] == "America/Mexico_City"
    assert created["eligible_countries"] == "GTM, HND, MEX"
    assert created["languages"] == ["es", "en"] and created["eligible_sectors"] == ["ngo", "academia"]
    assert created["issue_areas"] == ["TIP", "SOM"] and created["capacity"] == 40
    assert api.get(f"{PATH}/{created['id']}") == created
    found = api.get(PATH, q=created["title"].split()[-1])["items"]
    assert [a["id"] for a in found] == [created["id"]]
    assert created["id"] in [a["id"] for a in api.get(PATH, q="HND", limit=200)["items"]]

    changed = api.patch(f"{PATH}/{created['id']}", {"version": 1, "status": "call_open"})
    assert (changed["status"], changed["version"]) == ("call_open", 2)
    api.patch(f"{PATH}/{created['id']}", {"version": 1, "status": "running"}, status=409)

    archived = api.post(f"{PATH}/{created['id']}/archive", None, status=200)
    assert archived["archived_at"] is not None
    assert created["id"] not in [a["id"] for a in api.get(PATH, limit=200)["items"]]
    history = api.get("/audit", entity="activity", entity_id=created["id"])
    assert {entry["action"] for entry in history} == {"create", "update", "archive"}


@pytest.mark.parametrize("kind", [c.value for c in KINDS])
def test_the_kind_filter_lists_only_that_kind(client, env, kind):
    api = Api(client, env)
    mine = {k.value: activity(api, kind=k.value)["id"] for k in KINDS}
    listed = {a["id"]: a["kind"] for a in api.get(PATH, kind=kind, limit=200)["items"]}
    assert mine[kind] in listed and set(listed.values()) == {kind}


@pytest.mark.parametrize("status", [c.value for c in STATUSES])
def test_the_status_filter_lists_only_that_status(client, env, status):
    api = Api(client, env)
    mine = activity(api, status=status)["id"]
    # "status" is the helper's expected HTTP status: the filter goes in the query string itself.
    listed = {a["id"]: a["status"] for a in api.get(f"{PATH}?status={status}&limit=200")["items"]}
    assert mine in listed and set(listed.values()) == {status}


@pytest.mark.parametrize(
    ("fields", "field", "msgid"),
    [
        ({"kind": "party"}, "kind", "Select a valid choice."),
        ({"title": ""}, "title", "This field is required."),
        ({"format": "hybrid"}, "format", "Select a valid choice."),
        ({"ends_at": "2027-03-10T08:00:00-06:00"}, "ends_at", "The activity must end after it starts."),
        (
            {"registration_deadline": "2027-03-11T00:00:00-06:00"},
            "registration_deadline",
            "The registration deadline must come before the activity starts.",
        ),
        ({"capacity": 0}, "capacity", "Enter a number greater than zero."),
        ({"youth_share_target": 120}, "youth_share_target", "Enter a percentage between 0 and 100."),
        ({"timezone": "Mars/Olympus"}, "timezone", "Enter a valid IANA time zone, e.g. America/Mexico_City."),
        ({"languages": ["xx"]}, "languages", "Select a valid choice."),
        ({"eligible_sectors": ["pirates"]}, "eligible_sectors", "Select a valid choice."),
        ({"eligible_countries": "MEX, XYZ"}, "eligible_countries", "Unknown ISO country code: {code}."),
        ({"reading_materials": "Guía sin enlace"}, "reading_materials", None),
    ],
)
def test_bad_activities_are_refused_field_by_field_in_the_members_language(client, env, fields, field, msgid):
    api = Api(client, env)
    for locale in ("es", "fr", "ar"):
        response = client.post(
            f"/t/taller/api/v1{PATH}",
            json=workshop(**fields),
            headers={**api.headers, "Accept-Language": locale},
        )
        assert response.status_code == 400, response.text[:300]
        errors = response.json()["errors"]
        assert set(errors) == {field}
        if msgid is not None:
            expected = gettext(env, locale, msgid, code="XYZ")
            assert errors[field] == [expected]
            if locale != "en":
                assert expected != msgid


def test_an_update_is_checked_against_the_stored_dates(client, env):
    api = Api(client, env)
    created = activity(api)
    body = {"version": 1, "starts_at": "2027-04-01T09:00:00-06:00"}
    refused = api.patch(f"{PATH}/{created['id']}", body, status=400)
    assert set(refused["errors"]) == {"ends_at"}


@pytest.mark.parametrize("role", sorted(set(ROLES) - {COORDINATOR}))
def test_only_coordinators_write_and_every_member_reads(client, env, role):
    created = activity(Api(client, env))
    member = Api(client, env, role)
    assert member.get(f"{PATH}/{created['id']}")["title"] == created["title"]
    member.post(PATH, workshop(), status=403)
    member.patch(f"{PATH}/{created['id']}", {"version": 1, "status": "running"}, status=403)
    member.post(f"{PATH}/{created['id']}/archive", None, status=403)
