"""Liveness and readiness, for a proxy's health checks and an orchestrator.

``/healthz`` says the process is up, without touching a database: a slow database must not get the
process restarted. ``/readyz`` says whether it can serve every tenant: one trivial query per tenant,
under its context, a few tenants at a time and each bounded by a short timeout; 503 names the tenants
whose database did not answer (the reason is logged, never sent: it may hold a driver's detail, a host
name or a path)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from litestar import Request, Response, get

from core.db.identity import TenantIdentity
from core.tenancy.context import tenant_context

log = logging.getLogger("pilot_crm.health")
READY_TIMEOUT_SECONDS = 2.0
READY_CONCURRENCY = 8


@get("/healthz", summary="Liveness", tags=["Operations"], exclude_from_auth=True)
async def healthz() -> dict[str, str]:
    """Answers without a tenant: the process is up and serving."""
    return {"status": "ok"}


async def _answers(tenant: Any, gate: asyncio.Semaphore) -> bool:
    async with gate:
        with tenant_context(tenant):
            try:
                query = TenantIdentity.select(TenantIdentity.id).limit(1).run()
                await asyncio.wait_for(query, READY_TIMEOUT_SECONDS)
            except TimeoutError:
                log.error("tenant %s not ready: no answer within %ss", tenant.slug, READY_TIMEOUT_SECONDS)
                return False
            except Exception as exc:  # whatever the driver raises: the tenant is not ready
                log.error("tenant %s not ready: %s: %s", tenant.slug, type(exc).__name__, exc)
                return False
    return True


async def unready_tenants(tenants: list[Any]) -> list[str]:
    """The slugs of ``tenants`` whose database does not answer a trivial query in time."""
    gate = asyncio.Semaphore(READY_CONCURRENCY)
    answers = await asyncio.gather(*(_answers(tenant, gate) for tenant in tenants))
    return sorted(tenant.slug for tenant, ok in zip(tenants, answers, strict=True) if not ok)


@get("/readyz", summary="Readiness", tags=["Operations"], exclude_from_auth=True)
async def readyz(request: Request) -> Response[dict[str, Any]]:
    """200 when every enabled tenant's database answers; 503 listing the tenants whose database does
    not. A disabled tenant is left out: it serves nothing, so it cannot make a host unready."""
    tenants = [tenant for tenant in request.app.state.registry if tenant.declaration.enabled]
    failing = await unready_tenants(tenants)
    if failing:
        return Response({"status": "unavailable", "tenants": failing}, status_code=503)
    return Response({"status": "ok", "tenants": len(tenants)})
