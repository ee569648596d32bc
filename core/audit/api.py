from typing import Annotated, Any

from litestar import get
from litestar.params import QueryParameter

from core.audit.service import history
from core.errors import PermissionDenied
from core.web.params import CurrentActor, FromQuery


@get("/audit", summary="Audit log (coordinators)", tags=["Audit"])
async def audit_log(
    actor: CurrentActor,
    entity: FromQuery[str | None] = None,
    entity_id: FromQuery[int | None] = None,
    limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
) -> list[dict[str, Any]]:
    """Newest first. Only coordinators read the audit log of their tenant."""
    if not actor.is_coordinator:
        raise PermissionDenied()
    return await history(entity, entity_id, limit)
