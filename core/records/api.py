"""One JSON API controller shape for every record service: list/get/create/update/archive."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, patch, post
from litestar.openapi.spec import OpenAPIType, Operation, Parameter, Schema
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from core.records.export import ListExport, requested_columns
from core.records.service import RecordService
from core.records.writers import MEDIA_TYPES
from core.web.download import Download, download
from core.web.params import CurrentActor, FromQuery, JSONObject, Limit, PathId
from core.web.state import request_locale

COMMON_QUERY = {"q", "cursor", "limit", "include_archived", "sort", "archived"}
EXPORT_QUERY = {"q", "cursor", "limit", "include_archived", "format", "columns"}


def filter_operation(service_cls: type[RecordService]) -> type[Operation]:
    """The list operation's OpenAPI entry with the service's filters declared as query parameters:
    the handler reads them from the query string (their names come from the service), so Litestar
    cannot infer them from its signature."""
    declared = [
        Parameter(
            name=name,
            param_in="query",
            schema=Schema(type=OpenAPIType.STRING),
            description=f"Only the {service_cls.entity} records matching this {name}.",
        )
        for name in sorted(service_cls.filters)
    ]

    @dataclass
    class ListOperation(Operation):
        def __post_init__(self) -> None:
            self.parameters = [*(self.parameters or []), *declared]

    return ListOperation


def record_controller(path: str, service_cls: type[RecordService], tag: str) -> type[Controller]:
    """Build the controller for ``service_cls`` mounted at ``path`` (e.g. ``/organizations``)."""
    filter_doc = ", ".join(sorted(service_cls.filters)) or "none"
    sort_doc = ", ".join(f"`{key}`" for key in sorted(service_cls.sort_keys)) or "none"
    entity, form = service_cls.entity, service_cls.form_name

    @get(
        "/",
        summary=f"List {tag}",
        description=f"Filters (query parameters): {filter_doc}. "
        "Full-text `q` matches every term. Keyset pagination: pass `next` (or `previous`) back as "
        f"`cursor`; `total` counts the whole list. `sort`: one of {sort_doc}, `-` first for descending, "
        "or `relevance`: the best matches of `q` first (at the start of the name, then of a word). "
        "`archived=true` lists the archived records alone (coordinators).",
        operation_class=filter_operation(service_cls),
    )
    async def list_records(
        self: Controller,
        request: Request,
        actor: CurrentActor,
        q: FromQuery[str | None] = None,
        cursor: FromQuery[str | None] = None,
        limit: Limit = 50,
        include_archived: FromQuery[bool] = False,
        sort: FromQuery[str | None] = None,
        archived: FromQuery[bool] = False,
    ) -> dict[str, Any]:
        filters = {k: v for k, v in request.query_params.items() if k not in COMMON_QUERY}
        page = await service_cls(actor, request_locale(request)).list_page(
            q=q,
            filters=filters,
            cursor=cursor,
            limit=limit,
            include_archived=include_archived,
            archived_only=archived,
            sort=sort,
            count=True,
        )
        return {"items": page.items, "next": page.next, "previous": page.previous, "total": page.total}

    @get(
        "/export",
        summary=f"Export {tag} as CSV or XLSX",
        description=f"Filters (query parameters): {filter_doc}. The list as `q` and the filters choose it, "
        "headed in the reader's language. `format`: `csv` (UTF-8 with a byte-order mark, times in ISO "
        "8601) or `xlsx` (typed date cells); both in the tenant's time zone. `columns`: the column keys "
        "to include, repeated or comma-separated (`id`, the form's field names, the keys of the columns "
        "plugins add); every column when absent.",
        operation_class=filter_operation(service_cls),
        media_type=MEDIA_TYPES["csv"],
    )
    async def export_records(
        self: Controller,
        request: Request,
        actor: CurrentActor,
        q: FromQuery[str | None] = None,
        include_archived: FromQuery[bool] = False,
        format: FromQuery[str] = "csv",
        columns: FromQuery[list[str] | None] = None,
    ) -> Download:
        filters = {k: v for k, v in request.query_params.items() if k not in EXPORT_QUERY}
        locale = request_locale(request)
        service = service_cls(actor, locale)
        export = await ListExport.start(
            service,
            service.tenant.translator(locale),
            fmt=format,
            columns=requested_columns(columns or ()),
            q=q,
            filters=filters,
            include_archived=include_archived,
        )
        return download(export)

    @get("/{record_id:int}", summary=f"Get one {entity}")
    async def get_record(
        self: Controller, request: Request, actor: CurrentActor, record_id: PathId
    ) -> dict[str, Any]:
        return await service_cls(actor, request_locale(request)).get(record_id)

    @post(
        "/",
        summary=f"Create a {entity}",
        description=f"Body: the `{form}` form (its fields: `GET …/forms/{form}`).",
        status_code=HTTP_201_CREATED,
    )
    async def create_record(
        self: Controller, request: Request, actor: CurrentActor, data: JSONObject
    ) -> dict[str, Any]:
        return await service_cls(actor, request_locale(request)).create(data)

    @patch(
        "/{record_id:int}",
        summary=f"Update a {entity}",
        description="Send `version` as read; a stale version answers 409.",
    )
    async def update_record(
        self: Controller, request: Request, actor: CurrentActor, record_id: PathId, data: JSONObject
    ) -> dict[str, Any]:
        return await service_cls(actor, request_locale(request)).update(record_id, data)

    @post("/{record_id:int}/archive", summary=f"Archive a {entity}", status_code=HTTP_200_OK)
    async def archive_record(
        self: Controller, request: Request, actor: CurrentActor, record_id: PathId
    ) -> dict[str, Any]:
        return await service_cls(actor, request_locale(request)).archive(record_id)

    @post(
        "/{record_id:int}/restore",
        summary=f"Restore an archived {entity}",
        description="Coordinators only; audited.",
        status_code=HTTP_200_OK,
    )
    async def restore_record(
        self: Controller, request: Request, actor: CurrentActor, record_id: PathId
    ) -> dict[str, Any]:
        return await service_cls(actor, request_locale(request)).restore(record_id)

    return type(
        f"{service_cls.__name__.removesuffix('Service')}Controller",
        (Controller,),
        {
            "path": path,
            "tags": [tag],
            "list_records": list_records,
            "export_records": export_records,
            "get_record": get_record,
            "create_record": create_record,
            "update_record": update_record,
            "archive_record": archive_record,
            "restore_record": restore_record,
        },
    )
