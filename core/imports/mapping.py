"""Which column of a file fills which field: suggested from the headers, in any of the tenant's
languages (core's fields and the plugins' alike, with the words people commonly head such columns
with), and saved under a name to reuse with the next file of the same shape.

A mapping is ``{column index: field name}``; ``ID_FIELD`` is the record id (a file exported from
this product carries it, and an import then updates those records). Saved mappings key fields by the
*normalized header text*, so they still fit when the columns come in another order.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

from core.duplicates.rules import normalize
from core.errors import Message, ValidationFailed
from core.forms.definitions import FormDefinition
from core.forms.fields import FieldSpec
from core.i18n.markers import N_
from core.i18n.translator import Translator
from core.imports.tables import ImportMapping

ID_FIELD = "id"
ID_LABEL = N_("ID")
# Words people head columns with besides the form's own labels (translated like any message).
ALIASES: dict[str, tuple[str, ...]] = {
    "first_name": (N_("Given name"), N_("Forename")),
    "last_name": (N_("Surname"), N_("Family name")),
    "emails": (N_("Email"), N_("Email address"), N_("E-mail")),
    "phones": (N_("Phone"), N_("Telephone"), N_("Mobile")),
    "organization": (N_("Institution"), N_("Employer")),
    "position": (N_("Job title"),),
    "name": (N_("Organization name"),),
    "website": (N_("Web site"), N_("URL")),
    "status": (N_("Attendance"),),
}
# How alike a header and a label must be (difflib's ratio) to be suggested: plural and singular,
# or a missing accent, match; two different fields do not.
CUTOFF = 0.82
MAX_SAVED = 100


def field_names(form: FormDefinition) -> list[str]:
    """The targets a column can have: the record id, then the form's fields in order."""
    return [ID_FIELD, *(f.name for f in form.fields)]


def _labels(form: FormDefinition, translators: Sequence[Translator]) -> dict[str, str]:
    """Normalized label → field, in every language (plugin fields carry their own translations)."""
    found: dict[str, str] = {}
    candidates: list[tuple[str, str]] = [(ID_FIELD, ID_LABEL)]
    for spec in form.fields:
        candidates.append((spec.name, spec.label))
        candidates.extend((spec.name, alias) for alias in ALIASES.get(spec.name, ()))
    for name, msgid in candidates:
        found.setdefault(normalize(name.replace("_", " ")), name)
        found.setdefault(normalize(msgid), name)
        for t in translators:
            found.setdefault(normalize(t.gettext(msgid)), name)
    return found


def suggest(
    headers: Sequence[str], form: FormDefinition, translators: Sequence[Translator]
) -> dict[int, str]:
    """A field for each header that names one (exactly, or nearly), each field at most once."""
    labels = _labels(form, translators)
    taken: set[str] = set()
    mapping: dict[int, str] = {}
    for index, header in enumerate(headers):
        key = normalize(header)
        if not key:
            continue
        name = labels.get(key)
        if name is None:
            close = difflib.get_close_matches(key, labels.keys(), n=1, cutoff=CUTOFF)
            name = labels[close[0]] if close else None
        if name is not None and name not in taken:
            mapping[index] = name
            taken.add(name)
    return mapping


def suggest_columns(
    headers: Sequence[str], fields: Sequence[FieldSpec], translators: Sequence[Translator]
) -> dict[int, str]:
    """:func:`suggest` for columns that fill ``fields`` outside a record form (a plugin's own import)."""
    return suggest(headers, FormDefinition("columns", tuple(fields)), translators)


def check(mapping: dict[int, str], headers: Sequence[str], form: FormDefinition) -> dict[int, str]:
    """``mapping`` if every column index exists and every field is known and used once; else a
    400 naming the column."""
    known = set(field_names(form))
    seen: dict[str, int] = {}
    errors: dict[str, list[Message]] = {}
    for index, name in sorted(mapping.items()):
        column = f"column_{index}"
        if not 0 <= index < len(headers):
            errors[column] = [Message(N_("This column is not in the file."))]
        elif name not in known:
            errors[column] = [Message(N_("Unknown field."))]
        elif name in seen:
            errors[column] = [Message(N_("Two columns fill the same field."))]
        seen.setdefault(name, index)
    if errors:
        raise ValidationFailed(errors)
    return mapping


def from_saved(columns: dict[str, str], headers: Sequence[str]) -> dict[int, str]:
    """A saved mapping applied to this file's headers."""
    return {i: columns[normalize(h)] for i, h in enumerate(headers) if normalize(h) in columns}


def to_saved(mapping: dict[int, str], headers: Sequence[str]) -> dict[str, str]:
    return {normalize(headers[i]): name for i, name in mapping.items() if normalize(headers[i])}


async def saved_mappings(entity: str) -> list[dict[str, Any]]:
    return (
        await ImportMapping.select(ImportMapping.id, ImportMapping.name, ImportMapping.columns)
        .where(ImportMapping.entity == entity)
        .order_by(ImportMapping.name)
        .limit(MAX_SAVED)
        .run()
    )


async def saved_mapping(entity: str, name: str) -> dict[str, str] | None:
    row = (
        await ImportMapping.select(ImportMapping.columns)
        .where((ImportMapping.entity == entity) & (ImportMapping.name == name))
        .first()
        .run()
    )
    if row is None:
        return None
    from core.records.service import load_json

    return load_json(row["columns"], {})


async def save_mapping(entity: str, name: str, columns: dict[str, str], user_id: int | None) -> None:
    """Save (or replace) the mapping called ``name``."""
    name = name.strip()
    if not name or len(name) > 120:
        raise ValidationFailed({"mapping_name": [Message(N_("Enter a name of 1 to 120 characters."))]})
    async with ImportMapping._meta.db.transaction():
        await (
            ImportMapping.delete()
            .where((ImportMapping.entity == entity) & (ImportMapping.name == name))
            .run()
        )
        await ImportMapping.insert(
            ImportMapping(entity=entity, name=name, columns=columns, created_by=user_id)
        ).run()
