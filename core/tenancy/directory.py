"""The site's directory of tenants: what the root page may say about each pilot a deployment serves.

Only what a declaration makes public is read (slug, name, country, languages, description, the demo
flag); never a database. A tenant declared with ``listed = false`` stays off the directory (its pages
still answer at ``/t/<slug>/`` for those given the address)."""

from __future__ import annotations

from dataclasses import dataclass

from babel import Locale
from babel.lists import format_list

from core.tenancy.declaration import TenantDeclaration
from core.tenancy.registry import TenantRegistry


@dataclass(frozen=True, slots=True)
class DirectoryEntry:
    """One listed tenant, described in the reader's language where CLDR names things (country,
    languages); its name in the reader's language when the declaration gives one (``[names]``),
    its description as declared, in its default language."""

    slug: str
    name: str
    name_language: str  # the language ``name`` is written in
    description: str
    language: str  # the language the description is written in (the tenant's default)
    country: str
    languages: str  # the tenant's languages as one list ("Spanish and English")
    demo: bool

    @property
    def href(self) -> str:
        return f"/t/{self.slug}/"


def listed(registry: TenantRegistry) -> list[TenantDeclaration]:
    """The declarations of the tenants the root page lists, in the registry's order (by slug): a
    disabled tenant is not among them."""
    return [t.declaration for t in registry if t.declaration.listed and t.declaration.enabled]


def for_host(registry: TenantRegistry, host: str | None) -> TenantDeclaration | None:
    """The tenant that declares ``host`` (a Host header, port ignored) among its ``hosts``."""
    if not host:
        return None
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.lower()
    return next((t.declaration for t in registry if name in {h.lower() for h in t.declaration.hosts}), None)


def country_name(alpha_2: str, reader: str) -> str:
    """A country's name in the reader's language ("Mexique" for a French reader)."""
    return Locale.parse(reader).territories.get(alpha_2, alpha_2)


def language_names(codes: tuple[str, ...], reader: str) -> str:
    """The languages ``codes`` as one list in the reader's language ("espagnol et anglais")."""
    names = [Locale.parse(code).get_display_name(reader) or code for code in codes]
    return format_list(names, locale=reader)


def entry(decl: TenantDeclaration, reader: str) -> DirectoryEntry:
    name = decl.name_in(reader)
    return DirectoryEntry(
        slug=decl.slug,
        name=name,
        name_language=decl.default_locale if name == decl.name else reader,
        description=decl.description,
        language=decl.default_locale,
        country=country_name(decl.region, reader),
        languages=language_names(decl.locales, reader),
        demo=decl.demo,
    )


def directory(registry: TenantRegistry, reader: str) -> list[DirectoryEntry]:
    return [entry(decl, reader) for decl in listed(registry)]
