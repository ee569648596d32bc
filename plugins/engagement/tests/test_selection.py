"""Selection over HTTP: a coordinator sees each application's eligibility reasons and score in the
review queue, selects, waitlists and rejects in bulk, and the decision mails arrive in each
applicant's language; a selected person declines through their link and the next on the waitlist
is offered the place; capacity, stale versions and missing reasons are refused with nothing
written; the reviewer role opens the queue to a member; a failed mail can be sent again.

Applications are written as the call's form writes them (a row, then ``assess``), then everything
else goes through the pages and the API."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from markupsafe import escape

from core.plugin_api import Browser, MailSink, app_client, sign_in
from plugins.engagement.selection.service import assess
from plugins.engagement.tables import Application, Participant
from plugins.engagement.tests.support import ON, Api, activity, gettext, refused_over_limit, unique

BASE_URL = "http://taller.test"


@pytest.fixture(scope="module")
def pilot_crm_tenants(pilot_crm_tenants: list[Any]) -> list[Any]:
    """Only the tenant that enables the plugin (the other is the disabled check's): one database
    less to build for this module."""
    return [spec for spec in pilot_crm_tenants if spec.slug == ON]


@pytest.fixture(scope="module")
def client(env: Any, smtp_sink: MailSink) -> Iterator[Any]:
    """The app serving ``env``, its mail going to the module's SMTP sink."""
    with app_client(env, mail=smtp_sink.settings, base_url=BASE_URL) as test_client:
        yield test_client


def workshop_with_rules(api: Api, **fields: Any) -> dict[str, Any]:
    return activity(
        api,
        capacity=2,
        region="Centroamérica y México",
        eligible_countries="MEX, GTM",
        eligible_sectors=["ngo", "academia"],
        issue_areas=["TIP", "SOM"],
        priority_countries="GTM",
        youth_share_target=50,
        registration_deadline="2027-02-01T23:59:00-06:00",
        status="selection",
        **fields,
    )


def apply(client: Any, env: Any, activity_id: int, **fields: Any) -> int:
    """An application as the call's form stores it (with a contact), assessed; its id."""
    first, last = fields.pop("first_name", "Ana"), fields.pop("last_name", unique("Pérez"))
    contact = Api(client, env).post("/contacts", {"first_name": first, "last_name": last})
    row = {
        "activity": activity_id,
        "contact": contact["id"],
        "email": f"{last.split()[-1]}@example.org",
        "first_name": first,
        "last_name": last,
        "language": "es",
        "country": "MEX",
        "organization_name": "Colectivo",
        "organization_sector": "ngo",
        "organization_country": "MEX",
        "consent_at": datetime(2027, 1, 10, tzinfo=UTC),
        "submitted_at": datetime(2027, 1, 10, tzinfo=UTC),
        **fields,
    }
    row["answers"] = json.dumps(row.get("answers", {"issue_areas": ["TIP"], "based_in_region": True}))

    async def write() -> int:
        rows = await Application.insert(Application(**row)).returning(Application.id).run()
        await assess(rows[0]["id"])
        return int(rows[0]["id"])

    return int(env.run(client, ON, write))


def participants(client: Any, env: Any, activity_id: int) -> set[int]:
    async def read() -> set[int]:
        rows = (
            await Participant.select(Participant.application).where(Participant.activity == activity_id).run()
        )
        return {r["application"] for r in rows}

    return set(env.run(client, ON, read))


def body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())  # type: ignore[attr-defined]


def mail_to(mailbox: MailSink, address: str, count: int) -> EmailMessage:
    messages = mailbox.wait_for(count)
    return next(m for m in reversed(messages) if m["To"] == address)


def versions(api: Api, path: str, *ids: int) -> list[dict[str, int]]:
    return [{"id": i, "version": api.get(f"{path}/{i}")["version"]} for i in ids]


def ticked(api: Api, path: str, *ids: int) -> list[str]:
    return [f"{v['id']}:{v['version']}" for v in versions(api, path, *ids)]


