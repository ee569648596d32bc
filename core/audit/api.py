from typing import Any

from litestar import get
from litestar.params import Parameter

from core.accounts.roles import Actor
from core.audit.service import history
from core.errors import PermissionDenied


@get("/audit", summary="Audit log (coordinators)", tags=["Audit"])
async def audit_log(
    actor: Actor,
    entity: str | None = None,
    entity_id: int | None = None,
    limit: int = Parameter(default=100, ge=1, le=500),
) -> list[dict[str, Any]]:
    """Newest first. Only coordinators read the audit log of their tenant."""
    if not actor.is_coordinator:
        raise PermissionDenied()
    return await history(entity, entity_id, limit)
