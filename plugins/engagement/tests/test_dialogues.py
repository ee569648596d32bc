"""Constructive dialogues' inputs over HTTP: members submit them (a moderator on someone's behalf, a
participant through their personal link), moderators tag, merge and include them (one by one or
several at once, at the versions they saw, audited), and the summary comes out grouped by topic as
JSON, Markdown (compared exactly) and PDF (read back, Arabic included)."""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from datetime import UTC, date, datetime
from typing import Any

import pytest
from babel.dates import format_date
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTTextContainer, LTTextLine

from core.plugin_api import Browser, sign_in
from plugins.engagement.dialogues.forms import MAX_TEXT
from plugins.engagement.tables import Participant, Reviewer
from plugins.engagement.tests.support import OFF, ON, Api, activity, gettext, refused_over_limit, unique

ARABIC = "نطالب بتعزيز حماية الضحايا"


def dialogue(api: Api, closed: bool = False, **fields: Any) -> dict[str, Any]:
    year = 2020 if closed else 2027
    return activity(
        api,
        kind="constructive_dialogue",
        title=unique("Diálogo constructivo"),
        starts_at=f"{year}-03-10T09:00:00-06:00",
        ends_at=f"{year}-03-10T17:00:00-06:00",
        **fields,
    )


def inputs(record: dict[str, Any]) -> str:
    return f"/engagement/activities/{record['id']}/inputs"


def organization(api: Api, name: str) -> int:
    return api.post("/organizations", {"name": name, "sector": "ngo"})["id"]


@pytest.fixture(scope="module")
def world(client, env) -> dict[str, Any]:
    """One open and one closed dialogue, a workshop, and the government member made a reviewer."""
    api = Api(client, env)
    reviewer = env.users[(ON, "government")]["id"]
    env.run(
        client,
        ON,
        lambda: Reviewer.insert(Reviewer(member=reviewer, granted_at=datetime.now(UTC))).run(),
    )
    return {
        "open": dialogue(api),
        "closed": dialogue(api, closed=True, status="completed"),
        "workshop": activity(api),
    }


def test_members_submit_inputs_and_list_them_by_topic_status_language_and_tag(client, env, world):
    coordinator, ngo, observer = (Api(client, env, role) for role in ("coordinator", "ngo", "observer"))
    path = inputs(world["open"])
    mine = ngo.post(path, {"topic": "firearms", "text": "Marcaje de armas.", "organization_name": "Red A"})
    assert mine["author_name"] == env.email(ON, "ngo") and mine["status"] == "received"
    assert (mine["language"], mine["tags"], mine["version"], mine["merged_from"]) == ("es", [], 1, [])
    # Members speak for themselves: a typed author or tags from a non-moderator are not kept.
    own = ngo.post(path, {"topic": "firearms", "text": "Otra.", "author_name": "X", "tags": ["a"]})
    assert own["author_name"] == env.email(ON, "ngo") and own["tags"] == []

    org = organization(coordinator, unique("Colectivo Norte"))
    behalf = coordinator.post(
        path,
        {
            "topic": "trafficking_in_persons",
            "text": "Protección de víctimas.",
            "language": "en",
            "author_name": "Ana Ruiz",
            "organization": org,
            "tags": ["  Víctimas ", "víctimas", "Protección;refugios"],
        },
    )
    assert behalf["author_name"] == "Ana Ruiz" and behalf["organization"] == org
    assert behalf["organization_name"].startswith("Colectivo Norte")
    assert behalf["tags"] == ["víctimas", "protección", "refugios"]

    def listed(**query: str) -> list[int]:
        # "status" is the helper's expected HTTP status: the filters go in the query string itself.
        found = client.get(f"/t/{ON}/api/v1{path}", params=query, headers=observer.headers)
        return [i["id"] for i in found.json()["items"]]

    assert listed() == [mine["id"], own["id"], behalf["id"]]
    assert listed(topic="firearms") == [mine["id"], own["id"]]
    assert listed(language="en") == listed(tag="VÍCTIMAS") == [behalf["id"]]
    assert listed(status="included") == [] and listed(tag="nada") == []
    assert listed(q="víctimas") == [behalf["id"]]

    # Too long is refused with the limit, in the member's language, and nothing is written.
    for locale in ("es", "fr"):
        response = client.post(
            f"/t/{ON}/api/v1{path}",
            json={"topic": "firearms", "text": "x" * (MAX_TEXT + 1)},
            headers=env.headers(ON, "ngo", locale),
        )
        assert response.status_code == 400
        assert response.json()["errors"] == {
            "text": [gettext(env, locale, "Enter at most {max} characters.", max=MAX_TEXT)]
        }
    ngo.post(path, {"topic": "sports", "text": "x"}, status=400)
    ngo.post(path, {"topic": "firearms", "text": "x", "organization": 2**31 - 1}, status=400)
    assert len(listed()) == 3

    observer.post(path, {"topic": "firearms", "text": "x"}, status=403)
    # Closed once the dialogue has ended; other activities and other tenants have no inputs.
    closed = ngo.post(inputs(world["closed"]), {"topic": "firearms", "text": "Tarde."}, status=409)
    assert closed["detail"] == gettext(env, "es", "Inputs to this dialogue are closed: it has ended.")
    ngo.get(inputs(world["workshop"]), status=404)
    ngo.post(inputs(world["workshop"]), {"topic": "firearms", "text": "x"}, status=404)
    Api(client, env, slug=OFF).get(path, status=404)


