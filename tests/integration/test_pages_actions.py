"""Joint action pages through HTTP: create with the tenant's plugin field, the timeline of progress
updates, completion confirmed by each side, refusals for observers and bad input."""

from __future__ import annotations

import secrets

from core.testing.web import Browser, sign_in

API = "/t/alpha/api/v1"


def unique(prefix: str) -> str:
    return f"{prefix} {secrets.token_hex(3)}"


def make_org(client, env, sector: str) -> dict:
    org = client.post(
        f"{API}/organizations",
        json={"name": unique("Org"), "sector": sector},
        headers=env.headers("alpha", "coordinator"),
    )
    assert org.status_code == 201, org.text
    return org.json()


def make_action(client, env, browser: Browser, **fields) -> tuple[str, dict, dict]:
    """An action created through the page form; returns its path, lead and partner."""
    lead = make_org(client, env, "government_ministry")
    partner = make_org(client, env, "academia")
    browser.get("/actions/new")
    values = {
        "title": unique("Protocolo de atención a víctimas"),
        "description": "Primera línea\nSegunda línea",
        "status": "agreed",
        "government_lead": str(lead["id"]),
        "partners": [str(partner["id"])],
        "due_date": "2026-12-31",
        "topics": ["TIP", "MX-VICTIMS"],
        **fields,
    }
    made = browser.post("/actions/new", values, follow_redirects=False)
    assert made.status_code == 303, made.text[:2000]
    return made.headers["location"].removeprefix("/t/alpha"), lead, partner


def make_meeting(client, env) -> dict:
    meeting = client.post(
        f"{API}/meetings",
        json={
            "title": unique("Revisión de la hoja de ruta"),
            "meeting_type": "roadmap_review",
            "mode": "online",
            "starts_at": "2025-09-01T10:00:00-06:00",
            "ends_at": "2025-09-01T12:00:00-06:00",
        },
        headers=env.headers("alpha", "coordinator"),
    )
    assert meeting.status_code == 201, meeting.text
    return meeting.json()


def test_an_action_goes_from_creation_to_completion_confirmed_by_both_sides(client, env):
    ngo = sign_in(client, env, "alpha", "ngo", locale="en")
    meeting = make_meeting(client, env)
    path, lead, partner = make_action(
        client, env, ngo, mx_pnd_axis="governance", origin_meeting=str(meeting["id"])
    )
    page = ngo.get(path)
    assert page.status_code == 200
    assert f'href="/t/alpha/meetings/{meeting["id"]}">{meeting["title"]}<' in page.text
    assert f'href="/t/alpha{path}"' in ngo.get(f"/meetings/{meeting['id']}").text  # and back
    assert "National Development Plan axis" in page.text
    assert "Governance with justice and citizen participation" in page.text
    assert f'href="/t/alpha/organizations/{lead["id"]}">{lead["name"]}<' in page.text
    assert f'href="/t/alpha/organizations/{partner["id"]}">{partner["name"]}<' in page.text
    assert "Dec 31, 2026" in page.text and "<p>Primera línea<br>Segunda línea</p>" in page.text
    assert "Agreed" in page.text and page.text.count("Not confirmed yet") == 2

    added = ngo.post(
        f"{path}/progress", {"on_date": "2026-01-15", "note": "Borrador revisado"}, follow_redirects=False
    )
    assert added.status_code == 303
    page = ngo.get(added.headers["location"])
    assert "Progress update added." in page.text
    assert '<time datetime="2026-01-15">Jan 15, 2026</time>' in page.text
    assert "Borrador revisado" in page.text and env.email("alpha", "ngo") in page.text

    confirmed = ngo.post(f"{path}/confirm", {}, follow_redirects=False)
    assert confirmed.status_code == 303
    page = ngo.get(path)
    assert "Your side&#39;s confirmation is recorded." in page.text
    assert page.text.count("Not confirmed yet") == 1 and "Confirm completion for my side" not in page.text
    assert "Agreed" in page.text

    government = sign_in(client, env, "alpha", "government", locale="en")
    page = government.get(path)
    assert "Confirm completion for my side" in page.text
    assert government.post(f"{path}/confirm", {}).status_code == 200
    page = government.get(path)
    assert "Completed" in page.text and "Not confirmed yet" not in page.text
    assert "Confirm completion for my side" not in page.text
    api = client.get(f"{API}{path}", headers=env.headers("alpha", "observer")).json()
    assert api["status"] == "completed" and api["mx_pnd_axis"] == "governance"

    listed = government.get(f"/actions?status=completed&government_lead={lead['id']}")
    assert f'href="/t/alpha{path}"' in listed.text and "Completed" in listed.text
    assert f'href="/t/alpha{path}"' not in government.get("/actions?status=proposed").text


