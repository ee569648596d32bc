"""The routing engine: every Piccolo table is bound to this one engine, which forwards each call to
the engine of the tenant in context and raises when there is none (fail closed).

Piccolo binds a table class to one engine object (``Meta.db``), but our isolation is one database
per tenant. Rather than building table classes or engines per request, the single bound engine looks
up the tenant's engine in a ContextVar on every call. ``engine_type`` is dynamic too, because query
compilation differs between SQLite and PostgreSQL and tenants may use either.
"""

from __future__ import annotations

from typing import Any

from piccolo.engine.base import Engine

from core.tenancy.context import require_tenant


def tenant_engine() -> Engine:
    return require_tenant().engine


class RoutingEngine(Engine):
    # Engine declares __slots__; a property named engine_type overrides the slot descriptor.
    def __init__(self) -> None:  # no super().__init__: there is no database of our own to check
        self.log_queries = False
        self.log_responses = False
        self.query_id = 0
        self.min_version_number = 0

    @property
    def engine_type(self) -> str:  # type: ignore[override]
        return tenant_engine().engine_type

    @property
    def current_transaction(self):  # type: ignore[override]
        return tenant_engine().current_transaction

    def transaction_exists(self) -> bool:
        return tenant_engine().transaction_exists()

    async def get_version(self) -> float:
        return await tenant_engine().get_version()

    def get_version_sync(self) -> float:
        return tenant_engine().get_version_sync()

    async def prep_database(self) -> None:
        await tenant_engine().prep_database()

    async def batch(self, query: Any, batch_size: int = 100, node: str | None = None):
        return await tenant_engine().batch(query, batch_size=batch_size, node=node)

    async def run_querystring(self, querystring: Any, in_pool: bool = True):
        return await tenant_engine().run_querystring(querystring, in_pool=in_pool)

    async def run_ddl(self, ddl: str, in_pool: bool = True):
        return await tenant_engine().run_ddl(ddl, in_pool=in_pool)

    def transform_response_to_dicts(self, results: Any) -> list[dict]:
        return tenant_engine().transform_response_to_dicts(results)

    def transaction(self, *args: Any, **kwargs: Any):
        return tenant_engine().transaction(*args, **kwargs)

    def atomic(self):
        return tenant_engine().atomic()

    async def start_connection_pool(self) -> None:
        await tenant_engine().start_connection_pool()

    async def close_connection_pool(self) -> None:
        await tenant_engine().close_connection_pool()


ROUTING_ENGINE = RoutingEngine()
