"""What a plugin brings through the platform, shown with a throwaway plugin installed for real (a
distribution with its entry point on ``sys.path``) and enabled in tenant ``alpha`` only: its pages
and API routes under the tenant, gated per tenant, behind core's authentication, CSRF, security
headers and problem documents; its templates inside core's layout and catalogs; public routes with
a per-address budget; its menu entry, panels and export columns; its forms; its personal data."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest

from core.accounts.throttle import PUBLIC_READS_PER_ADDRESS
from core.testing.environment import TenantSpec
from core.testing.plugins import installed_plugin
from core.testing.web import sign_in
from tests.support import translation

NAME = "probe"
PLUGIN = """
from pathlib import Path

from core.plugin_api import (
    N_, PUBLIC, Actor, Choice, ExportColumn, FieldSpec, NavEntry, Panel, PersonalDataSource,
    PluginForm, Request, Template, get, hookimpl, post, redirect, render, require_coordinator,
)

API_VERSIONS = (1,)


@get("/")
async def hello(request: Request) -> Template:
    return render(request, "probe/hello.html", greeting="probe-page")


@post("/echo")
async def echo(request: Request) -> object:
    return redirect(request, "/probe/")


@get("/boss", guards=[require_coordinator])
async def boss(request: Request) -> Template:
    return render(request, "probe/hello.html", greeting="probe-boss")


@get("/open", opt=PUBLIC)
async def open_page(request: Request) -> Template:
    return render(request, "probe/hello.html", greeting="probe-open")


@get("/ping")
async def ping(request: Request) -> dict:
    return {"pong": request.path_params["tenant_slug"]}


@get("/open-ping", opt=PUBLIC)
async def open_ping() -> dict:
    return {"pong": "open"}


@hookimpl
def pilot_crm_routes():
    return [hello, echo, boss, open_page]


@hookimpl
def pilot_crm_api_routes():
    return [ping, open_ping]


@hookimpl
def pilot_crm_template_dirs():
    return [Path(__file__).parent / "templates"]


@hookimpl
def pilot_crm_navigation():
    return [NavEntry(N_("Meetings"), "/probe/", roles=("coordinator",))]


async def count(actor: Actor, t, record):
    return {"who": actor.role, "record": record["id"] if record else None}


async def nothing(actor, t, record):
    return None


@hookimpl
def pilot_crm_dashboard_panels():
    return [
        Panel("probe-dash", N_("Topics"), "probe/panel.html", count),
        Panel("probe-none", "x", "probe/panel.html", nothing),
    ]


@hookimpl
def pilot_crm_record_panels(entity):
    panel = Panel("probe-record", N_("Topics"), "probe/panel.html", count)
    return [panel] if entity == "organization" else []


async def shout(actor, ids):
    return {i: f"=ID{i}" for i in ids}


@hookimpl
def pilot_crm_export_columns(entity):
    return [ExportColumn("probe_shout", N_("Topics"), shout)] if entity == "organization" else []


SEEN = []


async def export_rows(contact_id):
    return [{"contact": contact_id, "note": "probe-held"}]


async def erase_rows(contact_id, identifying):
    SEEN.append((contact_id, identifying))
    return 1


@hookimpl
def pilot_crm_personal_data():
    return [PersonalDataSource("probe", export_rows, erase_rows)]
"""
HELLO = """
{% extends "base.html" %}
{% block content %}
<h1>{{ _("Organizations") }}</h1>
<p id="greeting">{{ greeting }}</p>
<form method="post" action="{{ base }}/probe/echo">{{ csrf_input | safe }}<button>go</button></form>
{% endblock %}
"""
PANEL = '<p class="probe-panel">{{ data.who }}/{{ data.record }}</p>'


@pytest.fixture(scope="module")
def probe_installed(tmp_path_factory) -> Iterator[None]:
    files = {"plugin.py": PLUGIN, "templates/probe/hello.html": HELLO, "templates/probe/panel.html": PANEL}
    with installed_plugin(tmp_path_factory.mktemp("probe"), NAME, files):
        yield


@pytest.fixture(scope="module")
def pilot_crm_tenants(probe_installed) -> list[TenantSpec]:
    return [
        TenantSpec("alpha", plugins=("mexico", NAME)),
        TenantSpec("beta", country="AGO", default_locale="pt", locales=("pt", "en"), plugins=("angola",)),
    ]


def without_path(html: str) -> str:
    """A page with the request's own path taken out (the language switcher sends it back)."""
    return re.sub(r'name="next" value="[^"]*"', "", re.sub(r'name="_csrf_token" value="[^"]*"', "", html))


def test_plugin_pages_live_under_the_tenant_in_its_layout_and_language(client, env):
    browser = sign_in(client, env, "alpha", "coordinator")
    page = browser.get("/t/alpha/probe/")
    assert page.status_code == 200
    assert 'id="greeting">probe-page<' in page.text and '<html lang="es"' in page.text
    assert translation("es", "Organizations") in page.text  # the tenant's catalogs
    assert "content-security-policy" in page.headers  # core's security headers
    assert 'href="/t/alpha/probe/"' in page.text  # its menu entry


