"""Spreadsheet cells as the values a form takes, in any of the tenant's languages.

People's spreadsheets say "Sí", "ONG", "México" and "Ministerio de Justicia" where the form stores
``true``, ``ngo``, ``MEX`` and an organization's id; and they hold what this product's own exports
wrote (labels in the reader's language, lists joined with "; ", references by name, formula-looking
text behind an apostrophe). ``CellValues`` turns each cell into what the form's cleaning expects
(``core.forms.fields.clean_value`` then checks it as it checks any submission), so a file exported
in Spanish re-imports in a French tenant's page and the same checks hold for a file as for a form.

Lookups (choices, yes/no, countries, languages, topics, referenced records) are built once per file,
in every locale of the tenant, so a row costs dictionary lookups, not queries.
"""

from __future__ import annotations

import gettext
import re
from datetime import date, datetime
from typing import Any

import pycountry
from babel import Locale
from babel.dates import parse_date

from core.duplicates.rules import normalize
from core.forms.fields import FieldInvalid, FieldSpec
from core.i18n.markers import N_
from core.i18n.translator import Translator
from core.records.cells import FORMULA_START
from core.records.service import load_json

YES, NO = N_("Yes"), N_("No")
TRUE_WORDS = ("true", "yes", "1", "on", "x")
FALSE_WORDS = ("false", "no", "0", "off")
LIST_SEPARATORS = re.compile(r"\s*[;\n]\s*")
# Kinds whose items never hold a comma, so "a@x.org, b@y.org" is a list too.
COMMA_LISTS = ("emails", "phones", "topics", "references")
# Reference lookups read at most this many records per entity: a bound on one import's memory.
MAX_REFERENCES = 200_000


def cell_text(cell: Any) -> str:
    """A cell as text: whole numbers without ``.0`` (a phone number or a year typed in a
    spreadsheet arrives as a float), dates in ISO 8601, and an exported cell's protective apostrophe
    before formula-looking text removed (it is data: it is stored as text and neutralized again on
    export)."""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime | date):
        return cell.isoformat()
    text = str(cell)
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def _country_names(locale: str) -> dict[str, str]:
    """Normalized country names in ``locale`` (pycountry's ISO 3166 translations) → alpha-3."""
    names: gettext.NullTranslations
    try:
        names = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale])
    except OSError:
        names = gettext.NullTranslations()
    found = {}
    for country in pycountry.countries:
        for name in (
            country.name,
            getattr(country, "official_name", ""),
            getattr(country, "common_name", ""),
        ):
            if name:
                found[normalize(names.gettext(name))] = country.alpha_3
                found[normalize(name)] = country.alpha_3
    return found


