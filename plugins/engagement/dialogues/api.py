"""The JSON API of a dialogue's inputs, under ``/t/{tenant}/api/v1/engagement/activities/{id}/inputs``:
list (filtered by topic, status, language and tag), submit, moderate one, change several at once,
and the summary as JSON or Markdown in the language asked for."""

from __future__ import annotations

from typing import Any

from core.plugin_api import (
    N_,
    Controller,
    CurrentActor,
    CurrentTenant,
    CurrentTranslator,
    FromQuery,
    JSONObject,
    Message,
    PathId,
    Response,
    Translator,
    ValidationFailed,
    get,
    patch,
    post,
)
from plugins.engagement.dialogues import summary
from plugins.engagement.dialogues.service import InputService, dialogue


def translator_for(tenant: Any, t: Translator, lang: str | None) -> Translator:
    """The translator of ``lang`` (one of the tenant's languages), or the reader's own."""
    if not lang:
        return t
    if lang not in tenant.declaration.locales:
        raise ValidationFailed({"lang": [Message(N_("Select a valid choice."))]})
    return tenant.translator(lang)


class InputsApi(Controller):
    path = "/activities/{record_id:int}/inputs"
    tags = ["Engagement dialogue inputs"]

    @get("/", summary="List a dialogue's inputs", description="Oldest first; keyset pages (`next`).")
    async def list_inputs(
        self,
        actor: CurrentActor,
        translator: CurrentTranslator,
        record_id: PathId,
        q: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: FromQuery[int] = 50,
        topic: FromQuery[str | None] = None,
        status: FromQuery[str | None] = None,
        language: FromQuery[str | None] = None,
        tag: FromQuery[str | None] = None,
    ) -> dict[str, Any]:
        service = await InputService.open(actor, translator.locale, record_id)
        filters = {"topic": topic, "status": status, "language": language, "tag": tag}
        page = await service.list_page(
            q=q, filters={k: v for k, v in filters.items() if v}, cursor=cursor, limit=limit
        )
        return {"items": page.items, "next": page.next}

    @post(
        "/",
        summary="Submit an input to a dialogue",
        description="Body: `topic`, `text`, `language`, `organization` (an id) or `organization_name`; "
        "moderators may add `author_name` and `tags`. Open until the activity ends (then 409).",
        status_code=201,
    )
    async def create_input(
        self, actor: CurrentActor, translator: CurrentTranslator, record_id: PathId, data: JSONObject
    ) -> dict[str, Any]:
        return await (await InputService.open(actor, translator.locale, record_id)).create(data)

    @patch(
        "/{input_id:int}",
        summary="Moderate an input",
        description="Send `version` as read (a stale one answers 409); `status` `merged` needs "
        "`merged_into`, an input of the same dialogue and topic.",
    )
    async def update_input(
        self,
        actor: CurrentActor,
        translator: CurrentTranslator,
        record_id: PathId,
        input_id: PathId,
        data: JSONObject,
    ) -> dict[str, Any]:
        return await (await InputService.open(actor, translator.locale, record_id)).update(input_id, data)

    @post(
        "/status",
        summary="Change the status of several inputs",
        description='Body: `{"inputs": [{"id": 1, "version": 2}], "status": "included"}` (and '
        "`merged_into` for `merged`): all change, or none.",
        status_code=200,
    )
    async def set_status(
        self, actor: CurrentActor, translator: CurrentTranslator, record_id: PathId, data: JSONObject
    ) -> dict[str, Any]:
        service = await InputService.open(actor, translator.locale, record_id)
        return {"items": await service.set_status(data)}

    @get("/summary", summary="The dialogue's summary", description="Headings in `lang`.")
    async def summary_json(
        self,
        tenant: CurrentTenant,
        translator: CurrentTranslator,
        record_id: PathId,
        lang: FromQuery[str | None] = None,
    ) -> dict[str, Any]:
        reader = translator_for(tenant, translator, lang)
        return summary.as_json(await summary.build(await dialogue(record_id)), reader)

    @get(
        "/summary.md",
        summary="The dialogue's summary as Markdown",
        description="Headings in `lang`.",
        media_type="text/markdown",
    )
    async def summary_markdown(
        self,
        tenant: CurrentTenant,
        translator: CurrentTranslator,
        record_id: PathId,
        lang: FromQuery[str | None] = None,
    ) -> Response[str]:
        reader = translator_for(tenant, translator, lang)
        return markdown_download(await summary.build(await dialogue(record_id)), reader)


def markdown_download(document: summary.Summary, t: Translator) -> Response[str]:
    return Response(
        summary.as_markdown(document, t),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{summary.filename(document, "md")}"'},
    )
