"""What the tenant middleware learns about a request, kept in the ASGI scope's state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.accounts.roles import Actor
from core.i18n.translator import Translator
from core.tenancy.registry import TenantRuntime

SCOPE_KEY = "pilot_crm"


@dataclass(slots=True)
class RequestContext:
    tenant: TenantRuntime | None
    translator: Translator | None
    user: dict[str, Any] | None = None
    session_token: str | None = None  # set when the member was identified by a browser session
    session_expired: bool = False  # the session cookie named a session that has just ended

    @property
    def actor(self) -> Actor | None:
        if self.user is None:
            return None
        return Actor(
            user_id=self.user["id"],
            email=self.user["email"],
            role=self.user["role"],
            token_scope=self.user.get("token_scope"),
        )


def request_context(scope: Any) -> RequestContext | None:
    return scope.get("state", {}).get(SCOPE_KEY)


def request_locale(request: Any) -> str | None:
    """The locale chosen for this request (None outside a tenant). Read from the scope rather than
    injected, so a handler needs no second dependency."""
    ctx = request_context(request.scope)
    return ctx.translator.locale if ctx is not None and ctx.translator is not None else None
