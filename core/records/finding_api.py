"""The JSON counterpart of the search page: one search across organizations, contacts, meetings and
joint actions, grouped by kind."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import Parameter as QueryParameter

from core.records.finding import MAX_PER_KIND, PER_KIND, search_everything
from core.web.params import CurrentActor, FromQuery
from core.web.state import request_locale

PerKind = Annotated[int, QueryParameter(ge=1, le=MAX_PER_KIND)]


class SearchController(Controller):
    path = "/search"
    tags = ["Search"]

    @get(
        "/",
        summary="Search organizations, contacts, meetings and joint actions",
        description="Full-text `q` matches every term, as each list's `q` does. The answer holds one "
        "group per kind (`organizations`, `contacts`, `meetings`, `actions`) with its `limit` best "
        "matches (at the start of the name first, then of a word, then inside one) and `total`, how "
        "many match in all (the list with the same `q` and `sort=relevance` pages through them). "
        "Contacts the caller may not see are neither listed nor counted.",
    )
    async def search(
        self,
        request: Request,
        actor: CurrentActor,
        q: FromQuery[str | None] = None,
        limit: PerKind = PER_KIND,
    ) -> dict[str, Any]:
        groups = await search_everything(actor, request_locale(request), q, limit)
        return {
            "q": q or "",
            "groups": [{"kind": g.kind, "total": g.total, "items": g.items} for g in groups],
        }
