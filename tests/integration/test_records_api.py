"""The JSON API of the CRM records, through HTTP, on every backend."""

from __future__ import annotations

import secrets

API = "/t/alpha/api/v1"


def unique(prefix: str) -> str:
    return f"{prefix} {secrets.token_hex(4)}"


def create_org(client, env, role="coordinator", **fields):
    body = {"name": unique("Fundación Prueba"), "sector": "ngo", **fields}
    response = client.post(f"{API}/organizations", json=body, headers=env.headers("alpha", role))
    assert response.status_code == 201, response.text
    return response.json()


def test_create_and_get_organization_derives_side_and_topics(client, env):
    org = create_org(client, env, sector="government_ministry", topics=["tip", "FIREARMS"])
    assert org["side"] == "government"
    assert org["country"] == "MEX"  # defaults to the tenant's country
    assert org["topics"] == ["TIP", "FIREARMS"]
    fetched = client.get(f"{API}/organizations/{org['id']}", headers=env.headers("alpha", "observer")).json()
    assert fetched == org


def test_search_and_keyset_pagination_walk_every_match_once(client, env):
    surname = "Zyxwortega" + secrets.token_hex(3)
    org = create_org(client, env)
    created = set()
    for i in range(7):
        body = {
            "first_name": f"Ana {i}",
            "last_name": surname,
            "organization": org["id"],
            "phones": ["+52 55 1234 5678"],
        }
        r = client.post(f"{API}/contacts", json=body, headers=env.headers("alpha", "coordinator"))
        assert r.status_code == 201, r.text
        created.add(r.json()["id"])
    seen, cursor, pages = [], None, 0
    while True:
        params = {"q": surname.lower(), "limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get(f"{API}/contacts", params=params, headers=env.headers("alpha", "observer")).json()
        pages += 1
        seen.extend(item["id"] for item in page["items"])
        assert all(item["organization_name"] == org["name"] for item in page["items"])
        cursor = page["next"]
        if cursor is None:
            break
    assert pages == 3
    assert sorted(seen) == sorted(created) and len(seen) == len(set(seen))


def test_search_ignores_accents_and_case(client, env):
    name = unique("Organización Jurídica Ñandú")
    create_org(client, env, name=name)
    page = client.get(
        f"{API}/organizations",
        params={"q": "JURIDICA nandu " + name.split()[-1]},
        headers=env.headers("alpha", "observer"),
    ).json()
    assert [o["name"] for o in page["items"]] == [name]


def test_filters_narrow_the_list(client, env):
    city = unique("Ciudad")
    gov = create_org(client, env, sector="law_enforcement", city=city)
    create_org(client, env, sector="academia", city=city)
    page = client.get(
        f"{API}/organizations",
        params={"q": city, "side": "government"},
        headers=env.headers("alpha", "observer"),
    ).json()
    assert [o["id"] for o in page["items"]] == [gov["id"]]


def test_bad_phone_in_spanish_is_a_field_error_and_nothing_is_written(client, env):
    surname = unique("Pérez")
    body = {"first_name": "Luis", "last_name": surname, "phones": ["12-34"]}
    r = client.post(
        f"{API}/contacts", json=body, headers={**env.headers("alpha", "coordinator"), "Accept-Language": "es"}
    )
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["status"] == 400 and problem["type"].endswith("/bad-request")
    assert list(problem["errors"]) == ["phones"]
    assert "número de teléfono" in problem["errors"]["phones"][0]
    listed = client.get(
        f"{API}/contacts", params={"q": surname}, headers=env.headers("alpha", "observer")
    ).json()
    assert listed["items"] == []


def test_error_language_follows_accept_language_within_the_tenant_locales(client, env):
    body = {"first_name": "", "last_name": "X"}
    english = client.post(
        f"{API}/contacts",
        json=body,
        headers={**env.headers("alpha", "coordinator"), "Accept-Language": "en-GB,en;q=0.9"},
    )
    french = client.post(
        f"{API}/contacts",
        json=body,  # fr is not allowed in alpha → tenant default (es)
        headers={**env.headers("alpha", "coordinator"), "Accept-Language": "fr"},
    )
    assert english.json()["errors"]["first_name"] == ["This field is required."]
    assert french.json()["errors"]["first_name"] == ["Este campo es obligatorio."]


def test_stale_version_is_a_conflict_and_changes_nothing(client, env):
    org = create_org(client, env)
    h = env.headers("alpha", "coordinator")
    first = client.patch(f"{API}/organizations/{org['id']}", json={"version": 1, "city": "Puebla"}, headers=h)
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client.patch(f"{API}/organizations/{org['id']}", json={"version": 1, "city": "Oaxaca"}, headers=h)
    assert stale.status_code == 409
    assert client.get(f"{API}/organizations/{org['id']}", headers=h).json()["city"] == "Puebla"


def test_archive_hides_from_lists_but_keeps_the_record(client, env):
    org = create_org(client, env)
    h = env.headers("alpha", "coordinator")
    assert client.post(f"{API}/organizations/{org['id']}/archive", headers=h).json()["archived_at"]
    listed = client.get(f"{API}/organizations", params={"q": org["name"]}, headers=h).json()["items"]
    assert listed == []
    with_archived = client.get(
        f"{API}/organizations", params={"q": org["name"], "include_archived": "true"}, headers=h
    ).json()["items"]
    assert [o["id"] for o in with_archived] == [org["id"]]
    assert (
        client.patch(
            f"{API}/organizations/{org['id']}", json={"version": 2, "city": "x"}, headers=h
        ).status_code
        == 409
    )


def test_plugin_fields_are_validated_stored_and_returned(client, env):
    h = {**env.headers("alpha", "coordinator"), "Accept-Language": "es"}
    bad = client.post(
        f"{API}/organizations",
        json={"name": unique("Empresa"), "sector": "ngo", "mx_state": "XXX"},
        headers=h,
    )
    assert bad.status_code == 400 and "mx_state" in bad.json()["errors"]
    good = client.post(
        f"{API}/organizations",
        json={"name": unique("Empresa"), "sector": "ngo", "mx_state": "JAL"},
        headers=h,
    )
    assert good.status_code == 201 and good.json()["mx_state"] == "JAL"
    unknown = client.post(
        f"{API}/organizations", json={"name": unique("E"), "sector": "ngo", "ao_province": "x"}, headers=h
    )
    assert unknown.status_code == 400 and "ao_province" in unknown.json()["errors"]


def test_meeting_attendees_keep_their_organization_at_the_time(client, env):
    h = env.headers("alpha", "coordinator")
    ngo = create_org(client, env, sector="ngo")
    other = create_org(client, env, sector="academia")
    contact = client.post(
        f"{API}/contacts",
        json={"first_name": "Eva", "last_name": unique("Ruiz"), "organization": ngo["id"]},
        headers=h,
    ).json()
    meeting = client.post(
        f"{API}/meetings",
        json={
            "title": unique("Diálogo nacional"),
            "meeting_type": "national_dialogue",
            "mode": "hybrid",
            "starts_at": "2025-05-06T10:00:00-06:00",
            "ends_at": "2025-05-06T13:00:00-06:00",
            "topics": ["SOM"],
        },
        headers=h,
    )
    assert meeting.status_code == 201, meeting.text
    mid = meeting.json()["id"]
    assert meeting.json()["timezone"] == "America/Mexico_City"
    r = client.put(f"{API}/meetings/{mid}/attendees/{contact['id']}", json={"status": "attended"}, headers=h)
    assert r.status_code == 200
    client.patch(
        f"{API}/contacts/{contact['id']}", json={"version": 1, "organization": other["id"]}, headers=h
    )
    attendees = client.get(f"{API}/meetings/{mid}/attendees", headers=h).json()
    assert [(a["contact"], a["organization"], a["side"], a["status"]) for a in attendees] == [
        (contact["id"], ngo["id"], "non_governmental", "attended")
    ]


def test_meeting_end_before_start_is_rejected(client, env):
    r = client.post(
        f"{API}/meetings",
        json={
            "title": "x",
            "meeting_type": "launch",
            "mode": "online",
            "starts_at": "2025-05-06T10:00:00-06:00",
            "ends_at": "2025-05-06T09:00:00-06:00",
        },
        headers=env.headers("alpha", "coordinator"),
    )
    assert r.status_code == 400 and list(r.json()["errors"]) == ["ends_at"]


def test_joint_action_completes_only_when_both_sides_confirm(client, env):
    gov = create_org(client, env, sector="government_ministry")
    ngo = create_org(client, env, sector="ngo")
    h_ngo = env.headers("alpha", "ngo")
    action = client.post(
        f"{API}/actions",
        json={
            "title": unique("Protocolo de atención a víctimas"),
            "government_lead": gov["id"],
            "partners": [ngo["id"]],
            "topics": ["VICTIMS"],
            "status": "agreed",
            "due_date": "2026-12-31",
        },
        headers=h_ngo,
    )
    assert action.status_code == 201, action.text
    aid = action.json()["id"]
    assert action.json()["partners"] == [ngo["id"]]
    forced = client.patch(f"{API}/actions/{aid}", json={"version": 1, "status": "completed"}, headers=h_ngo)
    assert forced.status_code == 400 and "status" in forced.json()["errors"]
    progress = client.post(
        f"{API}/actions/{aid}/progress", json={"on_date": "2026-01-15", "note": "Avance"}, headers=h_ngo
    )
    assert progress.status_code == 201
    assert [p["note"] for p in client.get(f"{API}/actions/{aid}/progress", headers=h_ngo).json()] == [
        "Avance"
    ]
    first = client.post(f"{API}/actions/{aid}/confirm", headers=h_ngo).json()
    assert first["status"] == "agreed" and first["confirmed_by"] == ["non_governmental"]
    assert (
        client.post(f"{API}/actions/{aid}/confirm", headers=env.headers("alpha", "coordinator")).status_code
        == 403
    )
    done = client.post(f"{API}/actions/{aid}/confirm", headers=env.headers("alpha", "government")).json()
    assert done["status"] == "completed" and done["completed_at"]
    assert done["confirmed_by"] == ["government", "non_governmental"]


def test_action_lead_and_partners_must_be_on_the_right_side(client, env):
    gov = create_org(client, env, sector="government_ministry")
    ngo = create_org(client, env, sector="ngo")
    r = client.post(
        f"{API}/actions",
        json={"title": "x", "government_lead": ngo["id"], "partners": [gov["id"]]},
        headers=env.headers("alpha", "coordinator"),
    )
    assert r.status_code == 400 and set(r.json()["errors"]) == {"government_lead", "partners"}


def test_every_mutation_is_audited(client, env):
    org = create_org(client, env)
    h = env.headers("alpha", "coordinator")
    client.patch(f"{API}/organizations/{org['id']}", json={"version": 1, "city": "Mérida"}, headers=h)
    client.post(f"{API}/organizations/{org['id']}/archive", headers=h)
    rows = client.get(
        f"{API}/audit", params={"entity": "organization", "entity_id": org["id"]}, headers=h
    ).json()
    rows.reverse()
    assert [r["action"] for r in rows] == ["create", "update", "archive"]
    assert {r["actor_email"] for r in rows} == {env.email("alpha", "coordinator")}
    assert rows[1]["before"]["city"] == "" and rows[1]["after"]["city"] == "Mérida"
    assert client.get(f"{API}/audit", headers=env.headers("alpha", "government")).status_code == 403


def test_topics_list_translates_labels_and_only_coordinators_add(client, env):
    h = {**env.headers("alpha", "observer")}
    page = client.get(f"{API}/topics", params={"q": "TIP"}, headers=h).json()
    assert any(t["code"] == "TIP" for t in page["items"])
    body = {"code": "mx-custom-" + secrets.token_hex(2), "label": "Custom", "category": "national"}
    assert (
        client.post(f"{API}/topics", json=body, headers=env.headers("alpha", "government")).status_code == 403
    )
    created = client.post(f"{API}/topics", json=body, headers=env.headers("alpha", "coordinator"))
    assert created.status_code == 201 and created.json()["code"] == body["code"].upper()


def test_form_definition_merges_core_and_plugin_fields_translated(client, env):
    r = client.get(
        f"{API}/forms/organization", headers={**env.headers("alpha", "observer"), "Accept-Language": "es"}
    )
    assert r.status_code == 200
    fields = {f["name"]: f for f in r.json()["fields"]}
    assert fields["name"]["label"] == "Nombre" and fields["name"]["source"] == "core"
    assert fields["mx_state"]["source"] == "mexico"
    assert any(c["value"] == "JAL" and c["label"] == "Jalisco" for c in fields["mx_state"]["choices"])
    assert client.get(f"{API}/forms/nonexistent", headers=env.headers("alpha", "observer")).status_code == 404


def test_health_and_openapi_answer_without_a_tenant(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    schema = client.get("/schema/openapi.json").json()
    assert "/t/{tenant_slug}/api/v1/contacts" in schema["paths"]


def test_topic_labels_follow_the_request_language(client, env):
    def label(locale):
        page = client.get(
            f"{API}/topics",
            params={"q": "TIP"},
            headers={**env.headers("alpha", "observer"), "Accept-Language": locale},
        ).json()
        return next(t["display_label"] for t in page["items"] if t["code"] == "TIP")

    assert label("en") == "Trafficking in persons"
    assert label("es") == "Trata de personas"


def test_routing_errors_are_localized_problem_details(client, env):
    h = {**env.headers("alpha", "observer"), "Accept-Language": "es"}
    missing = client.get(f"{API}/nowhere", headers=h)
    assert missing.status_code == 404 and missing.json()["title"] == "No encontrado."
    wrong_method = client.delete(f"{API}/contacts", headers=h)
    assert wrong_method.status_code == 405 and wrong_method.headers["content-type"].startswith(
        "application/problem"
    )
    bad_json = client.post(
        f"{API}/contacts", content=b"{oops", headers={**h, "Content-Type": "application/json"}
    )
    assert bad_json.status_code == 400 and bad_json.json()["status"] == 400


class Recorder:
    """A throwaway plugin that records what core tells it."""

    def __init__(self):
        self.calls = []

    from core.hookspecs import hookimpl

    @hookimpl
    def pilot_crm_record_changed(self, entity, action, record_id, before, after):
        self.calls.append((entity, action, record_id, before is None, after is None))


class Failing:
    from core.hookspecs import hookimpl

    @hookimpl
    def pilot_crm_record_changed(self, entity, action, record_id, before, after):
        raise RuntimeError("a broken plugin")


def test_plugins_hear_of_committed_changes_and_cannot_undo_them(client, env):
    tenant = env.registry.get("alpha")
    recorder, failing = Recorder(), Failing()
    tenant.plugins.register(recorder, name="recorder")
    tenant.plugins.register(failing, name="failing")
    try:
        org = create_org(client, env, sector="government_ministry")
        h = env.headers("alpha", "coordinator")
        client.patch(f"{API}/organizations/{org['id']}", json={"version": 1, "city": "Colima"}, headers=h)
        action = client.post(
            f"{API}/actions", json={"title": "x", "government_lead": org["id"]}, headers=h
        ).json()
        client.post(f"{API}/actions/{action['id']}/confirm", headers=env.headers("alpha", "government"))
    finally:
        tenant.plugins.unregister(name="recorder")
        tenant.plugins.unregister(name="failing")
    assert recorder.calls == [
        ("organization", "create", org["id"], True, False),
        ("organization", "update", org["id"], False, False),
        ("action", "create", action["id"], True, False),
        ("action", "confirm", action["id"], False, False),
    ]
    assert client.get(f"{API}/organizations/{org['id']}", headers=h).json()["city"] == "Colima"
    beta_calls = [c for c in recorder.calls if c[0] == "beta"]
    assert beta_calls == []


def test_tax_identifiers_are_normalized_before_they_are_checked(client, env):
    r = client.post(
        f"{API}/organizations",
        json={"name": unique("Empresa"), "sector": "private_company", "mx_rfc": " abc010203xy4 "},
        headers=env.headers("alpha", "coordinator"),
    )
    assert r.status_code == 201, r.text
    assert r.json()["mx_rfc"] == "ABC010203XY4"


def test_a_topic_code_is_set_once(client, env):
    h = env.headers("alpha", "coordinator")
    code = "KEEP-" + secrets.token_hex(2).upper()
    topic = client.post(
        f"{API}/topics", json={"code": code, "label": "x", "category": "national"}, headers=h
    ).json()
    renamed = client.patch(
        f"{API}/topics/{topic['id']}", json={"version": 1, "code": "OTHER", "label": "y"}, headers=h
    )
    assert renamed.status_code == 200
    assert (renamed.json()["code"], renamed.json()["label"]) == (code, "y")
