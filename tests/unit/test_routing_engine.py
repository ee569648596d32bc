"""The routing engine fails closed: no tenant in context, no query."""

from __future__ import annotations

import pytest

from core.contacts.tables import Contact
from core.db.routing import ROUTING_ENGINE
from core.errors import NoTenantInContext
from core.organizations.tables import Organization


async def test_query_without_tenant_raises():
    with pytest.raises(NoTenantInContext):
        await Contact.select().run()


async def test_write_without_tenant_raises():
    with pytest.raises(NoTenantInContext):
        await Organization.insert(Organization(name="x", sector="ngo", side="non_governmental")).run()


def test_engine_type_without_tenant_raises():
    with pytest.raises(NoTenantInContext):
        _ = ROUTING_ENGINE.engine_type


def test_every_core_table_is_bound_to_the_routing_engine():
    from core.db.piccolo_app import APP_CONFIG

    assert all(table._meta.db is ROUTING_ENGINE for table in APP_CONFIG.table_classes)


def test_piccolo_migration_table_routes_by_tenant_too():
    from piccolo.apps.migrations.tables import Migration

    assert Migration._meta.db is ROUTING_ENGINE
