"""Parse and validate one tenant declaration file (``tenants/<slug>.toml``).

A bad declaration must stop start-up with *one* line naming the file and the key, so every check here
raises :class:`TenantConfigError` with both.
"""

from __future__ import annotations

import re
import tomllib
import zoneinfo
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pycountry
from babel import Locale, UnknownLocaleError

from core.duplicates.rules import DEFAULT_THRESHOLD, DEFAULT_WEIGHTS, DuplicateRules

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{1,30}$")
KNOWN_KEYS = {
    "slug",
    "name",
    "country",
    "default_locale",
    "locales",
    "timezone",
    "plugins",
    "database_url",
    "hosts",
    "demo",
    "description",
    "duplicates",
    "names",
    "listed",
    "confirmations",
    "enabled",
    "moved_from",
}
# The ``[duplicates]`` table: a weight per rule and the threshold (core.duplicates.rules).
DUPLICATE_KEYS = (*DEFAULT_WEIGHTS, "threshold")
MAX_WEIGHT = 1000
# Who confirms a joint action's completion for a side (``confirmations``): any participant of that
# side (the default), or only members linked to the action's lead (government side) or to one of its
# partners (non-governmental side).
CONFIRM_BY_SIDE, CONFIRM_BY_ORGANIZATION = "side", "organization_members"
CONFIRMATION_RULES = (CONFIRM_BY_SIDE, CONFIRM_BY_ORGANIZATION)


class TenantConfigError(Exception):
    """A declaration (``key`` names the bad key) or the tenants directory (no ``key``) is unusable."""

    def __init__(self, path: Path, key: str, reason: str) -> None:
        self.path, self.key, self.reason = path, key, reason
        super().__init__(f"{path}: key '{key}': {reason}" if key else f"{path}: {reason}")


@dataclass(frozen=True, slots=True)
class TenantDeclaration:
    slug: str
    name: str
    country: str  # ISO 3166-1 alpha-3
    default_locale: str
    locales: tuple[str, ...]
    timezone: str
    plugins: tuple[str, ...]
    database_url: str
    hosts: tuple[str, ...] = ()
    demo: bool = False
    description: str = ""
    source: Path | None = None
    region: str = ""  # ISO 3166-1 alpha-2 of ``country``: the default region for phone numbers
    duplicates: DuplicateRules = field(default_factory=DuplicateRules)
    listed: bool = True  # shown on the site's root page (name, country, languages, description)
    # The name in other languages (``[names]``: locale → name); ``name`` is the default locale's.
    names: tuple[tuple[str, str], ...] = ()

    def name_in(self, locale: str) -> str:
        """The tenant's name as a reader of ``locale`` sees it: its own name in that locale (or in
        its bare language, "es" for "es-MX"), else ``name``."""
        names = dict(self.names)
        return names.get(locale) or names.get(locale.split("-")[0].split("_")[0]) or self.name

    def localized(self, locale: str) -> TenantDeclaration:
        """This declaration with ``name`` in ``locale``: what pages, mails and reports show."""
        name = self.name_in(locale)
        return self if name == self.name else replace(self, name=name)

    confirmations: str = CONFIRM_BY_SIDE
    # ``enabled = false`` (``pilot-crm tenants disable``): its pages and API answer 503, it leaves the
    # root directory, its database is left alone.
    enabled: bool = True
    # The frozen copy a ``tenants move`` left behind, until ``tenants drop-source`` removes it.
    moved_from: str = ""

    @property
    def engine_kind(self) -> str:
        return "postgres" if self.database_url.startswith(("postgres://", "postgresql://")) else "sqlite"

    @property
    def sqlite_path(self) -> Path:
        """The database file of a SQLite tenant."""
        return Path(self.database_url.removeprefix("sqlite:///"))


def _require(path: Path, raw: dict[str, Any], key: str, kind: type) -> Any:
    if key not in raw:
        raise TenantConfigError(path, key, "is required")
    value = raw[key]
    if not isinstance(value, kind):
        raise TenantConfigError(path, key, f"must be a {kind.__name__}")
    return value


def _str_list(path: Path, raw: dict[str, Any], key: str, default: list[str] | None = None) -> tuple[str, ...]:
    value = raw.get(key, default)
    if value is None:
        raise TenantConfigError(path, key, "is required")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise TenantConfigError(path, key, "must be a list of strings")
    return tuple(value)


def _locale(path: Path, key: str, value: str) -> str:
    """Any language Babel knows (CLDR formats dates and numbers for it). Whether someone ships a
    catalog for it depends on the enabled plugins, so the registry checks that
    (``core.tenancy.registry.check_catalogs``)."""
    try:
        Locale.parse(value)
    except (ValueError, UnknownLocaleError):
        raise TenantConfigError(path, key, f"'{value}' is not a known locale") from None
    return value


