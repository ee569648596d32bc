"""Search on the databases' own full-text indexes, through HTTP, on both backends: a record is found
in every shipped language whatever the accents, harakat, tatweel and case of the stored name or of
the query; a fragment of three letters inside a word finds it, a two-character word too; a miss
finds nothing; the search (``/api/v1/search``, a list's ``sort=relevance``) ranks a match at the
start of the name before one at the start of a word before one inside a word, and pages by that
rank; renaming a contact or an organization re-indexes at once (the organization's name is in its
contacts' search text); and the query plan reads the index (SQLite's FTS5 trigram table,
PostgreSQL's pg_trgm GIN index) for a term of three letters."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from piccolo.querystring import QueryString

from core.contacts.tables import Contact
from core.db.textsearch import term_clause

API = "/t/alpha/api/v1"

# Per shipped language: a contact's (first name, last name) as people write it, and searches as
# others type them (other accents, no accents, other case, a fragment, a two-character word).
LANGUAGES: dict[str, tuple[tuple[str, str], tuple[str, ...]]] = {
    "en": (("Zoë", "Ó'Sullivan"), ("zoe", "O'SULLIVAN", "sulliv", "ZOË")),
    "es": (("José", "Núñez Peña"), ("jose", "NUNEZ", "pena", "ÑúÑ")),
    "pt": (("João", "Gonçalves Araújo"), ("JOAO", "goncalves", "arau", "çal")),
    "fr": (("Hélène", "Lefèvre-Crémieux"), ("helene", "LEFEVRE", "crémi", "ÉVR")),
    "ar": (("مُحَمَّد", "الـعـربـي"), ("محمد", "العربي", "عرب", "مُحمّد")),
    "zh": (("小明", "王北京"), ("北京", "王北京", "小明")),
    "ru": (("Пётр", "Ёлкин"), ("петр", "ЕЛКИН", "ёлк", "ПЁТР")),
}


def tag() -> str:
    return "q" + secrets.token_hex(3)


def create(client, env, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post(f"{API}/{kind}", json=body, headers=env.headers("alpha", "coordinator"))
    assert response.status_code == 201, response.text
    return response.json()


def found(client, env, kind: str, q: str, **params: Any) -> list[int]:
    response = client.get(
        f"{API}/{kind}", params={"q": q, "limit": 200, **params}, headers=env.headers("alpha", "coordinator")
    )
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


@pytest.fixture(scope="module")
def people(client, env) -> dict[str, int]:
    """One contact per language, named as ``LANGUAGES`` says."""
    return {
        language: create(client, env, "contacts", {"first_name": first, "last_name": last})["id"]
        for language, ((first, last), _) in LANGUAGES.items()
    }


@pytest.mark.parametrize(
    ("language", "query"),
    [(language, query) for language, (_, queries) in LANGUAGES.items() for query in queries],
)
def test_a_name_is_found_whatever_its_accents_and_case(client, env, people, language, query):
    assert people[language] in found(client, env, "contacts", query)


def test_a_fragment_and_a_short_word_beside_it_find_a_record_and_a_miss_finds_nothing(client, env):
    stem = tag()
    org = create(client, env, "organizations", {"name": f"Cooperativa {stem}ário", "sector": "academia"})
    assert found(client, env, "organizations", stem[1:4]) and org["id"] in found(
        client, env, "organizations", f"{stem[2:]}ari co"
    )
    assert found(client, env, "organizations", stem + "zz") == []
    assert found(client, env, "organizations", f"{stem} xq") == []


def test_search_ranks_the_start_of_the_name_then_of_a_word_then_inside_a_word(client, env):
    stem = tag()
    # Made worst first, so that the order of creation is not the order of rank.
    inside = create(client, env, "contacts", {"first_name": "Ana", "last_name": f"Ruiz x{stem}"})
    word = create(client, env, "contacts", {"first_name": "Ana", "last_name": f"Ruiz {stem}a"})
    start = create(client, env, "contacts", {"first_name": f"{stem.upper()}o", "last_name": "Ruiz"})
    best_first = [start["id"], word["id"], inside["id"]]

    response = client.get(f"{API}/search", params={"q": stem}, headers=env.headers("alpha", "coordinator"))
    assert response.status_code == 200, response.text
    contacts = next(g for g in response.json()["groups"] if g["kind"] == "contacts")
    assert [item["id"] for item in contacts["items"]] == best_first and contacts["total"] == 3
    assert "search_rank" not in contacts["items"][0]

    # One by one with the rank in the cursor, forward then back.
    seen, cursor, page = [], None, None
    for _ in best_first:
        params = {"q": stem, "sort": "relevance", "limit": 1, **({"cursor": cursor} if cursor else {})}
        page = client.get(
            f"{API}/contacts", params=params, headers=env.headers("alpha", "coordinator")
        ).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next"]
    assert seen == best_first and cursor is None
    back = client.get(
        f"{API}/contacts",
        params={"q": stem, "sort": "relevance", "limit": 2, "cursor": page["previous"]},
        headers=env.headers("alpha", "coordinator"),
    ).json()
    assert [item["id"] for item in back["items"]] == best_first[:2]


def test_renaming_reindexes_the_record_and_an_organizations_contacts(client, env):
    old, new, person_old, person_new = tag(), tag(), tag(), tag()
    h = env.headers("alpha", "coordinator")
    org = create(client, env, "organizations", {"name": f"Kestrel {old}", "sector": "academia"})
    person = create(
        client, env, "contacts", {"first_name": person_old, "last_name": "Ruiz", "organization": org["id"]}
    )
    assert found(client, env, "contacts", old) == [person["id"]]

    renamed = client.patch(
        f"{API}/organizations/{org['id']}", json={"version": 1, "name": f"Osprey {new}"}, headers=h
    )
    assert renamed.status_code == 200, renamed.text
    assert found(client, env, "contacts", new) == [person["id"]]
    assert found(client, env, "contacts", old) == [] and found(client, env, "organizations", old) == []

    changed = client.patch(
        f"{API}/contacts/{person['id']}", json={"version": 1, "first_name": person_new}, headers=h
    )
    assert changed.status_code == 200, changed.text
    assert found(client, env, "contacts", person_new) == [person["id"]]
    assert found(client, env, "contacts", person_old) == []


def test_the_plan_reads_the_full_text_index_for_a_three_letter_term(client, env, backend):
    async def plan() -> str:
        query = Contact.count().where(term_clause(Contact, "abc"))
        (querystring,) = query.querystrings
        engine = Contact._meta.db
        if backend == "sqlite":
            rows = await engine.run_querystring(QueryString("EXPLAIN QUERY PLAN {}", querystring))
            return "\n".join(row["detail"] for row in rows)
        async with engine.transaction():
            # A test tenant's few rows are read faster without an index: ask for the plan a large
            # table gets.
            await engine.run_querystring(QueryString("SET LOCAL enable_seqscan = off"))
            rows = await engine.run_querystring(QueryString("EXPLAIN {}", querystring))
            repeated = await plan_of_a_repeated_search(engine)
        return "\n".join(row["QUERY PLAN"] for row in rows) + "\n" + repeated

    found_plan = env.run(client, "alpha", plan)
    if backend == "sqlite":
        assert "crm_contact_fts VIRTUAL TABLE INDEX 0:M" in found_plan, found_plan
    else:
        assert "Bitmap Index Scan on crm_contact_search_trgm" in found_plan, found_plan
        # The word, not ``$1``: a plan made without it cannot tell a rare word from a common one.
        assert "'%zqxjv%'" in found_plan and "$1" not in found_plan, found_plan


async def plan_of_a_repeated_search(engine: Any) -> str:
    """PostgreSQL's plan for a list search prepared once and run seven times, then for a new word.
    asyncpg prepares every statement, and PostgreSQL may plan one that ran five times without its
    values; the tenant's connections have it plan every run for the run's word."""
    await engine.run_querystring(
        QueryString(
            "PREPARE listed(text) AS SELECT id FROM crm_contact WHERE search_text LIKE $1"
            " ORDER BY last_name, id LIMIT 51"
        )
    )
    for word in ("%ana%", "%jose%", "%lopez%", "%maria%", "%zqx%", "%ana%", "%ruiz%"):
        # EXECUTE takes no bound values: the words are this test's own literals.
        await engine.run_querystring(QueryString(f"EXECUTE listed('{word}')"))
    rows = await engine.run_querystring(QueryString("EXPLAIN EXECUTE listed('%zqxjv%')"))
    await engine.run_querystring(QueryString("DEALLOCATE listed"))
    return "\n".join(row["QUERY PLAN"] for row in rows)
