"""A tenant that does not enable ``engagement`` shows nothing of it: every page and API route of
the plugin answers there exactly as a path that does not exist, and its menu entry is gone, while
the tenant that enables it has them all. The routes are read from the running app, so a route the
plugin adds later is checked too."""

from __future__ import annotations

import re
from typing import Any

from core.plugin_api import sign_in
from plugins.engagement.tests.support import OFF, ON, Api, activity

PREFIXES = ("/t/{tenant_slug}/engagement", "/t/{tenant_slug}/api/v1/engagement")


def plugin_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path template) of every route the plugin mounted."""
    found = []
    for route in app.routes:
        path = re.sub(r"{(\w+):\w+}", r"{\1}", route.path)
        if path.startswith(PREFIXES):
            found += [(m, path) for m in route.methods if m not in ("HEAD", "OPTIONS")]
    return sorted(found)


def fill(path: str, slug: str, record_id: int) -> str:
    # A personal link's token and an input's id: where the plugin is off, any value is "not found".
    path = path.replace("{token}", "unknown-link").replace("{input_id}", "1")
    return path.replace("{tenant_slug}", slug).replace("{record_id}", str(record_id))


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
    # A constructive dialogue: the activity's pages and its inputs' pages all answer for it.
    record_id = activity(Api(client, env), kind="constructive_dialogue")["id"]
    browser = sign_in(client, env, OFF, "coordinator")
    headers = env.headers(OFF, "coordinator")
    unknown_page = browser.get(f"/t/{OFF}/no-such-page")
    unknown_api = client.get(f"/t/{OFF}/api/v1/no-such-thing", headers=headers)
    assert unknown_page.status_code == unknown_api.status_code == 404
    routes = plugin_routes(client.app)
    assert routes
    for method, template in routes:
        url = fill(template, OFF, record_id)
        if "/api/v1/" in template:
            answer = client.request(method, url, headers=headers, json={} if method != "GET" else None)
            assert (answer.status_code, problem(answer)) == (404, problem(unknown_api)), (method, url)
        else:
            answer = browser.get(url) if method == "GET" else browser.post(url, {}, follow_redirects=False)
            assert answer.status_code == 404, (method, url, answer.status_code)
            assert without_request(answer.text) == without_request(unknown_page.text), (method, url)
    on_browser, on_headers = sign_in(client, env, ON, "coordinator"), env.headers(ON, "coordinator")
    for method, template in routes:
        # A personal link's page needs a participant's link (plugins/engagement/tests/test_dialogues.py).
        if method == "GET" and "{token}" not in template:
            url = fill(template, ON, record_id)
            answer = client.get(url, headers=on_headers) if "/api/v1/" in template else on_browser.get(url)
            assert answer.status_code == 200, (url, answer.status_code)


def test_the_menu_entry_is_there_only_where_the_plugin_is_on(client, env):
    for slug, enabled in ((ON, True), (OFF, False)):
        dashboard = sign_in(client, env, slug, "coordinator").get(f"/t/{slug}/").text
        nav = dashboard[dashboard.index('class="main-nav"') : dashboard.index("</nav>")]
        assert (f'href="/t/{slug}/engagement/activities"' in nav) is enabled
