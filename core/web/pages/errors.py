"""Error pages for browsers: explained in the member's language; 401 sends them to sign in."""

from __future__ import annotations

from urllib.parse import quote

from litestar import Request, Response
from litestar.response import Redirect

from core.errors import Message
from core.i18n.markers import N_
from core.web.pages.flash import flash_cookie
from core.web.state import request_context

EXPLANATIONS = {
    400: (N_("This request could not be processed"), N_("Check what you entered and try again.")),
    403: (
        N_("You cannot open this page"),
        N_("Your role in this pilot does not allow this. Ask your coordinator if you need access."),
    ),
    404: (N_("Page not found"), N_("This page does not exist in this pilot, or it is not available to you.")),
    405: (N_("This action is not available here"), N_("Go back and use the buttons on the page.")),
    409: (
        N_("This record has changed"),
        N_("Someone changed it while you were working, or it is archived. Reload it and try again."),
    ),
    429: (N_("Too many requests"), N_("Wait a moment and try again.")),
    503: (N_("This pilot is busy for a moment"), N_("Nothing was lost. Try again in a few seconds.")),
    500: (N_("Something went wrong"), N_("The error was logged. Try again in a moment.")),
}


def wants_html(request: Request) -> bool:
    path = request.scope["path"]
    return path.startswith("/t/") and "/api/" not in path


def html_error(request: Request, status: int, detail: Message | None = None) -> Response:
    """The error page of ``status``; ``detail`` says what exactly was refused (why a member cannot
    confirm a side, which record changed), under the general explanation."""
    ctx = request_context(request.scope)
    if status == 401 and ctx is not None and ctx.tenant is not None:
        login = f"/t/{ctx.tenant.slug}/login?next={quote(request.scope['path'])}"
        cookies = []
        if ctx.session_expired:
            message = N_("Your session has expired. Sign in again to continue.")
            secure = request.app.state.settings.secure_cookies
            cookies.append(flash_cookie(ctx.tenant.slug, "info", message, secure=secure))
        if request.headers.get("hx-request") == "true":
            # An HTMX request would follow a redirect and swap the sign-in page into a fragment:
            # HX-Redirect makes htmx load it as a whole page instead.
            return Response(content=b"", status_code=200, headers={"HX-Redirect": login}, cookies=cookies)
        return Redirect(path=login, status_code=303, cookies=cookies)
    title, text = EXPLANATIONS.get(status, EXPLANATIONS[500 if status >= 500 else 400])
    if ctx is None or ctx.tenant is None:  # no tenant, no language of its own: a plain page
        from litestar.response import Template

        return Template(
            template_name="errors/plain.html",
            status_code=status,
            context={"status": status, "title": title, "text": text},
        )
    from core.web.pages.render import render

    shown = ctx.translator.message(detail) if detail is not None and ctx.translator is not None else ""
    return render(
        request, "errors/error.html", status=status, code=status, title=title, text=text, detail=shown
    )
