"""Columns the plugin adds to the contacts' export: how many applications a person made and how
many certificates they hold (revoked ones left out)."""

from __future__ import annotations

from typing import Any

from core.plugin_api import N_, Actor, ExportColumn
from plugins.engagement.panels.reading import counts_by_contact
from plugins.engagement.tables import Application, Certificate


async def applications(_actor: Actor, ids: list[int]) -> dict[int, Any]:
    return await counts_by_contact(Application, ids)


async def certificates(_actor: Actor, ids: list[int]) -> dict[int, Any]:
    return await counts_by_contact(Certificate, ids, Certificate.revoked_at.is_null())


CONTACT_COLUMNS = [
    ExportColumn("engagement_applications", N_("Applications to activities"), values=applications),
    ExportColumn("engagement_certificates", N_("Certificates"), values=certificates),
]
