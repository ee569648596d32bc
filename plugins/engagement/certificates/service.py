"""Certificates as a domain service: who may do what (coordinators issue and revoke; the public
only verifies a code), issuing by the completion rule, revocation, and the readings the pages,
the API, the PDF and the contact's panel show. Each write is one transaction with its audit entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.plugin_api import (
    COORDINATOR,
    N_,
    Actor,
    Message,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    record_audit,
    require_tenant,
)
from plugins.engagement.certificates import codes
from plugins.engagement.certificates.completion import Standing, as_date, standings
from plugins.engagement.moments import instant
from plugins.engagement.tables import Activity, Certificate

ENTITY = "certificate"
MAX_REASON = 2000
# What a certificate's row says about it, everywhere it is shown (the public page shows less).
COLUMNS = (
    Certificate.id,
    Certificate.code,
    Certificate.activity,
    Certificate.participant,
    Certificate.contact,
    Certificate.holder_name,
    Certificate.activity_title,
    Certificate.completed_on,
    Certificate.language,
    Certificate.source,
    Certificate.platform,
    Certificate.external_id,
    Certificate.issued_at,
    Certificate.revoked_at,
    Certificate.revocation_reason,
)


@dataclass
class Verification:
    """All the public verification page may say about a code: nothing else is read."""

    valid: bool
    holder_name: str
    activity_title: str
    completed_on: date
    revoked_at: datetime | None


def shown(row: dict[str, Any]) -> dict[str, Any]:
    """A certificate row with typed dates and its code grouped, as pages and the API show it."""
    return {
        **row,
        "completed_on": as_date(row["completed_on"]),
        "issued_at": instant(row["issued_at"]),
        "revoked_at": instant(row["revoked_at"]),
        "code_grouped": codes.grouped(row["code"]),
        "valid": row["revoked_at"] is None,
    }


def certificate_language(standing: Standing) -> str:
    """The application's language, else the contact's preference, if the tenant speaks it; else
    the tenant's default language."""
    declaration = require_tenant().declaration
    spoken = [code for code in standing.languages if code in declaration.locales]
    return spoken[0] if spoken else declaration.default_locale


def end_date(activity: dict[str, Any]) -> date:
    """The day the activity ends, in its own time zone."""
    ends = instant(activity["ends_at"])
    assert ends is not None
    zone = activity.get("timezone") or require_tenant().declaration.timezone
    return ends.astimezone(ZoneInfo(zone)).date()


async def verify(typed: str) -> Verification | None:
    """What a typed code certifies, or None for no certificate (or no possible code)."""
    # A code that cannot be one is still looked up (as ""), so every unknown code takes as long.
    code = codes.normalize(typed) or ""
    row = (
        await Certificate.select(
            Certificate.holder_name,
            Certificate.activity_title,
            Certificate.completed_on,
            Certificate.revoked_at,
        )
        .where(Certificate.code == code)
        .first()
    )
    if row is None:
        return None
    completed_on = as_date(row["completed_on"])
    assert completed_on is not None
    revoked_at = instant(row["revoked_at"])
    return Verification(
        revoked_at is None, row["holder_name"], row["activity_title"], completed_on, revoked_at
    )


class CertificateService:
    """Certificates of the tenant in context, as ``actor``."""

    def __init__(self, actor: Actor) -> None:
        self.actor = actor

    def may_manage(self) -> bool:
        return self.actor.role == COORDINATOR

    def _check(self) -> None:
        if not self.may_manage():
            raise PermissionDenied()

    async def activity(self, activity_id: int) -> dict[str, Any]:
        row = await Activity.select().where(Activity.id == activity_id).first()
        if row is None:
            raise NotFound()
        return row

    async def of_activity(
        self, activity_id: int
    ) -> tuple[dict[str, Any], list[Standing], dict[int, list[dict[str, Any]]]]:
        """The activity, its participants' standings and their certificates (newest first) by
        participant."""
        self._check()
        activity = await self.activity(activity_id)
        found = await standings(activity)
        rows = (
            await Certificate.select(*COLUMNS)
            .where(Certificate.activity == activity_id)
            .order_by(Certificate.id, ascending=False)
        )
        by_participant: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            by_participant.setdefault(row["participant"], []).append(shown(row))
        return activity, found, by_participant

    async def issue(self, activity_id: int) -> list[dict[str, Any]]:
        """A certificate for every complete participant without a valid one, all or none, each
        audited. Issuing again issues nothing new (revoked certificates do not count: a new one may
        be issued after a revocation)."""
        self._check()
        async with Certificate._meta.db.transaction():
            activity, found, by_participant = await self.of_activity(activity_id)
            completed_on = end_date(activity)
            issued = []
            for standing in found:
                if not standing.complete or any(
                    c["valid"] for c in by_participant.get(standing.participant, [])
                ):
                    continue
                values = {
                    "code": codes.new_code(),
                    "activity": activity_id,
                    "participant": standing.participant,
                    "contact": standing.contact,
                    "holder_name": standing.name[:250],
                    "activity_title": activity["title"],
                    "completed_on": standing.completed_on or completed_on,
                    "language": certificate_language(standing),
                    "source": "completion",
                    "issued_at": datetime.now(UTC),
                    "issued_by": self.actor.user_id,
                }
                row = (await Certificate.insert(Certificate(**values)).returning(Certificate.id))[0]
                after = {k: (str(v) if isinstance(v, date | datetime) else v) for k, v in values.items()}
                await record_audit(self.actor, ENTITY, row["id"], "create", None, after)
                issued.append(await self.get(row["id"]))
            return issued

    async def get(self, certificate_id: int) -> dict[str, Any]:
        self._check()
        row = await Certificate.select(*COLUMNS).where(Certificate.id == certificate_id).first()
        if row is None:
            raise NotFound()
        return shown(row)

    async def revoke(self, certificate_id: int, reason: Any) -> dict[str, Any]:
        """Revoke with a reason, audited. A revoked certificate stays revoked (revoking it again is
        refused); a new one may be issued."""
        self._check()
        text = reason.strip() if isinstance(reason, str) else ""
        if not text:
            raise ValidationFailed({"reason": [Message(N_("Give the reason for the revocation."))]})
        if len(text) > MAX_REASON:
            raise ValidationFailed(
                {"reason": [Message(N_("Write at most {max} characters."), {"max": MAX_REASON})]}
            )
        async with Certificate._meta.db.transaction():
            before = await self.get(certificate_id)
            if not before["valid"]:
                raise ValidationFailed({"reason": [Message(N_("This certificate is already revoked."))]})
            at = datetime.now(UTC)
            await Certificate.update(
                {
                    Certificate.revoked_at: at,
                    Certificate.revoked_by: self.actor.user_id,
                    Certificate.revocation_reason: text,
                }
            ).where((Certificate.id == certificate_id) & Certificate.revoked_at.is_null())
            await record_audit(
                self.actor,
                ENTITY,
                certificate_id,
                "update",
                {"revoked_at": None, "revocation_reason": ""},
                {"revoked_at": at.isoformat(), "revocation_reason": text},
            )
            return await self.get(certificate_id)


async def of_contact(contact_id: int) -> list[dict[str, Any]]:
    """A contact's certificates, newest first (the contact's page shows them to its readers)."""
    rows = (
        await Certificate.select(*COLUMNS)
        .where(Certificate.contact == contact_id)
        .order_by(Certificate.completed_on, ascending=False)
    )
    return [shown(row) for row in rows]
