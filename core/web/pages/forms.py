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
from core.i18n.translator import Translator

INPUT_TYPES = {
    "email": "email",
    "url": "url",
    "date": "date",
    "integer": "number",
    "datetime": "datetime-local",
}
LIST_KINDS = {"emails", "phones"}  # typed one per line
MULTI_KINDS = {"multichoice", "topics", "references"}


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
        if self.kind in MULTI_KINDS:
            return "checkboxes" if len(self.choices) <= 12 else "multiselect"
        if self.kind in ("choice", "reference", "locale") or self.choices:
            return "select"
        if self.kind in ("textarea", *LIST_KINDS):
            return "textarea"
        return "input"

    @property
    def selected(self) -> set[str]:
        values = self.value if isinstance(self.value, list) else [self.value]
        return {str(v) for v in values if v not in (None, "")}


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


def field_views(
    form: FormDefinition,
    t: Translator,
    values: dict[str, Any],
    errors: dict[str, list[Message]],
    options: dict[str, list[tuple[str, str]]],
    timezone: str,
) -> list[FieldView]:
    """One view per field: translated label/help/choices, the value to show, the field's errors."""
    views = []
    for spec in form.fields:
        if spec.kind == "locale":
            choices = options.get("locale", [])
        elif spec.choices:
            choices = [(c.value, t.gettext(c.label)) for c in spec.choices]
        else:
            choices = options.get(spec.name, [])
        views.append(
            FieldView(
                name=spec.name,
                kind=spec.kind,
                label=t.gettext(spec.label),
                help=t.gettext(spec.help) if spec.help else "",
                required=spec.required,
                value=_display_value(spec, values.get(spec.name), timezone),
                errors=field_messages(t, errors, spec.name),
                choices=choices,
                max_length=spec.max_length,
                source=spec.source,
            )
        )
    return views


def field_messages(t: Translator, errors: dict[str, list[Message]], name: str) -> list[str]:
    """The messages of one field ("" for the whole form), in the page's language."""
    return [t.message(m) for m in errors.get(name, [])]


def parse_submission(form: FormDefinition, data: Any, timezone: str) -> dict[str, Any]:
    """HTML form data → the service's input. Every field of the form is sent (so an edit is complete);
    ``datetime-local`` values are read in the form's time zone field, else ``timezone``."""
    result: dict[str, Any] = {}
    tz_name = (data.get("timezone") or timezone) if hasattr(data, "get") else timezone
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
