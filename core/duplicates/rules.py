"""Duplicate rules, as CiviCRM has them: each rule that matches adds its weight, and a pair whose
total reaches the threshold is a likely duplicate. Pure functions over plain records, so that the
duplicates page and an import score candidates the same way.

Values are compared normalized (case, accents, punctuation and spacing folded; phones in E.164 as
contacts store them), and candidates are found by *blocking keys* (an email, a phone, a normalized
name): only records sharing a key are ever scored, never every pair of a tenant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from core.i18n.markers import N_
from core.records.search import fold

# Rule names, as the tenant declaration's ``[duplicates]`` table and the pages name them.
CONTACT_RULES = ("email", "phone", "name_organization", "name")
ORGANIZATION_RULES = ("organization_name", "organization_acronym")
# CiviCRM's defaults: an email, a phone or a name at the same organization alone are enough; a bare
# name is half the evidence.
DEFAULT_WEIGHTS = {
    "email": 10,
    "phone": 10,
    "name_organization": 10,
    "name": 5,
    "organization_name": 10,
    "organization_acronym": 5,
}
DEFAULT_THRESHOLD = 10
# What each rule's match is called on the duplicates page and in an import's dry run; an import
# also matches a line to the record its ID column names.
RULE_LABELS = {
    "id": N_("Same ID"),
    "email": N_("Same email address"),
    "phone": N_("Same phone number"),
    "name_organization": N_("Same name and organization"),
    "name": N_("Same name"),
    "organization_name": N_("Same name"),
    "organization_acronym": N_("Same acronym"),
}
# A block larger than this (a shared generic mailbox, say) is not scored pair by pair: it says
# nothing about any two of its records and would be quadratic in its size.
MAX_BLOCK = 50

_NOT_WORD = re.compile(r"[^\w]+")


@dataclass(frozen=True, slots=True)
class DuplicateRules:
    weights: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS), hash=False)
    threshold: int = DEFAULT_THRESHOLD


def normalize(text: Any) -> str:
    """Case, accents, punctuation and spacing folded: ``" José  PÉREZ-Díaz "`` → ``"jose perez diaz"``."""
    if not text:
        return ""
    return " ".join(_NOT_WORD.sub(" ", fold(str(text))).replace("_", " ").split())


def _strings(values: Any) -> list[str]:
    return [v for v in values or [] if isinstance(v, str) and v]


@dataclass(frozen=True, slots=True)
class Match:
    """Two records, their score, and the rules that matched (in rule order)."""

    first: int
    second: int
    score: int
    rules: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ContactKeys:
    id: int
    name: str
    organization: int | None
    emails: frozenset[str]
    phones: frozenset[str]


def contact_keys(record: dict[str, Any]) -> ContactKeys:
    """The comparable parts of a contact (``emails`` and ``phones`` as lists; phones in E.164)."""
    return ContactKeys(
        id=record.get("id") or 0,
        name=normalize(f"{record.get('first_name') or ''} {record.get('last_name') or ''}"),
        organization=record.get("organization"),
        emails=frozenset(e.strip().casefold() for e in _strings(record.get("emails"))),
        phones=frozenset(p.strip() for p in _strings(record.get("phones"))),
    )


def contact_blocks(keys: ContactKeys) -> Iterator[tuple[str, str]]:
    for email in keys.emails:
        yield "email", email
    for phone in keys.phones:
        yield "phone", phone
    if keys.name:
        yield "name", keys.name


def score_contact(rules: DuplicateRules, a: ContactKeys, b: ContactKeys) -> tuple[int, tuple[str, ...]]:
    """The score of a pair of contacts and the rules that matched."""
    matched = []
    if a.emails & b.emails:
        matched.append("email")
    if a.phones & b.phones:
        matched.append("phone")
    if a.name and a.name == b.name:
        same_org = a.organization is not None and a.organization == b.organization
        matched.append("name_organization" if same_org else "name")
    return sum(rules.weights.get(r, 0) for r in matched), tuple(matched)


@dataclass(frozen=True, slots=True)
class OrganizationKeys:
    id: int
    name: str
    acronym: str
    country: str


def organization_keys(record: dict[str, Any]) -> OrganizationKeys:
    return OrganizationKeys(
        id=record.get("id") or 0,
        name=normalize(record.get("name")),
        acronym=normalize(record.get("acronym")).replace(" ", ""),
        country=str(record.get("country") or "").upper(),
    )


def organization_blocks(keys: OrganizationKeys) -> Iterator[tuple[str, str]]:
    if keys.name:
        yield "name", f"{keys.country}:{keys.name}"
    if keys.acronym:
        yield "acronym", f"{keys.country}:{keys.acronym}"


def score_organization(
    rules: DuplicateRules, a: OrganizationKeys, b: OrganizationKeys
) -> tuple[int, tuple[str, ...]]:
    """Organizations match on their normalized name, or acronym, in the same country (two
    ministries of justice of different countries are no duplicates)."""
    if a.country != b.country:
        return 0, ()
    matched = []
    if a.name and a.name == b.name:
        matched.append("organization_name")
    if a.acronym and a.acronym == b.acronym:
        matched.append("organization_acronym")
    return sum(rules.weights.get(r, 0) for r in matched), tuple(matched)


def candidates(record: Any, existing: Iterable[Any], rules: DuplicateRules, score: Any) -> list[Match]:
    """``existing`` records (keys) that ``record`` (keys) likely duplicates, best first: what an
    import asks of every row, against the database's candidates and the file's earlier rows."""
    found = []
    for other in existing:
        if other.id == record.id and record.id:
            continue
        total, matched = score(rules, record, other)
        if total >= rules.threshold:
            found.append(Match(record.id, other.id, total, matched))
    return sorted(found, key=lambda m: (-m.score, m.second))


def pairs(keys: list[Any], rules: DuplicateRules, blocks: Any, score: Any) -> list[Match]:
    """Every likely duplicate pair among ``keys``, scoring only records that share a blocking key,
    best first."""
    index: dict[tuple[str, str], list[Any]] = {}
    for k in keys:
        for block in set(blocks(k)):
            index.setdefault(block, []).append(k)
    seen: set[tuple[int, int]] = set()
    found = []
    for members in index.values():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pair = (min(a.id, b.id), max(a.id, b.id))
                if pair in seen:
                    continue
                seen.add(pair)
                total, matched = score(rules, a, b)
                if total >= rules.threshold:
                    found.append(Match(pair[0], pair[1], total, matched))
    return sorted(found, key=lambda m: (-m.score, m.first, m.second))