def test_a_tenant_without_the_plugin_answers_404_exactly_as_for_an_unknown_path(client, env):
    browser = sign_in(client, env, "beta", "coordinator")
    for path in ("/t/beta/probe/", "/t/beta/probe/boss", "/t/beta/probe/open"):
        gated, unknown = browser.get(path), browser.get("/t/beta/no-such-page")
        assert gated.status_code == unknown.status_code == 404
        assert without_path(gated.text) == without_path(unknown.text)
    gated = browser.post("/t/beta/probe/echo", {}, follow_redirects=False)
    assert gated.status_code == 404
    h = env.headers("beta", "coordinator")
    for path in ("/t/beta/api/v1/probe/ping", "/t/beta/api/v1/probe/open-ping"):
        gated, unknown = client.get(path, headers=h), client.get("/t/beta/api/v1/no-such", headers=h)
        assert gated.status_code == unknown.status_code == 404
        assert {k: v for k, v in gated.json().items() if k != "instance"} == {
            k: v for k, v in unknown.json().items() if k != "instance"
        }
    # Nothing of the plugin shows in beta: no menu entry, no panels.
    assert "/probe/" not in browser.get("/t/beta/").text
    assert "probe-panel" not in browser.get("/t/beta/").text


def test_plugin_routes_pass_core_authentication_and_role_guards(client, env):
    client.cookies.clear()
    anonymous = client.get("/t/alpha/probe/", follow_redirects=False)
    assert anonymous.status_code == 303 and "/t/alpha/login" in anonymous.headers["location"]
    assert client.get("/t/alpha/api/v1/probe/ping").status_code == 401
    assert client.get("/t/alpha/api/v1/probe/ping", headers=env.headers("alpha", "observer")).json() == {
        "pong": "alpha"
    }
    observer = sign_in(client, env, "alpha", "observer")
    assert observer.get("/t/alpha/probe/boss").status_code == 403
    assert "/probe/" not in observer.get("/t/alpha/").text  # the entry is for coordinators
    assert sign_in(client, env, "alpha", "coordinator").get("/t/alpha/probe/boss").status_code == 200


def test_plugin_forms_need_the_csrf_token(client, env):
    browser = sign_in(client, env, "alpha", "coordinator")
    browser.get("/t/alpha/probe/")
    assert browser.post("/t/alpha/probe/echo", {}, follow_redirects=False).status_code == 303
    cookies = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    forged = client.post("/t/alpha/probe/echo", data={}, headers={"Cookie": cookies}, follow_redirects=False)
    assert forged.status_code == 403


def test_public_routes_need_no_member_and_have_a_budget_per_address(client, env):
    client.cookies.clear()
    page = client.get("/t/alpha/probe/open")
    assert page.status_code == 200 and "probe-open" in page.text
    statuses = [
        client.get("/t/alpha/api/v1/probe/open-ping").status_code for _ in range(PUBLIC_READS_PER_ADDRESS)
    ]
    assert statuses.count(200) == PUBLIC_READS_PER_ADDRESS - 1  # the page above spent one
    refused = client.get("/t/alpha/api/v1/probe/open-ping")
    assert refused.status_code == 429 and refused.json()["status"] == 429


def test_plugin_api_routes_are_in_the_openapi_document(client):
    paths = client.get("/schema/openapi.json").json()["paths"]
    assert "/t/{tenant_slug}/api/v1/probe/ping" in paths
    assert paths["/t/{tenant_slug}/api/v1/probe/ping"]["get"]["security"] == [{"bearer": []}]
    # A public route says that no token is needed (an empty requirement is one that always holds).
    assert {} in paths["/t/{tenant_slug}/api/v1/probe/open-ping"]["get"]["security"]
    assert not [p for p in paths if p.startswith("/t/{tenant_slug}/probe")]  # pages are not API


def test_panels_show_on_the_dashboard_and_the_record_page(client, env):
    h = env.headers("alpha", "coordinator")
    org = client.post("/t/alpha/api/v1/organizations", json={"name": "Probe org", "sector": "ngo"}, headers=h)
    browser = sign_in(client, env, "alpha", "observer")
    dashboard = browser.get("/t/alpha/")
    assert '<p class="probe-panel">observer/None</p>' in dashboard.text
    assert 'data-panel="probe-none"' not in dashboard.text  # its loader had nothing to show
    detail = browser.get(f"/t/alpha/organizations/{org.json()['id']}")
    assert f'<p class="probe-panel">observer/{org.json()["id"]}</p>' in detail.text
    assert translation("es", "Topics") in detail.text


def test_export_columns_join_the_list_export(client, env):
    h = {**env.headers("alpha", "coordinator"), "Accept-Language": "es"}
    client.post("/t/alpha/api/v1/organizations", json={"name": "=Exported", "sector": "ngo"}, headers=h)
    response = client.get("/t/alpha/api/v1/organizations/export", params={"q": "Exported"}, headers=h)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    header, (row,) = rows[0], rows[1:]
    assert header[0] == translation("es", "ID") and header[-1] == translation("es", "Topics")
    assert translation("es", "Name") in header
    assert row[header.index(translation("es", "Name"))] == "'=Exported"  # not a formula
    assert row[-1] == f"'=ID{row[0]}"


def test_personal_data_of_plugins_is_exported_and_erased(client, env):
    import pilot_crm_probe.plugin as probe

    h = env.headers("alpha", "coordinator")
    contact = client.post(
        "/t/alpha/api/v1/contacts", json={"first_name": "Ada", "last_name": "Probe"}, headers=h
    ).json()
    browser = sign_in(client, env, "alpha", "coordinator")
    exported = browser.get(f"/t/alpha/contacts/{contact['id']}/personal-data")
    assert exported.status_code == 200
    assert exported.json()["plugins"] == {"probe": [{"contact": contact["id"], "note": "probe-held"}]}
    erase_page = browser.get(f"/t/alpha/contacts/{contact['id']}/erase")
    assert erase_page.status_code == 200
    assert (
        browser.post(f"/t/alpha/contacts/{contact['id']}/erase", {}, follow_redirects=False).status_code
        == 303
    )
    (seen_id, identifying) = probe.SEEN[-1]
    assert seen_id == contact["id"] and {"Ada", "Probe", "Ada Probe"} <= identifying
