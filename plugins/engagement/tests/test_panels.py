"""What the plugin shows outside its own pages, from rows written into its tables: the application
funnel on the dashboard (recent and upcoming activities only) and on an activity's page, a person's
applications, attendance and inputs on their page, an organization's on its page (a protected
person stays hidden from who may not see them), an activity's applications as CSV and XLSX for
coordinators and reviewers, and the contacts' export columns.

Then personal data: a person's rows in their personal-data export, and gone with their erasure (the
applications, matched by contact and by email, the participation with its attendance and answers,
the certificates); their dialogue input stays as the organization's, with no name, link or
identifying string left. Every column of every plugin table is scanned afterwards. (One module, so
one set of tenants per backend for all of it.)"""

from __future__ import annotations

import csv
import io
import re
import secrets
from typing import Any

import pytest

from core.plugin_api import (
    GOVERNMENT_PARTICIPANT,
    NGO_PARTICIPANT,
    OBSERVER,
    Contact,
    ForeignKey,
    section,
    sign_in,
)
from plugins.engagement.piccolo_app import APP_CONFIG
from plugins.engagement.tests import journeys
from plugins.engagement.tests.support import ON, Api, activity, gettext, unique

STEPS = ("applied", "eligible", "selected", "attended", "certified")


@pytest.fixture(scope="module")
def member(client, env) -> Any:
    """A signed-in browser per role and language, shared by the module's tests (signing in is slow)."""
    browsers: dict[tuple[str, str], Any] = {}

    def browser(role: str, locale: str) -> Any:
        if (role, locale) not in browsers:
            browsers[(role, locale)] = sign_in(client, env, ON, role, locale)
        return browsers[(role, locale)]

    return browser


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.fixture(scope="module")
def world(client, env) -> dict[str, Any]:
    """One activity with four applicants from one organization (one of them protected), one person
    imported without applying, and an old activity out of the dashboard's window."""
    api = Api(client, env)
    org = api.post("/organizations", {"name": unique("Red Juvenil"), "sector": "ngo"})

    def person(first: str, **extra: Any) -> dict[str, Any]:
        body = {"first_name": first, "last_name": unique("Ruiz").replace(" ", ""), "organization": org["id"]}
        return api.post("/contacts", {**body, "emails": [f"{first.lower()}@{unique('x')[2:]}.org"], **extra})

    people = {k: person(k) for k in ("Lucía", "Mateo", "Sofía", "Bruno")}
    people["Elena"] = person("Elena", protected=True)
    training = activity(api)
    old = activity(
        api, starts_at="2024-01-10T09:00:00-06:00", ends_at="2024-01-11T17:00:00-06:00", status="completed"
    )

    async def write() -> dict[str, Any]:
        sessions = await journeys.sessions(training["id"], 4)
        ids: dict[str, Any] = {}
        for key, status, eligible in (
            ("Lucía", "selected", True),
            ("Mateo", "selected", True),
            ("Sofía", "rejected", False),
            ("Elena", "waitlisted", True),
        ):
            ids[key] = await journeys.application(
                training["id"], people[key], status=status, eligible=eligible
            )
        lucia = await journeys.participant(training["id"], people["Lucía"]["id"], ids["Lucía"])
        mateo = await journeys.participant(training["id"], people["Mateo"]["id"], ids["Mateo"])
        bruno = await journeys.participant(training["id"], people["Bruno"]["id"])
        await journeys.attend(lucia, sessions[:2])
        await journeys.attend(lucia, sessions[2:3], "absent")
        await journeys.attend(mateo, sessions, "excused")
        await journeys.attend(bruno, sessions[:1])
        await journeys.certificate(training["id"], lucia, people["Lucía"]["id"], "Lucía")
        await journeys.certificate(training["id"], bruno, people["Bruno"]["id"], "Bruno", revoked=True)
        ids["input"] = await journeys.dialogue_input(
            training["id"], "Más refugios.", people["Lucía"]["id"], organization=org["id"], status="included"
        )
        await journeys.application(old["id"], people["Lucía"], status="selected", eligible=True)
        return ids

    return {"api": api, "org": org, "people": people, "training": training, "ids": env.run(client, ON, write)}


