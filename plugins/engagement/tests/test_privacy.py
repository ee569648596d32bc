"""A person's rows in the plugin in their personal-data export, and gone with their erasure: the
applications (matched by contact and by email), the participation with its attendance and answers,
the certificates; their dialogue input stays as the organization's, with no name, link or
identifying string left. Every column of every plugin table is scanned afterwards."""

from __future__ import annotations

import secrets
from typing import Any

from core.plugin_api import ForeignKey
from plugins.engagement.piccolo_app import APP_CONFIG
from plugins.engagement.tables import Certificate, Contact, DialogueInput
from plugins.engagement.tests import journeys
from plugins.engagement.tests.support import ON, Api, activity, unique


def person(api: Api, first: str, phone: str, organization: int | None = None) -> dict[str, Any]:
    tag = secrets.token_hex(3)
    return api.post(
        "/contacts",
        {
            "first_name": first,
            "last_name": unique("Quispe").replace(" ", ""),
            "emails": [f"{first.lower()}.{tag}@example.org"],
            "phones": [phone],
            "organization": organization,
        },
    )


async def everything() -> dict[str, list[dict[str, Any]]]:
    return {t._meta.tablename: await t.select().run() for t in APP_CONFIG.table_classes}


def test_a_persons_engagement_is_exported_then_erased_without_a_trace(client, env):
    api = Api(client, env)
    org = api.post("/organizations", {"name": unique("Colectivo"), "sector": "ngo"})
    renata, other = (
        person(api, "Renata", "+52 55 1234 5678", org["id"]),
        person(api, "Octavio", "+52 55 8765 4321", org["id"]),
    )
    training, later = activity(api), activity(api)
    full = f"{renata['first_name']} {renata['last_name']}"
    email, phone = renata["emails"][0], renata["phones"][0]

    async def write() -> dict[str, Any]:
        sessions = await journeys.sessions(training["id"], 2)
        applied = await journeys.application(training["id"], renata, status="selected", eligible=True)
        # A second application, matched to no contact, only by one of the person's addresses.
        by_email = await journeys.application(
            later["id"], email=email, first_name="R.", last_name=renata["last_name"], phone=phone
        )
        me = await journeys.participant(training["id"], renata["id"], applied)
        await journeys.attend(me, sessions)
        await journeys.answer(me, "pre", 40)
        await journeys.answer(me, "post", 90)
        code = await journeys.certificate(training["id"], me, renata["id"], full)
        mine = await journeys.dialogue_input(
            training["id"],
            f"Soy {full} ({email}, {phone}): proponemos refugios para víctimas.",
            renata["id"],
            organization=org["id"],
            author_name=full,
            organization_name=org["name"],
            search_text=f"{full} refugios".lower(),
        )
        quoting = await journeys.dialogue_input(
            training["id"], f"Coincido con {renata['last_name']} sobre los refugios.", other["id"]
        )
        theirs = await journeys.application(training["id"], other, status="selected")
        kept = await journeys.participant(training["id"], other["id"], theirs)
        await journeys.attend(kept, sessions)
        kept_code = await journeys.certificate(
            training["id"], kept, other["id"], f"{other['first_name']} {other['last_name']}"
        )
        return {
            "applications": {applied, by_email},
            "code": code,
            "kept_code": kept_code,
            "mine": mine,
            "quoting": quoting,
        }

    ids = env.run(client, ON, write)
    exported = api.get(f"/contacts/{renata['id']}/personal-data")["plugins"]["engagement"]
    assert {a["id"] for a in exported["applications"]} == ids["applications"]
    assert [len(exported[k]) for k in ("participations", "attendance", "self_assessment")] == [1, 2, 2]
    assert sorted(r["score"] for r in exported["self_assessment"]) == [40, 90]
    assert [c["code"] for c in exported["certificates"]] == [ids["code"]]
    assert [i["id"] for i in exported["dialogue_inputs"]] == [ids["mine"]]
    assert "link_hash" not in exported["applications"][0] and exported["applications"][0]["answers"] == {}

    api.post(f"/contacts/{renata['id']}/erase", None, status=200)

    rows = env.run(client, ON, everything)
    secrets_left = (renata["first_name"] + " " + renata["last_name"], renata["last_name"], email, phone)
    for table, found in rows.items():
        for row in found:
            text = str(row).lower()
            assert not [s for s in secrets_left if s.lower() in text], (table, row)
    for table in APP_CONFIG.table_classes:
        for column in table._meta.columns:
            if isinstance(column, ForeignKey) and column._foreign_key_meta.resolved_references is Contact:
                name = column._meta.name
                assert all(r[name] != renata["id"] for r in rows[table._meta.tablename]), table
    inputs = {r["id"]: r for r in rows["engagement_input"]}
    mine = inputs[ids["mine"]]
    assert (mine["contact"], mine["author_name"], mine["organization"]) == (None, "", org["id"])
    assert mine["organization_name"] == org["name"] and "refugios para víctimas" in mine["text"]
    assert inputs[ids["quoting"]]["contact"] == other["id"] and "[…]" in inputs[ids["quoting"]]["text"]
    codes = {r["code"] for r in rows["engagement_certificate"]}
    assert ids["code"] not in codes and ids["kept_code"] in codes
    assert len(rows["engagement_participant"]) == 1 and len(rows["engagement_attendance"]) == 2

    after = api.get(f"/contacts/{renata['id']}/personal-data")["plugins"]["engagement"]
    assert all(value == [] for value in after.values())
    history = api.get("/audit", entity="dialogue_input", entity_id=ids["mine"])
    assert [e["action"] for e in history] == ["erase_author"]
    assert DialogueInput and Certificate
