"""A country's priority that refines a topic of the shared taxonomy (``TopicSpec.refines``), through
HTTP: pages show the priority with the shared topic as context and fold the shared topic under it
(the topic list, form and filter choices, the dashboard), the two topic pages link each other, and
a filter on the shared topic also finds what is tagged with its refinements, in pages and the API.
Generated from what the shipped Mexico and Angola plugins declare."""

from __future__ import annotations

import re

import pytest

from core.testing.web import sign_in
from plugins.angola.plugin import TOPICS as ANGOLA
from plugins.mexico.plugin import TOPICS as MEXICO
from tests.support import record_on_topics

REFINING = {"alpha": [s for s in MEXICO if s.refines], "beta": [s for s in ANGOLA if s.refines]}
PAIRS = [(slug, spec.code, spec.refines) for slug, specs in REFINING.items() for spec in specs]
ENTITIES = ("organizations", "meetings", "actions")


def api(slug: str) -> str:
    return f"/t/{slug}/api/v1"


def topics_by_code(client, env, slug: str) -> dict[str, dict]:
    items = client.get(
        f"{api(slug)}/topics", params={"limit": 200}, headers=env.headers(slug, "observer", "en")
    ).json()["items"]
    return {item["code"]: item for item in items}


def in_context(priority: dict, shared: dict) -> str:
    return f"{priority['display_label']} (refines: {shared['display_label']})"


def create(client, env, slug: str, entity: str, topics: list[str]) -> int:
    return record_on_topics(client, env, slug, entity, topics)


def ids(client, env, slug: str, entity: str, topic: str) -> set[int]:
    response = client.get(
        f"{api(slug)}/{entity}", params={"topic": topic, "limit": 200}, headers=env.headers(slug, "observer")
    )
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


@pytest.mark.parametrize("entity", ENTITIES)
@pytest.mark.parametrize(("slug", "priority", "shared"), PAIRS, ids=[p[1] for p in PAIRS])
def test_a_filter_on_a_shared_topic_finds_its_refinements_and_not_the_reverse(
    client, env, slug, priority, shared, entity
):
    on_priority = create(client, env, slug, entity, [priority])
    on_shared = create(client, env, slug, entity, [shared])
    elsewhere = create(client, env, slug, entity, ["CORRUPTION"])
    found = ids(client, env, slug, entity, shared)
    assert {on_priority, on_shared} <= found and elsewhere not in found
    narrow = ids(client, env, slug, entity, priority)
    assert on_priority in narrow and on_shared not in narrow and elsewhere not in narrow
    # The list page takes the same filter.
    page = sign_in(client, env, slug, "observer", locale="en").get(f"/{entity}", params={"topic": shared})
    assert page.status_code == 200
    assert f'/{entity}/{on_priority}"' in page.text and f'/{entity}/{elsewhere}"' not in page.text


@pytest.mark.parametrize("slug", sorted(REFINING))
def test_the_topic_list_names_each_priority_with_what_it_refines_and_folds_that_topic(client, env, slug):
    topics = topics_by_code(client, env, slug)
    browser = sign_in(client, env, slug, "observer", locale="en")
    text = browser.get("/topics").text
    for spec in REFINING[slug]:
        assert in_context(topics[spec.code], topics[spec.refines]) in text
        # Folded: the shared topic has no row of its own while its priority leads the list.
        assert f"<code>{spec.refines}</code>" not in text
    assert "<code>CORRUPTION</code>" in text  # a shared topic nobody refines keeps its row
    # Without the priorities (another category), the shared topics are listed as themselves.
    for category in {topics[s.refines]["category"] for s in REFINING[slug]}:
        alone = browser.get("/topics", params={"category": category}).text
        for spec in REFINING[slug]:
            if topics[spec.refines]["category"] == category:
                assert f"<code>{spec.refines}</code>" in alone


@pytest.mark.parametrize(("slug", "priority", "shared"), PAIRS, ids=[p[1] for p in PAIRS])
def test_topic_pages_link_a_priority_and_the_shared_topic_it_refines(client, env, slug, priority, shared):
    topics = topics_by_code(client, env, slug)
    action = create(client, env, slug, "actions", [priority])
    browser = sign_in(client, env, slug, "observer", locale="en")
    narrow = browser.get(f"/topics/{topics[priority]['id']}").text
    assert "Refines" in narrow
    assert f'href="/t/{slug}/topics/{topics[shared]["id"]}">{topics[shared]["display_label"]}</a>' in narrow
    broad = browser.get(f"/topics/{topics[shared]['id']}").text
    assert "Refined by" in broad
    link = f'href="/t/{slug}/topics/{topics[priority]["id"]}">{topics[priority]["display_label"]}</a>'
    assert link in broad
    assert f'href="/t/{slug}/actions/{action}"' in broad  # what is on the refinement is on the shared topic


def offered_codes(html: str, codes: set[str]) -> list[str]:
    """The topic codes a page offers, in their order (``value="CODE"`` of options or checkboxes)."""
    return [code for code in re.findall(r'value="([A-Z0-9-]+)"', html) if code in codes]


@pytest.mark.parametrize("slug", sorted(REFINING))
def test_choices_show_priorities_in_context_and_fold_the_shared_topic_under_them(client, env, slug):
    """In the topics field of a form, every topic stays choosable (a record may be about the shared
    topic as a whole), but the shared topic follows the priorities refining it."""
    topics = topics_by_code(client, env, slug)
    browser = sign_in(client, env, slug, "coordinator", locale="en")
    form = browser.get("/actions/new").text
    offered = offered_codes(form, set(topics))
    assert sorted(offered) == sorted(code for code, t in topics.items() if not t["archived_at"])
    for shared in {spec.refines for spec in REFINING[slug]}:
        narrowing = [spec.code for spec in REFINING[slug] if spec.refines == shared]
        at = offered.index(shared)
        assert sorted(offered[at - len(narrowing) : at]) == sorted(narrowing)
        for code in narrowing:
            assert in_context(topics[code], topics[shared]) in form
    # The list's topic filter offers the same choices.
    listing = browser.get("/actions").text
    for spec in REFINING[slug]:
        assert in_context(topics[spec.code], topics[spec.refines]) in listing


def test_the_api_gives_the_refined_code_and_its_name_in_the_callers_language(client, env):
    observer = env.headers("alpha", "observer")
    item = client.get(f"{api('alpha')}/topics", params={"code": "MX-SUPPLY-CHAINS"}, headers=observer).json()[
        "items"
    ]
    assert [(i["refines"], i["refines_label"]) for i in item] == [("TIP", "Trata de personas")]
    shared = client.get(f"{api('alpha')}/topics", params={"refines": "TIP"}, headers=observer).json()["items"]
    assert [i["code"] for i in shared] == ["MX-SUPPLY-CHAINS"]


@pytest.mark.parametrize("slug", sorted(REFINING))
def test_the_dashboard_counts_a_shared_topic_as_its_filter_finds_it(client, env, slug):
    spec = REFINING[slug][0]
    create(client, env, slug, "actions", [spec.code])
    topics = topics_by_code(client, env, slug)
    html = sign_in(client, env, slug, "observer", locale="en").get("/").text
    bars = dict(re.findall(r'<g class="bar" data-topic="([A-Z0-9-]+)" data-value="(\d+)"', html))
    assert spec.code in bars and spec.refines in bars
    for code, value in bars.items():
        assert int(value) == len(ids(client, env, slug, "actions", code)), code
    assert in_context(topics[spec.code], topics[spec.refines]) in html