def test_moderators_merge_include_and_tag_inputs_at_the_versions_they_saw(client, env, world):
    coordinator, ngo = Api(client, env), Api(client, env, "ngo")
    reviewer = Api(client, env, "government")  # listed in the Reviewer table
    record = dialogue(coordinator)
    path = inputs(record)
    a, b, c = (
        ngo.post(path, {"topic": topic, "text": text, "organization_name": org})
        for topic, text, org in (
            ("firearms", "A", "Red A"),
            ("firearms", "B", "Red B"),
            ("smuggling_of_migrants", "C", "Red C"),
        )
    )
    ngo.patch(f"{path}/{a['id']}", {"version": 1, "status": "included"}, status=403)
    ngo.post(f"{path}/status", {"inputs": [{"id": a["id"], "version": 1}], "status": "included"}, status=403)

    def merge(target: int, version: int = 1) -> Any:
        return {"version": version, "status": "merged", "merged_into": target}

    errors = reviewer.patch(f"{path}/{b['id']}", merge(c["id"]), status=400)["errors"]
    assert errors == {
        "merged_into": [gettext(env, "es", "An input is merged only into one of the same topic.")]
    }
    assert set(reviewer.patch(f"{path}/{b['id']}", merge(b["id"]), status=400)["errors"]) == {"merged_into"}
    assert set(reviewer.patch(f"{path}/{b['id']}", {"version": 1, "status": "merged"}, 400)["errors"]) == {
        "merged_into"
    }
    merged = reviewer.patch(f"{path}/{b['id']}", {**merge(a["id"]), "tags": "Marcaje, marcaje"})
    assert (merged["status"], merged["merged_into"], merged["version"]) == ("merged", a["id"], 2)
    assert merged["text"] == "B" and merged["tags"] == ["marcaje"]
    target = coordinator.get(path, topic="firearms")["items"][0]
    assert target["merged_from"] == [
        {"id": b["id"], "author_name": env.email(ON, "ngo"), "organization_name": "Red B"}
    ]
    # A merged input cannot take others, nor can one with others merged into it go elsewhere.
    assert set(reviewer.patch(f"{path}/{c['id']}", merge(b["id"]), status=400)["errors"]) == {"merged_into"}
    assert set(reviewer.patch(f"{path}/{a['id']}", {"version": 1, "topic": "firearms_x"}, 400)["errors"]) == {
        "topic"
    }
    assert set(
        reviewer.patch(f"{path}/{a['id']}", {"version": 1, "topic": "technical_assistance"}, 400)["errors"]
    ) == {"topic"}

    # Several at once, all or nothing: a stale version leaves every input as it was.
    stale = {"inputs": [{"id": a["id"], "version": 1}, {"id": c["id"], "version": 9}], "status": "included"}
    coordinator.post(f"{path}/status", stale, status=409)
    assert [i["status"] for i in coordinator.get(path)["items"]] == ["received", "merged", "received"]
    bad = coordinator.post(f"{path}/status", {"inputs": [], "status": "done"}, status=400)
    assert set(bad["errors"]) == {"inputs", "status"}
    done = coordinator.post(
        f"{path}/status",
        {"inputs": [{"id": a["id"], "version": 1}, {"id": c["id"], "version": 1}], "status": "included"},
        status=200,
    )
    assert [(i["id"], i["status"], i["version"]) for i in done["items"]] == [
        (a["id"], "included", 2),
        (c["id"], "included", 2),
    ]
    # Back to received, a merged input lets go of its target.
    back = reviewer.patch(f"{path}/{b['id']}", {"version": 2, "status": "received"})
    assert back["merged_into"] is None
    reviewer.patch(f"{path}/{b['id']}", merge(a["id"], 3))
    history = coordinator.get("/audit", entity="dialogue_input", entity_id=b["id"])
    assert [entry["action"] for entry in history].count("update") == 3
    # An input of another dialogue is not one of this one's.
    other = inputs(dialogue(coordinator))
    coordinator.patch(f"{other}/{a['id']}", {"version": 2, "status": "received"}, status=404)


