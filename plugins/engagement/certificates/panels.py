"""The certificates card on a contact's page: each certificate, valid or revoked, with its
verification page (and, for coordinators, its PDF). No card for a contact without any, or whose
record the member sees only as a protected placeholder."""

from __future__ import annotations

from typing import Any

from core.plugin_api import N_, Actor, Panel, Translator
from plugins.engagement.certificates.service import CertificateService, of_contact


async def contact_certificates(
    actor: Actor, t: Translator, record: dict[str, Any] | None
) -> dict[str, Any] | None:
    if record is None or record.get("hidden"):
        return None
    found = await of_contact(record["id"])
    if not found:
        return None
    return {"certificates": found, "can_manage": CertificateService(actor).may_manage()}


CONTACT_PANEL = Panel(
    key="engagement_certificates",
    title=N_("Certificates"),
    template="engagement/certificates/contact_panel.html",
    load=contact_certificates,
)