class CellValues:
    """Cell → form value for one tenant's form, in all its languages. Build with ``load``."""

    def __init__(self, translators: list[Translator], locales: tuple[str, ...]) -> None:
        self.translators = translators
        self.locales = locales
        self.booleans = {w: True for w in TRUE_WORDS} | {w: False for w in FALSE_WORDS}
        for t in translators:
            self.booleans[normalize(t.gettext(YES))] = True
            self.booleans[normalize(t.gettext(NO))] = False
        self.countries: dict[str, str] = {}
        for locale in ("en", *locales):
            self.countries.update(_country_names(locale))
        self.languages: dict[str, str] = {}
        for code in locales:
            self.languages[normalize(code)] = code
            for lang in ("en", *locales):
                self.languages[normalize(Locale.parse(code).get_display_name(lang) or code)] = code
        self.topics: dict[str, str] = {}
        # entity → normalized name (or acronym) → id; filled by ``load``.
        self.references: dict[str, dict[str, int]] = {}
        self._choices: dict[FieldSpec, dict[str, str]] = {}

    @classmethod
    async def load(cls, tenant: Any, form: Any) -> CellValues:
        locales = tenant.declaration.locales
        values = cls([tenant.translator(loc) for loc in locales], locales)
        await values._load_topics(form)
        for entity in {f.references for f in form.fields if f.references}:
            values.references[entity] = await _reference_names(entity)
        return values

    async def _load_topics(self, form: Any) -> None:
        if not any(f.kind == "topics" for f in form.fields):
            return
        from core.topics.tables import Topic

        rows = (
            await Topic.select(Topic.code, Topic.label, Topic.labels).where(Topic.archived_at.is_null()).run()
        )
        for row in rows:
            code, label = row["code"], row["label"]
            self.topics[normalize(code)] = code
            self.topics[normalize(label)] = code
            for t in self.translators:
                self.topics[normalize(t.gettext(label))] = code
            for label in load_json(row["labels"], {}).values():
                self.topics[normalize(label)] = code

    def _choice_map(self, spec: FieldSpec) -> dict[str, str]:
        found = self._choices.get(spec)
        if found is None:
            found = {}
            for choice in spec.choices:
                found[normalize(choice.value)] = choice.value
                found[normalize(choice.label)] = choice.value
                for t in self.translators:
                    found[normalize(t.gettext(choice.label))] = choice.value
            self._choices[spec] = found
        return found

    def value(self, spec: FieldSpec, cell: Any) -> Any:
        """What ``cell`` means for ``spec``, ready for ``clean_value``; raises FieldInvalid for a
        value no language of the tenant names (a choice, a country, a referenced record)."""
        if spec.multiple:
            return [self._item(spec, item) for item in self._items(spec, cell)]
        if spec.kind in ("date", "datetime") and isinstance(cell, datetime | date):
            return cell if spec.kind == "datetime" or not isinstance(cell, datetime) else cell.date()
        text = cell_text(cell).strip()
        kind = spec.kind
        if kind == "choice":
            return self._lookup(
                self._choice_map(spec), text, N_("“{value}” is not one of this field's choices.")
            )
        if kind == "boolean":
            return self._lookup(self.booleans, text, N_("Enter yes or no."))
        if kind == "country":
            if len(text) == 3 and text.isalpha():
                return text.upper()
            return self._lookup(self.countries, text, N_("“{value}” is not a country this product knows."))
        if kind == "locale":
            return self._lookup(self.languages, text, N_("“{value}” is not one of this pilot's languages."))
        if kind == "date":
            return self._date(text)
        if kind == "reference":
            return self._reference(spec, text)
        return text

    def _items(self, spec: FieldSpec, cell: Any) -> list[str]:
        text = cell_text(cell).strip()
        items = [i for i in LIST_SEPARATORS.split(text) if i]
        # One topic's name may hold commas ("Prevention, technical assistance…", as exports write it).
        whole_topic = spec.kind == "topics" and len(items) == 1 and normalize(items[0]) in self.topics
        if len(items) == 1 and spec.kind in COMMA_LISTS and not whole_topic:
            items = [i.strip() for i in items[0].split(",") if i.strip()]
        return items

    def _item(self, spec: FieldSpec, item: str) -> Any:
        if spec.kind == "multichoice":
            return self._lookup(
                self._choice_map(spec), item, N_("“{value}” is not one of this field's choices.")
            )
        if spec.kind == "topics":
            return self._lookup(self.topics, item, N_("“{value}” is not a topic of this pilot."))
        if spec.kind == "references":
            return self._reference(spec, item)
        return item

    def _reference(self, spec: FieldSpec, text: str) -> int:
        names = self.references.get(spec.references or "", {})
        return self._lookup(names, text, N_("No record named “{value}” was found."))

    def _lookup(self, table: dict[str, Any], text: str, message: str) -> Any:
        found = table.get(normalize(text))
        if found is None:
            raise FieldInvalid(message, value=text[:80])
        return found

    def _date(self, text: str) -> date:
        try:
            return date.fromisoformat(text[:10] if len(text) > 10 and text[10] in "T " else text)
        except ValueError:
            pass
        for locale in self.locales:
            try:
                return parse_date(text, locale=locale)
            except (ValueError, IndexError):
                continue
        raise FieldInvalid(N_("Enter a valid date (YYYY-MM-DD)."))


async def _reference_names(entity: str) -> dict[str, int]:
    """Normalized names (and acronyms) of an entity's live records → id. A name two records share
    is left out: the cell cannot say which one is meant, and the row is refused rather than guessed."""
    from core.meetings.tables import Meeting
    from core.organizations.tables import Organization

    if entity == "organization":
        rows = await (
            Organization.select(Organization.id, Organization.name, Organization.acronym)
            .where(Organization.archived_at.is_null())
            .limit(MAX_REFERENCES)
            .run()
        )
        pairs = [(row["name"], row["id"]) for row in rows] + [(row["acronym"], row["id"]) for row in rows]
    elif entity == "meeting":
        rows = await (
            Meeting.select(Meeting.id, Meeting.title)
            .where(Meeting.archived_at.is_null())
            .limit(MAX_REFERENCES)
            .run()
        )
        pairs = [(row["title"], row["id"]) for row in rows]
    else:
        return {}
    found: dict[str, int] = {}
    ambiguous: set[str] = set()
    for name, record_id in pairs:
        key = normalize(name)
        if not key:
            continue
        if key in found and found[key] != record_id:
            ambiguous.add(key)
        found.setdefault(key, record_id)
    for key in ambiguous:
        del found[key]
    return found