def summary_world(client: Any, env: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    coordinator = Api(client, env)
    record = dialogue(coordinator)
    path = inputs(record)

    def add(topic: str, text: str, author: str, org: str, language: str) -> dict[str, Any]:
        body = {"topic": topic, "text": text, "author_name": author, "language": language}
        return coordinator.post(path, {**body, **({"organization_name": org} if org else {})})

    made = [
        add("smuggling_of_migrants", ARABIC, "María", "", "ar"),
        add("firearms", "Control de armas.\n# Segunda línea.", "Ana Ruiz", "Red *Ciudadana*", "es"),
        add("firearms", "Marking of firearms.", "Luis Pérez", "Colectivo Norte", "en"),
        add("technical_assistance", "Todavía sin revisar.", "Eva", "Red D", "es"),
        add("firearms", "Sólo recibida.", "Eva", "Red E", "es"),
    ]
    everyone = [{"id": m["id"], "version": 1} for m in made]
    coordinator.post(f"{path}/status", {"inputs": everyone[:3], "status": "included"}, status=200)
    coordinator.patch(
        f"{path}/{made[2]['id']}", {"version": 2, "status": "merged", "merged_into": made[1]["id"]}
    )
    return record, made


def expected_markdown(env: Any, locale: str, record: dict[str, Any]) -> str:
    def _(msgid: str, **params: Any) -> str:
        return gettext(env, locale, msgid, **params)

    lines = [
        f"# {_('Summary of inputs: {title}', title=record['title'])}",
        "",
        _("Date of the dialogue: {date}", date=format_date(date(2027, 3, 10), "long", locale=locale)),
        "",
        f"## {_('Firearms')}",
        "",
        "### 1. Red \\*Ciudadana\\*",
        "",
        f"*Ana Ruiz · {_('Spanish')}*",
        "",
        "Control de armas.",
        "\\# Segunda línea.",  # written as sent, but not as a heading
        "",
        f"**{_('Merged into this input:')}**",
        "",
        f"- **Colectivo Norte** · Luis Pérez · {_('English')}",
        "",
        "  Marking of firearms.",
        "",
        f"**{_('Contributing organizations')}**",
        "",
        "- Colectivo Norte",
        "- Red \\*Ciudadana\\*",
        "",
        _("Inputs: {inputs} · Organizations: {organizations}", inputs="2", organizations="2"),
        "",
        f"## {_('Smuggling of migrants')}",
        "",
        f"### 1. {_('No organization')}",
        "",
        f"*María · {_('Arabic')}*",
        "",
        ARABIC,
        "",
        f"**{_('Contributing organizations')}**",
        "",
        "—",
        "",
        _("Inputs: {inputs} · Organizations: {organizations}", inputs="1", organizations="0"),
    ]
    return "\n".join(lines) + "\n"


def test_the_summary_groups_included_inputs_by_topic_as_json_and_markdown(client, env):
    record, made = summary_world(client, env)
    observer = Api(client, env, "observer")
    path = inputs(record)
    document = observer.get(f"{path}/summary", lang="fr")
    assert document["language"] == "fr" and document["date"] == "2027-03-10"
    assert [(t["topic"], t["input_count"], t["organization_count"]) for t in document["topics"]] == [
        ("firearms", 2, 2),
        ("smuggling_of_migrants", 1, 0),
    ]
    firearms = document["topics"][0]
    assert firearms["label"] == gettext(env, "fr", "Firearms")
    assert [i["id"] for i in firearms["inputs"]] == [made[1]["id"]]
    assert [m["id"] for m in firearms["inputs"][0]["merged"]] == [made[2]["id"]]
    assert firearms["organizations"] == ["Colectivo Norte", "Red *Ciudadana*"]

    for locale in ("es", "en", "ar"):
        response = client.get(
            f"/t/{ON}/api/v1{path}/summary.md", params={"lang": locale}, headers=observer.headers
        )
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/markdown")
        disposition = response.headers["content-disposition"]
        assert re.fullmatch(
            rf'attachment; filename="dialogue-{record["id"]}-dialogo-constructivo-[0-9a-f]+-2027-03-10\.md"',
            disposition,
        )
        assert response.text == expected_markdown(env, locale, record)
    # Without ``lang``, the member's own language; a language the tenant lacks is refused.
    spanish = client.get(f"/t/{ON}/api/v1{path}/summary.md", headers=env.headers(ON, "observer", "es"))
    assert spanish.text == expected_markdown(env, "es", record)
    refused = observer.get(f"{path}/summary.md", status=400, lang="ru")
    assert set(refused["errors"]) == {"lang"}
    empty = observer.get(f"{inputs(dialogue(Api(client, env)))}/summary")
    assert empty["topics"] == []


def pdf_text(content: bytes) -> list[str]:
    return [
        line.get_text().strip()
        for page in extract_pages(io.BytesIO(content))
        for box in page
        if isinstance(box, LTTextContainer)
        for line in box
        if isinstance(line, LTTextLine) and line.get_text().strip()
    ]


def logical(line: str) -> str:
    """A right-to-left line as written, from the visual order the PDF draws its glyphs in."""
    return re.sub(r"[A-Za-z0-9@._-]+", lambda m: m.group(0)[::-1], line[::-1])


def test_the_summary_pdf_has_headings_in_the_language_asked_and_inputs_in_their_own(client, env):
    record, _ = summary_world(client, env)
    browser = sign_in(client, env, ON, "observer", "es")
    response = browser.get(f"{inputs(record)}/summary.pdf", params={"lang": "fr"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].endswith('-2027-03-10.pdf"')
    lines = pdf_text(response.content)
    text = "\n".join(lines)
    for msgid in ("Firearms", "Smuggling of migrants", "Contributing organizations", "No organization"):
        assert gettext(env, "fr", msgid) in text, msgid
    assert gettext(env, "fr", "Summary of inputs: {title}", title=record["title"]) in text
    assert "Control de armas." in text and "Marking of firearms." in text and "Red *Ciudadana*" in text
    assert any(ARABIC in logical(line) for line in lines)
    assert "Sólo recibida." not in text and "Todavía sin revisar." not in text


def test_the_pages_submit_moderate_and_offer_the_summary(client, env, world):
    record = dialogue(Api(client, env))
    path = inputs(record)
    coordinator = sign_in(client, env, ON, "coordinator", "fr")
    page = coordinator.get(path)
    assert page.status_code == 200 and 'id="submit-input"' in page.text and 'id="moderation"' in page.text
    for msgid in ("Working group", "Language of the input", "Download as PDF", "Trafficking in persons"):
        assert gettext(env, "fr", msgid) in page.text, msgid
    assert f'action="/t/{ON}{path}/summary.md"' in page.text
    assert f'href="/t/{ON}{path}"' in coordinator.get(f"/engagement/activities/{record['id']}").text

    too_long = coordinator.post(path, {"topic": "firearms", "text": "x" * (MAX_TEXT + 1), "language": "fr"})
    assert too_long.status_code == 400
    assert gettext(env, "fr", "Enter at most {max} characters.", max=MAX_TEXT) in too_long.text
    missing = coordinator.post(path, {"topic": "", "text": "Sin tema"})
    assert missing.status_code == 400 and 'aria-invalid="true"' in missing.text

    sent = coordinator.post(
        path,
        {
            "topic": "firearms",
            "text": "Desde la página.",
            "language": "es",
            "author_name": "Rosa",
            "tags": "A",
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303
    (item,) = Api(client, env).get(path)["items"]
    assert (item["author_name"], item["tags"], item["text"]) == ("Rosa", ["a"], "Desde la página.")

    refused = coordinator.post(f"{path}/moderate", {"input": f"{item['id']}:1", "status": "merged"})
    assert refused.status_code == 400
    assert gettext(env, "fr", "Choose the input to merge this one into.") in refused.text
    moderated = coordinator.post(
        f"{path}/moderate",
        {"input": f"{item['id']}:1", "status": "included", "add_tags": "Marcaje, b", "remove_tags": "a"},
        follow_redirects=False,
    )
    assert moderated.status_code == 303
    item = Api(client, env).get(path)["items"][0]
    assert (item["status"], item["tags"], item["version"]) == ("included", ["marcaje", "b"], 2)
    stale = coordinator.post(f"{path}/moderate", {"input": f"{item['id']}:1", "status": "received"})
    assert stale.status_code == 409
    filtered = coordinator.get(path, params={"tag": "marcaje", "status": "included"})
    assert f'data-input="{item["id"]}"' in filtered.text
    assert f'data-input="{item["id"]}"' not in coordinator.get(path, params={"status": "received"}).text

    observer = sign_in(client, env, ON, "observer")
    seen = observer.get(path)
    assert seen.status_code == 200 and "Desde la página." in seen.text
    assert 'id="submit-input"' not in seen.text and 'id="moderation"' not in seen.text
    assert observer.post(path, {"topic": "firearms", "text": "x"}).status_code == 403
    ngo = sign_in(client, env, ON, "ngo")
    assert ngo.post(f"{path}/moderate", {"input": f"{item['id']}:2", "status": "received"}).status_code == 403

    closed = coordinator.get(inputs(world["closed"]))
    assert 'id="inputs-closed"' in closed.text and 'id="submit-input"' not in closed.text
    assert coordinator.get(inputs(world["workshop"])).status_code == 404


def test_a_participant_submits_through_their_personal_link(client, env, world):
    api = Api(client, env)
    org = organization(api, unique("Fundación Sur"))
    contact = api.post("/contacts", {"first_name": "Inés", "last_name": "Mora", "organization": org})
    token = secrets.token_urlsafe(32)

    async def enroll(activity_id: int, link: str) -> None:
        await Participant.insert(
            Participant(
                activity=activity_id,
                contact=contact["id"],
                link_hash=hashlib.sha256(link.encode()).hexdigest(),
                created_at=datetime.now(UTC),
            )
        ).run()

    env.run(client, ON, lambda: enroll(world["open"]["id"], token))
    late = secrets.token_urlsafe(32)
    env.run(client, ON, lambda: enroll(world["closed"]["id"], late))

    visitor = Browser(client, ON, "es")
    address = f"/engagement/participant/{token}/inputs"
    page = visitor.get(address)
    assert page.status_code == 200 and "Inés Mora" in page.text and 'id="submit-input"' in page.text
    refused = visitor.post(address, {"topic": "firearms", "text": ""})
    assert refused.status_code == 400
    assert gettext(env, "es", "This field is required.") in refused.text
    sent = visitor.post(
        address,
        {"topic": "smuggling_of_migrants", "text": "Desde mi enlace.", "language": "es"},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert "Desde mi enlace." in visitor.get(address).text
    found = Api(client, env).get(inputs(world["open"]), q="enlace")["items"]
    assert [(i["author_name"], i["organization"], i["contact"]) for i in found] == [
        ("Inés Mora", org, contact["id"])
    ]
    assert found[0]["organization_name"].startswith("Fundación Sur")

    closed = visitor.get(f"/engagement/participant/{late}/inputs")
    assert closed.status_code == 200 and 'id="inputs-closed"' in closed.text
    assert visitor.get(f"/engagement/participant/{secrets.token_urlsafe(32)}/inputs").status_code == 404
    assert Browser(client, OFF).get(address).status_code == 404


@pytest.mark.parametrize(
    ("field", "limit"), [("text", 6000), ("organization_name", 300), ("author_name", 250)]
)
def test_an_input_over_a_fields_limit_is_refused_by_that_field_on_the_page(client, env, world, field, limit):
    """Nothing is cut: the browser is given no maxlength, the server refuses with the limit."""
    browser = sign_in(client, env, ON, "coordinator", "es")
    body = {"topic": "firearms", "text": "Marcaje.", "language": "es", field: "x" * (limit + 1)}
    before = len(Api(client, env).get(inputs(world["open"]))["items"])
    refused_over_limit(env, browser.post(inputs(world["open"]), body), f"input-{field}", limit)
    assert len(Api(client, env).get(inputs(world["open"]))["items"]) == before
