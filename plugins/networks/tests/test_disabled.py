"""A tenant that does not enable ``networks`` shows nothing of it: every page and API route of the
plugin answers there exactly as a path that does not exist, and its menu entry and panels are gone,
while the tenant that enables it has them all. The routes are read from the running app, so a route
the plugin adds later is checked too."""

from __future__ import annotations

import re
from typing import Any

from core.plugin_api import sign_in
from plugins.networks.tests.support import OFF, ON, Api, membership, network, organization

PREFIXES = ("/t/{tenant_slug}/networks", "/t/{tenant_slug}/api/v1/networks")


def plugin_routes(app: Any) -> list[tuple[str, str]]:
    """(method, path template) of every route the plugin mounted (``/t/{tenant_slug}/networks/…``)."""
    found = []
    for route in app.routes:
        path = re.sub(r"{(\w+):\w+}", r"{\1}", route.path)
        if path.startswith(PREFIXES):
            found += [(m, path) for m in route.methods if m not in ("HEAD", "OPTIONS")]
    return sorted(found)


def fill(path: str, slug: str, ids: dict[str, int]) -> str:
    record = ids["membership"] if "/memberships/" in path else ids["network"]
    return path.replace("{tenant_slug}", slug).replace("{record_id}", str(record))


def without_request(html: str) -> str:
    """A page without what depends on the request itself (its path, its CSRF token)."""
    return re.sub(r'name="(next|_csrf_token)" value="[^"]*"', "", html)


def problem(response: Any) -> dict[str, Any]:
    return {k: v for k, v in response.json().items() if k != "instance"}


def test_the_plugin_mounts_its_pages_and_api(client):
    paths = {path for _, path in plugin_routes(client.app)}
    assert {
        "/t/{tenant_slug}/networks",
        "/t/{tenant_slug}/networks/{record_id}",
        "/t/{tenant_slug}/networks/{record_id}/members",
        "/t/{tenant_slug}/networks/memberships/{record_id}/edit",
        "/t/{tenant_slug}/api/v1/networks",
        "/t/{tenant_slug}/api/v1/networks/memberships/{record_id}",
    } <= paths


def test_every_route_answers_404_like_an_unknown_path_where_the_plugin_is_off(client, env):
    api = Api(client, env)
    ids = {"network": network(api)["id"]}
    ids["membership"] = membership(api, ids["network"], organization(api)["id"])["id"]
    browser = sign_in(client, env, OFF, "coordinator")
    headers = env.headers(OFF, "coordinator")
    unknown_page = browser.get(f"/t/{OFF}/no-such-page")
    unknown_api = client.get(f"/t/{OFF}/api/v1/no-such-thing", headers=headers)
    assert unknown_page.status_code == unknown_api.status_code == 404
    routes = plugin_routes(client.app)
    for method, template in routes:
        url = fill(template, OFF, ids)
        if "/api/v1/" in template:
            answer = client.request(method, url, headers=headers, json={} if method != "GET" else None)
            assert (answer.status_code, problem(answer)) == (404, problem(unknown_api)), (method, url)
        else:
            answer = browser.get(url) if method == "GET" else browser.post(url, {}, follow_redirects=False)
            assert answer.status_code == 404, (method, url, answer.status_code)
            assert without_request(answer.text) == without_request(unknown_page.text), (method, url)
    # The same pages and documents are there in the tenant that enables the plugin.
    on_browser, on_headers = sign_in(client, env, ON, "coordinator"), env.headers(ON, "coordinator")
    for method, template in routes:
        if method == "GET":
            url = fill(template, ON, ids)
            answer = client.get(url, headers=on_headers) if "/api/v1/" in template else on_browser.get(url)
            assert answer.status_code == 200, (url, answer.status_code)


def test_no_menu_entry_and_no_panels_where_the_plugin_is_off(client, env):
    on, off = Api(client, env), Api(client, env, slug=OFF)
    ids = {ON: organization(on)["id"], OFF: organization(off)["id"]}
    for slug, enabled in ((ON, True), (OFF, False)):
        browser = sign_in(client, env, slug, "coordinator")
        dashboard = browser.get(f"/t/{slug}/").text
        nav = dashboard[dashboard.index('class="main-nav"') : dashboard.index("</nav>")]
        assert (f'href="/t/{slug}/networks"' in nav) is enabled
        assert ('data-panel="networks"' in dashboard) is enabled
        page = browser.get(f"/t/{slug}/organizations/{ids[slug]}").text
        assert ('data-panel="networks"' in page) is enabled
        assert ("/networks" in page) is enabled
