"""The site's root page, the address ``pilot-crm serve`` prints: the listed pilots with links, in the
browser's language where core speaks it; straight to the pilot when there is only one to choose
(or the request came through a host that pilot declares). Public, and says no more about a tenant
than its declaration makes public (``core.tenancy.directory``)."""

from __future__ import annotations

from functools import cache

from litestar import Request, get
from litestar.response import Redirect, Template

from core.i18n.catalogs import core_locale_dir, core_locales
from core.i18n.negotiate import negotiate
from core.i18n.translator import Translator
from core.tenancy.directory import directory, for_host
from core.tenancy.registry import TenantRegistry

FALLBACK_LOCALE = "en"


@cache
def site_translator(locale: str) -> Translator:
    """Core's wording in ``locale``: the root page belongs to no tenant, so no plugin's catalog."""
    from core.i18n.catalogs import load_translations

    return Translator(locale, load_translations(locale, [core_locale_dir()]), "UTC")


def reader_locale(accept_language: str | None) -> str:
    """The browser's language among core's, else English."""
    offered = tuple(sorted(core_locales() | {FALLBACK_LOCALE}))
    return negotiate(accept_language, offered) or FALLBACK_LOCALE


@get("/", name="home", include_in_schema=False, sync_to_thread=False)
def home(request: Request) -> Template | Redirect:
    registry: TenantRegistry = request.app.state.registry
    own = for_host(registry, request.headers.get("host"))
    t = site_translator(reader_locale(request.headers.get("accept-language")))
    entries = directory(registry, t.locale)
    if own is not None or len(entries) == 1:
        slug = own.slug if own is not None else entries[0].slug
        return Redirect(path=f"/t/{slug}/", status_code=303)
    return Template(
        template_name="home.html",
        context={"_": t.gettext, "t": t, "lang": t.locale, "dir": t.direction, "tenants": entries},
        headers={"Vary": "Accept-Language"},
    )
