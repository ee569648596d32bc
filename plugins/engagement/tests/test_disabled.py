"""A tenant that does not enable ``engagement`` shows nothing of it: every page and API route of
the plugin answers there exactly as a path that does not exist, and its menu entry is gone, while
the tenant that enables it has them all. The routes are read from the running app, so a route the
plugin adds later is checked too."""

from __future__ import annotations

import re
import secrets
from typing import Any

from core.plugin_api import sign_in
from plugins.engagement.links import link_hash
from plugins.engagement.tables import Application
from plugins.engagement.tests.support import OFF, ON, Api, activity, certificate

PREFIXES = ("/t/{tenant_slug}/engagement", "/t/{tenant_slug}/api/v1/engagement")


def plugin_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path template) of every route the plugin mounted."""
    found = []
    for route in app.routes:
        path = re.sub(r"{(\w+):\w+}", r"{\1}", route.path)
        if path.startswith(PREFIXES):
            found += [(m, path) for m in route.methods if m not in ("HEAD", "OPTIONS")]
    return sorted(found)


def fill(path: str, slug: str, values: dict[str, Any]) -> str:
    """A route's path with the tenant's slug and ``values`` for its other parameters."""
    for name, value in {"tenant_slug": slug, **values}.items():
        path = path.replace("{" + name + "}", str(value))
    return re.sub(r"{(\w+)}", "1", path)  # ids of records no test here needs: any number


def plugin_records(client: Any, env: Any) -> dict[str, Any]:
    """A value for every path parameter of the plugin's routes, naming records of the tenant that
    enables it: an activity, an application to it (with a personal link), a member."""
    record_id = activity(Api(client, env), status="call_open", kind="constructive_dialogue")["id"]
    contact = Api(client, env).post("/contacts", {"first_name": "Ana", "last_name": "Ruiz"})["id"]
    token = secrets.token_urlsafe(32)

    async def write() -> int:
        row = Application(
            activity=record_id,
            contact=contact,
            email="ana.ruiz@example.org",
            status="selected",
            link_hash=link_hash(token),
        )
        return int((await Application.insert(row).returning(Application.id).run())[0]["id"])

    issued = certificate(client, env, Api(client, env))
    return {
        "certificate_id": issued["id"],
        "code": issued["code"],
        "record_id": record_id,
        "activity_id": record_id,
        "application_id": env.run(client, ON, write),
        "token": token,
        "member_id": env.users[(ON, "ngo")]["id"],
    }


def without_request(html: str) -> str:
    """A page without what depends on the request itself (its path, its CSRF token)."""
    return re.sub(r'name="(next|_csrf_token)" value="[^"]*"', "", html)


def problem(response: Any) -> dict[str, Any]:
    return {k: v for k, v in response.json().items() if k != "instance"}


def test_the_plugin_mounts_its_pages_and_api(client):
    paths = {path for _, path in plugin_routes(client.app)}
    assert {
        "/t/{tenant_slug}/engagement/activities",
        "/t/{tenant_slug}/engagement/activities/new",
        "/t/{tenant_slug}/engagement/activities/{record_id}",
        "/t/{tenant_slug}/engagement/activities/{record_id}/edit",
        "/t/{tenant_slug}/api/v1/engagement/activities",
        "/t/{tenant_slug}/api/v1/engagement/activities/{record_id}",
    } <= paths


def test_every_route_answers_404_like_an_unknown_path_where_the_plugin_is_off(client, env):
    values = plugin_records(client, env)
    browser = sign_in(client, env, OFF, "coordinator")
    headers = env.headers(OFF, "coordinator")
    unknown_page = browser.get(f"/t/{OFF}/no-such-page")
    unknown_api = client.get(f"/t/{OFF}/api/v1/no-such-thing", headers=headers)
    assert unknown_page.status_code == unknown_api.status_code == 404
    routes = plugin_routes(client.app)
    assert routes
    for method, template in routes:
        url = fill(template, OFF, values)
        if "/api/v1/" in template:
            answer = client.request(method, url, headers=headers, json={} if method != "GET" else None)
            assert (answer.status_code, problem(answer)) == (404, problem(unknown_api)), (method, url)
        else:
            answer = browser.get(url) if method == "GET" else browser.post(url, {}, follow_redirects=False)
            assert answer.status_code == 404, (method, url, answer.status_code)
            assert without_request(answer.text) == without_request(unknown_page.text), (method, url)
    on_browser, on_headers = sign_in(client, env, ON, "coordinator"), env.headers(ON, "coordinator")
    api = Api(client, env)
    record_id = values["record_id"]
    session = api.post(f"/engagement/activities/{record_id}/sessions", {"kind": "self_paced", "title": "M"})
    contact = api.post("/contacts", {"first_name": "Ana", "last_name": "Ruiz"})
    on_browser.post(f"/engagement/activities/{record_id}/participants", {"contact": contact["id"]})
    participant = api.get(f"/engagement/activities/{record_id}/participants")["items"][0]
    ids = {"session_id": session["id"], "participant_id": participant["id"]}
    for method, template in routes:
        # A participant's personal link is only ever known from its mail (test_delivery opens one).
        if method == "GET" and "/participant/{token}" not in template:
            url = fill(template, ON, {**values, **ids})
            answer = client.get(url, headers=on_headers) if "/api/v1/" in template else on_browser.get(url)
            assert answer.status_code == 200, (url, answer.status_code)


def test_the_menu_entry_is_there_only_where_the_plugin_is_on(client, env):
    for slug, enabled in ((ON, True), (OFF, False)):
        dashboard = sign_in(client, env, slug, "coordinator").get(f"/t/{slug}/").text
        nav = dashboard[dashboard.index('class="main-nav"') : dashboard.index("</nav>")]
        assert (f'href="/t/{slug}/engagement/activities"' in nav) is enabled
