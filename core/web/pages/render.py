"""Render a page with everything the layout needs: translator, direction, member, navigation,
language switcher, flash messages, formatting helpers. Page handlers pass only their own data."""

from __future__ import annotations

from typing import Any

from babel import Locale
from litestar import Request
from litestar.datastructures import Cookie
from litestar.response import Redirect, Template

from core.accounts.roles import Actor
from core.errors import NotFound
from core.forms import vocabulary
from core.forms.fields import Choice
from core.i18n.translator import Translator
from core.plugins.contributions import visible_to
from core.plugins.manager import in_plugin_order
from core.tenancy.registry import TenantRuntime
from core.web.pages.display import formatters
from core.web.pages.flash import clear_flash_cookie, flash_cookie, read_flashes
from core.web.state import request_context


def page_parts(request: Request) -> tuple[TenantRuntime, Translator, Actor | None]:
    ctx = request_context(request.scope)
    if ctx is None or ctx.tenant is None or ctx.translator is None:
        raise NotFound()
    return ctx.tenant, ctx.translator, ctx.actor


def use_locale(request: Request, code: str | None) -> Translator:
    """Show this request's page in ``code`` when the tenant offers it (a public page linked in each
    of the tenant's languages: a call for applications, a mailed personal link); else leave the
    language the request negotiated. Returns the translator the page is rendered with."""
    ctx = request_context(request.scope)
    if ctx is None or ctx.tenant is None or ctx.translator is None:
        raise NotFound()
    if code and code in ctx.tenant.declaration.locales and code != ctx.translator.locale:
        ctx.translator = ctx.tenant.translator(code)
    return ctx.translator


def locale_name(code: str) -> str:
    """A language's name in that language ("Español", "العربية"), for the language switcher."""
    name = Locale.parse(code).get_display_name(code) or code
    return name[:1].upper() + name[1:]


def choice_label(t: Translator, choices: tuple[Choice, ...], value: str | None) -> str:
    for choice in choices:
        if choice.value == value:
            return t.gettext(choice.label)
    return value or ""


def plugin_navigation(tenant: TenantRuntime, t: Translator, actor: Actor | None) -> list[tuple[str, str]]:
    """The menu entries the tenant's plugins add, as (path under the tenant, label), for ``actor``."""
    return [
        (entry.path, t.gettext(entry.label))
        for entry in in_plugin_order(tenant.plugins.hook.pilot_crm_navigation())
        if visible_to(entry.roles, actor)
    ]


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> Template:
    tenant, t, actor = page_parts(request)
    ctx = request_context(request.scope)
    flashes = read_flashes(request)
    base = {
        "t": t,
        "_": t.gettext,
        "ngettext": t.ngettext,
        "pgettext": t.pgettext,
        "npgettext": t.npgettext,
        "lang": t.locale,
        "dir": t.direction,
        "tenant": tenant.declaration.localized(t.locale),  # its name in the page's language
        "base": f"/t/{tenant.slug}",
        "actor": actor,
        "plugin_nav": plugin_navigation(tenant, t, actor),
        "user": ctx.user if ctx else None,
        "locales": [(code, locale_name(code)) for code in tenant.declaration.locales],
        "flashes": [(level, t.gettext(msgid, **params)) for level, msgid, params in flashes],
        "path": request.scope["path"],
        "choice_label": lambda choices, value: choice_label(t, choices, value),
        "vocab": vocabulary,
        **formatters(t),
    }
    secure = request.app.state.settings.secure_cookies
    cookies = [clear_flash_cookie(tenant.slug, secure=secure)] if flashes else []
    return Template(template_name=template, context={**base, **context}, status_code=status, cookies=cookies)


def redirect(
    request: Request,
    path: str,
    *,
    flash: tuple[str, str] | None = None,
    cookies: list[Cookie] | None = None,
    **params: Any,
) -> Redirect:
    """303 to ``path`` (relative to the tenant's base), optionally carrying a flash message."""
    tenant, _, _ = page_parts(request)
    jar = list(cookies or [])
    if flash is not None:
        secure = request.app.state.settings.secure_cookies
        jar.append(flash_cookie(tenant.slug, flash[0], flash[1], secure=secure, **params))
    target = path if path.startswith("/t/") else f"/t/{tenant.slug}{path}"
    return Redirect(path=target, status_code=303, cookies=jar)
