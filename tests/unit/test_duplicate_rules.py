"""Duplicate rules as pure functions: normalization, scoring a pair (table-driven, with the defaults
and with a tenant's own weights), blocking that finds exactly the pairs a full comparison finds."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.duplicates.rules import (
    DuplicateRules,
    candidates,
    contact_blocks,
    contact_keys,
    normalize,
    organization_blocks,
    organization_keys,
    pairs,
    score_contact,
    score_organization,
)

DEFAULT = DuplicateRules()


def person(first="Ana", last="Pérez", org=None, emails=(), phones=(), id=0):
    return contact_keys(
        {
            "id": id,
            "first_name": first,
            "last_name": last,
            "organization": org,
            "emails": list(emails),
            "phones": list(phones),
        }
    )


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("  José  PÉREZ-Díaz ", "jose perez diaz"),
        ("MARÍA\tde la Luz", "maria de la luz"),
        ("Straße", "strasse"),
        ("O'Brien", "o brien"),
        ("", ""),
        (None, ""),
    ],
)
def test_names_are_normalized(text, normalized):
    assert normalize(text) == normalized


@pytest.mark.parametrize(
    ("a", "b", "score", "rules"),
    [
        (
            person(emails=["Ana@Mail.org"]),
            person(first="X", last="Y", emails=["ana@mail.org"]),
            10,
            ("email",),
        ),
        (
            person(phones=["+525512345678"]),
            person(first="X", last="Y", phones=["+525512345678"]),
            10,
            ("phone",),
        ),
        (person(org=3), person(first="ANA", last="perez", org=3), 10, ("name_organization",)),
        (person(org=3), person(first="Ana", last="Pérez", org=4), 5, ("name",)),
        (person(), person(), 5, ("name",)),
        (
            person(org=1, emails=["a@x.org"], phones=["+5215512345678"]),
            person(org=1, emails=["a@x.org"], phones=["+5215512345678"]),
            30,
            ("email", "phone", "name_organization"),
        ),
        (person(emails=["a@x.org"]), person(first="Ana", last="Perez Soto", emails=["b@x.org"]), 0, ()),
        (person(first="", last=""), person(first="", last=""), 0, ()),
    ],
)
def test_contact_scores(a, b, score, rules):
    assert score_contact(DEFAULT, a, b) == (score, rules)
    assert score_contact(DEFAULT, b, a) == (score, rules)


def test_a_tenant_s_weights_and_threshold_decide():
    rules = DuplicateRules(weights={"email": 3, "phone": 0, "name_organization": 7, "name": 10}, threshold=8)
    a, b = person(emails=["a@x.org"], phones=["+1"]), person(first="Z", emails=["a@x.org"], phones=["+1"])
    assert score_contact(rules, a, b) == (3, ("email", "phone"))
    assert candidates(a, [b], rules, score_contact) == []
    assert [m.score for m in candidates(person(id=1), [person(id=2)], rules, score_contact)] == [10]


@pytest.mark.parametrize(
    ("a", "b", "score", "rules"),
    [
        (
            {"name": "Ministerio de Justicia", "country": "MEX"},
            {"name": "MINISTERIO  DE JUSTICIA", "country": "MEX"},
            10,
            ("organization_name",),
        ),
        (
            {"name": "Ministerio de Justicia", "country": "MEX"},
            {"name": "Ministerio de Justicia", "country": "AGO"},
            0,
            (),
        ),
        (
            {"name": "Red A", "acronym": "R.A.", "country": "MEX"},
            {"name": "Red B", "acronym": "ra", "country": "MEX"},
            5,
            ("organization_acronym",),
        ),
        (
            {"name": "Fundación Paz", "acronym": "FP", "country": "MEX"},
            {"name": "Fundacion Paz", "acronym": "FP", "country": "MEX"},
            15,
            ("organization_name", "organization_acronym"),
        ),
    ],
)
def test_organization_scores(a, b, score, rules):
    assert score_organization(DEFAULT, organization_keys(a), organization_keys(b)) == (score, rules)


NAMES = st.sampled_from(["Ana", "ANA", "Ána", "Luis", "Bea"])
EMAILS = st.lists(st.sampled_from(["a@x.org", "A@X.org", "b@x.org", "c@x.org"]), max_size=2)
PHONES = st.lists(st.sampled_from(["+525511111111", "+525522222222"]), max_size=1)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(NAMES, NAMES, st.sampled_from([None, 1, 2]), EMAILS, PHONES), min_size=0, max_size=12)
)
def test_blocking_finds_exactly_the_pairs_a_full_comparison_finds(rows):
    keys = [
        person(first, last, org, emails, phones, id=i + 1)
        for i, (first, last, org, emails, phones) in enumerate(rows)
    ]
    full = set()
    for a, b in itertools.combinations(keys, 2):
        score, matched = score_contact(DEFAULT, a, b)
        if score >= DEFAULT.threshold:
            full.add((a.id, b.id, score, matched))
    found = {
        (m.first, m.second, m.score, m.rules) for m in pairs(keys, DEFAULT, contact_blocks, score_contact)
    }
    assert found == full


def test_organization_blocks_keep_countries_apart():
    keys = [
        organization_keys({"id": i, "name": "Red Paz", "country": c})
        for i, c in ((1, "MEX"), (2, "AGO"), (3, "MEX"))
    ]
    assert [(m.first, m.second) for m in pairs(keys, DEFAULT, organization_blocks, score_organization)] == [
        (1, 3)
    ]
