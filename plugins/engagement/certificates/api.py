"""The certificates' JSON API, for coordinators: an activity's participants with their completion
and certificates, issuing, and revocation with a reason. Mounted under
``/t/{tenant}/api/v1/engagement``; reasons and messages in the caller's language."""

from __future__ import annotations

from typing import Any

from litestar.status_codes import HTTP_200_OK

from core.plugin_api import (
    Controller,
    CurrentActor,
    CurrentTranslator,
    JSONObject,
    PathId,
    get,
    post,
)
from plugins.engagement.certificates.service import CertificateService

PUBLIC_FIELDS = (
    "id",
    "code",
    "code_grouped",
    "activity",
    "participant",
    "contact",
    "holder_name",
    "activity_title",
    "completed_on",
    "language",
    "source",
    "platform",
    "external_id",
    "issued_at",
    "revoked_at",
    "revocation_reason",
    "valid",
)


def as_json(certificate: dict[str, Any]) -> dict[str, Any]:
    return {name: certificate[name] for name in PUBLIC_FIELDS}


class CertificatesController(Controller):
    path = "/"
    tags = ["Engagement certificates"]

    @get(
        "/activities/{record_id:int}/certificates",
        summary="List an activity's participants with their completion and certificates",
    )
    async def list_certificates(
        self, actor: CurrentActor, translator: CurrentTranslator, record_id: PathId
    ) -> dict[str, Any]:
        _, found, by_participant = await CertificateService(actor).of_activity(record_id)
        return {
            "items": [
                {
                    "participant": s.participant,
                    "contact": s.contact,
                    "name": s.name,
                    "attended": s.attended,
                    "held": s.held,
                    "post_submitted": s.post_submitted,
                    "complete": s.complete,
                    "reasons": [translator.message(m) for m in s.reasons],
                    "certificates": [as_json(c) for c in by_participant.get(s.participant, [])],
                }
                for s in found
            ]
        }

    @post(
        "/activities/{record_id:int}/certificates/issue",
        summary="Issue certificates to the activity's complete participants without one",
        description="Idempotent: a participant with a valid certificate gets no second one.",
        status_code=HTTP_200_OK,
    )
    async def issue_certificates(self, actor: CurrentActor, record_id: PathId) -> dict[str, Any]:
        issued = await CertificateService(actor).issue(record_id)
        return {"issued": [as_json(c) for c in issued]}

    @post(
        "/certificates/{certificate_id:int}/revoke",
        summary="Revoke a certificate",
        description="Body: `reason` (required). A revoked certificate stays revoked.",
        status_code=HTTP_200_OK,
    )
    async def revoke_certificate(
        self, actor: CurrentActor, certificate_id: PathId, data: JSONObject
    ) -> dict[str, Any]:
        return as_json(await CertificateService(actor).revoke(certificate_id, data.get("reason")))
