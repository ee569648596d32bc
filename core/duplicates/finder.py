"""Finding likely duplicates in the tenant database: every pair (the duplicates page) and the
candidates of one record (what an import checks each row against).

Only the columns the rules compare are read, once, and pairs are formed by blocking keys
(``core.duplicates.rules.pairs``), so a tenant of many thousand contacts costs one scan and a
dictionary, not a comparison of every record with every other. Erased and archived records are
never candidates: nothing is left to merge."""

from __future__ import annotations

import functools
import operator
from typing import Any

from piccolo.columns import Text
from piccolo.query.functions import Cast

from core.contacts.tables import Contact
from core.db.textsearch import term_clause
from core.duplicates.rules import (
    ContactKeys,
    DuplicateRules,
    Match,
    candidates,
    contact_blocks,
    contact_keys,
    organization_blocks,
    organization_keys,
    pairs,
    score_contact,
    score_organization,
)
from core.organizations.tables import Organization
from core.records.search import fold
from core.records.service import load_json

CONTACT_COLUMNS = (Contact.id, Contact.first_name, Contact.last_name, Contact.organization)
ORGANIZATION_COLUMNS = (Organization.id, Organization.name, Organization.acronym, Organization.country)
# Bounds the candidates one record's lookup reads (a very common name matches many rows).
MAX_CANDIDATES = 200


def _contact(row: dict[str, Any]) -> ContactKeys:
    return contact_keys(
        {**row, "emails": load_json(row["emails"], []), "phones": load_json(row["phones"], [])}
    )


def _live_contacts() -> Any:
    return Contact.select(*CONTACT_COLUMNS, Contact.emails, Contact.phones).where(
        Contact.archived_at.is_null() & Contact.erased_at.is_null()
    )


def _live_organizations() -> Any:
    return Organization.select(*ORGANIZATION_COLUMNS).where(Organization.archived_at.is_null())


async def contact_pairs(rules: DuplicateRules) -> list[Match]:
    keys = [_contact(row) for row in await _live_contacts().run()]
    return pairs(keys, rules, contact_blocks, score_contact)


async def organization_pairs(rules: DuplicateRules) -> list[Match]:
    keys = [organization_keys(row) for row in await _live_organizations().run()]
    return pairs(keys, rules, organization_blocks, score_organization)


def _cleaned(word: str) -> str:
    return word.replace("\\", "").replace("%", "").replace("_", "")


def _like(word: str) -> str:
    return "%" + _cleaned(word) + "%"


def _holds(table: Any, word: str) -> Any:
    """Rows of ``table`` whose folded search text holds ``word``, through the full-text index when
    the word is long enough for it (``core.db.textsearch``)."""
    return term_clause(table, _cleaned(word))


def _every(clauses: list[Any]) -> Any:
    return functools.reduce(operator.and_, clauses)


async def _rows(query: Any, clauses: list[Any]) -> list[dict[str, Any]]:
    """Rows matching any of ``clauses``, each once: one query per clause, as a cast column's LIKE
    (phones, a JSON column) does not combine with the others' conditions in the ORM."""
    rows: dict[int, dict[str, Any]] = {}
    for clause in clauses:
        for row in await query().where(clause).limit(MAX_CANDIDATES).run():
            rows.setdefault(row["id"], row)
    return list(rows.values())[:MAX_CANDIDATES]


def _words(table: Any, text: str) -> Any:
    """Rows of ``table`` whose folded search text holds every word of ``text``."""
    return _every([_holds(table, word) for word in text.split()])


async def contact_candidates(record: dict[str, Any], rules: DuplicateRules) -> list[Match]:
    """Live contacts that ``record`` (a contact's fields, ``emails`` and ``phones`` as lists, phones
    in E.164) likely duplicates, best first. Rows are looked up by what can match: an email, a phone,
    or every word of the name in the folded search text."""
    keys = contact_keys(record)
    clauses: list[Any] = [_holds(Contact, fold(email)) for email in keys.emails]
    clauses += [Cast(Contact.phones, Text()).like(_like(f'"{phone}"')) for phone in keys.phones]
    if keys.name:
        clauses.append(_words(Contact, keys.name))
    rows = await _rows(_live_contacts, clauses)
    return candidates(keys, [_contact(r) for r in rows], rules, score_contact)


async def organization_candidates(record: dict[str, Any], rules: DuplicateRules) -> list[Match]:
    """Live organizations that ``record`` (name, acronym, country) likely duplicates, best first."""
    keys = organization_keys(record)
    clauses: list[Any] = []
    if keys.name:
        clauses.append(_words(Organization, keys.name))
    if keys.acronym:
        clauses.append(_holds(Organization, keys.acronym))
    rows = await _rows(_live_organizations, clauses)
    return candidates(keys, [organization_keys(r) for r in rows], rules, score_organization)


async def matching_contact(record: dict[str, Any]) -> int | None:
    """The live contact ``record`` (a contact's fields, as :func:`contact_candidates` takes them)
    most likely is, by the tenant's duplicate rules; None when it is no one known. What an import of
    people (a plugin's list of course completions) matches each line with."""
    from core.tenancy.context import require_tenant

    found = await contact_candidates(record, require_tenant().declaration.duplicates)
    return found[0].second if found else None


async def matching_organization(record: dict[str, Any]) -> int | None:
    """The live organization ``record`` (name, acronym, country) most likely is, by the tenant's
    duplicate rules; None when it is none known."""
    from core.tenancy.context import require_tenant

    found = await organization_candidates(record, require_tenant().declaration.duplicates)
    return found[0].second if found else None
