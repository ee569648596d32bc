"""The plugin's pages under ``/t/{tenant}/networks``: the list (with its empty state), a new
network, its page with the member organizations and the form that adds one, membership pages, the
panel on an organization's page and the one on the dashboard, in Spanish and in Arabic."""

from __future__ import annotations

import re

import pytest

from core.plugin_api import NGO_PARTICIPANT, NP_, OBSERVER, sign_in
from plugins.networks.tests.support import (
    ON,
    Api,
    gettext,
    membership,
    network,
    organization,
    section,
    unique,
)

LOCALES = ("es", "ar")


def first_id(location: str) -> int:
    found = re.search(r"/(\d+)$", location)
    assert found, location
    return int(found.group(1))


def test_an_empty_network_list_says_what_networks_are(client, env):
    page = sign_in(client, env, ON, "coordinator").get("/networks")
    assert page.status_code == 200
    assert 'data-empty="networks"' in page.text
    assert gettext(env, "es", "No network has been recorded yet.") in page.text
    assert f'href="/t/{ON}/networks/new"' in page.text
    # Observers read the page, without the button.
    observer = sign_in(client, env, ON, OBSERVER).get("/networks")
    assert 'data-empty="networks"' in observer.text and "/networks/new" not in observer.text


@pytest.mark.parametrize("locale", LOCALES)
def test_a_network_is_added_with_two_members_and_shown_everywhere(client, env, locale):
    browser = sign_in(client, env, ON, "coordinator", locale)
    api = Api(client, env)
    one, two = organization(api, acronym="UNO"), organization(api)

    form = browser.get("/networks/new")
    assert form.status_code == 200 and f'<html lang="{locale}"' in form.text
    assert gettext(env, locale, "Scope") in form.text and gettext(env, locale, "Global") in form.text
    name = unique("Coalición")
    created = browser.post("/networks/new", {"name": name, "scope": "global"}, follow_redirects=False)
    assert created.status_code == 303
    network_id = first_id(created.headers["location"])

    for org, role, since in ((one, "founding_member", "2018-04-02"), (two, "member", "")):
        body = {"organization": org["id"], "role": role, "since": since, "focal_point": ""}
        added = browser.post(f"/networks/{network_id}/members", body, follow_redirects=False)
        assert added.status_code == 303
        assert added.headers["location"] == f"/t/{ON}/networks/{network_id}"
        assert gettext(env, locale, "Member added.") in browser.get(added.headers["location"]).text

    page = browser.get(f"/networks/{network_id}")
    assert page.status_code == 200 and name in page.text
    members = section(page.text, 'id="members-heading"')
    for org in (one, two):
        assert f'href="/t/{ON}/organizations/{org["id"]}">{org["name"]}</a>' in members
    assert gettext(env, locale, "Founding member") in members
    assert gettext(env, locale, NP_("network role", "Member")) in members
    assert 'datetime="2018-04-02"' in members
    # Both organizations are members now: the form offers neither of them again.
    add_form = section(page.text, 'id="add-member-heading"')
    assert f'value="{one["id"]}"' not in add_form and f'value="{two["id"]}"' not in add_form

    panel = section(browser.get(f"/organizations/{one['id']}").text, 'data-panel="networks"')
    assert gettext(env, locale, "Networks") in panel
    assert f'href="/t/{ON}/networks/{network_id}">{name}</a>' in panel
    assert gettext(env, locale, "Founding member") in panel and gettext(env, locale, "Global") in panel

    dashboard = section(browser.get("/").text, 'data-panel="networks"')
    assert gettext(env, locale, "Networks and alliances") in dashboard
    assert re.search(rf'<g class="bar" data-network="{network_id}" data-value="2">', dashboard)
    assert ("chart-rtl" in dashboard) == (locale == "ar")
    figures = dict(re.findall(r'data-figure="(\w+)">([^<]+)<', dashboard))
    assert figures["networks"] == str(len(api.get("/networks", limit=200)["items"]))