def _names(path: Path, raw: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """The ``[names]`` table: the tenant's name per locale (``name`` is the default locale's and the
    fallback). A name may be given ahead for a locale the tenant does not offer yet; each key must be
    a locale Babel knows and each name a non-empty string."""
    table = raw.get("names", {})
    if not isinstance(table, dict):
        raise TenantConfigError(path, "names", "must be a table of locale = name")
    for locale, name in table.items():
        _locale(path, f"names.{locale}", locale)
        if not isinstance(name, str) or not name.strip():
            raise TenantConfigError(path, f"names.{locale}", "must be a non-empty string")
    return tuple((locale, name.strip()) for locale, name in table.items())


def _duplicates(path: Path, raw: dict[str, Any]) -> DuplicateRules:
    """The ``[duplicates]`` table over the defaults: whole numbers from 0 (rule off) to MAX_WEIGHT."""
    table = raw.get("duplicates", {})
    if not isinstance(table, dict):
        raise TenantConfigError(path, "duplicates", "must be a table")
    unknown = sorted(set(table) - set(DUPLICATE_KEYS))
    if unknown:
        raise TenantConfigError(path, f"duplicates.{unknown[0]}", "is not a known key")
    for key, value in table.items():
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_WEIGHT:
            raise TenantConfigError(
                path, f"duplicates.{key}", f"must be a whole number from 0 to {MAX_WEIGHT}"
            )
    threshold = table.get("threshold", DEFAULT_THRESHOLD)
    if threshold < 1:
        raise TenantConfigError(path, "duplicates.threshold", "must be at least 1")
    weights = {rule: table.get(rule, weight) for rule, weight in DEFAULT_WEIGHTS.items()}
    return DuplicateRules(weights=weights, threshold=threshold)


def _pgbouncer_flag(path: Path, url: str) -> None:
    """``?pgbouncer=true`` says a PostgreSQL URL reaches PgBouncer in transaction mode
    (``core.db.postgres``); any other value is a typo that would silently keep the statement cache
    on, and on SQLite it means nothing."""
    values = [
        value for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True) if key == "pgbouncer"
    ]
    if not values:
        return
    if not url.startswith(("postgres://", "postgresql://")):
        raise TenantConfigError(path, "database_url", "pgbouncer applies to PostgreSQL URLs only")
    if len(values) > 1 or values[0] not in ("true", "false"):
        raise TenantConfigError(path, "database_url", "pgbouncer must be true or false")


def load_declaration(path: Path, data_dir: Path) -> TenantDeclaration:
    """Read ``path`` and return a validated declaration. ``{data_dir}`` in database_url is expanded."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TenantConfigError(path, "(syntax)", str(exc)) from None
    unknown = sorted(set(raw) - KNOWN_KEYS)
    if unknown:
        raise TenantConfigError(path, unknown[0], "is not a known key")

    slug = _require(path, raw, "slug", str)
    if not SLUG_RE.match(slug):
        raise TenantConfigError(path, "slug", "must be lowercase letters, digits and '-' (2-31 chars)")
    if path.stem != slug:
        raise TenantConfigError(path, "slug", f"must match the file name ('{path.stem}')")
    name = _require(path, raw, "name", str)
    country = _require(path, raw, "country", str)
    country_record = pycountry.countries.get(alpha_3=country.upper())
    if country_record is None:
        raise TenantConfigError(path, "country", f"'{country}' is not an ISO 3166-1 alpha-3 code")
    default_locale = _locale(path, "default_locale", _require(path, raw, "default_locale", str))
    locales = tuple(_locale(path, "locales", loc) for loc in _str_list(path, raw, "locales"))
    if default_locale not in locales:
        raise TenantConfigError(path, "locales", f"must include the default locale '{default_locale}'")
    tz = _require(path, raw, "timezone", str)
    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise TenantConfigError(path, "timezone", f"'{tz}' is not an IANA time zone") from None
    plugins = _str_list(path, raw, "plugins", [])
    default_url = f"sqlite:///{{data_dir}}/{slug}.sqlite3"
    url = raw.get("database_url", default_url)
    if not isinstance(url, str) or not url.startswith(("sqlite:///", "postgres://", "postgresql://")):
        raise TenantConfigError(path, "database_url", "must start with sqlite:/// or postgresql://")
    url = url.replace("{data_dir}", str(data_dir))
    _pgbouncer_flag(path, url)
    hosts = _str_list(path, raw, "hosts", [])
    demo = raw.get("demo", False)
    if not isinstance(demo, bool):
        raise TenantConfigError(path, "demo", "must be true or false")
    listed = raw.get("listed", True)
    if not isinstance(listed, bool):
        raise TenantConfigError(path, "listed", "must be true or false")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise TenantConfigError(path, "enabled", "must be true or false")
    moved_from = raw.get("moved_from", "")
    if not isinstance(moved_from, str):
        raise TenantConfigError(path, "moved_from", "must be a database URL")
    confirmations = raw.get("confirmations", CONFIRM_BY_SIDE)
    if confirmations not in CONFIRMATION_RULES:
        raise TenantConfigError(path, "confirmations", f"must be one of {', '.join(CONFIRMATION_RULES)}")
    return TenantDeclaration(
        slug=slug,
        name=name,
        country=country.upper(),
        default_locale=default_locale,
        locales=locales,
        timezone=tz,
        plugins=plugins,
        database_url=url,
        hosts=hosts,
        demo=demo,
        description=str(raw.get("description", "")),
        region=country_record.alpha_2,
        source=path,
        duplicates=_duplicates(path, raw),
        listed=listed,
        names=_names(path, raw),
        confirmations=confirmations,
        enabled=enabled,
        moved_from=moved_from.replace("{data_dir}", str(data_dir)),
    )
