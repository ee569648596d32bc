"""One page controller shape for every record service: list (search, filters, pages), detail, new,
edit, archive with confirmation. Domain areas add their own pages (attendees, timeline…) by
subclassing the controller this builds, and their templates extend ``records/*.html``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template

from core.accounts.roles import Actor
from core.errors import Conflict, Message, PermissionDenied, ValidationFailed
from core.forms.fields import Choice
from core.i18n.markers import N_
from core.records.export import (
    ListExport,
    available_columns,
    check_format,
    choose_columns,
    requested_columns,
)
from core.records.preferences import chosen_columns, forget_columns, remember_columns
from core.records.service import Page, RecordService
from core.web.download import Download, download
from core.web.pages.display import topic_names
from core.web.pages.forms import field_messages, field_views, form_timezone, parse_submission
from core.web.pages.guards import require_signed_in
from core.web.pages.listing import ListColumn, as_named, chip, column_views, kept_query, shown_columns
from core.web.pages.options import form_options
from core.web.pages.panels import load_panels
from core.web.pages.render import page_parts, redirect, render
from core.web.params import CurrentActor, FromQuery, PathId

ARCHIVED_WORDS = ("1", "true", "yes", "on")

DetailContext = Callable[[Request, Actor, dict[str, Any]], Awaitable[dict[str, Any]]]
# Extra context for a list page. It may narrow the list's ``filters`` in place, and return
# ``leading`` items that are shown before the page's own (e.g. the pilot's priority topics first).
ListContext = Callable[[Request, Actor, dict[str, str]], Awaitable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class ListFilter:
    """A select above a list. ``choices`` are fixed, or ``source`` names a loader ("topics",
    "organizations")."""

    name: str
    label: str
    choices: tuple[Choice, ...] = ()
    source: str = ""
    checkbox: bool = False  # a yes-or-no filter ("Overdue only"), ticked as ``true``


@dataclass(frozen=True)
class PageSpec:
    """One record type's pages. ``path`` is where they live under the tenant (``/organizations``,
    or ``/networks/memberships`` for a plugin's), used for every link and redirect; ``route`` is the
    controller's own path where its router adds a prefix (a plugin's router mounts it under
    ``/<plugin name>``, so its ``route`` is ``/`` or ``/memberships``); it defaults to ``path``."""

    path: str
    service: type[RecordService]
    plural: str  # msgids
    singular: str
    new_label: str
    list_template: str
    detail_template: str
    filters: tuple[ListFilter, ...] = ()
    # The list's columns (its template has a ``cell`` for each key); members choose which they see.
    columns: tuple[ListColumn, ...] = ()
    detail_context: DetailContext | None = field(default=None, compare=False)
    list_context: ListContext | None = field(default=None, compare=False)
    route: str | None = None


async def _filter_views(spec: PageSpec, request: Request, actor: Actor, locale: str) -> list[dict[str, Any]]:
    from core.organizations.service import OrganizationService
    from core.topics.service import TopicService

    _, t, _ = page_parts(request)
    views = []
    for f in spec.filters:
        if f.source == "topics":
            choices = await TopicService(actor, locale).labelled()
        elif f.source == "organizations":
            choices = [(str(i), label) for i, label in await OrganizationService(actor, locale).choices()]
        else:
            choices = [(c.value, t.gettext(c.label)) for c in f.choices]
        views.append(
            {
                "name": f.name,
                "label": t.gettext(f.label),
                "choices": choices,
                "value": request.query_params.get(f.name, ""),
                "checkbox": f.checkbox,
            }
        )
    return views


def _chips(
    t: Any, filters: list[dict[str, Any]], q: str | None, archived: bool, query: dict[str, str]
) -> list[dict[str, str]]:
    """The search, the filters and the archived view in use, each as a chip that removes it."""
    chips = [chip(t, t.pgettext("search field", "Search"), q, "q", query)] if q else []
    for view in filters:
        if view["value"]:
            shown = dict((str(v), label) for v, label in view["choices"]).get(view["value"], view["value"])
            chips.append(chip(t, view["label"], "" if view.get("checkbox") else shown, view["name"], query))
    if archived:
        chips.append(chip(t, t.gettext("Archived records"), "", "archived", query))
    return chips


def plugin_field_values(request: Request, form_name: str, record: dict[str, Any]) -> list[tuple[str, str]]:
    """The tenant's plugin fields of a record as (label, shown value), choice codes as their labels."""
    tenant, t, _ = page_parts(request)
    shown = []
    for field_spec in tenant.form(form_name).plugin_fields:
        value = record.get(field_spec.name)
        if value in (None, "", []):
            continue
        labels = {c.value: t.gettext(c.label) for c in field_spec.choices}
        values = value if isinstance(value, list) else [value]
        shown.append((t.gettext(field_spec.label), ", ".join(labels.get(str(v), str(v)) for v in values)))
    return shown


