"""The pages of a dialogue's inputs: ``/engagement/activities/{id}/inputs`` for members (the list
with its filters, the form to submit one, and for moderators the form that changes several at
once), the summary's downloads, and the public page a participant reaches through their personal
link, ``/engagement/participant/{token}/inputs``. Forms work without JavaScript; errors come back
on the page, field by field."""

from __future__ import annotations

from typing import Any

from anyio import to_thread

from core.plugin_api import (
    N_,
    PUBLIC,
    Controller,
    CurrentActor,
    CurrentTenant,
    FromQuery,
    LinkToken,
    Message,
    Organization,
    PathId,
    Redirect,
    Request,
    Response,
    Template,
    Translator,
    ValidationFailed,
    get,
    page_parts,
    post,
    redirect,
    render,
)
from plugins.engagement.dialogues import summary
from plugins.engagement.dialogues.api import markdown_download, translator_for
from plugins.engagement.dialogues.service import (
    InputService,
    ParticipantInputs,
    dialogue,
    is_open,
    normalize_tags,
    participant_by_link,
    tag_list,
)
from plugins.engagement.tables import DialogueInput
from plugins.engagement.vocabulary import INPUT_STATUSES, LANGUAGES, WORKING_GROUPS, label_of

SUBMIT_FIELDS = ("topic", "text", "language", "organization", "organization_name", "author_name", "tags")
PUBLIC_FIELDS = ("topic", "text", "language")
FILTERS = ("topic", "status", "language", "tag")
ACTIVITIES = "/engagement/activities"


def _shown(t: Translator, errors: dict[str, list[Message]]) -> dict[str, list[str]]:
    return {name: [t.message(m) for m in messages] for name, messages in errors.items()}


def _choices(t: Translator, choices: Any) -> list[tuple[str, str]]:
    return [(c.value, t.gettext(c.label)) for c in choices]


def _labelled(t: Translator, row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "topic_label": t.gettext(label_of(WORKING_GROUPS, row.get("topic"))),
        "status_label": t.gettext(label_of(INPUT_STATUSES, row.get("status"))),
        "language_label": t.gettext(label_of(LANGUAGES, row.get("language"))),
    }


async def _organizations() -> list[tuple[str, str]]:
    rows = (
        await Organization.select(Organization.id, Organization.name)
        .where(Organization.archived_at.is_null())
        .order_by(Organization.name)
        .run()
    )
    return [(str(r["id"]), r["name"]) for r in rows]


def _form_values(form: Any, names: tuple[str, ...]) -> dict[str, str]:
    return {name: form.get(name, "") for name in names}


class InputPages(Controller):
    path = "/activities/{record_id:int}/inputs"

    async def _page(
        self,
        request: Request,
        service: InputService,
        *,
        status: int = 200,
        values: dict[str, str] | None = None,
        errors: dict[str, list[Message]] | None = None,
        moderation_errors: dict[str, list[Message]] | None = None,
    ) -> Template:
        tenant, t, _ = page_parts(request)
        chosen = {name: request.query_params.get(name, "") for name in FILTERS}
        listing = await service.list_page(
            q=request.query_params.get("q") or None,
            filters={k: v for k, v in chosen.items() if v},
            cursor=request.query_params.get("cursor") or None,
            limit=100,
        )
        open_now = is_open(service.activity)
        return render(
            request,
            "engagement/dialogues/inputs.html",
            status=status,
            activity=service.activity,
            activity_path=f"{ACTIVITIES}/{service.activity['id']}",
            inputs=[_labelled(t, row) for row in listing.items],
            next_cursor=listing.next,
            chosen=chosen,
            q=request.query_params.get("q", ""),
            topics=_choices(t, WORKING_GROUPS),
            statuses=_choices(t, INPUT_STATUSES),
            languages=_choices(t, LANGUAGES),
            tags=await service.known_tags(),
            is_open=open_now,
            can_submit=open_now and service.may_write(),
            moderator=service.moderator,
            organizations=await _organizations() if open_now and service.may_write() else [],
            values={"language": t.locale, **(values or {})},
            errors=_shown(t, errors or {}),
            moderation_errors=_shown(t, moderation_errors or {}),
            summary_languages=_locale_names(tenant, t),
        )

    @get("/")
    async def inputs(self, request: Request, actor: CurrentActor, record_id: PathId) -> Template:
        _, t, _ = page_parts(request)
        return await self._page(request, await InputService.open(actor, t.locale, record_id))

    # Its body is the input form's fields (opt "form": how the isolation suite fills it).
    @post("/", opt={"form": "dialogue_input"})
    async def submit(self, request: Request, actor: CurrentActor, record_id: PathId) -> Template | Redirect:
        _, t, _ = page_parts(request)
        service = await InputService.open(actor, t.locale, record_id)
        values = _form_values(await request.form(), SUBMIT_FIELDS)
        try:
            await service.create({k: v for k, v in values.items() if v != ""})
        except ValidationFailed as exc:
            return await self._page(request, service, status=400, values=values, errors=exc.errors)
        return redirect(
            request, f"{ACTIVITIES}/{record_id}/inputs", flash=("success", N_("Your input was received."))
        )

    @post("/moderate")
    async def moderate(self, request: Request, actor: CurrentActor, record_id: PathId) -> Template | Redirect:
        """The moderation form: the inputs ticked (``id:version``), a status, a target for a merge,
        tags to add and to remove; all of it applies to every input ticked, or nothing does."""
        _, t, _ = page_parts(request)
        service = await InputService.open(actor, t.locale, record_id)
        form = await request.form()
        try:
            items, change = _moderation(form)
            add = tag_list(normalize_tags(form.get("add_tags", "")))
            remove = tag_list(normalize_tags(form.get("remove_tags", "")))
            if not change and not add and not remove:
                raise ValidationFailed({"status": [Message(N_("Choose a status or tags to change."))]})
            await service.moderate(items, change, add, remove)
        except ValidationFailed as exc:
            return await self._page(request, service, status=400, moderation_errors=exc.errors)
        return redirect(request, f"{ACTIVITIES}/{record_id}/inputs", flash=("success", N_("Inputs updated.")))

    @get("/summary.md")
    async def summary_markdown(
        self, request: Request, tenant: CurrentTenant, record_id: PathId, lang: FromQuery[str | None] = None
    ) -> Response[str]:
        _, t, _ = page_parts(request)
        document = await summary.build(await dialogue(record_id))
        return markdown_download(document, translator_for(tenant, t, lang))

    @get("/summary.pdf")
    async def summary_pdf(
        self, request: Request, tenant: CurrentTenant, record_id: PathId, lang: FromQuery[str | None] = None
    ) -> Response[bytes]:
        _, t, _ = page_parts(request)
        reader = translator_for(tenant, t, lang)
        document = await summary.build(await dialogue(record_id))
        # Laying out a long summary takes CPU: off the event loop, other requests go on.
        content = await to_thread.run_sync(summary.as_pdf, document, reader)
        return Response(
            content,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{summary.filename(document, "pdf")}"'},
        )


