"""The dashboard page through HTTP: figures, charts with their data tables, live numbers, isolation."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_skeleton

from core.testing.web import Browser, sign_in

API = "/t/alpha/api/v1"


def unique(prefix: str) -> str:
    return f"{prefix} {secrets.token_hex(4)}"


def post(client, env, path, body, role="coordinator", slug="alpha"):
    response = client.post(f"/t/{slug}/api/v1{path}", json=body, headers=env.headers(slug, role))
    assert response.status_code == 201, response.text
    return response.json()


def bar(html: str, attr: str, key: str) -> int:
    match = re.search(rf'<g class="bar" data-{attr}="{re.escape(key)}" data-value="(\d+)"', html)
    assert match, f"no bar {attr}={key}"
    return int(match.group(1))


def figure(html: str, key: str) -> str:
    match = re.search(rf'<dd data-figure="{key}">([^<]*)</dd>', html)
    assert match, f"no figure {key}"
    return match.group(1)


def agreed_action(client, env, topics=("VICTIMS",), slug="alpha", role="coordinator", **fields):
    gov = post(
        client,
        env,
        "/organizations",
        {"name": unique("Secretaría"), "sector": "government_ministry"},
        slug=slug,
    )
    ngo = post(client, env, "/organizations", {"name": unique("Colectivo"), "sector": "ngo"}, slug=slug)
    return post(
        client,
        env,
        "/actions",
        {
            "title": unique("Ruta de atención"),
            "government_lead": gov["id"],
            "partners": [ngo["id"]],
            "topics": list(topics),
            "status": "agreed",
            **fields,
        },
        role=role,
        slug=slug,
    )


def test_anonymous_visitors_are_sent_to_sign_in(client, env):
    response = Browser(client, "alpha").get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/t/alpha/login")


def test_members_see_figures_and_four_charts_each_with_its_data_table(client, env):
    agreed_action(client, env, topics=("VICTIMS", "TIP"))
    h = env.headers("alpha", "coordinator")
    gov = post(client, env, "/organizations", {"name": unique("Fiscalía"), "sector": "prosecution_judiciary"})
    ngo = post(client, env, "/organizations", {"name": unique("Red"), "sector": "academia"})
    people = {
        name: post(
            client, env, "/contacts", {"first_name": name, "last_name": unique("P"), "organization": org}
        )
        for name, org in [("Ana", gov["id"]), ("Luz", ngo["id"]), ("Eva", ngo["id"]), ("Sol", ngo["id"])]
    }
    start = datetime.now(UTC) - timedelta(hours=2)
    meeting = post(
        client,
        env,
        "/meetings",
        {
            "title": unique("Mesa <técnica> & diálogo"),
            "meeting_type": "thematic_session",
            "mode": "online",
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=1)).isoformat(),
        },
    )
    for name, status in [("Ana", "attended"), ("Luz", "attended"), ("Eva", "attended"), ("Sol", "absent")]:
        r = client.put(
            f"{API}/meetings/{meeting['id']}/attendees/{people[name]['id']}",
            json={"status": status},
            headers=h,
        )
        assert r.status_code == 200, r.text

    page = sign_in(client, env, "alpha", "observer").get("/")
    html = page.text
    assert page.status_code == 200 and '<html lang="es" dir="ltr">' in html
    assert html.count("<figure") == 4 and html.count('<svg role="img"') == 4
    assert html.count("<details>") == 4 and html.count('<table class="stack">') == 4
    for chart in ("status", "topics", "months", "balance"):
        assert f'aria-labelledby="chart-{chart}-svg-title chart-{chart}-svg-desc"' in html
        assert (
            f'<title id="chart-{chart}-svg-title">' in html and f'<desc id="chart-{chart}-svg-desc">' in html
        )
    # Every status is drawn, in the vocabulary's order, zeros included.
    statuses = re.findall(r'<g class="bar" data-status="(\w+)"', html)
    assert statuses == ["proposed", "agreed", "in_progress", "blocked", "completed", "discontinued"]
    assert bar(html, "status", "agreed") >= 1 and bar(html, "topic", "VICTIMS") >= 1
    assert "Trata de personas" in html  # topic labels in the page's language
    # This month's meetings, with the month named by Babel in Spanish.
    month = datetime.now(ZoneInfo("America/Mexico_City")).date().replace(day=1)
    assert bar(html, "month", month.isoformat()) >= 1
    assert format_skeleton("yMMM", month, locale="es") in html
    # Attended only, per side at the time; the title is escaped, never markup.
    assert bar(html, "key", f"{meeting['id']}:government") == 1
    assert bar(html, "key", f"{meeting['id']}:non_governmental") == 2
    assert "<técnica>" not in html and "Mesa &lt;técnica&gt; &amp; diálogo" in html
    row = re.search(rf'<tr data-meeting="{meeting["id"]}">.*?</tr>', html, re.S)
    assert row and re.findall(r'data-series="\w+">(\d+)<', row.group(0)) == ["1", "2"]
    assert "var(--" not in html  # colors come from the stylesheet (CSP-safe)


def test_confirming_from_both_sides_raises_the_completed_count(client, env):
    browser = sign_in(client, env, "alpha", "government")
    before = browser.get("/").text
    completed, total = bar(before, "status", "completed"), figure(before, "actions")
    action = agreed_action(client, env)
    for role in ("ngo", "government"):
        r = client.post(f"{API}/actions/{action['id']}/confirm", headers=env.headers("alpha", role))
        assert r.status_code == 200, r.text
    after = browser.get("/").text
    assert bar(after, "status", "completed") == completed + 1
    assert figure(after, "completed") == str(completed + 1)
    assert int(figure(after, "actions")) == int(total) + 1
    assert re.search(
        rf'<tr data-status="completed"><th scope="row"[^>]*>[^<]+</th><td[^>]*>{completed + 1}</td>', after
    )
    # An archived action no longer counts.
    h = env.headers("alpha", "coordinator")
    assert client.post(f"{API}/actions/{action['id']}/archive", headers=h).status_code == 200
    assert bar(browser.get("/").text, "status", "completed") == completed


def test_meetings_fall_in_the_month_of_the_tenants_calendar(client, env):
    zone = ZoneInfo("America/Mexico_City")
    this_month = datetime.now(zone).date().replace(day=1)
    last_day = this_month - timedelta(days=1)
    late = datetime.combine(last_day, time(23, 30), zone)  # already next month in UTC
    browser = sign_in(client, env, "alpha", "observer")
    before = browser.get("/").text
    post(
        client,
        env,
        "/meetings",
        {
            "title": unique("Cierre de mes"),
            "meeting_type": "roadmap_review",
            "mode": "online",
            "starts_at": late.isoformat(),
            "ends_at": (late + timedelta(minutes=20)).isoformat(),
        },
    )
    after = browser.get("/").text
    previous = last_day.replace(day=1).isoformat()
    assert bar(after, "month", previous) == bar(before, "month", previous) + 1
    assert bar(after, "month", this_month.isoformat()) == bar(before, "month", this_month.isoformat())
    months = re.findall(r'data-month="(\d{4}-\d{2}-01)" data-value', after)
    assert len(months) == 12 and months[-1] == this_month.isoformat() and months == sorted(months)
    assert date.fromisoformat(months[0]) > this_month - timedelta(days=366)


def test_a_member_of_one_tenant_sees_nothing_of_another(client, env):
    beta = sign_in(client, env, "beta", "observer", locale="pt")
    beta_before = beta.get("/").text
    assert '<html lang="pt" dir="ltr">' in beta_before
    alpha = sign_in(client, env, "alpha", "coordinator")
    stolen = Browser(client, "beta")
    stolen.cookies = dict(alpha.cookies)
    response = stolen.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/t/beta/login")
    # Alpha's activity leaves beta's figures untouched.
    action = agreed_action(client, env, topics=("FIREARMS",))
    for role in ("ngo", "government"):
        client.post(f"{API}/actions/{action['id']}/confirm", headers=env.headers("alpha", role))
    beta_after = beta.get("/").text
    for key in ("organizations", "actions", "completed"):
        assert figure(beta_after, key) == figure(beta_before, key)
    assert action["title"] not in beta_after


def attention_rows(html: str) -> dict[int, str]:
    section = re.search(r'<section class="card attention".*?</section>', html, re.S)
    assert section, "no list of actions needing attention"
    rows = re.findall(r'<tr data-action="(\d+)".*?</tr>', section.group(0), re.S)
    bodies = re.findall(r'(<tr data-action="\d+".*?</tr>)', section.group(0), re.S)
    return dict(zip(map(int, rows), bodies, strict=True))


def test_overdue_and_blocked_actions_are_listed_with_links_and_closed_ones_are_not(client, env):
    today = datetime.now(ZoneInfo("America/Mexico_City")).date()
    late = agreed_action(
        client, env, topics=(), due_date=(today - timedelta(days=3)).isoformat(), title=unique("Tarde <b>&")
    )
    blocked = agreed_action(client, env, topics=(), status="blocked", role="ngo")
    due_today = agreed_action(client, env, topics=(), due_date=today.isoformat())
    future = agreed_action(
        client, env, topics=(), status="in_progress", due_date=(today + timedelta(days=30)).isoformat()
    )
    dropped = agreed_action(client, env, topics=(), status="discontinued", due_date="2020-01-31")
    archived = agreed_action(client, env, topics=(), due_date="2020-02-01")
    h = env.headers("alpha", "coordinator")
    assert client.post(f"{API}/actions/{archived['id']}/archive", headers=h).status_code == 200
    completed = agreed_action(client, env, topics=(), due_date="2020-03-01")
    for role in ("ngo", "government"):
        r = client.post(f"{API}/actions/{completed['id']}/confirm", headers=env.headers("alpha", role))
        assert r.status_code == 200, r.text

    html = sign_in(client, env, "alpha", "observer").get("/").text
    rows = attention_rows(html)
    assert late["id"] in rows and blocked["id"] in rows
    for other in (due_today, future, dropped, archived, completed):
        assert other["id"] not in rows
    row = rows[late["id"]]
    assert f'<a href="/t/alpha/actions/{late["id"]}">' in row and "Tarde &lt;b&gt;&amp;" in row
    assert f'<time datetime="{(today - timedelta(days=3)).isoformat()}">' in row and "data-overdue" in row
    assert "Gobierno" in row and "Acordada" in row  # its side and status, in the page's language
    assert "Bloqueada" in rows[blocked["id"]] and "No gubernamental" in rows[blocked["id"]]
    assert "data-overdue" not in rows[blocked["id"]] and "<time" not in rows[blocked["id"]]
    # Most overdue first; the blocked ones after the overdue ones.
    order = list(rows)
    assert order.index(late["id"]) < order.index(blocked["id"])
    # Beta's dashboard knows nothing of alpha's late actions.
    beta = sign_in(client, env, "beta", "observer").get("/").text
    assert late["title"] not in beta and blocked["title"] not in beta
    assert 'href="/t/alpha/' not in beta


def test_a_long_list_is_limited_with_links_to_the_filtered_lists(client, env):
    oldest = [agreed_action(client, env, topics=(), due_date=f"2001-01-{day:02}") for day in range(1, 11)]
    html = sign_in(client, env, "alpha", "coordinator").get("/").text
    rows = attention_rows(html)
    assert list(rows) == [a["id"] for a in oldest[:8]]  # the eight most overdue, oldest first
    assert 'href="/t/alpha/actions?overdue=true"' in html and 'href="/t/alpha/actions?status=blocked"' in html
    shown = re.search(r"(\d+)\D+(\d+)\.</p>\s*<ul", html)  # "Showing 8 of 11." in any language
    assert shown and int(shown.group(1)) == 8 and int(shown.group(2)) >= 11


def test_empty_months_carry_no_number_but_the_data_table_has_them(client, env):
    html = sign_in(client, env, "alpha", "observer").get("/").text
    months = re.search(r'<svg[^>]*aria-labelledby="chart-months-svg-title.*?</svg>', html, re.S)
    assert months
    bars = re.findall(
        r'<g class="bar" data-month="([\d-]+)" data-value="(\d+)">(.*?)</g>', months.group(0), re.S
    )
    assert len(bars) == 12
    for _month, value, inner in bars:
        numbers = re.findall(r'<text class="value"[^>]*>([^<]*)</text>', inner)
        assert numbers == ([] if value == "0" else [value])
    table = re.findall(r'<tr data-month="([\d-]+)"><th scope="row">[^<]+</th><td>(\d+)</td></tr>', html)
    assert [(m, v) for m, v, _ in bars] == table
