"""The plugin's pages under ``/t/{tenant}/engagement/activities``: a coordinator creates, edits and
archives an activity through the forms and sees it listed and filtered; an observer reads it with no
way to change it; errors come back on the form, field by field, in the member's language."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from core.plugin_api import OBSERVER, sign_in
from plugins.engagement.tests.support import ON, Api, activity, gettext, unique

LOCALES = ("es", "fr", "ar")
PATH = "/engagement/activities"


def form(**fields: str) -> dict[str, str]:
    return {
        "kind": "workshop",
        "title": unique("Taller nacional"),
        "format": "dual",
        "starts_at": "2027-05-04T09:00:00-06:00",
        "ends_at": "2027-05-06T14:00:00-06:00",
        "registration_deadline": "2027-04-13T23:59:00-06:00",
        "languages": "es",
        "capacity": "40",
        "eligible_countries": "MEX",
        "eligible_sectors": "ngo",
        "issue_areas": "TIP",
        "reading_materials": "Guía de participación | https://example.org/guia",
        "status": "call_open",
        **fields,
    }


@pytest.mark.parametrize("locale", LOCALES)
def test_a_coordinator_adds_edits_and_archives_an_activity(client, env, locale):
    browser = sign_in(client, env, ON, "coordinator", locale)
    new = browser.get(f"{PATH}/new")
    assert new.status_code == 200 and f'<html lang="{locale}"' in new.text
    for msgid in ("Kind of activity", "Registration deadline", "Eligible stakeholder types", "Workshop"):
        assert gettext(env, locale, msgid) in new.text, msgid

    body = form()
    created = browser.post(f"{PATH}/new", body, follow_redirects=False)
    assert created.status_code == 303, created.text[:500]
    found = re.search(r"/(\d+)$", created.headers["location"])
    assert found
    record_id = int(found.group(1))

    page = browser.get(f"{PATH}/{record_id}")
    assert page.status_code == 200 and body["title"] in page.text
    for msgid in ("Workshop", "Call open", "Dual (live and self-paced)", "Spanish", "Reading materials"):
        assert gettext(env, locale, msgid) in page.text, msgid
    assert (
        '<a href="https://example.org/guia" rel="noopener noreferrer nofollow ugc">Guía de participación</a>'
        in page.text
    )
    assert 'data-country="MEX"' in page.text
    # Issue areas by the topic's name in the page's language, never by code.
    assert f"<li>{escape(gettext(env, locale, 'Trafficking in persons'))}</li>" in page.text
    assert "<li>TIP</li>" not in page.text
    assert Api(client, env).get(f"{PATH}/{record_id}")["issue_areas"] == ["TIP"]

    listed = browser.get(PATH, params={"kind": "workshop", "status": "call_open"})
    assert f'href="/t/{ON}{PATH}/{record_id}"' in listed.text
    other = browser.get(PATH, params={"kind": "training"})
    assert f'href="/t/{ON}{PATH}/{record_id}"' not in other.text

    edit = browser.get(f"{PATH}/{record_id}/edit")
    assert edit.status_code == 200
    changed = browser.post(
        f"{PATH}/{record_id}/edit", {**body, "status": "selection", "version": "1"}, follow_redirects=False
    )
    assert changed.status_code == 303, changed.text[:500]
    assert Api(client, env).get(f"{PATH}/{record_id}")["status"] == "selection"

    archived = browser.post(f"{PATH}/{record_id}/archive", {}, follow_redirects=False)
    assert archived.status_code == 303
    assert Api(client, env).get(f"{PATH}/{record_id}")["archived_at"] is not None


@pytest.mark.parametrize("locale", LOCALES)
def test_errors_come_back_on_the_form_in_the_members_language(client, env, locale):
    browser = sign_in(client, env, ON, "coordinator", locale)
    fields = browser.post(
        f"{PATH}/new", form(capacity="0", reading_materials="Sin enlace"), follow_redirects=False
    )
    assert fields.status_code == 400
    assert gettext(env, locale, "Enter a number greater than zero.") in fields.text
    line = gettext(
        env,
        locale,
        'Line {line}: write a title, a bar and a web address, e.g. "Toolkit | https://…".',
        line=1,
    )
    assert str(escape(line)) in fields.text
    # The rules between fields are checked once every field is valid on its own.
    dates = browser.post(f"{PATH}/new", form(ends_at="2027-05-01T09:00:00-06:00"), follow_redirects=False)
    assert dates.status_code == 400
    assert gettext(env, locale, "The activity must end after it starts.") in dates.text


def test_an_observer_reads_activities_and_cannot_change_them(client, env):
    record = activity(Api(client, env), status="running")
    observer = sign_in(client, env, ON, OBSERVER)
    listing = observer.get(PATH)
    assert listing.status_code == 200 and record["title"] in listing.text
    assert f"{PATH}/new" not in listing.text
    page = observer.get(f"{PATH}/{record['id']}")
    assert page.status_code == 200 and record["title"] in page.text
    assert f"{PATH}/{record['id']}/edit" not in page.text
    assert observer.get(f"{PATH}/new").status_code == 403
    refused = observer.post(f"{PATH}/new", form(), follow_redirects=False)
    assert refused.status_code == 403