def figures(html: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-step="(\w+)">([\d.,\s]+)<', html)}


def test_the_funnel_on_the_dashboard_and_on_the_activitys_page(env, world, member):
    # In Arabic, right to left (the other tests read the pages in Spanish).
    locale = "ar"
    browser = member(OBSERVER, locale)
    expected = {"applied": 4, "eligible": 3, "selected": 3, "attended": 2, "certified": 1}
    dashboard = section(browser.get("/").text, 'data-panel="engagement-funnel"')
    assert gettext(env, locale, "Applications to activities") in dashboard
    assert figures(dashboard) == expected
    for step in STEPS:
        assert re.search(rf'<g class="bar" data-step="{step}" data-value="{expected[step]}">', dashboard), (
            step
        )
        assert gettext(env, locale, step.capitalize()) in dashboard
    assert ("chart-rtl" in dashboard) == (locale == "ar")

    page = browser.get(f"/engagement/activities/{world['training']['id']}").text
    panel = section(page, 'data-panel="engagement-funnel"')
    assert figures(panel) == expected and "applications/export.csv" not in panel
    coordinator = member("coordinator", locale)
    panel = section(
        coordinator.get(f"/engagement/activities/{world['training']['id']}").text,
        'data-panel="engagement-funnel"',
    )
    assert "applications/export.csv" in panel


def test_a_persons_panel_and_an_organizations_panel(env, world, member):
    people, ids, training = world["people"], world["ids"], world["training"]
    browser = member(OBSERVER, "es")
    panel = section(browser.get(f"/contacts/{people['Lucía']['id']}").text, 'data-panel="engagement"')
    assert gettext(env, "es", "Trainings and dialogues") in panel
    assert f'data-application="{ids["Lucía"]}"' in panel and training["title"] in panel
    assert 'data-status="selected"' in panel and 'data-rate="50"' in panel
    assert f'data-input="{ids["input"]}"' in panel and 'data-status="included"' in panel
    # The input's working group by its name, never its code.
    assert gettext(env, "es", "Trafficking in persons") in panel and "trafficking_in_persons ·" not in panel
    bruno = section(browser.get(f"/contacts/{people['Bruno']['id']}").text, 'data-panel="engagement"')
    assert 'data-rate="25"' in bruno and "data-application" not in bruno
    # A protected person's page is a placeholder for the observer: no panel tells of them.
    hidden = browser.get(f"/contacts/{people['Elena']['id']}").text
    assert 'data-panel="engagement"' not in hidden

    org_page = section(browser.get(f"/organizations/{world['org']['id']}").text, 'data-panel="engagement"')
    for key in ("Lucía", "Mateo", "Sofía"):
        assert people[key]["last_name"] in org_page
    assert people["Elena"]["last_name"] not in org_page
    assert gettext(env, "es", "Protected contact") in org_page
    assert f'data-application="{ids["Elena"]}"' in org_page and org_page.count("data-participant=") == 3
    coordinator = member("coordinator", "es")
    seen = section(coordinator.get(f"/organizations/{world['org']['id']}").text, 'data-panel="engagement"')
    assert people["Elena"]["last_name"] in seen


def test_an_activitys_applications_as_files_for_coordinators_and_reviewers(client, env, world, member):
    training, people = world["training"], world["people"]
    path = f"/engagement/activities/{training['id']}/applications/export"
    coordinator = member("coordinator", "es")
    response = coordinator.get(path + ".csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    found = rows(response.text)
    assert len(found) == 4
    by_last = {r[gettext(env, "es", "Last name")]: r for r in found}
    elena = by_last[people["Elena"]["last_name"]]
    assert elena[gettext(env, "es", "Status")] == gettext(env, "es", "Waitlisted")
    assert elena[gettext(env, "es", "Organization")] == world["org"]["name"]
    assert people["Elena"]["last_name"] in elena[gettext(env, "es", "Contact")]
    xlsx = coordinator.get(path + ".xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"

    for role in (OBSERVER, NGO_PARTICIPANT, GOVERNMENT_PARTICIPANT):
        assert member(role, "es").get(path + ".csv").status_code == 403, role
    env.run(client, ON, lambda: journeys.reviewer(env.users[(ON, NGO_PARTICIPANT)]["id"]))
    reviewer = member(NGO_PARTICIPANT, "es").get(path + ".csv")
    assert reviewer.status_code == 200
    # The reviewer may not see the protected person: the file does not name her either.
    assert (
        people["Elena"]["last_name"] not in reviewer.text
        and people["Elena"]["emails"][0] not in reviewer.text
    )
    assert gettext(env, "es", "Protected contact") in reviewer.text and len(rows(reviewer.text)) == 4
    assert coordinator.get("/engagement/activities/999999/applications/export.csv").status_code == 404


def test_the_contacts_export_counts_applications_and_certificates(env, world, member):
    people = world["people"]
    exported = member("coordinator", "es").get("/contacts/export.csv")
    assert exported.status_code == 200
    cells = {
        int(r["ID"]): (
            r[gettext(env, "es", "Applications to activities")],
            r[gettext(env, "es", "Certificates")],
        )
        for r in rows(exported.text)
    }
    assert cells[people["Lucía"]["id"]] == ("2", "1")
    assert cells[people["Bruno"]["id"]] == ("", "")
    assert cells[people["Sofía"]["id"]] == ("1", "")


def contact(api: Api, first: str, phone: str, organization: int | None = None) -> dict[str, Any]:
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
        contact(api, "Renata", "+52 55 1234 5678", org["id"]),
        contact(api, "Octavio", "+52 55 8765 4321", org["id"]),
    )
    # Held long ago, out of the dashboard's window (the funnel's figures above stay as they are).
    past = {"starts_at": "2024-02-06T09:00:00-06:00", "ends_at": "2024-02-07T17:00:00-06:00"}
    training, later = activity(api, **past), activity(api, **past)
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
    kept = [p["id"] for p in rows["engagement_participant"] if p["contact"] == other["id"]]
    assert len(kept) == 1 and len([a for a in rows["engagement_attendance"] if a["participant"] in kept]) == 2

    after = api.get(f"/contacts/{renata['id']}/personal-data")["plugins"]["engagement"]
    assert all(value == [] for value in after.values())
    history = api.get("/audit", entity="dialogue_input", entity_id=ids["mine"])
    assert [e["action"] for e in history] == ["erase_author"]


def test_merged_duplicates_bring_their_engagement_to_the_survivor(client, env, member):
    """Both records of a person took part in one activity: the survivor's participation keeps its
    own rows and takes the other's attendance at another session, its other answer sheet and its
    certificate; the merged record's applications, inputs and other participations follow."""
    api = Api(client, env)
    orgs = [api.post("/organizations", {"name": unique("Red Norte"), "sector": "ngo"}) for _ in range(2)]
    last = unique("Vega").replace(" ", "")
    survivor, merged = (api.post("/contacts", {"first_name": "Inés", "last_name": last}) for _ in range(2))
    # Held long ago, out of the dashboard's window.
    past = {"starts_at": "2024-03-05T09:00:00-06:00", "ends_at": "2024-03-06T17:00:00-06:00"}
    shared, other = activity(api, **past), activity(api, **past)

    async def write() -> dict[str, Any]:
        first, second = await journeys.sessions(shared["id"], 2)
        kept = await journeys.participant(shared["id"], survivor["id"])
        await journeys.attend(kept, [first], "absent")
        await journeys.answer(kept, "pre", 30)
        twin = await journeys.participant(shared["id"], merged["id"])
        await journeys.attend(twin, [first, second])
        await journeys.answer(twin, "pre", 50)
        await journeys.answer(twin, "post", 80)
        code = await journeys.certificate(shared["id"], twin, merged["id"], "Inés")
        elsewhere = await journeys.participant(other["id"], merged["id"])
        applied = await journeys.application(
            other["id"], merged, organization=orgs[1]["id"], email=f"ines.{last.lower()}@example.org"
        )
        said = await journeys.dialogue_input(
            other["id"], "Más datos.", merged["id"], organization=orgs[1]["id"]
        )
        return {"kept": kept, "code": code, "elsewhere": elsewhere, "applied": applied, "said": said}

    ids = env.run(client, ON, write)
    coordinator = member("coordinator", "es")
    for path in (
        f"/contacts/{survivor['id']}/merge/{merged['id']}",
        f"/organizations/{orgs[0]['id']}/merge/{orgs[1]['id']}",
    ):
        assert coordinator.get(path).status_code == 200
        done = coordinator.post(
            path, {"survivor_version": "1", "merged_version": "1"}, follow_redirects=False
        )
        assert done.status_code == 303, done.text[:300]

    async def read() -> dict[str, list[dict[str, Any]]]:
        return await everything()

    rows = env.run(client, ON, read)
    mine = [p for p in rows["engagement_participant"] if p["contact"] in (survivor["id"], merged["id"])]
    assert sorted((p["id"], p["contact"]) for p in mine) == [
        (ids["kept"], survivor["id"]),
        (ids["elsewhere"], survivor["id"]),
    ]
    attended = {
        a["session"]: a["status"] for a in rows["engagement_attendance"] if a["participant"] == ids["kept"]
    }
    assert sorted(attended.values()) == ["absent", "present"]
    answers = {r["phase"]: r["score"] for r in rows["engagement_response"] if r["participant"] == ids["kept"]}
    assert answers == {"pre": 30, "post": 80}
    certificate = next(c for c in rows["engagement_certificate"] if c["code"] == ids["code"])
    assert (certificate["participant"], certificate["contact"]) == (ids["kept"], survivor["id"])
    application = next(a for a in rows["engagement_application"] if a["id"] == ids["applied"])
    said = next(i for i in rows["engagement_input"] if i["id"] == ids["said"])
    assert (application["contact"], application["organization"]) == (survivor["id"], orgs[0]["id"])
    assert (said["contact"], said["organization"]) == (survivor["id"], orgs[0]["id"])
