"""Topics by name, never by code, where people read them: the topics column of every list export
(CSV and XLSX) names them in the reader's language, a record's page does too (archived topics
included), and the import reads those names back, commas and all."""

from __future__ import annotations

import csv
import io
import re
import secrets
from html import escape

import openpyxl
import pytest

from core.testing.web import sign_in
from tests.support import record_on_topics

API = "/t/alpha/api/v1"
ENTITIES = ("organizations", "meetings", "actions")
# Shared topics (one whose name holds commas), a priority, and their names in Spanish.
TOPICS = ("CL-PREVENTION", "MX-SUPPLY-CHAINS", "SOM")


def names(client, env, locale: str) -> dict[str, str]:
    items = client.get(
        f"{API}/topics", params={"limit": 200}, headers=env.headers("alpha", "observer", locale)
    ).json()["items"]
    return {item["code"]: item["display_label"] for item in items}


def rows_of(response) -> list[list]:
    assert response.status_code == 200, response.text
    if response.headers["content-type"].startswith("text/csv"):
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [["" if v is None else v for v in row] for row in book.active.iter_rows(values_only=True)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("locale", ["es", "en"])
@pytest.mark.parametrize("entity", ENTITIES)
def test_an_export_names_topics_in_the_readers_language(client, env, entity, locale, fmt):
    tag = secrets.token_hex(4)
    record_on_topics(client, env, "alpha", entity, TOPICS, tag)
    response = client.get(
        f"{API}/{entity}/export",
        params={"q": tag, "format": fmt, "columns": "id,topics"},
        headers=env.headers("alpha", "coordinator", locale),
    )
    rows = rows_of(response)
    assert len(rows) == 2, rows
    shown = names(client, env, locale)
    assert rows[1][1] == "; ".join(shown[code] for code in TOPICS)
    assert not any(code in rows[1][1] for code in TOPICS)


@pytest.mark.parametrize("entity", ["organizations", "actions"])
def test_a_list_pages_topic_tags_are_names(client, env, entity):
    """The lists with a topics column (organizations, joint actions) tag each row with topic names."""
    tag = secrets.token_hex(4)
    record_on_topics(client, env, "alpha", entity, TOPICS, tag)
    html = sign_in(client, env, "alpha", "observer", "es").get(f"/t/alpha/{entity}", params={"q": tag}).text
    shown = names(client, env, "es")
    tags = re.findall(r'<span class="tag" data-topic="([^"]+)">([^<]*)</span>', html)
    assert sorted(tags) == sorted((code, escape(shown[code])) for code in TOPICS)


def test_a_records_page_names_an_archived_topic(client, env):
    h = env.headers("alpha", "coordinator")
    code = f"ZZ-OLD-{secrets.token_hex(2).upper()}"
    topic = client.post(
        f"{API}/topics", json={"code": code, "label": "Retired theme", "category": "national"}, headers=h
    ).json()
    organization = client.post(
        f"{API}/organizations",
        json={"name": f"Org {code}", "sector": "academia", "topics": [code]},
        headers=h,
    ).json()
    assert client.post(f"{API}/topics/{topic['id']}/archive", headers=h).status_code == 200
    page = sign_in(client, env, "alpha", "observer", locale="es").get(f"/organizations/{organization['id']}")
    assert page.status_code == 200
    assert ">Retired theme</a>" in page.text and f">{code}</a>" not in page.text
