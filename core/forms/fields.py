"""Field specifications and the per-type cleaning of submitted values."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import phonenumbers
import pycountry

from core.errors import Message
from core.forms.zones import is_zone
from core.i18n.markers import N_

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL_RE = re.compile(r"^https?://[^\s/$.?#].[^\s]*$", re.IGNORECASE)

KINDS = (
    "text",
    "textarea",
    "email",
    "emails",
    "phones",
    "choice",
    "multichoice",
    "date",
    "datetime",
    "boolean",
    "integer",
    "url",
    "country",
    "locale",
    "timezone",
    "topics",
    "reference",
    "references",
)


class FieldInvalid(Exception):
    def __init__(self, msgid: str, **params: Any) -> None:
        self.message = Message(msgid, params)


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str  # msgid


# The limit of a text field that declares none.
DEFAULT_MAX_LENGTH = {"text": 1000, "url": 2000, "textarea": 100_000}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One form field. ``label``/``help``/choice labels are English msgids translated per request.

    ``validator`` may raise :class:`FieldInvalid` for rules a type cannot express (a registry number's
    check digit, say); ``normalize`` tidies text before it is checked (``str.upper``).
    ``references`` names the entity a ``reference(s)`` field points to.
    """

    name: str
    kind: str
    label: str
    help: str = ""
    required: bool = False
    choices: tuple[Choice, ...] = ()
    max_length: int | None = None
    pattern: str | None = None
    pattern_message: str = N_("Enter a value in the expected format.")
    references: str | None = None
    # How many values a list field takes: a bound on the work one submission can ask for.
    max_items: int = 200
    validator: Callable[[Any], None] | None = field(default=None, compare=False)
    # Applied to text before the pattern is checked, e.g. ``str.upper`` for tax identifiers.
    normalize: Callable[[str], str] | None = field(default=None, compare=False)
    source: str = "core"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown field kind {self.kind!r} for {self.name!r}")
        if self.max_length is None and self.kind in DEFAULT_MAX_LENGTH:
            # Every text has a limit the server checks (a field error naming it, never a cut).
            object.__setattr__(self, "max_length", DEFAULT_MAX_LENGTH[self.kind])

    @property
    def multiple(self) -> bool:
        return self.kind in ("emails", "phones", "multichoice", "topics", "references")

    @property
    def empty(self) -> Any:
        """The stored value of a field left blank."""
        if self.multiple:
            return []
        if self.kind == "boolean":
            return False
        if self.kind in ("date", "datetime", "integer", "reference"):
            return None
        return ""


# C0 controls and DEL, except tab, line feed and carriage return: never typed by a person, and NUL
# cannot be stored in a PostgreSQL text column at all.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _text(spec: FieldSpec, value: Any) -> str:
    if not isinstance(value, str):
        raise FieldInvalid(N_("Enter text."))
    if CONTROL_CHARACTERS.search(value):
        raise FieldInvalid(N_("Remove the control characters from this text."))
    value = value.strip()
    if spec.normalize is not None:
        value = spec.normalize(value)
    if spec.max_length and len(value) > spec.max_length:
        raise FieldInvalid(N_("Enter at most {max} characters."), max=spec.max_length)
    if spec.pattern and value and not re.fullmatch(spec.pattern, value):
        raise FieldInvalid(spec.pattern_message)
    return value


def _single(value: Any) -> Any:
    """A field that holds one value refuses a JSON array or object (it would otherwise reach a set
    lookup or a column as something it cannot be)."""
    if isinstance(value, list | dict | tuple):
        raise FieldInvalid(N_("Enter a single value, not a list."))
    return value


def _list(value: Any, max_items: int) -> list:
    """A list field's values: a JSON array of single values, or one comma-separated text."""
    if isinstance(value, str):
        value = [v for v in (part.strip() for part in value.split(",")) if v]
    if not isinstance(value, list):
        raise FieldInvalid(N_("Enter a list of values."))
    if len(value) > max_items:
        raise FieldInvalid(N_("Enter at most {max} values."), max=max_items)
    if any(isinstance(item, list | dict) for item in value):
        raise FieldInvalid(N_("Each value of this list must be a single value, not a list."))
    return value


def _email(value: Any) -> str:
    if not isinstance(value, str) or not EMAIL_RE.match(value.strip()) or len(value) > 254:
        raise FieldInvalid(N_("Enter a valid email address."))
    return value.strip().lower()


