"""Topic pages through HTTP: national priorities first, the category filter, what links to a topic,
and that only coordinators add or change topics."""

from __future__ import annotations

import secrets

from core.testing.web import Browser, sign_in

API = "/t/alpha/api/v1"


def topic_id(client, env, code: str, slug: str = "alpha") -> int:
    items = client.get(
        f"/t/{slug}/api/v1/topics", params={"q": code}, headers=env.headers(slug, "observer")
    ).json()["items"]
    return next(item["id"] for item in items if item["code"] == code)


def test_list_puts_national_priorities_first_and_filters_by_category(client, env):
    browser = sign_in(client, env, "alpha", "observer", locale="es")
    page = browser.get("/topics")
    assert page.status_code == 200
    text = page.text
    # Mexico's priorities (MX-…) come before the shared taxonomy, whatever their code's order.
    assert text.index("MX-FIREARMS") < text.index("CL-COOPERATION") < text.index("SOM</code>")
    assert "Flujos de tráfico de armas de fuego" in text and "Prioridad nacional" in text
    assert "Trata de personas" in text
    assert text.count("MX-FIREARMS</code>") == 1
    instruments = browser.get("/topics", params={"category": "instrument"}).text
    assert "TIP</code>" in instruments and "MX-FIREARMS" not in instruments
    assert "CL-COOPERATION" not in instruments
    assert '<option value="instrument" selected>' in instruments
    searched = browser.get("/topics", params={"q": "armas"}).text
    assert "MX-FIREARMS</code>" in searched and "TIP</code>" not in searched


def test_topic_page_links_its_organizations_meetings_and_actions(client, env):
    h = env.headers("alpha", "coordinator")
    ministry = client.post(
        f"{API}/organizations",
        json={
            "name": f"Fiscalía {secrets.token_hex(3)}",
            "sector": "prosecution_judiciary",
            "topics": ["SOM"],
        },
        headers=h,
    ).json()
    meeting = client.post(
        f"{API}/meetings",
        json={
            "title": f"Mesa SOM {secrets.token_hex(3)}",
            "meeting_type": "thematic_session",
            "mode": "in_person",
            "starts_at": "2025-07-01T09:00:00-06:00",
            "ends_at": "2025-07-01T11:00:00-06:00",
            "topics": ["SOM"],
        },
        headers=h,
    ).json()
    action = client.post(
        f"{API}/actions",
        json={
            "title": f"Guía SOM {secrets.token_hex(3)}",
            "government_lead": ministry["id"],
            "topics": ["SOM"],
        },
        headers=h,
    ).json()
    elsewhere = client.post(
        f"{API}/organizations", json={"name": f"Otra {secrets.token_hex(3)}", "sector": "ngo"}, headers=h
    ).json()
    page = sign_in(client, env, "alpha", "ngo").get(f"/topics/{topic_id(client, env, 'SOM')}")
    assert page.status_code == 200
    for link in (
        f"/organizations/{ministry['id']}",
        f"/meetings/{meeting['id']}",
        f"/actions/{action['id']}",
    ):
        assert f'href="/t/alpha{link}"' in page.text
    assert f'/organizations/{elsewhere["id"]}"' not in page.text


def test_participants_may_not_add_or_change_topics(client, env):
    government = sign_in(client, env, "alpha", "government")
    listing = government.get("/topics")
    assert listing.status_code == 200 and "/topics/new" not in listing.text
    assert government.get("/topics/new").status_code == 403
    tip = topic_id(client, env, "TIP")
    detail = government.get(f"/topics/{tip}")
    assert detail.status_code == 200 and f"/topics/{tip}/edit" not in detail.text
    assert government.get(f"/topics/{tip}/edit").status_code == 403
    assert government.get(f"/topics/{tip}/archive").status_code == 403
    forged = government.post("/topics/new", {"code": "GOV-X", "label": "x", "category": "national"})
    assert forged.status_code == 403
    assert sign_in(client, env, "alpha", "ngo").get("/topics/new").status_code == 403


def test_a_coordinator_adds_a_priority_topic_and_it_leads_the_list(client, env):
    coordinator = sign_in(client, env, "alpha", "coordinator", locale="es")
    assert "/topics/new" in coordinator.get("/topics").text
    form = coordinator.get("/topics/new")
    assert form.status_code == 200 and 'name="code"' in form.text
    code = f"mx-ports-{secrets.token_hex(2)}"
    bad = coordinator.post("/topics/new", {"code": "no spaces!", "label": "Puertos", "category": "national"})
    assert bad.status_code == 400 and 'value="no spaces!"' in bad.text and 'aria-invalid="true"' in bad.text
    created = coordinator.post(
        "/topics/new",
        {"code": code, "label": "Seguridad portuaria", "category": "national", "priority": "on"},
        follow_redirects=False,
    )
    assert created.status_code == 303
    page = coordinator.get(created.headers["location"])
    assert page.status_code == 200 and code.upper() in page.text and "Seguridad portuaria" in page.text
    assert "/edit" in page.text
    listing = coordinator.get("/topics").text
    assert listing.index(code.upper()) < listing.index("CL-COOPERATION")


def test_a_member_of_alpha_cannot_open_beta_topic_pages(client, env):
    beta_topic = topic_id(client, env, "TIP", "beta")
    alpha = sign_in(client, env, "alpha", "coordinator")
    intruder = Browser(client, "beta")
    intruder.cookies = dict(alpha.cookies)
    for path in ("/topics", f"/topics/{beta_topic}", "/topics/new"):
        response = intruder.get(path, follow_redirects=False)
        assert response.status_code == 303 and "/t/beta/login" in response.headers["location"]


def test_the_edit_form_shows_the_code_read_only(client, env):
    from core.testing.web import sign_in as _sign_in

    browser = _sign_in(client, env, "alpha", "coordinator")
    topics = client.get(
        "/t/alpha/api/v1/topics", params={"q": "TIP"}, headers=env.headers("alpha", "coordinator")
    )
    topic = next(t for t in topics.json()["items"] if t["code"] == "TIP")
    page = browser.get(f"/topics/{topic['id']}/edit")
    assert page.status_code == 200
    assert 'name="code" type="text" value="TIP" readonly' in page.text
