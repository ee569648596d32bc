"""The engagement plugin's tests run on two tenants built by the kit: ``taller`` enables the plugin
(Spanish by default, every language of its catalogs allowed), ``plain`` does not (so what the
plugin adds must be absent there)."""

from __future__ import annotations

import pytest

from core.plugin_api import TenantSpec
from plugins.engagement.tests.support import OFF, ON


@pytest.fixture(scope="module")
def pilot_crm_tenants() -> list[TenantSpec]:
    return [
        TenantSpec(
            ON,
            country="MEX",
            default_locale="es",
            locales=("es", "en", "fr", "pt", "ar"),
            timezone="America/Mexico_City",
            plugins=("engagement",),
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
