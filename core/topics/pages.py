"""Topic pages: the pilot's national priorities first, then the shared taxonomy and the topics
coordinators added; a topic's page links the organizations, meetings and joint actions on it.
Only coordinators see the buttons to add, edit or archive a topic (``TopicService.may_write``)."""

from __future__ import annotations

from typing import Any

from litestar import Request

from core.accounts.roles import Actor
from core.actions.service import ActionService
from core.forms.vocabulary import TOPIC_CATEGORIES
from core.i18n.markers import N_
from core.meetings.service import MeetingService
from core.organizations.service import OrganizationService
from core.topics.service import TopicService
from core.web.pages.listing import ListColumn
from core.web.pages.records import ARCHIVED_WORDS, ListFilter, PageSpec, record_pages
from core.web.pages.render import page_parts


async def priorities_first(request: Request, actor: Actor, filters: dict[str, str]) -> dict[str, Any]:
    """The first page starts with every matching priority; the paged list holds the other topics
    (priorities are a handful, so they never need paging themselves). A priority that refines a
    shared topic reads "… (refines: <shared topic>)", and that shared topic is folded under it: it
    has no row of its own while a priority refining it is listed (its page, linked from the
    priority's, shows what is on it and on its refinements)."""
    _, t, _ = page_parts(request)
    filters["priority"] = "false"
    service = TopicService(actor, t.locale)
    priorities = await service.list_page(
        q=request.query_params.get("q"),
        filters={**filters, "priority": "true"},
        limit=200,
        sort=request.query_params.get("sort"),
        archived_only=(request.query_params.get("archived") or "").lower() in ARCHIVED_WORDS,
        count=True,
    )
    folded = [p["refines"] for p in priorities.items if p["refines_label"]]
    if folded:
        filters["exclude"] = ",".join(folded)
    for item in priorities.items:
        if item["refines_label"]:
            item["display_label"] = service.in_context(item["display_label"], item["refines_label"])
    # The count covers every page; the priorities themselves lead the first page only.
    leading = [] if request.query_params.get("cursor") else priorities.items
    return {"leading": leading, "leading_total": priorities.total or 0}


async def topic_links(request: Request, actor: Actor, record: dict[str, Any]) -> dict[str, Any]:
    """What is on the topic (on a shared topic: on it or on a priority refining it, as its filter
    finds them), and the topics it is related to by refinement."""
    _, t, _ = page_parts(request)
    on_topic = {"topic": record["code"]}
    organizations = await OrganizationService(actor, t.locale).list_page(filters=on_topic, limit=200)
    meetings = await MeetingService(actor, t.locale).list_page(filters=on_topic, limit=200)
    actions = await ActionService(actor, t.locale).list_page(filters=on_topic, limit=200)
    return {
        "organizations": organizations.items,
        "meetings": meetings.items,
        "actions": actions.items,
        **await TopicService(actor, t.locale).family(record),
    }


SPEC = PageSpec(
    path="/topics",
    service=TopicService,
    plural=N_("Topics"),
    singular=N_("Topic"),
    new_label=N_("New topic"),
    list_template="topics/list.html",
    detail_template="topics/detail.html",
    filters=(ListFilter("category", N_("Category"), TOPIC_CATEGORIES),),
    columns=(
        ListColumn("topic", N_("Topic")),
        ListColumn("code", N_("Code"), sort="code"),
        ListColumn("category", N_("Category")),
        ListColumn("source", N_("Source")),
    ),
    detail_context=topic_links,
    list_context=priorities_first,
)

TopicPages = record_pages(SPEC)
