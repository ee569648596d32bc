"""RFC 9457 problem details for every error, translated into the request's locale."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    SerializationException,
    ValidationException,
)
from litestar.exceptions import PermissionDeniedException as LitestarPermissionDenied

from core.db.failures import UNREACHABLE, DatabaseBusy, causes, classify
from core.db.freeze import is_frozen_error
from core.errors import Conflict, DomainError, Message, PermissionDenied, Unavailable, ValidationFailed
from core.i18n.markers import N_
from core.i18n.negotiate import choose_locale
from core.i18n.translator import Translator
from core.web.pages.errors import html_error, wants_html
from core.web.state import request_context

PROBLEM_JSON = "application/problem+json"
MOVING_RETRY_AFTER = 30  # a move's copy of a pilot-sized tenant takes seconds to minutes
MOVING = Message(N_("This pilot is read-only while it moves. Try again in a few minutes."))
TYPE_BASE = "https://pilot-crm.org/problems/"

TITLES = {
    400: ("bad-request", N_("The request is not valid.")),
    401: ("unauthenticated", N_("Authentication is required.")),
    403: ("forbidden", N_("You do not have permission to do this.")),
    404: ("not-found", N_("Not found.")),
    405: ("method-not-allowed", N_("This method is not allowed here.")),
    409: ("conflict", N_("The request conflicts with the current state.")),
    413: ("too-large", N_("The request is too large.")),
    414: ("address-too-long", N_("The address of this request is too long.")),
    429: ("rate-limited", N_("Too many requests. Try again later.")),
    431: ("headers-too-large", N_("The request's headers are too large.")),
    500: ("server-error", N_("Something went wrong on our side.")),
    503: ("unavailable", N_("The service is unavailable for a moment. Try again shortly.")),
}


def translator_for(registry: Any, path: str, accept_language: str | None) -> Translator | None:
    """The translator for a request the tenant middleware has not seen (an unknown route, a wrong
    method, a malformed request refused before routing): the tenant named by the path, in the
    language Accept-Language negotiates against its locales. None outside a tenant."""
    parts = path.split("/", 3)
    tenant = registry.get(parts[2]) if registry is not None and len(parts) > 2 and parts[1] == "t" else None
    if tenant is None:
        return None
    decl = tenant.declaration
    return tenant.translator(choose_locale(None, accept_language, decl.locales, decl.default_locale))


def _translator(request: Request) -> Translator | None:
    ctx = request_context(request.scope)
    if ctx is not None and ctx.translator is not None:
        return ctx.translator
    registry = getattr(request.app.state, "registry", None)
    return translator_for(registry, request.scope["path"], request.headers.get("accept-language"))


def _translate(translator: Translator | None, message: Message) -> str:
    if translator is None:
        return message.msgid.format(**message.params) if message.params else message.msgid
    return translator.message(message)


def problem_document(
    translator: Translator | None,
    status: int,
    instance: str,
    detail: Message | None = None,
    errors: dict[str, list[Message]] | None = None,
) -> dict[str, Any]:
    """An RFC 9457 problem document in ``translator``'s language (English without a tenant)."""
    slug, title = TITLES.get(status, TITLES[400] if status < 500 else TITLES[500])
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": _translate(translator, Message(title)),
        "status": status,
        "instance": instance,
    }
    if detail is not None:
        body["detail"] = _translate(translator, detail)
    if errors:
        body["errors"] = {
            field: [_translate(translator, m) for m in messages] for field, messages in errors.items()
        }
    return body


def problem(
    request: Request,
    status: int,
    detail: Message | None = None,
    errors: dict[str, list[Message]] | None = None,
) -> Response[dict[str, Any]]:
    # The scope's path, not request.url: the URL is rebuilt from the Host header, the client's to
    # choose, and an error must be answerable whatever that header holds.
    body = problem_document(_translator(request), status, request.scope["path"], detail, errors)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def unavailable(request: Request, retry_after: int, detail: Message | None = None) -> Response:
    """503 with Retry-After, as a page or a problem document: the request may simply be repeated."""
    response = html_error(request, 503, detail) if wants_html(request) else problem(request, 503, detail)
    response.headers["Retry-After"] = str(retry_after)
    return response


def domain_error_handler(request: Request, exc: DomainError) -> Response:
    if isinstance(exc, Unavailable):
        return unavailable(request, exc.retry_after, exc.message)
    if wants_html(request):
        # A refusal or a conflict that says more than its status (a service's own message) is shown.
        specific = isinstance(exc, Conflict | PermissionDenied) and exc.message != PermissionDenied().message
        return html_error(request, exc.status, exc.message if specific else None)
    errors = exc.errors if isinstance(exc, ValidationFailed) else None
    return problem(request, exc.status, exc.message, errors)


def validation_exception_handler(request: Request, exc: ValidationException) -> Response:
    if wants_html(request):
        return html_error(request, 400)
    errors: dict[str, list[Message]] = {}
    for item in exc.extra or []:
        if isinstance(item, dict):
            key = str(item.get("key") or item.get("source") or "body")
            errors.setdefault(key, []).append(Message(N_("This value is not valid.")))
    return problem(request, 400, Message(N_("The request is not valid.")), errors or None)


def http_exception_handler(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if isinstance(exc, NotFoundException):
        status = 404
    elif isinstance(exc, NotAuthorizedException):
        status = 401
    elif isinstance(exc, LitestarPermissionDenied):
        status = 403
    if wants_html(request):
        return html_error(request, status)
    return problem(request, status, _body_detail(exc) if status == 400 else None)


def _body_detail(exc: HTTPException) -> Message | None:
    """Say why an unreadable body was refused: Litestar raises its 400 from the decoder's error."""
    cause = exc.__cause__
    if not isinstance(cause, SerializationException) and "json" not in str(exc.detail).lower():
        return None
    if isinstance(cause, SerializationException) and isinstance(cause.__cause__, UnicodeDecodeError):
        return Message(N_("The request body is not valid UTF-8."))
    return Message(N_("The request body is not valid JSON."))


def internal_error_handler(request: Request, exc: Exception) -> Response:
    import logging

    log = logging.getLogger("pilot_crm")
    ctx = request_context(request.scope)
    tenant = ctx.tenant.slug if ctx is not None and ctx.tenant is not None else "-"
    if is_frozen_error(exc):  # a write to a tenant being moved (core.db.freeze)
        log.warning("tenant %s: write refused while the tenant moves, answered 503", tenant)
        return unavailable(request, MOVING_RETRY_AFTER, MOVING)
    busy = next((e for e in causes(exc) if isinstance(e, DatabaseBusy)), None)
    if busy is not None:
        log.error("tenant %s: database busy, answered 503: %s", tenant, busy.reason)
        return unavailable(request, busy.retry_after)
    failure = classify(exc)
    if failure is not None and failure.kind == UNREACHABLE:
        log.error("tenant %s: database unreachable, answered 503: %s", tenant, failure.detail)
        return unavailable(request, 30)
    log.exception("unhandled error", exc_info=exc)
    return html_error(request, 500) if wants_html(request) else problem(request, 500)


EXCEPTION_HANDLERS = {
    DomainError: domain_error_handler,
    ValidationException: validation_exception_handler,
    HTTPException: http_exception_handler,
    500: internal_error_handler,
}