def test_a_coordinator_reviews_decides_and_the_waitlist_moves_up(client, env, mailbox):
    api = Api(client, env)
    act = workshop_with_rules(api)
    path = f"/engagement/activities/{act['id']}/applications"
    young = apply(
        client,
        env,
        act["id"],
        first_name="Lucía",
        language="es",
        country="GTM",
        organization_country="GTM",
        birth_year=1998,
        motivation="Trabajo con víctimas de trata.",
        answers={"issue_areas": ["TIP", "SOM"], "based_in_region": True},
    )
    older = apply(
        client,
        env,
        act["id"],
        first_name="Jean",
        language="fr",
        birth_year=1970,
        organization_sector="academia",
    )
    ministry = apply(
        client, env, act["id"], first_name="Layla", language="ar", organization_sector="government_ministry"
    )
    waiting = apply(
        client, env, act["id"], first_name="João", language="pt", birth_year=1980, motivation="Sim"
    )
    late = apply(
        client,
        env,
        act["id"],
        first_name="Sam",
        language="en",
        country="USA",
        organization_country="USA",
        consent_at=None,
        submitted_at=datetime(2027, 2, 20, tzinfo=UTC),
        answers={"issue_areas": ["CYBER"]},
    )

    # The score and its parts; the checks with their reasons.
    first = api.get(f"{path}/{young}")
    assert (first["eligible"], first["score"]) == (True, 85)
    assert [p["part"] for p in first["score_parts"]] == ["review_group", "youth", "issue_areas", "motivation"]
    assert "link_hash" not in first
    refused = api.get(f"{path}/{late}")
    assert not refused["eligible"]
    assert {c["criterion"] for c in refused["eligibility"] if not c["passed"]} == {
        "country",
        "issue_areas",
        "region",
        "consent",
        "deadline",
    }
    queue = api.get(path)
    assert [a["id"] for a in queue["items"]][:1] == [young] and queue["total"] == 5
    assert {a["id"] for a in api.get(path, eligible="false")["items"]} == {ministry, late}
    assert [a["id"] for a in api.get(path, country="GTM")["items"]] == [young]
    assert [a["id"] for a in api.get(path, sector="academia", sort="name")["items"]] == [older]
    bad = api.get(path, status=400, sort="luck")
    assert set(bad["errors"]) == {"sort"}

    # The queue page in Spanish: reasons translated, score parts, cards on narrow screens.
    browser = sign_in(client, env, ON, "coordinator", "es")
    page = browser.get(path)
    assert page.status_code == 200
    reason = gettext(
        env,
        "es",
        "Sector {sector} is not eligible: only {eligible}.",
        sector=gettext(env, "es", "Government ministry"),
        eligible=", ".join(gettext(env, "es", s) for s in ("Non-governmental organization", "Academia")),
    )
    assert str(escape(reason)) in page.text
    assert gettext(env, "es", "Review group country +{points}", points=40) in page.text
    assert 'class="stack"' in page.text and 'name="application"' in page.text
    activity_page = browser.get(f"/engagement/activities/{act['id']}")
    assert f'href="/t/{ON}{path}"' in activity_page.text

    # A rejection needs its reason: nothing is written without it.
    missing = browser.post(
        f"{path}/decisions", {"application": ticked(api, path, ministry), "decision": "rejected"}
    )
    assert missing.status_code == 400
    assert gettext(env, "es", "Give the reason for rejecting.") in missing.text
    assert api.get(f"{path}/{ministry}")["status"] == "submitted"
    too_long = browser.post(
        f"{path}/decisions",
        {"application": ticked(api, path, ministry), "decision": "rejected", "reason": "r" * 2001},
    )
    refused_over_limit(env, too_long, "reason", 2000)
    assert api.get(f"{path}/{ministry}")["status"] == "submitted"

    # Select two, reject one with its reason, waitlist one: each mail in the applicant's language.
    mailbox.clear()
    done = browser.post(
        f"{path}/decisions",
        {"application": ticked(api, path, young, older), "decision": "selected"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[:500]
    done = browser.post(
        f"{path}/decisions",
        {"application": ticked(api, path, ministry), "decision": "rejected", "reason": "Solo sociedad civil"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    api.post(
        f"{path}/decisions",
        {"applications": versions(api, path, waiting), "decision": "waitlisted", "reason": ""},
        status=200,
    )
    mailbox.wait_for(4)
    for address, locale, subject in (
        (api.get(f"{path}/{young}")["email"], "es", "You have been selected: {activity}"),
        (api.get(f"{path}/{older}")["email"], "fr", "You have been selected: {activity}"),
        (api.get(f"{path}/{ministry}")["email"], "ar", "Your application was not selected: {activity}"),
        (api.get(f"{path}/{waiting}")["email"], "pt", "You are on the waitlist: {activity}"),
    ):
        mail = mail_to(mailbox, address, 4)
        assert mail["Subject"] == gettext(env, locale, subject, activity=act["title"]), locale
        assert mail["Content-Language"] == locale
    assert "Solo sociedad civil" in body(mail_to(mailbox, api.get(f"{path}/{ministry}")["email"], 4))
    assert participants(client, env, act["id"]) == {young, older}
    assert all(api.get(f"{path}/{i}")["mail_sent"] for i in (young, older, ministry, waiting))

    # Capacity (2) is full; a stale version is a conflict; either way nothing is written.
    full = api.post(
        f"{path}/decisions", {"applications": versions(api, path, waiting), "decision": "selected"}, 400
    )
    assert set(full["errors"]) == {"decision"}
    stale = [{"id": waiting, "version": 1}]
    api.post(f"{path}/decisions", {"applications": stale, "decision": "rejected", "reason": "x"}, status=409)
    assert api.get(f"{path}/{waiting}")["status"] == "waitlisted"

    # The selected young person declines through their link: the waitlisted one is offered the place.
    link = re.search(r"https?://\S+/respond", body(mail_to(mailbox, api.get(f"{path}/{young}")["email"], 4)))
    assert link and link.group(0).startswith(BASE_URL)
    visitor = Browser(client, ON, "es")
    mine = visitor.get(link.group(0).removeprefix(BASE_URL))
    assert mine.status_code == 200 and 'value="decline"' in mine.text and 'value="accept"' not in mine.text
    mailbox.clear()
    declined = visitor.post(link.group(0).removeprefix(BASE_URL), {"answer": "decline"})
    assert declined.status_code == 200
    assert api.get(f"{path}/{young}")["status"] == "declined"
    assert api.get(f"{path}/{waiting}")["status"] == "offered"
    offer = mailbox.wait_for(1)[0]
    assert offer["Subject"] == gettext(
        env, "pt", "A place is offered to you: {activity}", activity=act["title"]
    )
    offered_link = re.search(r"https?://\S+/respond", body(offer))
    assert offered_link
    again = visitor.post(link.group(0).removeprefix(BASE_URL), {"answer": "decline"})
    assert again.status_code == 400  # a declined place is not declined twice
    offered_path = offered_link.group(0).removeprefix(BASE_URL)
    other = Browser(client, ON, "pt")
    assert 'value="accept"' in other.get(offered_path).text
    accepted = other.post(offered_path, {"answer": "accept"})
    assert accepted.status_code == 200
    assert api.get(f"{path}/{waiting}")["status"] == "selected"
    assert participants(client, env, act["id"]) == {older, waiting}
    assert visitor.get(f"/engagement/my-application/{'x' * 40}/respond").status_code == 404

    # The application's page: everything submitted, its checks, its score's parts and its history.
    detail = browser.get(f"{path}/{waiting}")
    assert detail.status_code == 200
    assert 'data-action="decide"' in detail.text and 'data-action="assess"' in detail.text
    assert 'data-criterion="consent"' in detail.text
    assert gettext(env, "es", "Based in the region") in detail.text
    # The panel: counts by status and who was selected.
    panel = browser.get(path).text
    assert 'data-figure="selected">2<' in panel and 'data-figure="declined">1<' in panel
    assert 'data-countries="MEX"' in panel


def test_the_review_queue_in_arabic_is_right_to_left(client, env):
    api = Api(client, env)
    act = workshop_with_rules(api)
    apply(client, env, act["id"], first_name="ليلى", organization_sector="government_ministry")
    page = sign_in(client, env, ON, "coordinator", "ar").get(
        f"/engagement/activities/{act['id']}/applications"
    )
    assert page.status_code == 200 and '<html lang="ar" dir="rtl"' in page.text
    assert gettext(env, "ar", "Not eligible") in page.text and 'data-label="' in page.text


def test_reviewers_are_coordinators_and_the_members_they_choose(client, env):
    api = Api(client, env)
    act = workshop_with_rules(api)
    path = f"/engagement/activities/{act['id']}/applications"
    one = apply(client, env, act["id"])
    ngo = Api(client, env, "ngo")
    ngo.get(path, status=403)
    ngo.get(f"{path}/{one}", status=403)
    ngo.post(f"{path}/decisions", {"applications": versions(api, path, one), "decision": "waitlisted"}, 403)
    member = sign_in(client, env, ON, "ngo")
    assert member.get(path).status_code == 403
    assert member.get("/engagement/reviewers").status_code == 403

    coordinator = sign_in(client, env, ON, "coordinator")
    listing = coordinator.get("/engagement/reviewers")
    ngo_id = env.users[(ON, "ngo")]["id"]
    assert listing.status_code == 200 and f'data-member="{ngo_id}" data-reviewer="no"' in listing.text
    granted = coordinator.post("/engagement/reviewers", {"member": str(ngo_id)}, follow_redirects=False)
    assert granted.status_code == 303
    assert ngo.get(path)["total"] == 1
    ngo.post(f"{path}/decisions", {"applications": versions(api, path, one), "decision": "waitlisted"}, 200)
    assert member.get(path).status_code == 200
    revoked = coordinator.post(f"/engagement/reviewers/{ngo_id}/revoke", {}, follow_redirects=False)
    assert revoked.status_code == 303
    ngo.get(path, status=403)
    Api(client, env, "observer").get(path, status=403)
    assert coordinator.post("/engagement/reviewers", {"member": "999999"}).status_code == 404
    history = api.get("/audit", entity="reviewer", entity_id=ngo_id)
    assert {entry["action"] for entry in history} == {"grant", "revoke"}


def test_a_mail_that_could_not_leave_is_shown_and_sent_again(client, env, mailbox):
    api = Api(client, env)
    act = workshop_with_rules(api)
    path = f"/engagement/activities/{act['id']}/applications"
    # An address the mail server refuses: the decision is saved, its mail is marked unsent.
    one = apply(client, env, act["id"], language="fr", email="nadie@@example.org")
    answer = api.post(
        f"{path}/decisions", {"applications": versions(api, path, one), "decision": "selected"}, 200
    )
    assert answer["not_mailed"] == 1 and api.get(f"{path}/{one}")["mail_sent"] is False
    browser = sign_in(client, env, ON, "coordinator", "fr")
    queue = browser.get(path)
    assert f'data-unsent="{one}"' in queue.text and gettext(env, "fr", "Mail not sent.") in queue.text

    async def correct() -> None:
        await Application.update({Application.email: "nadie@example.org"}).where(Application.id == one).run()

    env.run(client, ON, correct)
    mailbox.clear()
    resent = browser.post(f"{path}/{one}/resend", {}, follow_redirects=False)
    assert resent.status_code == 303
    assert mailbox.wait_for(1)[0]["Content-Language"] == "fr"
    assert api.get(f"{path}/{one}")["mail_sent"] is True