def test_the_member_form_reports_a_duplicate_on_the_network_page(client, env):
    browser = sign_in(client, env, ON, NGO_PARTICIPANT, "es")
    api = Api(client, env)
    net, org = network(api), organization(api)
    membership(api, net["id"], org["id"])
    browser.get(f"/networks/{net['id']}")  # the page's CSRF token
    refused = browser.post(f"/networks/{net['id']}/members", {"organization": org["id"], "role": "observer"})
    assert refused.status_code == 400
    form = section(refused.text, 'id="add-member-heading"')
    assert gettext(env, "es", "This organization is already a member of this network.") in form
    assert 'aria-invalid="true"' in form
    missing = browser.post(f"/networks/{net['id']}/members", {"organization": "", "role": "member"})
    assert missing.status_code == 400
    assert gettext(env, "es", "This field is required.") in section(missing.text, 'id="add-member-heading"')


def test_observers_see_networks_but_no_forms(client, env):
    api = Api(client, env)
    net = network(api)
    observer = sign_in(client, env, ON, OBSERVER)
    page = observer.get(f"/networks/{net['id']}")
    assert page.status_code == 200 and 'id="add-member"' not in page.text and "/edit" not in page.text
    assert observer.get("/networks/new").status_code == 403
    org = organization(api)
    refused = observer.post(f"/networks/{net['id']}/members", {"organization": org["id"], "role": "member"})
    assert refused.status_code == 403
    assert not api.get("/networks/memberships", network=str(net["id"]))["items"]


def test_membership_pages_show_edit_and_archive_a_membership(client, env):
    api = Api(client, env)
    person = api.post("/contacts", {"first_name": "Lucía", "last_name": unique("Pérez")})
    net, org = network(api), organization(api)
    made = membership(api, net["id"], org["id"], focal_point=person["id"])
    browser = sign_in(client, env, ON, "coordinator", "es")
    listed = browser.get("/networks/memberships")
    assert listed.status_code == 200 and f"/networks/memberships/{made['id']}" in listed.text
    detail = browser.get(f"/networks/memberships/{made['id']}")
    assert detail.status_code == 200
    assert person["last_name"] in detail.text and f'href="/t/{ON}/networks/{net["id"]}"' in detail.text
    edit = browser.get(f"/networks/memberships/{made['id']}/edit")
    assert edit.status_code == 200
    saved = browser.post(
        f"/networks/memberships/{made['id']}/edit",
        {"network": net["id"], "organization": org["id"], "role": "secretariat", "version": 1},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert api.get(f"/networks/memberships/{made['id']}")["role"] == "secretariat"
    browser.get(f"/networks/memberships/{made['id']}/archive")
    archived = browser.post(f"/networks/memberships/{made['id']}/archive", {}, follow_redirects=False)
    assert archived.status_code == 303
    assert org["name"] not in section(browser.get(f"/networks/{net['id']}").text, 'id="members-heading"')


def test_a_protected_focal_point_stays_a_placeholder_for_those_who_may_not_see_them(client, env):
    api = Api(client, env)
    hidden = api.post(
        "/contacts", {"first_name": "Rosa", "last_name": unique("Reservada"), "protected": True}
    )
    net, org = network(api), organization(api)
    made = membership(api, net["id"], org["id"], focal_point=hidden["id"])
    coordinator = sign_in(client, env, ON, "coordinator", "es")
    assert hidden["last_name"] in coordinator.get(f"/networks/{net['id']}").text
    ngo = sign_in(client, env, ON, NGO_PARTICIPANT, "es")
    for path in (f"/networks/{net['id']}", f"/networks/memberships/{made['id']}"):
        page = ngo.get(path)
        assert page.status_code == 200 and hidden["last_name"] not in page.text
        assert gettext(env, "es", "Protected contact") in page.text
    # Nor is the person offered as anyone's focal point.
    page = ngo.get(f"/networks/{net['id']}").text
    people = page[
        page.index('<select id="f-focal_point"') : page.index("</select>", page.index('id="f-focal_point"'))
    ]
    assert f'value="{hidden["id"]}"' not in people
    assert "f-focal_point-search" in page
