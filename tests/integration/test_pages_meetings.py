"""Meeting pages through HTTP: the list and detail, and the attendees section changed by plain form
posts and by HTMX requests (which get the section back, not the page)."""

from __future__ import annotations

import secrets
from urllib.parse import quote_plus

from core.testing.web import Browser, sign_in

API = "/t/{slug}/api/v1"


def unique(prefix: str) -> str:
    return f"{prefix} {secrets.token_hex(3)}"


def api(slug: str) -> str:
    return API.format(slug=slug)


def make_contact(client, env, slug: str = "alpha") -> dict:
    h = env.headers(slug, "coordinator")
    # Academia: a non-governmental sector that neither pilot's plugin asks a tax id of.
    org = client.post(
        f"{api(slug)}/organizations", json={"name": unique("Colectivo"), "sector": "academia"}, headers=h
    )
    assert org.status_code == 201, org.text
    contact = client.post(
        f"{api(slug)}/contacts",
        json={"first_name": "Lucía", "last_name": unique("Pérez"), "organization": org.json()["id"]},
        headers=h,
    )
    assert contact.status_code == 201, contact.text
    return {**contact.json(), "organization_name": org.json()["name"]}


def make_meeting(browser: Browser, **fields: str) -> str:
    """Create a meeting through the page form; returns its path inside the tenant."""
    browser.get("/meetings/new")
    values = {
        "title": unique("Diálogo nacional"),
        "meeting_type": "national_dialogue",
        "starts_at": "2025-05-06T10:00",
        "ends_at": "2025-05-06T13:00",
        "mode": "hybrid",
        **fields,
    }
    made = browser.post("/meetings/new", values, follow_redirects=False)
    assert made.status_code == 303, made.text[:2000]
    return made.headers["location"].removeprefix(f"/t/{browser.slug}")


def attendees(client, env, meeting_path: str, slug: str = "alpha") -> list[tuple[int, str]]:
    response = client.get(f"{api(slug)}{meeting_path}/attendees", headers=env.headers(slug, "coordinator"))
    return [(a["contact"], a["status"]) for a in response.json()]


def version(client, env, meeting_path: str, slug: str = "alpha") -> str:
    """The meeting's version as its page would carry it in the attendance form."""
    record = client.get(f"{api(slug)}{meeting_path}", headers=env.headers(slug, "coordinator")).json()
    return str(record["version"])


def htmx_post(browser: Browser, path: str, data: dict[str, str]):
    """POST as htmx does: the CSRF token in the header set on <body hx-headers>, ``HX-Request``."""
    browser.client.cookies.clear()
    headers = {
        "Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items()),
        "Content-Type": "application/x-www-form-urlencoded",
        "HX-Request": "true",
        "x-csrftoken": browser.csrf,
        "Accept-Language": browser.locale or "",
    }
    body = "&".join(f"{quote_plus(k)}={quote_plus(v)}" for k, v in data.items())
    response = browser.client.post(browser.url(path), content=body, headers=headers)
    browser.client.cookies.clear()
    return response


def test_meeting_list_and_detail_show_times_in_the_meetings_zone_and_escape_text(client, env):
    browser = sign_in(client, env, "alpha", "ngo", locale="en")
    title = unique("Sesión temática")
    path = make_meeting(
        browser,
        title=title,
        meeting_type="thematic_session",
        timezone="America/Tijuana",
        mode="online",
        place="Tijuana",
        agenda="Opening\nFirearms <script>alert(1)</script>\n\nClosing",
        topics=["SOM"],
    )
    page = browser.get(path)
    assert page.status_code == 200
    # as typed, in Tijuana's time, to the minute
    assert "May 6, 2025" in page.text and "10:00\u202fAM" in page.text and "10:00:00" not in page.text
    assert "<p>Opening<br>Firearms &lt;script&gt;alert(1)&lt;/script&gt;</p>" in page.text
    assert "<p>Closing</p>" in page.text and "<script>alert" not in page.text
    assert "Thematic session" in page.text and "Online" in page.text
    listed = browser.get("/meetings?" + "mode=online&meeting_type=thematic_session")
    assert title in listed.text and "10:00\u202fAM" in listed.text and "(America/Tijuana)" in listed.text
    assert title in browser.get("/meetings?topic=SOM").text
    assert title not in browser.get("/meetings?mode=in_person").text


