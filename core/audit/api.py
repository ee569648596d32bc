"""The append-only audit log: who changed what, when, in which tenant, before and after."""

from typing import Annotated, Any

from litestar import Response, get
from litestar.params import QueryParameter

from core.audit.export import MEDIA_TYPES, export_audit, export_filename
from core.audit.service import history
from core.errors import PermissionDenied
from core.web.params import CurrentActor, CurrentTenant, FromQuery, QueryId


@get("/audit", summary="Audit log (coordinators)", tags=["Audit"])
async def audit_log(
    actor: CurrentActor,
    entity: FromQuery[str | None] = None,
    entity_id: QueryId = None,
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Newest first. Only coordinators read the audit log of their tenant."""
    if not actor.is_coordinator:
        raise PermissionDenied()
    return await history(entity, entity_id, limit)


@get(
    "/audit/export",
    summary="Export the audit log as CSV (coordinators)",
    tags=["Audit"],
    media_type=MEDIA_TYPES["csv"],
)
async def audit_export(
    actor: CurrentActor,
    tenant: CurrentTenant,
    entity: FromQuery[str | None] = None,
    by: FromQuery[str | None] = None,
) -> Response[str]:
    """Every entry matching the filters (record type, member's email), oldest first, with the hash
    chain columns so the copy can be checked later."""
    if not actor.is_coordinator:
        raise PermissionDenied()
    return Response(
        await export_audit("csv", entity or None, (by or "").strip() or None),
        media_type=MEDIA_TYPES["csv"],
        headers={"Content-Disposition": f'attachment; filename="{export_filename(tenant.slug, "csv")}"'},
    )
