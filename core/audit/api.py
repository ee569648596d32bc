"""The append-only audit log: who changed what, when, in which tenant, before and after."""

from typing import Annotated, Any

from litestar import Request, get
from litestar.params import QueryParameter

from core.audit.export import AuditExport
from core.audit.service import history
from core.errors import PermissionDenied
from core.records.writers import MEDIA_TYPES
from core.web.download import Download, download
from core.web.params import CurrentActor, CurrentTenant, FromQuery, QueryId
from core.web.state import request_locale


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
    summary="Export the audit log as CSV or XLSX (coordinators)",
    description="`format`: `csv` (UTF-8 with a byte-order mark) or `xlsx`; headed in the reader's "
    "language, times in the tenant's time zone to the microsecond (as the chain hashes them).",
    tags=["Audit"],
    media_type=MEDIA_TYPES["csv"],
)
async def audit_export(
    request: Request,
    actor: CurrentActor,
    tenant: CurrentTenant,
    entity: FromQuery[str | None] = None,
    by: FromQuery[str | None] = None,
    format: FromQuery[str] = "csv",
) -> Download:
    """Every entry matching the filters (record type, member's email), oldest first, with the hash
    chain columns so the copy can be checked later."""
    if not actor.is_coordinator:
        raise PermissionDenied()
    t = tenant.translator(request_locale(request))
    return download(AuditExport(t, format, entity or None, (by or "").strip() or None))