def _locale_names(tenant: Any, t: Translator) -> list[tuple[str, str]]:
    return [(code, t.gettext(label_of(LANGUAGES, code))) for code in tenant.declaration.locales]


def _moderation(form: Any) -> tuple[list[tuple[int, int]], dict[str, Any]]:
    """The ticked inputs as (id, version) and the status change the moderation form asks for."""
    items = []
    for value in form.getall("input") if hasattr(form, "getall") else []:
        number, _, version = str(value).partition(":")
        if not (number.isdigit() and version.isdigit() and int(number) < 2**31 and int(version) < 2**31):
            raise ValidationFailed({"inputs": [Message(N_("Each input needs its id and version."))]})
        items.append((int(number), int(version)))
    if not items:
        raise ValidationFailed({"inputs": [Message(N_("Select at least one input."))]})
    status = form.get("status", "")
    change: dict[str, Any] = {}
    if status:
        if status not in {c.value for c in INPUT_STATUSES}:
            raise ValidationFailed({"status": [Message(N_("Select a valid choice."))]})
        change["status"] = status
        target = form.get("merged_into", "")
        if status == "merged":
            if not (target.isdigit() and int(target) < 2**31):
                raise ValidationFailed(
                    {"merged_into": [Message(N_("Choose the input to merge this one into."))]}
                )
            change["merged_into"] = int(target)
    return items, change


class ParticipantPage(Controller):
    """A participant's own page, reached by their personal link without an account."""

    path = "/participant/{token:str}/inputs"

    async def _page(
        self,
        request: Request,
        token: str,
        *,
        status: int = 200,
        values: dict[str, str] | None = None,
        errors: dict[str, list[Message]] | None = None,
    ) -> Template:
        _, t, _ = page_parts(request)
        person, activity = await participant_by_link(token)
        mine = (
            await DialogueInput.select(
                DialogueInput.id,
                DialogueInput.topic,
                DialogueInput.text,
                DialogueInput.language,
                DialogueInput.status,
            )
            .where(
                (DialogueInput.activity == activity["id"])
                & (DialogueInput.contact == person["contact"])
                & DialogueInput.archived_at.is_null()
            )
            .order_by(DialogueInput.id)
            .run()
        )
        return render(
            request,
            "engagement/dialogues/participant.html",
            status=status,
            activity=activity,
            person=person,
            inputs=[_labelled(t, row) for row in mine],
            is_open=is_open(activity),
            topics=_choices(t, WORKING_GROUPS),
            languages=_choices(t, LANGUAGES),
            values={"language": t.locale, **(values or {})},
            errors=_shown(t, errors or {}),
            action=request.scope["path"],
        )

    @get("/", opt=PUBLIC)
    async def show(self, request: Request, token: LinkToken) -> Template:
        return await self._page(request, token)

    @post("/", opt={**PUBLIC, "form": "dialogue_input"})
    async def submit(self, request: Request, token: LinkToken) -> Template | Redirect:
        _, t, _ = page_parts(request)
        person, activity = await participant_by_link(token)
        values = _form_values(await request.form(), PUBLIC_FIELDS)
        try:
            await ParticipantInputs(t.locale, activity, person).create(
                {k: v for k, v in values.items() if v != ""}
            )
        except ValidationFailed as exc:
            return await self._page(request, token, status=400, values=values, errors=exc.errors)
        return redirect(request, request.scope["path"], flash=("success", N_("Your input was received.")))
