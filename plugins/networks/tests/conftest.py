"""The networks plugin's tests run on two tenants built by the kit: ``red`` enables the plugin
(Spanish by default, Arabic and English allowed), ``plain`` does not (so what the plugin adds must
be absent there, and nothing else different)."""

from __future__ import annotations

import pytest

from core.plugin_api import TenantSpec
from plugins.networks.tests.support import OFF, ON


@pytest.fixture(scope="module")
def pilot_crm_tenants() -> list[TenantSpec]:
    return [
        TenantSpec(
            ON,
            country="MEX",
            default_locale="es",
            locales=("es", "ar", "en"),
            timezone="America/Mexico_City",
            plugins=("networks",),
        ),
        TenantSpec(
            OFF,
            country="MEX",
            default_locale="es",
            locales=("es", "en"),
            timezone="America/Mexico_City",
            plugins=(),
        ),
    ]
