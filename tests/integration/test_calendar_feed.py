"""A member's calendar feed: made, rotated and turned off on their profile page, read without a
session by a calendar app. It lists the meetings of the contacts carrying the member's address,
nobody else's; a rotated, revoked or other tenant's token is a 404."""

from __future__ import annotations

import html
import re
import secrets

from icalendar import Calendar

from core.accounts.roles import SYSTEM
from core.accounts.service import create_user
from core.accounts.tables import User
from core.meetings.feeds import create_feed
from core.tenancy.context import tenant_context
from core.testing.web import Browser, sign_in

API = "/t/alpha/api/v1"
FEED = re.compile(r'value="(https?://[^"]+/t/(\w+)/calendar/(pcal_[\w-]+)/meetings\.ics)"')


def post(client, env, path: str, body: dict, slug: str = "alpha") -> dict:
    made = client.post(f"/t/{slug}/api/v1{path}", json=body, headers=env.headers(slug, "coordinator"))
    assert made.status_code in (200, 201), made.text
    return made.json()


def meeting_with(client, env, *emails: str) -> dict:
    meeting = post(
        client,
        env,
        "/meetings",
        {
            "title": f"Mesa {secrets.token_hex(3)}",
            "meeting_type": "thematic_session",
            "mode": "in_person",
            "starts_at": "2026-04-02T16:00:00Z",
            "ends_at": "2026-04-02T17:00:00Z",
            "timezone": "America/Mexico_City",
        },
    )
    for email in emails:
        contact = post(
            client,
            env,
            "/contacts",
            {"first_name": "Eva", "last_name": secrets.token_hex(3), "emails": [email]},
        )
        client.put(
            f"{API}/meetings/{meeting['id']}/attendees/{contact['id']}",
            json={"status": "invited"},
            headers=env.headers("alpha", "coordinator"),
        ).raise_for_status()
    return meeting


def make_feed(browser: Browser) -> tuple[str, str]:
    """(the feed's path, its token) as the profile page shows them once."""
    answer = browser.post("/profile/calendar", {})
    assert answer.status_code == 200, answer.text[:2000]
    found = FEED.search(answer.text)
    assert found, answer.text[:3000]
    url = html.unescape(found.group(1))
    return url[url.index("/t/") :], found.group(3)


def read_feed(client, path: str):
    client.cookies.clear()
    return client.get(path)


def uids(response) -> set[str]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    return {str(e["UID"]) for e in Calendar.from_ical(response.content).events}


def test_feed_lists_the_members_meetings_only_and_keeps_the_time_zone(client, env):
    mine = meeting_with(client, env, "NGO@alpha.test")  # the member's address, in another case
    theirs = meeting_with(client, env, env.email("alpha", "observer"), "someone.else@example.org")
    path, _ = make_feed(sign_in(client, env, "alpha", "ngo", locale="en"))
    response = read_feed(client, path)
    assert response.headers["cache-control"] == "no-store"
    listed = uids(response)
    assert f"meeting-{mine['id']}@alpha.pilot-crm" in listed
    assert f"meeting-{theirs['id']}@alpha.pilot-crm" not in listed
    event = next(
        e
        for e in Calendar.from_ical(response.content).events
        if str(e["UID"]).startswith(f"meeting-{mine['id']}@")
    )
    assert str(event["DTSTART"].params["TZID"]) == "America/Mexico_City"
    assert event.start.hour == 10
    # No one's name or address is in the feed.
    assert b"Eva" not in response.content and b"@alpha.test" not in response.content


def test_rotating_and_revoking_and_other_tenants_tokens(client, env):
    browser = sign_in(client, env, "alpha", "government", locale="en")
    first, first_token = make_feed(browser)
    assert read_feed(client, first).status_code == 200
    # The token is alpha's: beta does not know it.
    assert read_feed(client, first.replace("/t/alpha/", "/t/beta/")).status_code == 404
    second, _ = make_feed(browser)
    assert second != first
    assert read_feed(client, first).status_code == 404
    assert read_feed(client, second).status_code == 200
    profile = browser.get("/profile")
    assert "Your calendar feed is on since" in profile.text
    assert first_token not in profile.text  # shown once, never again
    off = browser.post("/profile/calendar/revoke", {}, follow_redirects=False)
    assert off.status_code == 303
    assert read_feed(client, second).status_code == 404
    assert "Create a calendar feed address" in browser.get("/profile").text
    assert read_feed(client, "/t/alpha/calendar/pcal_" + "x" * 43 + "/meetings.ics").status_code == 404
    assert read_feed(client, "/t/alpha/calendar/" + "y" * 300 + "/meetings.ics").status_code in (400, 404)


def test_profile_feed_buttons_need_a_session_and_the_form_token(client, env):
    client.cookies.clear()
    anonymous = client.post("/t/alpha/profile/calendar", follow_redirects=False)
    assert anonymous.status_code in (302, 303, 401, 403)
    browser = sign_in(client, env, "alpha", "observer", locale="en")
    forged = browser.post("/profile/calendar", {}, csrf=False)
    assert forged.status_code == 403
    assert not FEED.search(forged.text)


def test_a_deactivated_members_feed_answers_404(client, env):
    email = f"member.{secrets.token_hex(3)}@alpha.test"
    meeting = meeting_with(client, env, email)

    async def make() -> tuple[int, str]:
        with tenant_context(env.registry.get("alpha")):
            member = await create_user(email, "ngo", "a long enough password")
            return member["id"], await create_feed(SYSTEM, member["id"])

    member_id, token = client.blocking_portal.call(make)
    path = f"/t/alpha/calendar/{token}/meetings.ics"
    assert f"meeting-{meeting['id']}@alpha.pilot-crm" in uids(read_feed(client, path))

    async def deactivate() -> None:
        with tenant_context(env.registry.get("alpha")):
            await User.update({User.active: False}).where(User.id == member_id).run()

    client.blocking_portal.call(deactivate)
    assert read_feed(client, path).status_code == 404
