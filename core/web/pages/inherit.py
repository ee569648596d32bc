"""Areas subclass the controller ``record_pages`` builds. When an area's own handler must show a
generic page with more in it (the detail page again, with the errors of a form on it), it runs the
generic handler through ``run_base`` and adds to the returned template's context (and status),
instead of rewriting the generic handler."""

from __future__ import annotations

from typing import Any

from litestar import Controller
from litestar.response import Template


async def run_base(base: type[Controller], name: str, controller: Controller, **kwargs: Any) -> Template:
    """Call ``base``'s handler ``name`` as ``controller`` would; returns its template response."""
    handler = getattr(base, name)
    response = await handler.fn(controller, **kwargs)
    assert isinstance(response, Template)
    return response
