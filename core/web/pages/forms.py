"""Forms on pages are built from the same definitions the API validates with: this module turns a
form definition into what the template macro renders, and an HTML submission back into the dict the
services expect. Validation itself stays in the services (one set of rules for API and pages)."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.errors import Message
from core.forms.definitions import FormDefinition
from core.forms.fields import FieldSpec
from core.forms.picking import SIDE_OF_FIELD
from core.forms.zones import is_zone, zone_groups
from core.i18n.markers import N_
from core.i18n.translator import Translator
from core.tenancy.context import require_tenant

INPUT_TYPES = {
    "email": "email",
    "url": "url",
    "date": "date",
    "integer": "number",
    "datetime": "datetime-local",
}
LIST_KINDS = {"emails", "phones"}  # typed one per line
MULTI_KINDS = {"multichoice", "topics", "references"}
# The records a searchable picker offers, by what a reference field points to (``core.web.pages.pick``).
PICKERS = {"contact": "contacts", "organization": "organizations", "member": "members"}
# What a field of several values says it takes, next to its checkboxes or its picker.
CHECKBOXES_HINT = N_("Tick all that apply.")
TOKENS_HINT = N_("Type a name and choose it from the list; choose as many as apply.")


@dataclass(slots=True)
class FieldView:
    name: str
    kind: str
    label: str
    help: str
    required: bool
    value: Any
    errors: list[str]
    choices: list[tuple[str, str]] = field(default_factory=list)
    max_length: int | None = None
    source: str = "core"
    readonly: bool = False
    # A reference field's picker: where it searches, and what it adds to each search (``picker``,
    # the picker's own id, is always sent).
    picker: str = ""
    picker_params: dict[str, Any] = field(default_factory=dict)
    # Translated words of the widget: its visible hint, a token's "Remove".
    texts: dict[str, str] = field(default_factory=dict)
    # A time zone's choices, by region: (region label, [(zone, label), …]).
    groups: list[tuple[str, list[tuple[str, str]]]] = field(default_factory=list)
    # The control's id when ``f-<name>`` is not unique on its page (a field on each row of a table).
    dom_id: str = ""

    @property
    def fid(self) -> str:
        return self.dom_id or "f-" + self.name

    @property
    def input_type(self) -> str:
        return INPUT_TYPES.get(self.kind, "text")

    @property
    def multiple(self) -> bool:
        return self.kind in MULTI_KINDS

    @property
    def widget(self) -> str:
        if self.kind == "boolean":
            return "checkbox"
        if self.kind == "timezone":
            return "timezone"
        if self.kind in MULTI_KINDS:
            return "tokens" if self.picker else "checkboxes"
        if self.picker:
            return "picker"
        if self.kind in ("choice", "reference", "locale") or self.choices:
            return "select"
        if self.kind in ("textarea", *LIST_KINDS):
            return "textarea"
        return "input"

    @property
    def selected(self) -> set[str]:
        values = self.value if isinstance(self.value, list) else [self.value]
        return {str(v) for v in values if v not in (None, "")}

    @property
    def selected_label(self) -> str:
        """The label of a single choice made (what a picker's search box shows)."""
        return next((label for value, label in self.choices if value in self.selected), "")

    @property
    def picker_query(self) -> dict[str, Any]:
        return {"picker": self.fid, **self.picker_params}


def _display_value(spec: FieldSpec, value: Any, timezone: str) -> Any:
    """A stored value as the widget shows it."""
    if value is None:
        return [] if spec.kind in MULTI_KINDS else ""
    if spec.kind in LIST_KINDS and isinstance(value, list):
        return "\n".join(value)
    if spec.kind == "datetime" and isinstance(value, datetime):
        return value.astimezone(zoneinfo.ZoneInfo(timezone)).strftime("%Y-%m-%dT%H:%M")
    if spec.kind == "datetime" and isinstance(value, str) and "T" in value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        if parsed.tzinfo is not None:
            return parsed.astimezone(zoneinfo.ZoneInfo(timezone)).strftime("%Y-%m-%dT%H:%M")
        return value[:16]
    if spec.kind == "date":
        return str(value)[:10]
    return value


def picker_address(references: str) -> str:
    """Where the picker of a reference to ``references`` (``contact``, ``organization``, ``member``)
    searches, in the tenant in context."""
    return f"/t/{require_tenant().slug}/pick/{PICKERS[references]}"


def _picker(spec: FieldSpec) -> tuple[str, dict[str, Any]]:
    """A reference field's picker (its search address and fixed parameters), or ("", {})."""
    if spec.kind not in ("reference", "references") or spec.references not in PICKERS:
        return "", {}
    side = SIDE_OF_FIELD.get(spec.name) if spec.references == "organization" else None
    return picker_address(spec.references), {"side": side} if side else {}


def _zone_groups(t: Translator, current: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The zones a time zone field offers; a stored zone the list leaves out (a legacy alias) too."""
    groups = [(t.gettext(region), list(zones)) for region, zones in zone_groups(t.locale)]
    if is_zone(current) and not any(current == zone for _, zones in groups for zone, _ in zones):
        groups.insert(0, (t.gettext(N_("Time zone saved with this record")), [(current, current)]))
    return groups


def field_views(
    form: FormDefinition,
    t: Translator,
    values: dict[str, Any],
    errors: dict[str, list[Message]],
    options: dict[str, list[tuple[str, str]]],
    timezone: str,
    picker_params: dict[str, dict[str, Any]] | None = None,
) -> list[FieldView]:
    """One view per field: translated label/help/choices, the value to show, the field's errors.
    A time zone left blank shows ``timezone``; ``picker_params`` narrows a picker's searches
    (``{"contact": {"meeting": 4}}``)."""
    views = []
    for spec in form.fields:
        if spec.kind == "locale":
            choices = options.get("locale", [])
        elif spec.choices:
            choices = [(c.value, t.gettext(c.label)) for c in spec.choices]
        else:
            choices = options.get(spec.name, [])
        value = _display_value(spec, values.get(spec.name), timezone)
        picker, params = _picker(spec)
        view = FieldView(
            name=spec.name,
            kind=spec.kind,
            label=t.gettext(spec.label),
            help=t.gettext(spec.help) if spec.help else "",
            required=spec.required,
            value=value,
            errors=field_messages(t, errors, spec.name),
            choices=choices,
            max_length=spec.max_length,
            source=spec.source,
            picker=picker,
            picker_params={**params, **(picker_params or {}).get(spec.name, {})},
        )
        if spec.kind == "timezone":
            view.value = value or timezone
            view.groups = _zone_groups(t, view.value)
        if spec.kind in MULTI_KINDS:
            view.texts = {
                "hint": t.gettext(TOKENS_HINT if picker else CHECKBOXES_HINT),
                "checkboxes_hint": t.gettext(CHECKBOXES_HINT),
                "remove": t.gettext("Remove"),
            }
        views.append(view)
    return views


def form_timezone(data: Any, default: str) -> str:
    """The zone a form's ``datetime-local`` values are read in: its own time zone field when that
    names a zone, else ``default`` (a wrong zone is then the time zone field's error alone)."""
    name = str(data.get("timezone") or "").strip() if hasattr(data, "get") else ""
    return name if is_zone(name) else default


def field_messages(t: Translator, errors: dict[str, list[Message]], name: str) -> list[str]:
    """The messages of one field ("" for the whole form), in the page's language."""
    return [t.message(m) for m in errors.get(name, [])]


def parse_submission(form: FormDefinition, data: Any, timezone: str) -> dict[str, Any]:
    """HTML form data → the service's input. Every field of the form is sent (so an edit is complete);
    ``datetime-local`` values are read in the form's time zone field, else ``timezone``."""
    result: dict[str, Any] = {}
    tz_name = form_timezone(data, timezone)
    for spec in form.fields:
        if spec.kind in MULTI_KINDS:
            result[spec.name] = [v for v in data.getall(spec.name, []) if v != ""]
        elif spec.kind == "boolean":
            result[spec.name] = data.get(spec.name) in ("on", "true", "1")
        elif spec.kind in LIST_KINDS:
            raw = data.get(spec.name) or ""
            result[spec.name] = [line.strip() for line in raw.replace(",", "\n").splitlines() if line.strip()]
        elif spec.kind == "datetime":
            raw = (data.get(spec.name) or "").strip()
            result[spec.name] = _aware(raw, tz_name)
        else:
            result[spec.name] = data.get(spec.name, "")
    return result


def _aware(raw: str, tz_name: str) -> str:
    """``2025-03-14T09:30`` typed in ``tz_name`` → ISO 8601 with its offset (left as typed when
    unreadable, so the service reports the error on the field)."""
    if not raw:
        return ""
    try:
        local = datetime.fromisoformat(raw)
        zone = zoneinfo.ZoneInfo(tz_name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return raw
    return (local if local.tzinfo else local.replace(tzinfo=zone)).isoformat()


def numbered(data: Any, prefix: str) -> dict[int, str]:
    """A form's fields named ``<prefix><id>`` (one per row of a table: an attendee, a participant, a
    question), by id; names whose id is not a plain number are left out."""
    found = {}
    for name in data:
        number = name.removeprefix(prefix)
        if name.startswith(prefix) and number.isascii() and number.isdigit() and len(number) < 10:
            found[int(number)] = str(data.get(name) or "")
    return found
