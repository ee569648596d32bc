"""The search page: one box across organizations, contacts, meetings and joint actions, the
results grouped by kind, each group with its count and a link to the whole list with that search."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from core.errors import ValidationFailed
from core.records.finding import search_everything
from core.web.pages.guards import require_signed_in
from core.web.pages.render import page_parts, render
from core.web.params import CurrentActor, FromQuery


@get("/search", guards=[require_signed_in], include_in_schema=False, name="search")
async def search_page(request: Request, actor: CurrentActor, q: FromQuery[str | None] = None) -> Template:
    _, t, _ = page_parts(request)
    status, errors, groups = 200, [], []
    try:
        groups = await search_everything(actor, t.locale, q)
    except ValidationFailed as exc:
        status = 400
        errors = [t.message(m) for messages in exc.errors.values() for m in messages]
    return render(
        request,
        "search/results.html",
        status=status,
        q=q or "",
        groups=groups,
        search_errors=errors,
    )
