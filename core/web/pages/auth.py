"""Sign in, sign out and the language switch."""

from __future__ import annotations

from typing import Annotated

from litestar import Request, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from core.accounts.identity import normalize_email
from core.accounts.service import set_locale
from core.accounts.sessions import SESSION_LIFETIME, authenticate, close_session, open_session
from core.accounts.throttle import Throttles
from core.i18n.markers import N_
from core.web.middleware import LANG_COOKIE, SESSION_COOKIE
from core.web.pages.render import page_parts, redirect, render
from core.web.params import FromQuery
from core.web.state import request_context

FormBody = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def _cookie(request: Request, key: str, value: str, max_age: int | None) -> Cookie:
    tenant, _, _ = page_parts(request)
    secure = request.app.state.settings.secure_cookies
    return Cookie(
        key=key,
        value=value,
        path=f"/t/{tenant.slug}/",
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=max_age,
    )


def _safe_next(request: Request, target: str | None) -> str:
    """Only paths inside this tenant: never an open redirect to another site or tenant."""
    tenant, _, _ = page_parts(request)
    base = f"/t/{tenant.slug}/"
    if target and target.startswith(base) and "//" not in target and not target.startswith(base + "api/"):
        return target
    return base


@get("/login", name="login")
async def login_page(request: Request, next: FromQuery[str | None] = None) -> Template:
    return render(request, "auth/login.html", next=_safe_next(request, next), email="", error=None)


def throttles(request: Request) -> Throttles:
    """The app's throttles (core.accounts.throttle): counted in the tenant's database."""
    return request.app.state.throttles


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


@post("/login")
async def login(request: Request, data: FormBody) -> Template | Redirect:
    email = normalize_email(data.get("email") or "")
    keys = {"account": email, "address": client_address(request)}
    target = _safe_next(request, data.get("next"))
    throttle = throttles(request).sign_in
    if not await throttle.attempt(**keys):
        return render(
            request,
            "auth/login.html",
            status=429,
            next=target,
            email=email,
            error=N_("Too many failed attempts. Wait 15 minutes and try again."),
        )
    user = await authenticate(email, data.get("password") or "")
    if user is None:  # the attempt stays counted
        return render(
            request,
            "auth/login.html",
            status=400,
            next=target,
            email=email,
            error=N_("The email address or the password is not correct."),
        )
    await throttle.succeeded(**keys)
    return await start_session(request, user["id"], target)


async def start_session(
    request: Request, user_id: int, target: str, flash: tuple[str, str] | None = None
) -> Redirect:
    """Sign the member in: a new session (the browser's previous one ends, so a planted cookie is
    worthless), its cookie, and a redirect to ``target``. Shared by sign-in and the mailed links."""
    ctx = request_context(request.scope)
    token = await open_session(user_id, previous_token=ctx.session_token if ctx else None)
    max_age = int(SESSION_LIFETIME.total_seconds())
    return redirect(request, target, flash=flash, cookies=[_cookie(request, SESSION_COOKIE, token, max_age)])


@post("/logout")
async def logout(request: Request) -> Redirect:
    ctx = request_context(request.scope)
    if ctx and ctx.session_token:
        await close_session(ctx.session_token)
    return redirect(
        request,
        "/login",
        flash=("success", N_("You are signed out.")),
        cookies=[_cookie(request, SESSION_COOKIE, "", max_age=0)],
    )


@post("/language")
async def set_language(request: Request, data: FormBody) -> Redirect:
    """Switch the interface language (limited to the tenant's locales); remembered for the member."""
    tenant, _, actor = page_parts(request)
    lang = data.get("lang", "")
    if lang not in tenant.declaration.locales:
        lang = tenant.declaration.default_locale
    if actor is not None and actor.user_id is not None:
        await set_locale(actor.user_id, lang, tenant.declaration.locales)
    back = _safe_next(request, data.get("next"))
    return Redirect(
        path=back, status_code=303, cookies=[_cookie(request, LANG_COOKIE, lang, 365 * 24 * 3600)]
    )
