"""A contact's search text holds its organization's name (``search_parts``), so a renamed
organization must rewrite the search text of its contacts, in the renaming's transaction: a search
for the new name finds them at once, and one for the old name no longer does."""

from __future__ import annotations

from typing import Any

from core.contacts.service import search_parts
from core.contacts.tables import Contact
from core.records.search import search_text
from core.records.service import load_json

# Contacts rewritten by one statement (two values each, well under both backends' limits).
REWRITE_CHUNK = 200


def _text(row: dict[str, Any], organization_name: str | None) -> str:
    extra = load_json(row["extra"], {})
    return search_text(*search_parts({**row, "organization_name": organization_name}), *extra.values())


async def refresh_organization_contacts(organization_id: int, name: str | None) -> int:
    """Rewrite the search text of the organization's contacts for its new ``name`` (erased contacts
    keep their emptied one); how many were rewritten. Runs in the caller's transaction."""
    rows = (
        await Contact.select(
            Contact.id, Contact.first_name, Contact.last_name, Contact.position, Contact.emails, Contact.extra
        )
        .where((Contact.organization == organization_id) & Contact.erased_at.is_null())
        .order_by(Contact.id)
        .run()
    )
    for start in range(0, len(rows), REWRITE_CHUNK):
        chunk = rows[start : start + REWRITE_CHUNK]
        cases = " ".join("WHEN {} THEN {}" for _ in chunk)
        ids = ", ".join("{}" for _ in chunk)
        values = [value for row in chunk for value in (row["id"], _text(row, name))]
        await Contact.raw(
            f"UPDATE crm_contact SET search_text = CASE id {cases} END WHERE id IN ({ids})",  # noqa: S608
            *values,
            *(row["id"] for row in chunk),
        ).run()
    return len(rows)
