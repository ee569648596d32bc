"""Flash messages carried to the next page in a short-lived cookie scoped to the tenant's path.

Only msgids and parameters travel; they are translated (and escaped) when shown, in the language
of the page that shows them.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from litestar import Request
from litestar.datastructures import Cookie

FLASH_COOKIE = "pcrm_flash"
LEVELS = ("success", "info", "error")


def flash_cookie(slug: str, level: str, msgid: str, *, secure: bool = False, **params: Any) -> Cookie:
    payload = json.dumps([[level, msgid, {k: str(v) for k, v in params.items()}]]).encode()
    return Cookie(
        key=FLASH_COOKIE,
        value=base64.urlsafe_b64encode(payload).decode(),
        path=f"/t/{slug}/",
        httponly=True,
        samesite="lax",
        secure=secure,
        max_age=60,
    )


def read_flashes(request: Request) -> list[tuple[str, str, dict[str, str]]]:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return []
    try:
        items = json.loads(base64.urlsafe_b64decode(raw.encode()))
        return [(lvl if lvl in LEVELS else "info", str(msgid), dict(params)) for lvl, msgid, params in items]
    except (ValueError, TypeError):
        return []


def clear_flash_cookie(slug: str, *, secure: bool = False) -> Cookie:
    return Cookie(
        key=FLASH_COOKIE,
        value="",
        path=f"/t/{slug}/",
        max_age=0,
        httponly=True,
        samesite="lax",
        secure=secure,
    )
