"""``pilot-crm plugins new``: write a plugin author's starting point, a standalone package that
installs with pip and passes its own tests as written.

The files come from ``scaffold_template/`` (Jinja templates, shipped as package data). The catalogs
are not templates: the template is extracted from the written ``plugin.py`` with Babel, as the
author will extract it later, and each language's catalog takes the example strings' translations
from ``scaffold_template/translations/<lang>.po`` when the scaffold knows the language (empty
``msgstr`` otherwise, for the author to fill in).
"""

from __future__ import annotations

import keyword
import re
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import jinja2
import pycountry
from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from core.plugin_api import SUPPORTED_API_VERSIONS

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
TEMPLATE = "scaffold_template"
# Template → where it is written (``{package}`` is the plugin's import package).
FILES = {
    "pyproject.toml.jinja": "pyproject.toml",
    "README.md.jinja": "README.md",
    "gitignore.jinja": ".gitignore",
    "package/__init__.py.jinja": "{package}/__init__.py",
    "package/plugin.py.jinja": "{package}/plugin.py",
    "tests/test_plugin.py.jinja": "tests/test_plugin.py",
}


class ScaffoldError(ValueError):
    """What is wrong with the command's arguments, in one line."""


@dataclass(frozen=True, slots=True)
class PluginSpec:
    """A new plugin: its entry-point ``name``, country (ISO 3166-1 alpha-3) and languages (the
    first is its test tenant's default)."""

    name: str
    country: str
    locales: tuple[str, ...]

    @property
    def package(self) -> str:
        return f"pilot_crm_{self.name}"

    @property
    def distribution(self) -> str:
        return f"pilot-crm-{self.name}"


def parse_spec(name: str, country: str, locales: str) -> PluginSpec:
    """Check the command's arguments; raise :class:`ScaffoldError` naming the first bad one."""
    if not NAME_RE.match(name) or keyword.iskeyword(name):
        raise ScaffoldError(
            f"plugin name '{name}' must be a lowercase Python identifier of 2-31 characters "
            "(letters, digits, '_'; starting with a letter)"
        )
    from core.plugins.manager import available_plugins

    if name in available_plugins():
        raise ScaffoldError(f"a plugin named '{name}' is already installed; choose another name")
    _country(country.upper())
    codes = tuple(dict.fromkeys(code.strip() for code in locales.split(",") if code.strip()))
    if not codes:
        raise ScaffoldError("--locales must name at least one language (e.g. en,sw)")
    for code in codes:
        try:
            Locale.parse(code)
        except (ValueError, UnknownLocaleError):
            raise ScaffoldError(f"--locales: '{code}' is not a known locale") from None
    return PluginSpec(name, country.upper(), codes)


def template_root() -> Path:
    """The scaffold's templates and translations, inside the installed package."""
    return Path(str(resources.files("core.plugins") / TEMPLATE))


def _country(alpha_3: str) -> Any:
    country = pycountry.countries.get(alpha_3=alpha_3)
    if country is None:
        raise ScaffoldError(f"--country '{alpha_3}' is not an ISO 3166-1 alpha-3 code")
    return country


def _context(spec: PluginSpec) -> dict[str, object]:
    country = _country(spec.country)
    zones = get_global("territory_zones").get(country.alpha_2, [])
    try:
        core_version = metadata.version("pilot-crm")
    except metadata.PackageNotFoundError:
        core_version = "0.1.0"
    names = [Locale.parse(code).get_display_name("en") or code for code in spec.locales]
    return {
        "name": spec.name,
        "package": spec.package,
        "slug": spec.name.replace("_", "-"),
        "country": spec.country,
        "country_name": getattr(country, "common_name", None) or country.name,
        "prefix": country.alpha_2,
        "timezone": zones[0] if zones else "UTC",
        "locales": list(spec.locales),
        # As Python source: ("en", "sw"), or ("en",) for one.
        "locales_tuple": "("
        + ", ".join(f'"{code}"' for code in spec.locales)
        + ("," * (len(spec.locales) == 1))
        + ")",
        "locale_names": ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1],
        "api_versions": list(SUPPORTED_API_VERSIONS),
        "core_version": core_version,
    }


def _known_translations(code: str) -> dict[str, str]:
    """The scaffold's translations of its example strings into ``code`` (its language's, for a
    regional variant such as ``pt_BR``); empty when the scaffold does not know the language."""
    folder = template_root() / "translations"
    for candidate in (code, Locale.parse(code).language):
        path = folder / f"{candidate}.po"
        if path.exists():
            with path.open("rb") as fh:
                return {str(m.id): str(m.string) for m in read_po(fh) if m.id and m.string}
    return {}


def _write_catalogs(spec: PluginSpec, root: Path) -> None:
    """``messages.pot`` extracted from the written plugin module, and one catalog per language."""
    source = root / spec.package / "plugin.py"
    where = f"{spec.package}/plugin.py"
    found = [
        (lineno, message)
        for lineno, message, _comments, _context in extract_from_file(
            "python", str(source), keywords={"N_": None}
        )
    ]

    def catalog(locale: str | None) -> Catalog:
        return Catalog(
            locale,
            project=spec.distribution,
            version="0.1.0",
            copyright_holder=f"the {spec.distribution} authors",
            msgid_bugs_address="",
            fuzzy=False,
        )

    locales = root / spec.package / "locales"
    template = catalog(None)
    for lineno, message in found:
        template.add(message, locations=[(where, lineno)])
    locales.mkdir(parents=True, exist_ok=True)
    with (locales / "messages.pot").open("wb") as fh:
        write_po(fh, template)
    for code in spec.locales:
        known = _known_translations(code)
        translated = catalog(code)
        for lineno, message in found:
            translated.add(message, known.get(str(message), ""), locations=[(where, lineno)])
        folder = locales / code / "LC_MESSAGES"
        folder.mkdir(parents=True)
        with (folder / "messages.po").open("wb") as fh:
            write_po(fh, translated)


def write_plugin(spec: PluginSpec, output: Path) -> Path:
    """Write ``output/pilot-crm-NAME/`` and return it. Nothing is left behind if it fails, and an
    existing folder is never touched."""
    target = output / spec.distribution
    if target.exists():
        raise ScaffoldError(f"{target} already exists")
    output.mkdir(parents=True, exist_ok=True)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_root())),
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # noqa: S701 - writes Python, TOML and Markdown, not HTML
    )
    context = _context(spec)
    staging = Path(tempfile.mkdtemp(prefix=f".{spec.distribution}-", dir=output))
    staging.chmod(0o755)  # mkdtemp's folder is private; the package is an ordinary folder
    try:
        for template, destination in FILES.items():
            path = staging / destination.format(package=spec.package)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(environment.get_template(template).render(context), encoding="utf-8")
        _write_catalogs(spec, staging)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