async def form_page(
    spec: PageSpec,
    request: Request,
    actor: Actor,
    values: dict[str, Any],
    errors: dict[str, list[Message]],
    record: dict[str, Any] | None,
    status: int = 200,
    error: str | None = None,
    notice: str = "",
) -> Template:
    """The new or edit form of ``spec``'s records with ``values`` (and a refused save's ``errors``);
    ``record`` None means a new record. Areas show it with starting values of their own and a
    ``notice`` saying where they come from (a joint action from a meeting)."""
    tenant, t, _ = page_parts(request)
    service_cls = spec.service
    form = tenant.form(service_cls.form_name)
    options = await form_options(form, actor, t.locale, tenant)
    timezone = form_timezone(values, tenant.declaration.timezone)
    general = field_messages(t, errors, "")
    fields = field_views(form, t, values, errors, options, timezone)
    if record is not None:  # identifiers such as a topic's code are set once
        for view in fields:
            view.readonly = view.name in service_cls.immutable_fields
    return render(
        request,
        "records/form.html",
        status=status,
        spec=spec,
        record=record,
        fields=fields,
        error=error,
        general_errors=general,
        notice=notice,
    )


def record_pages(spec: PageSpec) -> type[Controller]:
    service_cls = spec.service
    form_name = service_cls.form_name

    render_form = partial(form_page, spec)

    async def submission(request: Request) -> dict[str, Any]:
        """The form as the service's input; an edit's ``version`` rides along as an integer."""
        tenant, _, _ = page_parts(request)
        data = await request.form()
        values = parse_submission(tenant.form(form_name), data, tenant.declaration.timezone)
        if "version" in data:
            version = str(data.get("version", ""))
            values["version"] = int(version) if version.isascii() and version.isdigit() else version
        return values

    async def editable(actor: Actor, locale: str, record_id: int) -> dict[str, Any]:
        """The record, if ``actor`` may change it (else 403: the form would only be refused)."""
        service = service_cls(actor, locale)
        record = await service.get(record_id)
        if not service.may_edit(record):
            raise PermissionDenied()
        return record

    @get("/", name=f"{form_name}-list")
    async def list_page(
        self: Controller,
        request: Request,
        actor: CurrentActor,
        q: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
        archived: FromQuery[str | None] = None,
    ) -> Template:
        _, t, _ = page_parts(request)
        filters = {f.name: request.query_params.get(f.name, "") for f in spec.filters}
        service = service_cls(actor, t.locale)
        archived_only = (archived or "").lower() in ARCHIVED_WORDS
        if archived and not service.may_see_archived():
            raise PermissionDenied()
        status, search_errors, extra = 200, [], {}
        try:
            order = service.sort_order(sort)
            extra = await spec.list_context(request, actor, filters) if spec.list_context else {}
            page = await service.list_page(
                q=q,
                filters=filters,
                cursor=cursor,
                limit=25,
                sort=sort,
                archived_only=archived_only,
                count=True,
            )
        except ValidationFailed as exc:  # a search, sort or filter the list cannot take: say so by the form
            status, page, extra = 400, Page([], None), {}
            order = service.sort_order(None)
            search_errors = [t.message(m) for messages in exc.errors.values() for m in messages]
        query = {k: v for k, v in request.query_params.items() if k != "cursor"}
        offered = [c.key for c in spec.columns]
        columns = shown_columns(spec.columns, await chosen_columns(actor, spec.path, offered))
        filter_views = await _filter_views(spec, request, actor, t.locale)
        # Topics read as their names in the page's language, never as codes.
        names = await topic_names(actor, t) if any(c.key == "topics" for c in columns) else {}
        return render(
            request,
            spec.list_template,
            status=status,
            spec=spec,
            page=page,
            search_errors=search_errors,
            q=q or "",
            filters=filter_views,
            query=query,
            columns=column_views(t, columns, as_named(order, service_cls.sort_keys), query),
            all_columns=[(c.key, t.gettext(c.label), c in columns) for c in spec.columns],
            chips=_chips(t, filter_views, q, archived_only, query),
            archived=archived_only,
            may_see_archived=service.may_see_archived(),
            kept=kept_query(str(request.url.query or "")),
            can_create=service.may_write(),
            leading=extra.pop("leading", []),
            **{"topic_names": names, **extra},
        )

    @post("/columns", name=f"{form_name}-columns")
    async def columns_choice(self: Controller, request: Request, actor: CurrentActor) -> Redirect:
        """Remember the columns the member ticked for this list (or forget them: ``reset``), then
        show the list again as it was."""
        form = await request.form()
        offered = [c.key for c in spec.columns]
        back = kept_query(str(form.get("kept", "")))
        target = f"{spec.path}?{back}" if back else spec.path
        if form.get("reset"):
            await forget_columns(actor, spec.path)
            return redirect(request, target, flash=("success", N_("The list shows its usual columns again.")))
        try:
            await remember_columns(actor, spec.path, [str(v) for v in form.getall("columns", [])], offered)
        except ValidationFailed as exc:  # nothing ticked: the list stays as it was, and says why
            message = next(m for messages in exc.errors.values() for m in messages)
            return redirect(request, target, flash=("error", message.msgid), **message.params)
        return redirect(request, target, flash=("success", N_("Columns saved.")))

    def export_query(request: Request) -> tuple[str | None, dict[str, str]]:
        """The list's search and filters as the page's query string gives them."""
        filters = {f.name: request.query_params.get(f.name, "") for f in spec.filters}
        return request.query_params.get("q") or None, filters

    def export_choice_page(
        request: Request, actor: Actor, chosen: list[str], errors: list[tuple[str, str]], status: int = 200
    ) -> Template:
        """The choice; ``errors`` are (parameter, message) pairs of what the download refused."""
        _, t, _ = page_parts(request)
        q, filters = export_query(request)
        kept = {"q": q or "", **filters}
        return render(
            request,
            "records/export.html",
            status=status,
            spec=spec,
            columns=[(c.key, t.gettext(c.label)) for c in available_columns(service_cls(actor, t.locale))],
            chosen=set(chosen),
            errors=errors,
            kept={k: v for k, v in kept.items() if v},
        )

    @get("/export", name=f"{form_name}-export-choice")
    async def export_choice(self: Controller, request: Request, actor: CurrentActor) -> Template:
        """The columns to export (all ticked, or those ``columns`` names), then a CSV or XLSX
        download of the list as filtered."""
        _, t, _ = page_parts(request)
        q, filters = export_query(request)
        columns = requested_columns(request.query_params.getall("columns", []))
        service = service_cls(actor, t.locale)
        try:  # what the download would refuse, said before choosing
            check_format(request.query_params.get("format", "csv"))
            choose_columns(service, columns)
            await service.list_page(q=q, filters=filters, limit=1)
        except ValidationFailed as exc:
            errors = [(name, t.message(m)) for name, messages in exc.errors.items() for m in messages]
            return export_choice_page(request, actor, columns, errors, status=400)
        return export_choice_page(request, actor, columns, [])

    async def export_file(request: Request, actor: Actor, fmt: str) -> Template | Download:
        """The download, or the choice again with what is wrong (an unknown column, a refused search)."""
        _, t, _ = page_parts(request)
        q, filters = export_query(request)
        columns = requested_columns(request.query_params.getall("columns", []))
        try:
            export = await ListExport.start(
                service_cls(actor, t.locale), t, fmt=fmt, columns=columns, q=q, filters=filters
            )
        except ValidationFailed as exc:
            errors = [(name, t.message(m)) for name, messages in exc.errors.items() for m in messages]
            return export_choice_page(request, actor, columns, errors, status=400)
        return download(export)

    @get("/export.csv", name=f"{form_name}-export")
    async def export_csv(self: Controller, request: Request, actor: CurrentActor) -> Template | Download:
        """The list as the page's search and filters show it, as a CSV download."""
        return await export_file(request, actor, "csv")

    @get("/export.xlsx", name=f"{form_name}-export-xlsx")
    async def export_xlsx(self: Controller, request: Request, actor: CurrentActor) -> Template | Download:
        """The same as an XLSX workbook."""
        return await export_file(request, actor, "xlsx")

    @get("/new")
    async def new_page(self: Controller, request: Request, actor: CurrentActor) -> Template:
        _, t, _ = page_parts(request)
        if not service_cls(actor, t.locale).may_write():
            raise PermissionDenied()
        return await render_form(request, actor, {}, {}, None)

    @post("/new")
    async def create(self: Controller, request: Request, actor: CurrentActor) -> Template | Redirect:
        _, t, _ = page_parts(request)
        values = await submission(request)
        try:
            record = await service_cls(actor, t.locale).create(values)
        except ValidationFailed as exc:
            return await render_form(request, actor, values, exc.errors, None, status=400)
        return redirect(request, f"{spec.path}/{record['id']}", flash=("success", N_("Saved.")))

    @get("/{record_id:int}")
    async def detail(self: Controller, request: Request, actor: CurrentActor, record_id: PathId) -> Template:
        _, t, _ = page_parts(request)
        service = service_cls(actor, t.locale)
        record = await service.get(record_id)
        extra = await spec.detail_context(request, actor, record) if spec.detail_context else {}
        can_edit = service.may_edit(record) and record.get("archived_at") is None
        tenant = service.tenant
        panels = await load_panels(
            tenant.plugins.hook.pilot_crm_record_panels(entity=service_cls.entity), actor, t, record
        )
        return render(
            request,
            spec.detail_template,
            spec=spec,
            record=record,
            can_edit=can_edit,
            plugin_fields=plugin_field_values(request, form_name, record),
            panels=panels,
            can_restore=record.get("archived_at") is not None
            and not record.get("erased")
            and service.may_see_archived(),
            **extra,
        )

    @get("/{record_id:int}/edit")
    async def edit_page(
        self: Controller, request: Request, actor: CurrentActor, record_id: PathId
    ) -> Template:
        _, t, _ = page_parts(request)
        record = await editable(actor, t.locale, record_id)
        return await render_form(request, actor, record, {}, record)

    @post("/{record_id:int}/edit")
    async def update(
        self: Controller, request: Request, actor: CurrentActor, record_id: PathId
    ) -> Template | Redirect:
        _, t, _ = page_parts(request)
        values = await submission(request)
        values.setdefault("version", "")
        service = service_cls(actor, t.locale)
        try:
            await service.update(record_id, values)
        except ValidationFailed as exc:
            record = await service.get(record_id)
            return await render_form(
                request, actor, values, exc.errors, {**record, "version": values["version"]}, status=400
            )
        except Conflict as exc:
            record = await service.get(record_id)
            return await render_form(
                request, actor, values, {}, record, status=409, error=t.message(exc.message)
            )
        return redirect(request, f"{spec.path}/{record_id}", flash=("success", N_("Saved.")))

    @get("/{record_id:int}/archive")
    async def archive_page(
        self: Controller, request: Request, actor: CurrentActor, record_id: PathId
    ) -> Template:
        _, t, _ = page_parts(request)
        record = await editable(actor, t.locale, record_id)
        return render(request, "records/archive.html", spec=spec, record=record)

    @post("/{record_id:int}/archive")
    async def archive(self: Controller, request: Request, actor: CurrentActor, record_id: PathId) -> Redirect:
        _, t, _ = page_parts(request)
        await service_cls(actor, t.locale).archive(record_id)
        return redirect(request, spec.path, flash=("success", N_("Archived.")))

    @post("/{record_id:int}/restore")
    async def restore(self: Controller, request: Request, actor: CurrentActor, record_id: PathId) -> Redirect:
        """Bring an archived record back (coordinators; audited)."""
        _, t, _ = page_parts(request)
        await service_cls(actor, t.locale).restore(record_id)
        return redirect(request, f"{spec.path}/{record_id}", flash=("success", N_("Restored.")))

    return type(
        f"{service_cls.__name__.removesuffix('Service')}Pages",
        (Controller,),
        {
            "path": spec.route if spec.route is not None else spec.path,
            "guards": [require_signed_in],
            "include_in_schema": False,
            "list_page": list_page,
            "columns_choice": columns_choice,
            "export_choice": export_choice,
            "export_csv": export_csv,
            "export_xlsx": export_xlsx,
            "new_page": new_page,
            "create": create,
            "detail": detail,
            "edit_page": edit_page,
            "update": update,
            "archive_page": archive_page,
            "archive": archive,
            "restore": restore,
        },
    )
