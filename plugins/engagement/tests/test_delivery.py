"""Delivery over HTTP: an activity's sessions (pages and API), its participants added by hand,
attendance recorded in bulk, breakout groups, the self-assessment answered through the personal link
(mailed in the participant's language) and on paper, and the scores and knowledge gain."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

from core.plugin_api import outbox_mails, sign_in
from plugins.engagement.tests.support import OFF, ON, Api, activity, gettext, refused_over_limit, unique

PATH = "/engagement/activities"


@pytest.fixture(scope="module")
def world(client, env) -> dict[str, Any]:
    """An activity that has started (its post questionnaire is open), three contacts (one protected)."""
    api = Api(client, env)
    started = activity(api, starts_at="2025-03-10T09:00:00-06:00", ends_at="2025-03-12T17:00:00-06:00")
    mex = api.post("/organizations", {"name": unique("ONG"), "sector": "ngo", "country": "MEX"})
    gtm = api.post("/organizations", {"name": unique("Universidad"), "sector": "academia", "country": "GTM"})
    people = [
        api.post(
            "/contacts",
            {
                "first_name": "Lucía",
                "last_name": unique("Pérez"),
                "organization": mex["id"],
                "emails": [f"lucia.{unique('x').split()[1]}@example.org"],
                "preferred_language": "fr",
            },
        ),
        api.post(
            "/contacts",
            {
                "first_name": "Mateo",
                "last_name": unique("Ruiz"),
                "organization": gtm["id"],
                "emails": [f"mateo.{unique('x').split()[1]}@example.org"],
            },
        ),
        api.post("/contacts", {"first_name": "Rosa", "last_name": unique("Oculta"), "protected": True}),
    ]
    return {"activity": started, "contacts": people}


def test_sessions_are_kept_in_the_activitys_time_zone_and_order(client, env, world):
    api, aid = Api(client, env), world["activity"]["id"]
    browser = sign_in(client, env, ON, "coordinator", "es")
    assert browser.get(f"{PATH}/{aid}/sessions/new").status_code == 200
    body = {
        "kind": "plenary",
        "title": "Apertura",
        "starts_at": "2025-03-10T09:00",
        "ends_at": "2025-03-10T11:00",
        "position": "",
        "materials": "Guía | https://example.org/guia",
    }
    assert browser.post(f"{PATH}/{aid}/sessions/new", body, follow_redirects=False).status_code == 303
    refused = browser.post(f"{PATH}/{aid}/sessions/new", {**body, "starts_at": "", "ends_at": ""})
    assert refused.status_code == 400
    assert gettext(
        env, "es", "Enter when the session starts (only self-paced modules may have no time)."
    ) in (refused.text)
    bad = browser.post(f"{PATH}/{aid}/sessions/new", {**body, "materials": "sin enlace"})
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.text

    module = api.post(f"{PATH}/{aid}/sessions", {"kind": "self_paced", "title": "Módulo en línea"})
    early = api.post(
        f"{PATH}/{aid}/sessions",
        {"kind": "breakout", "title": "Grupos", "starts_at": "2025-03-10T08:00:00-06:00"},
    )
    api.post(
        f"{PATH}/{aid}/sessions",
        {
            "kind": "plenary",
            "title": "x",
            "starts_at": "2025-03-10T08:00:00-06:00",
            "ends_at": "2025-03-10T07:00:00-06:00",
        },
        status=400,
    )
    sessions = api.get(f"{PATH}/{aid}/sessions")["items"]
    assert [s["title"] for s in sessions] == ["Grupos", "Apertura", "Módulo en línea"]
    opening = sessions[1]
    # 09:00 typed in the activity's zone (Mexico City, UTC−6) is 15:00 UTC.
    assert opening["starts_at"].replace(" ", "T").startswith(("2025-03-10T15:00", "2025-03-10T09:00:00-06"))
    changed = api.patch(f"{PATH}/{aid}/sessions/{early['id']}", {"version": 1, "title": "Grupos de trabajo"})
    assert changed["version"] == 2
    api.patch(f"{PATH}/{aid}/sessions/{early['id']}", {"version": 1, "title": "x"}, status=409)
    edit = browser.get(f"{PATH}/{aid}/sessions/{opening['id']}/edit")
    assert edit.status_code == 200 and 'value="2025-03-10T09:00"' in edit.text
    page = browser.get(f"{PATH}/{aid}/sessions")
    assert "Grupos de trabajo" in page.text and 'href="https://example.org/guia"' in page.text
    archived = api.post(f"{PATH}/{aid}/sessions/{module['id']}/archive", None, status=200)
    assert archived["archived_at"] is not None
    assert module["id"] not in [s["id"] for s in api.get(f"{PATH}/{aid}/sessions")["items"]]

    other = activity(api)
    api.get(f"{PATH}/{other['id']}/sessions/{opening['id']}", status=404)
    observer = Api(client, env, "observer")
    observer.post(f"{PATH}/{aid}/sessions", {"kind": "self_paced", "title": "x"}, status=403)
    assert [s["id"] for s in observer.get(f"{PATH}/{aid}/sessions")["items"]] == [
        s["id"] for s in sessions[:2]
    ]
    assert sign_in(client, env, ON, "observer").get(f"{PATH}/{aid}/sessions/new").status_code == 403
    history = api.get("/audit", entity="engagement_session", entity_id=early["id"])
    assert {entry["action"] for entry in history} == {"create", "update"}


def _participant_ids(api: Api, aid: int) -> dict[int, int]:
    return {p["contact"]: p["id"] for p in api.get(f"{PATH}/{aid}/participants")["items"]}


def test_participants_attendance_and_groups(client, env, world):
    api, aid = Api(client, env), world["activity"]["id"]
    lucia, mateo, rosa = world["contacts"]
    browser = sign_in(client, env, ON, "coordinator", "es")
    for person in world["contacts"]:
        added = browser.post(f"{PATH}/{aid}/participants", {"contact": person["id"]}, follow_redirects=False)
        assert added.status_code == 303, added.text[:300]
    again = browser.post(f"{PATH}/{aid}/participants", {"contact": lucia["id"]})
    assert again.status_code == 400
    assert gettext(env, "es", "This person already takes part in this activity.") in again.text
    assert browser.post(f"{PATH}/{aid}/participants", {"contact": "x"}).status_code == 400
    observer = sign_in(client, env, ON, "observer", "es")
    assert observer.post(f"{PATH}/{aid}/participants", {"contact": mateo["id"]}).status_code == 403
    ids = _participant_ids(api, aid)
    assert set(ids) == {lucia["id"], mateo["id"], rosa["id"]}

    session = api.post(
        f"{PATH}/{aid}/sessions",
        {"kind": "plenary", "title": unique("Plenaria"), "starts_at": "2025-03-11T09:00:00-06:00"},
    )
    other = api.post(
        f"{PATH}/{aid}/sessions",
        {"kind": "plenary", "title": unique("Cierre"), "starts_at": "2025-03-12T09:00:00-06:00"},
    )
    where = f"{PATH}/{aid}/sessions/{session['id']}/attendance"
    page = browser.get(where)
    assert page.status_code == 200 and 'type="radio"' in page.text
    saved = browser.post(
        where,
        {
            f"participant_{ids[lucia['id']]}": "present",
            f"participant_{ids[mateo['id']]}": "excused",
            f"participant_{ids[rosa['id']]}": "absent",
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    counts = {"present": 1, "absent": 1, "excused": 1}
    flash = "Attendance saved: {present} present, {absent} absent, {excused} excused."
    assert gettext(env, "es", flash, **counts) in browser.get(where).text
    got = api.get(f"{PATH}/{aid}/sessions/{session['id']}/attendance")["attendance"]
    assert {m["participant"]: m["status"] for m in got} == {
        ids[lucia["id"]]: "present",
        ids[mateo["id"]]: "excused",
        ids[rosa["id"]]: "absent",
    }
    bad = browser.post(where, {f"participant_{ids[lucia['id']]}": "asleep"})
    assert bad.status_code == 400
    api.call(
        "PUT",
        f"{PATH}/{aid}/sessions/{other['id']}/attendance",
        400,
        {"attendance": [{"participant": ids[lucia["id"]], "status": "asleep"}]},
    )
    assert api.get(f"{PATH}/{aid}/sessions/{other['id']}/attendance")["attendance"] == []
    put = api.call(
        "PUT",
        f"{PATH}/{aid}/sessions/{other['id']}/attendance",
        200,
        {"attendance": [{"participant": ids[lucia["id"]], "status": "present"}]},
    )
    assert put["counts"]["present"] == 1
    everyone = browser.post(
        f"{PATH}/{aid}/sessions/{other['id']}/attendance", {"all_present": "1"}, follow_redirects=False
    )
    assert everyone.status_code == 303, everyone.text[:300]
    # Two sessions held: everyone present at the second, Mateo excused and Rosa absent at the first.
    rates = {p["id"]: p["attendance_rate"] for p in api.get(f"{PATH}/{aid}/participants")["items"]}
    assert rates == {ids[lucia["id"]]: 100, ids[mateo["id"]]: 50, ids[rosa["id"]]: 50}
    history = api.get("/audit", entity="engagement_session", entity_id=other["id"])
    assert {"absent": 0, "excused": 0, "present": 3} in [
        e["after"] for e in history if e["action"] == "attendance"
    ]

    # Protected people stay hidden from those who may not see them, in the API and on the page.
    seen = Api(client, env, "observer").get(f"{PATH}/{aid}/participants")["items"]
    hidden = next(p for p in seen if p["contact"] == rosa["id"])
    assert hidden["hidden"] and "last_name" not in hidden
    assert rosa["last_name"] not in observer.get(f"{PATH}/{aid}/participants").text
    assert rosa["last_name"] in browser.get(f"{PATH}/{aid}/participants").text

    # Groups: created, balanced (countries spread), assigned by hand, renamed and deleted.
    for name in ("Grupo A", "Grupo B"):
        assert browser.post(f"{PATH}/{aid}/groups", {"name": name}, follow_redirects=False).status_code == 303
    assert browser.post(f"{PATH}/{aid}/groups", {"name": " "}).status_code == 400
    refused_over_limit(env, browser.post(f"{PATH}/{aid}/groups", {"name": "g" * 121}), "f-name", 120)
    assert browser.post(f"{PATH}/{aid}/groups/balance", {}, follow_redirects=False).status_code == 303
    groups = [p["group"] for p in api.get(f"{PATH}/{aid}/participants")["items"]]
    assert None not in groups and sorted(groups.count(g) for g in set(groups)) == [1, 2]
    group_ids = sorted(set(groups))
    assigned = browser.post(
        f"{PATH}/{aid}/groups/assign",
        {f"group_{ids[lucia['id']]}": group_ids[1], f"group_{ids[mateo['id']]}": ""},
        follow_redirects=False,
    )
    assert assigned.status_code == 303
    now = {p["id"]: p["group"] for p in api.get(f"{PATH}/{aid}/participants")["items"]}
    assert now[ids[lucia["id"]]] == group_ids[1] and now[ids[mateo["id"]]] is None
    assert (
        browser.post(f"{PATH}/{aid}/groups/assign", {f"group_{ids[lucia['id']]}": "999999"}).status_code
        == 400
    )
    assert (
        browser.post(
            f"{PATH}/{aid}/groups/{group_ids[0]}/edit", {"name": "Grupo Norte"}, follow_redirects=False
        ).status_code
        == 303
    )
    assert "Grupo Norte" in browser.get(f"{PATH}/{aid}/participants").text
    too_long = browser.post(f"{PATH}/{aid}/groups/{group_ids[0]}/edit", {"name": "N" * 121})
    refused_over_limit(env, too_long, f"group-name-{group_ids[0]}", 120)  # by that group's own field
    assert "N" * 121 not in browser.get(f"{PATH}/{aid}/participants").text
    assert (
        browser.post(f"{PATH}/{aid}/groups/{group_ids[1]}/remove", {}, follow_redirects=False).status_code
        == 303
    )
    assert {p["group"] for p in api.get(f"{PATH}/{aid}/participants")["items"]} <= {group_ids[0], None}

    # Someone with attendance stays; someone added by mistake goes.
    kept = browser.post(f"{PATH}/{aid}/participants/{ids[mateo['id']]}/remove", {})
    assert kept.status_code == 409
    late = api.post("/contacts", {"first_name": "Tarde", "last_name": unique("Error")})
    browser.post(f"{PATH}/{aid}/participants", {"contact": late["id"]}, follow_redirects=False)
    gone = _participant_ids(api, aid)[late["id"]]
    assert (
        browser.post(f"{PATH}/{aid}/participants/{gone}/remove", {}, follow_redirects=False).status_code
        == 303
    )
    assert late["id"] not in _participant_ids(api, aid)


def test_self_assessment_through_the_personal_link_and_on_paper(client, env, world):
    api = Api(client, env)
    act = activity(api, starts_at="2025-05-10T09:00:00-06:00", ends_at="2025-05-12T17:00:00-06:00")
    aid = act["id"]
    lucia, mateo, _ = world["contacts"]
    browser = sign_in(client, env, ON, "coordinator", "es")
    for person in (lucia, mateo):
        browser.post(f"{PATH}/{aid}/participants", {"contact": person["id"]}, follow_redirects=False)
    ids = _participant_ids(api, aid)

    questions = [
        {"text": "¿Cuántos Protocolos tiene la Convención?", "options": "Uno\nTres\nCinco", "correct": "2"},
        {"text": "¿Qué examina el Mecanismo?", "options": "La aplicación\nEl presupuesto", "correct": "1"},
    ]
    for q in questions:
        assert browser.post(f"{PATH}/{aid}/questions", q, follow_redirects=False).status_code == 303
    long_question = {"text": "¿" + "x" * 2000, "options": "Uno\nDos", "correct": "1"}
    refused_over_limit(env, browser.post(f"{PATH}/{aid}/questions", long_question), "new-text", 2000)
    refused = browser.post(f"{PATH}/{aid}/questions", {"text": "¿?", "options": "Solo una", "correct": "1"})
    assert refused.status_code == 400
    assert (
        gettext(env, "es", "Write from {min} to {max} options, one per line.", min=2, max=6) in refused.text
    )
    page = browser.get(f"{PATH}/{aid}/questions")
    ids_q = [int(i) for i in re.findall(r'data-question="(\d+)"', page.text)]
    assert len(ids_q) == 2

    before = len(env.run(client, ON, outbox_mails))
    browser.host = "localhost"
    sent = browser.post(f"{PATH}/{aid}/participants/resend", {}, follow_redirects=False)
    browser.host = None
    assert sent.status_code == 303
    mails = env.run(client, ON, outbox_mails)[before:]
    assert len(mails) == 2
    to_lucia = next(m for m in mails if m["To"] == lucia["emails"][0])
    assert to_lucia["Content-Language"] == "fr"
    assert to_lucia["Subject"] == gettext(env, "fr", "Your page for {title}", title=act["title"])
    link = re.search(r"http://localhost(/t/\S+)", to_lucia.get_body(("plain",)).get_content()).group(1)

    visitor = client.get(link)
    assert visitor.status_code == 200 and act["title"] in visitor.text
    assert 'name="phase" value="post"' in visitor.text  # the activity has started
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', visitor.text).group(1)
    answer = {"_csrf_token": csrf, "phase": "post", f"q_{ids_q[0]}": "1", f"q_{ids_q[1]}": "0"}
    incomplete = client.post(link, data={k: v for k, v in answer.items() if k != f"q_{ids_q[1]}"})
    assert incomplete.status_code == 400
    assert client.post(link, data={**answer, "phase": "pre"}).status_code == 400
    assert client.post(link, data=answer).status_code == 200
    assert client.post(link, data=answer).status_code == 409
    assert client.get(link.rsplit("/", 1)[0] + "/not-a-link").status_code == 404

    # Lucía's pre questionnaire came on paper: one right of two.
    paper = f"{PATH}/{aid}/participants/{ids[lucia['id']]}/answers"
    assert browser.get(paper).status_code == 200
    pre = {"phase": "pre", f"q_{ids_q[0]}": "0", f"q_{ids_q[1]}": "0"}
    assert browser.post(paper, pre, follow_redirects=False).status_code == 303
    assert browser.post(paper, pre).status_code == 409
    listed = api.get(f"{PATH}/{aid}/participants")
    mine = next(p for p in listed["items"] if p["id"] == ids[lucia["id"]])
    assert (mine["pre"], mine["post"], mine["gain"]) == (50, 100, 50)
    assert listed["cohort"] == {"mean_pre": 50, "mean_post": 100, "mean_gain": 50, "with_both": 1}
    assert "data-mean-gain>50" in browser.get(f"{PATH}/{aid}/participants").text
    history = api.get("/audit", entity="engagement_participant", entity_id=ids[lucia["id"]])
    assert {"create", "link", "answers_pre", "answers_post"} <= {entry["action"] for entry in history}
    locked = browser.post(f"{PATH}/{aid}/questions/{ids_q[0]}/remove", {})
    assert locked.status_code == 409

    # A second sending makes a new link: the first one stops working.
    browser.host = "localhost"
    browser.post(f"{PATH}/{aid}/participants/{ids[lucia['id']]}/resend", {}, follow_redirects=False)
    browser.host = None
    assert client.get(link).status_code == 404

    # Every delivery page in a right-to-left language and in French.
    session = api.post(
        f"{PATH}/{aid}/sessions",
        {"kind": "plenary", "title": "Apertura", "starts_at": "2025-05-10T09:00:00-06:00"},
    )
    for locale in ("ar", "fr"):
        reader = sign_in(client, env, ON, "coordinator", locale)
        for page in (
            "sessions",
            "participants",
            "questions",
            f"sessions/{session['id']}/attendance",
            f"sessions/{session['id']}/edit",
            f"participants/{ids[mateo['id']]}/answers",
        ):
            shown = reader.get(f"{PATH}/{aid}/{page}")
            assert shown.status_code == 200 and f'<html lang="{locale}"' in shown.text, (locale, page)


def test_the_add_a_participant_picker_leaves_out_those_taking_part(client, env):
    api = Api(client, env)
    aid = activity(api)["id"]
    family = unique("Buscada")
    inside, outside = (api.post("/contacts", {"first_name": n, "last_name": family}) for n in ("Ana", "Eva"))
    browser = sign_in(client, env, ON, "coordinator", "en")
    added = browser.post(f"{PATH}/{aid}/participants", {"contact": inside["id"]}, follow_redirects=False)
    assert added.status_code == 303
    search = f"/pick/contacts?q={family}&without=engagement.participants&of={aid}"
    for role in ("coordinator", "observer"):  # every member who may see the activity
        picked = sign_in(client, env, ON, role, "en").get(search)
        assert picked.status_code == 200, role
        assert re.findall(r'data-value="(\d+)"', picked.text) == [str(outside["id"])], role
    assert set(re.findall(r'data-value="(\d+)"', browser.get(f"/pick/contacts?q={family}").text)) == {
        str(inside["id"]),
        str(outside["id"]),
    }
    assert browser.get(f"/pick/contacts?without=engagement.participants&of={aid + 10**6}").status_code == 404
    # The participants page asks its picker for exactly that, and its select offers no participant.
    page = unescape(browser.get(f"{PATH}/{aid}/participants").text)
    assert f'"of": {aid}, "picker": "f-contact", "without": "engagement.participants"' in page
    native = page[
        page.index('<select id="f-contact"') : page.index("</select>", page.index('id="f-contact"'))
    ]
    assert f'value="{outside["id"]}"' in native and f'value="{inside["id"]}"' not in native
    # Without the plugin, the tenant knows no such exclusion.
    plain = sign_in(client, env, OFF, "coordinator", "en").get(
        f"/pick/contacts?without=engagement.participants&of={aid}"
    )
    assert plain.status_code == 400 and "This list cannot leave out those records." in plain.text