def test_attendees_are_added_changed_and_removed_with_plain_forms(client, env):
    browser = sign_in(client, env, "alpha", "ngo", locale="en")
    path = make_meeting(browser)
    contact = make_contact(client, env)
    page = browser.get(path)
    assert "Add an attendee" in page.text and contact["last_name"] in page.text

    missing = browser.post(f"{path}/attendees", {"contact": "", "status": "attended"})
    assert missing.status_code == 400
    assert 'id="f-contact-error"' in missing.text and "This field is required." in missing.text
    assert '<option value="attended" selected>' in missing.text  # the typed status is kept

    added = browser.post(
        f"{path}/attendees", {"contact": contact["id"], "status": "confirmed"}, follow_redirects=False
    )
    assert added.status_code == 303 and added.headers["location"].endswith(f"{path}#attendees")
    page = browser.get(added.headers["location"])
    assert "Attendee added." in page.text
    assert contact["organization_name"] in page.text and "Non-governmental" in page.text
    assert attendees(client, env, path) == [(contact["id"], "confirmed")]

    changed = browser.post(
        f"{path}/attendance",
        {"version": version(client, env, path), f"status_{contact['id']}": "attended"},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert "Attendance saved." in browser.get(path).text
    assert attendees(client, env, path) == [(contact["id"], "attended")]

    removed = browser.post(f"{path}/attendees/{contact['id']}/remove", {}, follow_redirects=False)
    assert removed.status_code == 303
    page = browser.get(path)
    assert "Attendee removed." in page.text and "No attendees yet." in page.text
    assert attendees(client, env, path) == []


def test_htmx_requests_get_the_attendees_section_back(client, env):
    browser = sign_in(client, env, "alpha", "ngo", locale="en")
    path = make_meeting(browser)
    contact = make_contact(client, env)
    browser.get(path)

    added = htmx_post(browser, f"{path}/attendees", {"contact": str(contact["id"]), "status": "invited"})
    assert added.status_code == 200
    assert added.text.lstrip().startswith('<section id="attendees"')
    assert "<html" not in added.text and "<nav" not in added.text
    assert "Attendee added." in added.text and contact["last_name"] in added.text

    changed = htmx_post(
        browser,
        f"{path}/attendance",
        {"version": version(client, env, path), f"status_{contact['id']}": "absent"},
    )
    assert changed.status_code == 200 and "<html" not in changed.text
    assert '<option value="absent" selected>' in changed.text
    assert attendees(client, env, path) == [(contact["id"], "absent")]

    refused = htmx_post(browser, f"{path}/attendees", {"contact": "", "status": "invited"})
    assert refused.status_code == 200 and "<html" not in refused.text  # htmx swaps only 2xx answers
    assert "This field is required." in refused.text

    removed = htmx_post(browser, f"{path}/attendees/{contact['id']}/remove", {})
    assert removed.status_code == 200 and "No attendees yet." in removed.text
    assert attendees(client, env, path) == []


def test_observers_see_no_attendee_controls_and_forged_posts_are_refused(client, env):
    owner = sign_in(client, env, "alpha", "ngo", locale="en")
    path = make_meeting(owner)
    contact = make_contact(client, env)
    owner.get(path)
    owner.post(f"{path}/attendees", {"contact": contact["id"], "status": "confirmed"})

    observer = sign_in(client, env, "alpha", "observer", locale="en")
    page = observer.get(path)
    assert page.status_code == 200 and contact["last_name"] in page.text and "Confirmed" in page.text
    # No form posts to the attendees (the export links are for every reader).
    assert f'{path}/attendees"' not in page.text and f"{path}/attendees/{contact['id']}" not in page.text
    assert "Add an attendee" not in page.text and f"{path}/attendees/export.csv" in page.text
    forged = observer.post(f"{path}/attendees", {"contact": contact["id"], "status": "attended"})
    assert forged.status_code == 403
    marks = {"version": version(client, env, path), f"status_{contact['id']}": "absent"}
    assert observer.post(f"{path}/attendance", marks).status_code == 403
    assert observer.post(f"{path}/attendees/{contact['id']}/remove", {}).status_code == 403
    # A participant of the other side may read the meeting but not change its attendees either.
    government = sign_in(client, env, "alpha", "government", locale="en")
    assert "Add an attendee" not in government.get(path).text
    assert government.post(f"{path}/attendees/{contact['id']}/remove", {}).status_code == 403
    assert attendees(client, env, path) == [(contact["id"], "confirmed")]


def test_alpha_members_cannot_reach_beta_meetings(client, env):
    title = unique("Reunião de lançamento")
    beta = client.post(
        f"{api('beta')}/meetings",
        json={
            "title": title,
            "meeting_type": "launch",
            "mode": "in_person",
            "starts_at": "2025-06-01T09:00:00+01:00",
            "ends_at": "2025-06-01T12:00:00+01:00",
        },
        headers=env.headers("beta", "coordinator"),
    )
    assert beta.status_code == 201, beta.text
    beta_path = f"/t/beta/meetings/{beta.json()['id']}"
    contact = make_contact(client, env, "beta")

    alpha = sign_in(client, env, "alpha", "coordinator")
    assert title not in alpha.get(f"/meetings/{beta.json()['id']}").text
    stolen = Browser(client, "beta")
    stolen.cookies = dict(alpha.cookies)
    stolen.csrf = alpha.csrf
    for response in (
        stolen.get(beta_path, follow_redirects=False),
        stolen.get("/t/beta/meetings", follow_redirects=False),
        stolen.post(
            f"{beta_path}/attendees", {"contact": contact["id"], "status": "attended"}, follow_redirects=False
        ),
    ):
        assert response.status_code in (303, 403), response.status_code
        assert title not in response.text
        if response.status_code == 303:
            assert response.headers["location"].startswith("/t/beta/login")
    assert attendees(client, env, f"/meetings/{beta.json()['id']}", "beta") == []
