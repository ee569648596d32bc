"""The plugin's pages, under ``/t/{tenant}/engagement/activities``: core's record pages for
activities (list filtered by kind and status, detail, new, edit, archive), with the detail page
showing each choice by its translated label and the reading materials as links."""

from __future__ import annotations

from typing import Any

from core.plugin_api import (
    N_,
    SECTORS,
    Actor,
    ListColumn,
    ListFilter,
    PageSpec,
    Request,
    page_parts,
    record_pages,
    topic_names,
)
from plugins.engagement.fields import country_codes, reading_materials
from plugins.engagement.selection.service import SelectionService
from plugins.engagement.service import ActivityService
from plugins.engagement.vocabulary import FORMATS, KINDS, LANGUAGES, STATUSES, label_of


async def activity_context(request: Request, actor: Actor, record: dict[str, Any]) -> dict[str, Any]:
    _, t, _ = page_parts(request)
    topics = await topic_names(actor, t)
    return {
        "issue_area_labels": [topics.get(code, code) for code in record.get("issue_areas") or []],
        "kind_label": t.gettext(label_of(KINDS, record.get("kind"))),
        "format_label": t.gettext(label_of(FORMATS, record.get("format"))),
        "status_label": t.gettext(label_of(STATUSES, record.get("status"))),
        "language_labels": [t.gettext(label_of(LANGUAGES, code)) for code in record.get("languages") or []],
        "sector_labels": [
            t.gettext(label_of(SECTORS, code)) for code in record.get("eligible_sectors") or []
        ],
        "countries": country_codes(record.get("eligible_countries") or ""),
        "materials": reading_materials(record.get("reading_materials") or ""),
        "priority_countries": country_codes(record.get("priority_countries") or ""),
        "may_review": await SelectionService(actor, t.locale).may_review(),
    }


ACTIVITY_PAGES = PageSpec(
    path="/engagement/activities",
    route="/activities",
    service=ActivityService,
    plural=N_("Activities"),
    singular=N_("Activity"),
    new_label=N_("New activity"),
    list_template="engagement/activity_list.html",
    detail_template="engagement/activity_detail.html",
    filters=(
        ListFilter("kind", N_("Kind of activity"), KINDS),
        ListFilter("status", N_("Status"), STATUSES),
    ),
    columns=(
        ListColumn("title", N_("Title"), sort="title"),
        ListColumn("kind", N_("Kind of activity")),
        ListColumn("starts_at", N_("Starts"), sort="starts_at"),
        ListColumn("status", N_("Status")),
    ),
    detail_context=activity_context,
)

ActivityPages = record_pages(ACTIVITY_PAGES)
