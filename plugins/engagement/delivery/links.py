"""Personal links: each participant gets a link of their own to their page (the activity's
sessions and materials, and the self-assessment), mailed in their language. Sending again issues a
new link; the previous one stops working. Only the link's hash is stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.plugin_api import N_, Actor, Mail, Mailer, Message, ValidationFailed, load_json, require_tenant
from plugins.engagement.delivery.cohort import Cohort
from plugins.engagement.links import link_hash
from plugins.engagement.tables import Participant

PATH = "engagement/participant"
NO_ADDRESS = N_("Links cannot be mailed from this address: set the public address (PILOT_CRM_BASE_URL).")


@dataclass
class Sent:
    """How a sending went: who got a mail, and who has no address to mail (left without a link)."""

    mailed: int = 0
    without_email: list[int] = field(default_factory=list)


def language_of(row: dict[str, Any]) -> str:
    """The application's language, else the contact's preferred one, else the tenant's default;
    always one of the tenant's languages."""
    declaration = require_tenant().declaration
    for code in (row.get("application_language"), row.get("preferred_language")):
        if code and code in declaration.locales:
            return str(code)
    return declaration.default_locale


def email_of(row: dict[str, Any]) -> str:
    emails = load_json(row.get("emails"), [])
    return str(emails[0]) if emails else str(row.get("application_email") or "")


async def send_links(
    actor: Actor, activity_id: int, base_url: str | None, mailer: Mailer, only: int | None = None
) -> Sent:
    """Mail a new personal link to every participant of the activity (or to ``only``)."""
    if base_url is None:
        raise ValidationFailed({"": [Message(NO_ADDRESS)]})
    cohort = Cohort(actor, None, activity_id)
    activity = await cohort.activity()
    rows = [r for r in await cohort.rows() if only is None or r["id"] == only]
    result = Sent()
    addressed = [r for r in rows if email_of(r)]
    result.without_email = [r["id"] for r in rows if not email_of(r)]
    tokens = await cohort.issue_links([r["id"] for r in addressed])
    tenant = require_tenant()
    for row in addressed:
        language = language_of(row)
        t = tenant.translator(language)
        link = f"{base_url.rstrip('/')}/t/{tenant.slug}/{PATH}/{tokens[row['id']]}"
        name = " ".join(p for p in (row.get("first_name"), row.get("last_name")) if p)
        mail = Mail(
            to=email_of(row),
            subject=t.gettext("Your page for {title}", title=activity["title"]),
            paragraphs=(
                t.gettext("Hello {name},", name=name),
                t.gettext(
                    "This is your personal page for {title}: its sessions and materials, and a short "
                    "questionnaire before and after the activity.",
                    title=activity["title"],
                ),
                link,
                t.gettext("Keep this link to yourself: it opens your page without a password."),
            ),
            language=language,
        )
        await mailer.send(mail)
        result.mailed += 1
    return result


async def participant_by_link(token: str) -> dict[str, Any] | None:
    """The participant whose personal link this is, or None."""
    if not token or len(token) > 128:
        return None
    return await Participant.select().where(Participant.link_hash == link_hash(token)).first().run()
