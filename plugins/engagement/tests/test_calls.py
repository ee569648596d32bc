"""The public call for applications, over HTTP as an anonymous visitor: the call's page in the
visitor's language, applying (the contact and organization matched or created and marked, the
confirmation mail in the applicant's language with a working personal link), changing and
withdrawing through that link, closed, draft and archived calls, field errors and limits, the
honeypot, and the abuse budget (200 rapid submissions from one address).

Each test stays within the per-address budget of public writes (10 per hour), which the kit
renews for every test."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

import pytest
from markupsafe import escape

from core.plugin_api import Browser, MailSink, app_client
from plugins.engagement.tests.support import ON, Api, activity, gettext, unique

BASE_URL = "http://testserver.local"
LINK = re.compile(r"https?://\S+")


@pytest.fixture(scope="module")
def client(env: Any, smtp_sink: MailSink) -> Iterator[Any]:
    """The app serving the kit's tenants, mailing to the module's SMTP sink, links to BASE_URL."""
    with app_client(env, mail=smtp_sink.settings, base_url=BASE_URL) as test_client:
        yield test_client


def open_call(api: Api, **fields: Any) -> dict[str, Any]:
    call = {
        "status": "call_open",
        "starts_at": "2030-03-10T09:00:00-06:00",
        "ends_at": "2030-03-12T17:00:00-06:00",
        "registration_deadline": "2030-02-01T23:59:00-06:00",
        "timezone": "America/Mexico_City",
        "languages": ["es", "fr"],
        "issue_areas": ["TIP", "SOM"],
        "eligible_countries": "MEX, GTM",
        "eligible_sectors": ["ngo", "academia"],
        "objectives": "Conocer el Mecanismo de Examen.",
        "reading_materials": "Guía de participación | https://example.org/guia",
    }
    return activity(api, **{**call, **fields})


def answers(**fields: Any) -> dict[str, Any]:
    """A complete application, its fields overridden by ``fields``."""
    return {
        "first_name": "Ana",
        "last_name": unique("Pérez"),
        "email": f"ana.{secrets.token_hex(4)}@example.org",
        # A phone of its own: the duplicate rules match people by phone too.
        "phone": f"+52 55 {secrets.randbelow(9000) + 1000} {secrets.randbelow(9000) + 1000}",
        "gender": "woman",
        "birth_year": "1996",
        "country": "MEX",
        "job_title": "Coordinadora de proyectos",
        "organization_name": unique("Red Ciudadana"),
        "organization_sector": "ngo",
        "organization_country": "MEX",
        "issue_areas": ["TIP"],
        "based_in_region": "yes",
        "motivation": "Quiero contribuir al diálogo constructivo.",
        "language": "fr",
        "consent": "on",
        "lang": "fr",
        **fields,
    }


def visitor(client: Any, path: str, locale: str | None = None) -> tuple[Browser, Any]:
    """An anonymous browser that opened ``path`` (so it holds the form's CSRF token)."""
    browser = Browser(client, ON, locale)
    return browser, browser.get(path)


def mailed_link(message: Any) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    links = LINK.findall(body)
    assert len(links) == 1, links
    return str(links[0])


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def applications_of(api: Api, email: str) -> set[int]:
    """The ids of the applications stored for ``email`` (read from the audit trail)."""
    entries = audit_of(api, limit=500)
    return {e["entity_id"] for e in entries if (e["after"] or {}).get("email") == email}


def contacts_with(api: Api, email: str) -> list[dict[str, Any]]:
    return [c for c in api.get("/contacts", q=email, limit=200)["items"] if email in c["emails"]]


def audit_of(api: Any, **params: Any) -> list[dict[str, Any]]:
    """The applications' audit entries, but the assessments (eligibility and score) the selection
    part writes after each submission: those are test_selection's."""
    return [e for e in api.get("/audit", entity="application", **params) if e["action"] != "assess"]


def test_apply_in_french_without_an_account(client, env, smtp_sink):
    api = Api(client, env)
    call = open_call(api)
    smtp_sink.clear()
    browser, page = visitor(client, f"/engagement/calls/{call['id']}?lang=fr")
    assert page.status_code == 200 and '<html lang="fr" dir="ltr">' in page.text
    assert call["title"] in page.text and 'href="https://example.org/guia"' in page.text
    for msgid in ("Registration deadline", "Workshop", "Spanish", "Why do you want to take part?"):
        assert str(escape(gettext(env, "fr", msgid))) in page.text, msgid
    assert 'name="homepage"' in page.text and 'tabindex="-1"' in page.text
    assert 'name="_csrf_token"' in page.text and 'hreflang="ar"' in page.text

    body = answers()
    sent = browser.post(f"/engagement/calls/{call['id']}", body, follow_redirects=False)
    assert sent.status_code == 303, sent.text[:800]
    thanks = browser.get(sent.headers["location"])
    assert thanks.status_code == 200 and '<html lang="fr"' in thanks.text
    assert str(
        escape(gettext(env, "fr", "Your application to “{title}” is received.", title=call["title"]))
    ) in (thanks.text)

    (mail,) = smtp_sink.wait_for(1)
    assert mail["To"] == body["email"] and mail["Content-Language"] == "fr"
    assert mail["Subject"] == gettext(
        env, "fr", "Your application was received: {title}", title=call["title"]
    )
    link = mailed_link(mail)
    assert link.startswith(f"{BASE_URL}/t/{ON}/engagement/my-application/")
    mine = Browser(client, ON).get(path_of(link))
    assert mine.status_code == 200 and mine.headers["cache-control"] == "no-store"
    assert 'data-status="submitted"' in mine.text and body["motivation"] in mine.text
    assert gettext(env, "fr", "Submitted") in mine.text

    # The person and the organization are new: created, marked as coming from an application.
    (contact,) = contacts_with(api, body["email"])
    assert contact["engagement_source"] == "application"
    assert contact["phones"] == ["+" + re.sub(r"\D", "", body["phone"])]
    assert contact["preferred_language"] == "fr" and contact["position"] == body["job_title"]
    orgs = api.get("/organizations", q=body["organization_name"])["items"]
    assert [o["id"] for o in orgs] == [contact["organization"]]
    assert orgs[0]["engagement_source"] == "application" and orgs[0]["sector"] == "ngo"
    (application_id,) = applications_of(api, body["email"])
    (created,) = audit_of(api, entity_id=application_id)
    assert created["action"] == "create" and created["after"]["contact"] == contact["id"]
    assert created["after"]["answers"] == {"issue_areas": ["TIP"], "based_in_region": "yes"}
    assert "link_hash" not in created["after"]


def test_an_applicant_the_tenant_knows_is_matched_not_duplicated(client, env, smtp_sink):
    api = Api(client, env)
    call = open_call(api)
    org = api.post("/organizations", {"name": unique("Observatorio Nacional"), "sector": "academia"})
    email = f"luis.{secrets.token_hex(4)}@example.org"
    known = api.post(
        "/contacts",
        {"first_name": "Luis", "last_name": "Gómez", "emails": [email], "organization": org["id"]},
    )
    browser, _ = visitor(client, f"/engagement/calls/{call['id']}")
    body = answers(
        email=email.upper(), first_name="Luis", last_name="Gómez", organization_name=org["name"].lower()
    )
    sent = browser.post(f"/engagement/calls/{call['id']}", {**body, "organization_sector": "academia"})
    assert sent.status_code == 200  # the thank-you page, after the redirect
    assert [c["id"] for c in contacts_with(api, email)] == [known["id"]]
    assert "engagement_source" not in api.get(f"/contacts/{known['id']}")  # linked, never changed
    (application_id,) = applications_of(api, email)
    (created,) = audit_of(api, entity_id=application_id)
    assert (created["after"]["contact"], created["after"]["organization"]) == (known["id"], org["id"])
    assert len(api.get("/organizations", q=org["name"])["items"]) == 1


def test_a_second_application_updates_the_first_and_the_link_withdraws_it(client, env, smtp_sink):
    api = Api(client, env)
    call = open_call(api)
    smtp_sink.clear()
    browser, _ = visitor(client, f"/engagement/calls/{call['id']}", "es")
    body = answers(language="es", lang="")
    assert browser.post(f"/engagement/calls/{call['id']}", body).status_code == 200
    first_link = mailed_link(smtp_sink.wait_for(1)[0])

    # Changed through the personal link: the form comes back filled in, and posts to the call.
    edit = browser.get(path_of(first_link).replace("?", "/edit?"))
    assert edit.status_code == 200 and body["motivation"] in edit.text and body["last_name"] in edit.text
    changed = {**body, "email": body["email"].upper(), "motivation": "Motivación revisada."}
    again = browser.post(f"/engagement/calls/{call['id']}", changed, follow_redirects=False)
    assert again.status_code == 303 and "updated=1" in again.headers["location"]
    assert gettext(env, "es", "Thank you") in browser.get(again.headers["location"]).text
    second = smtp_sink.wait_for(2)[1]
    assert second["Subject"] == gettext(
        env, "es", "Your application was updated: {title}", title=call["title"]
    )
    link = mailed_link(second)
    assert Browser(client, ON).get(path_of(first_link)).status_code == 404  # replaced by the new link

    (application_id,) = applications_of(api, body["email"])
    entries = audit_of(api, entity_id=application_id)
    assert [e["action"] for e in entries] == ["update", "create"]
    assert entries[0]["after"]["version"] == 2 and entries[0]["after"]["motivation"] == "Motivación revisada."

    mine = Browser(client, ON, "es")
    mine.get(path_of(link))
    withdrawn = mine.post(path_of(link).split("?")[0] + "/withdraw", {"lang": "es"})
    assert withdrawn.status_code == 200 and 'data-status="withdrawn"' in withdrawn.text
    assert gettext(env, "es", "Your application is withdrawn.") in withdrawn.text
    # Sending it again before the deadline makes it an application once more.
    assert browser.post(f"/engagement/calls/{call['id']}", body).status_code == 200
    entries = audit_of(api, entity_id=application_id)
    assert [e["action"] for e in entries] == ["update", "withdraw", "update", "create"]
    assert entries[0]["after"]["status"] == "submitted" and entries[0]["after"]["version"] == 4
    assert applications_of(api, body["email"]) == {application_id}
    assert len(contacts_with(api, body["email"])) == 1


def test_closed_draft_and_archived_calls(client, env, smtp_sink):
    api = Api(client, env)
    closed = open_call(
        api,
        starts_at="2020-03-10T09:00:00-06:00",
        ends_at="2020-03-12T17:00:00-06:00",
        registration_deadline="2020-02-01T23:59:00-06:00",
    )
    smtp_sink.clear()
    browser, page = visitor(client, f"/engagement/calls/{closed['id']}?lang=fr")
    assert page.status_code == 200 and 'id="call-closed"' in page.text
    assert gettext(env, "fr", "This call is closed") in page.text
    assert 'name="motivation"' not in page.text and "2020" in page.text
    body = answers()
    refused = browser.post(f"/engagement/calls/{closed['id']}", body, follow_redirects=False)
    assert refused.status_code == 409 and 'id="call-closed"' in refused.text
    assert not applications_of(api, body["email"]) and not contacts_with(api, body["email"])

    selection = open_call(api)
    api.patch(f"/engagement/activities/{selection['id']}", {"version": 1, "status": "selection"})
    assert 'id="call-closed"' in browser.get(f"/engagement/calls/{selection['id']}").text
    refused = browser.post(f"/engagement/calls/{selection['id']}", body, follow_redirects=False)
    assert refused.status_code == 409

    draft = activity(api)  # a draft: not public at all
    archived = open_call(api)
    api.post(f"/engagement/activities/{archived['id']}/archive", None, status=200)
    for hidden in (draft, archived):
        assert browser.get(f"/engagement/calls/{hidden['id']}").status_code == 404
        assert browser.post(f"/engagement/calls/{hidden['id']}", body).status_code == 404
    listing = browser.get("/engagement/calls")
    assert listing.status_code == 200
    for call in (closed, selection, draft, archived):
        assert f"/engagement/calls/{call['id']}?" not in listing.text
    assert not applications_of(api, body["email"])
    assert not smtp_sink.messages


def test_field_errors_and_limits_are_refused_field_by_field(client, env, smtp_sink):
    api = Api(client, env)
    call = open_call(api)
    smtp_sink.clear()
    url = f"/engagement/calls/{call['id']}"
    browser, _ = visitor(client, url + "?lang=ar", "ar")
    long_motivation = "م" * 5001
    body = answers(
        lang="ar",
        first_name="A" * 121,
        email="not-an-email",
        phone="12",
        birth_year="1800",
        motivation=long_motivation,
        issue_areas=["FIREARMS"],
        consent="",
        based_in_region="",
    )
    refused = browser.post(url, body, follow_redirects=False)
    assert refused.status_code == 400 and '<html lang="ar" dir="rtl">' in refused.text
    text = refused.text
    for msgid, params in (
        ("Enter at most {max} characters.", {"max": 120}),
        ("Enter at most {max} characters.", {"max": 5000}),
        ("Enter a valid email address.", {}),
        ("Enter a valid phone number in international format, e.g. +52 55 1234 5678.", {}),
        ("Select a valid choice.", {}),
        ("This field is required.", {}),
        ("Agree to the processing of your data to apply.", {}),
    ):
        assert str(escape(gettext(env, "ar", msgid, **params))) in text, msgid
    assert long_motivation in text  # given back whole, never shortened
    assert text.count('aria-invalid="true"') >= 5
    assert not applications_of(api, body["email"]) and not smtp_sink.messages

    # A body larger than any complete form is refused before it is read (so in the language the
    # browser asks for).
    huge = browser.post(url, answers(lang="ar", motivation="x" * 200_000), follow_redirects=False)
    assert huge.status_code == 413 and '<html lang="ar" dir="rtl">' in huge.text
    assert gettext(env, "ar", "This request could not be processed") in huge.text
    assert not smtp_sink.messages


def test_the_honeypot_answers_like_success_and_stores_nothing(client, env, smtp_sink):
    api = Api(client, env)
    call = open_call(api)
    smtp_sink.clear()
    browser, _ = visitor(client, f"/engagement/calls/{call['id']}")
    body = answers(homepage="https://spam.example")
    trapped = browser.post(f"/engagement/calls/{call['id']}", body, follow_redirects=False)
    assert trapped.status_code == 303 and "/thanks" in trapped.headers["location"]
    assert browser.get(trapped.headers["location"]).status_code == 200
    assert not applications_of(api, body["email"]) and not contacts_with(api, body["email"])
    assert not smtp_sink.messages


def test_200_rapid_submissions_from_one_address(client, env, smtp_sink):
    """Nothing lost, nothing duplicated, no server error: past the address's budget, 429."""
    api = Api(client, env)
    call = open_call(api)
    smtp_sink.clear()
    browser, _ = visitor(client, f"/engagement/calls/{call['id']}", "es")
    body = answers(language="es")
    statuses = [
        browser.post(f"/engagement/calls/{call['id']}", body, follow_redirects=False).status_code
        for _ in range(200)
    ]
    assert set(statuses) == {303, 429} and statuses.index(429) == statuses.count(303)
    refused = browser.post(f"/engagement/calls/{call['id']}", body, follow_redirects=False)
    assert refused.status_code == 429 and gettext(env, "es", "Too many requests") in refused.text
    assert len(applications_of(api, body["email"])) == 1
    assert len(contacts_with(api, body["email"])) == 1
    assert len(api.get("/organizations", q=body["organization_name"])["items"]) == 1
    assert len(smtp_sink.wait_for(statuses.count(303))) == statuses.count(303)


def test_simultaneous_submissions_of_one_email_make_one_application(client, env, smtp_sink):
    """A double click, or two tabs: the submissions race for the same email; one creates the
    application, the other updates it (none fails, nothing is duplicated)."""
    api = Api(client, env)
    call = open_call(api)
    browser, _ = visitor(client, f"/engagement/calls/{call['id']}", "es")
    body = answers(language="es")
    with ThreadPoolExecutor(max_workers=4) as pool:
        sent = list(
            pool.map(
                lambda _: browser.post(f"/engagement/calls/{call['id']}", body, follow_redirects=False),
                range(4),
            )
        )
    assert [r.status_code for r in sent] == [303] * 4, [r.text[:300] for r in sent]
    (application_id,) = applications_of(api, body["email"])
    actions = [e["action"] for e in audit_of(api, entity_id=application_id)]
    assert sorted(actions) == ["create", "update", "update", "update"]
    assert len(contacts_with(api, body["email"])) == 1
    assert len(api.get("/organizations", q=body["organization_name"])["items"]) == 1