def test_a_progress_update_without_a_note_is_refused_next_to_the_note(client, env):
    ngo = sign_in(client, env, "alpha", "ngo", locale="en")
    path, _, _ = make_action(client, env, ngo)
    ngo.get(path)
    bad = ngo.post(f"{path}/progress", {"on_date": "2026-02-03", "note": ""})
    assert bad.status_code == 400
    assert 'id="f-note-error">This field is required.</p>' in bad.text
    assert 'name="on_date" type="date" value="2026-02-03"' in bad.text
    assert "No progress updates yet." in bad.text
    wrong_date = ngo.post(f"{path}/progress", {"on_date": "mañana", "note": "Texto escrito"})
    assert wrong_date.status_code == 400
    assert 'id="f-on_date-error"' in wrong_date.text and "Texto escrito</textarea>" in wrong_date.text
    progress = client.get(f"{API}{path}/progress", headers=env.headers("alpha", "ngo")).json()
    assert progress == []


def test_observers_and_coordinators_cannot_confirm_and_observers_cannot_log_progress(client, env):
    ngo = sign_in(client, env, "alpha", "ngo", locale="en")
    path, _, _ = make_action(client, env, ngo)
    observer = sign_in(client, env, "alpha", "observer", locale="en")
    page = observer.get(path)
    assert page.status_code == 200 and "Completion" in page.text
    assert "Confirm completion for my side" not in page.text and "Add a progress update" not in page.text
    assert observer.post(f"{path}/confirm", {}).status_code == 403
    assert observer.post(f"{path}/progress", {"on_date": "2026-01-01", "note": "x"}).status_code == 403
    coordinator = sign_in(client, env, "alpha", "coordinator", locale="en")
    assert "Confirm completion for my side" not in coordinator.get(path).text
    assert coordinator.post(f"{path}/confirm", {}).status_code == 403
    action = client.get(f"{API}{path}", headers=env.headers("alpha", "observer")).json()
    assert action["confirmed_by"] == [] and action["status"] == "agreed"


def test_alpha_members_cannot_reach_beta_actions(client, env):
    title = unique("Ação conjunta")
    made = client.post(
        "/t/beta/api/v1/actions", json={"title": title}, headers=env.headers("beta", "coordinator")
    )
    assert made.status_code == 201, made.text
    alpha = sign_in(client, env, "alpha", "government")
    assert title not in alpha.get(f"/actions/{made.json()['id']}").text
    stolen = Browser(client, "beta")
    stolen.cookies, stolen.csrf = dict(alpha.cookies), alpha.csrf
    path = f"/t/beta/actions/{made.json()['id']}"
    for response in (
        stolen.get(path, follow_redirects=False),
        stolen.post(f"{path}/confirm", {}, follow_redirects=False),
    ):
        assert response.status_code in (303, 403) and title not in response.text
    beta = client.get(f"/t/beta/api/v1/actions/{made.json()['id']}", headers=env.headers("beta", "observer"))
    assert beta.json()["confirmed_by"] == []