def _phone(value: Any, region: str | None) -> str:
    try:
        parsed = phonenumbers.parse(str(value), region)
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise FieldInvalid(N_("Enter a valid phone number in international format, e.g. +52 55 1234 5678."))
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _choice(spec: FieldSpec, value: Any) -> str:
    if value not in {c.value for c in spec.choices}:
        raise FieldInvalid(N_("Select a valid choice."))
    return value


def _date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise FieldInvalid(N_("Enter a valid date (YYYY-MM-DD).")) from None


def _datetime(value: Any) -> datetime:
    try:
        parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise FieldInvalid(
            N_("Enter a valid date and time with a time zone, e.g. 2025-03-14T09:30:00-06:00.")
        )
    return parsed


# Integer columns (ids included) are 32-bit on every backend: a larger number is the client's
# mistake, to be answered as such, not an overflow deep in the database driver.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


def in_int_range(value: int) -> bool:
    return INT_MIN <= value <= INT_MAX


def as_id(text: str) -> int:
    """The record id in a query or form value, or -1 (which matches no row) when it is not a plain
    number within the integer range."""
    if not (text.isascii() and text.isdigit()):
        return -1
    number = int(text)
    return number if in_int_range(number) else -1


def _integer(value: Any) -> int:
    # JSON true and 1.5 are not whole numbers: int() would quietly turn them into 1.
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise FieldInvalid(N_("Enter a whole number."))
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise FieldInvalid(N_("Enter a whole number.")) from None
    if not in_int_range(number):
        raise FieldInvalid(N_("This number is out of range."))
    return number


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "on", "1", "yes", "false", "off", "0", "no"):
        return value.lower() in ("true", "on", "1", "yes")
    raise FieldInvalid(N_("Enter true or false."))


def _country(value: Any) -> str:
    code = str(value).upper()
    if pycountry.countries.get(alpha_3=code) is None:
        raise FieldInvalid(N_("Enter a three-letter ISO country code, e.g. MEX."))
    return code


def clean_value(
    spec: FieldSpec, value: Any, *, region: str | None = None, locales: tuple[str, ...] = ()
) -> Any:
    """Return the cleaned value or raise FieldInvalid. Empty values have been handled by the caller.

    The value's JSON shape is checked first, for every kind alike: a single-value field refuses
    arrays and objects, a list field refuses anything but a list of single values."""
    if spec.multiple:
        items = _list(value, spec.max_items)
        result: Any = list(dict.fromkeys(_clean_item(spec, item, region) for item in items))
    else:
        result = _clean_single(spec, _single(value), region, locales)
    if spec.validator is not None:
        spec.validator(result)
    return result


def _clean_item(spec: FieldSpec, value: Any, region: str | None) -> Any:
    """One value of a list field."""
    kind = spec.kind
    if kind == "emails":
        return _email(value)
    if kind == "phones":
        return _phone(value, region)
    if kind == "multichoice":
        return _choice(spec, value)
    if kind == "references":
        return _integer(value)
    if kind == "topics":
        return _text(spec, value).upper()
    raise AssertionError(kind)  # pragma: no cover - FieldSpec.multiple lists the kinds above


def _clean_single(spec: FieldSpec, value: Any, region: str | None, locales: tuple[str, ...]) -> Any:
    kind = spec.kind
    if kind in ("text", "textarea"):
        return _text(spec, value)
    if kind == "email":
        return _email(value)
    if kind == "choice":
        return _choice(spec, value)
    if kind == "date":
        return _date(value)
    if kind == "datetime":
        return _datetime(value)
    if kind == "boolean":
        return _boolean(value)
    if kind in ("integer", "reference"):
        return _integer(value)
    if kind == "url":
        text = _text(spec, value)
        if not URL_RE.match(text):
            raise FieldInvalid(N_("Enter a valid web address starting with http:// or https://."))
        return text
    if kind == "country":
        return _country(value)
    if kind == "locale":
        if value not in locales:
            raise FieldInvalid(N_("Select a valid choice."))
        return value
    if kind == "timezone":
        if not isinstance(value, str) or not is_zone(value.strip()):
            raise FieldInvalid(N_("Enter a valid IANA time zone, e.g. America/Mexico_City."))
        return value.strip()
    raise AssertionError(kind)  # pragma: no cover - guarded by __post_init__


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or (isinstance(value, str) and not value.strip())
