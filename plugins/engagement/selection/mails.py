"""Decision mails, in the language the applicant applied in (the tenant's default when the tenant
does not speak it). Sent after the decision's transaction has committed: a failed send leaves
``notified_at`` empty, which the queue shows as "mail not sent, resend"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.plugin_api import N_, Mail, MailNotSent, require_tenant
from plugins.engagement.selection.service import Notice, application_row
from plugins.engagement.tables import Activity, Application

SUBJECTS = {
    "selected": N_("You have been selected: {activity}"),
    "waitlisted": N_("You are on the waitlist: {activity}"),
    "rejected": N_("Your application was not selected: {activity}"),
    "offered": N_("A place is offered to you: {activity}"),
}
BODIES = {
    "selected": N_(
        "Your application to {activity} has been selected. We look forward to your participation."
    ),
    "waitlisted": N_(
        "Your application to {activity} is on the waitlist. If a place frees up, we will offer it to you."
    ),
    "rejected": N_("We are sorry: your application to {activity} was not selected."),
    "offered": N_("A place in {activity} has freed up and is offered to you. Please accept or decline it."),
}
LINKS = {
    "selected": N_("If you can no longer take part, please give your place back on this page:"),
    "offered": N_("Accept or decline the place on this page:"),
}


def respond_path(tenant: str, token: str) -> str:
    return f"/t/{tenant}/engagement/my-application/{token}/respond"


def decision_mail(application: dict[str, Any], activity_title: str, link: str | None) -> Mail:
    tenant = require_tenant()
    language = application.get("language") or ""
    if language not in tenant.declaration.locales:
        language = tenant.declaration.default_locale
    t = tenant.translator(language)
    status = application["status"]
    name = (
        " ".join(p for p in (application["first_name"], application["last_name"]) if p)
        or application["email"]
    )
    paragraphs = [
        t.gettext(N_("Hello {name},"), name=name),
        t.gettext(BODIES[status], activity=activity_title),
    ]
    if status == "rejected" and application["decision_reason"]:
        paragraphs.append(t.gettext(N_("Reason: {reason}"), reason=application["decision_reason"]))
    if link and status in LINKS:
        paragraphs += [t.gettext(LINKS[status]), link]
    paragraphs.append(t.gettext(N_("This link is personal: do not share it.")) if link else "")
    return Mail(
        to=application["email"],
        subject=t.gettext(SUBJECTS[status], activity=activity_title),
        paragraphs=tuple(p for p in paragraphs if p),
        language=t.locale,
    )


async def send(notices: list[Notice], mailer: Any, base_url: str | None) -> int:
    """Mail each notice; mark those sent (``notified_at``). A mail that needs a link is not sent
    when this request cannot tell where links point (``base_url`` None). Returns how many left."""
    sent = 0
    tenant = require_tenant()
    for notice in notices:
        application = await application_row(notice.application_id)
        if application["status"] not in SUBJECTS or (notice.token and base_url is None):
            continue
        row = (
            await Activity.select(Activity.title).where(Activity.id == application["activity"]).first().run()
        )
        link = f"{base_url}{respond_path(tenant.slug, notice.token)}" if notice.token else None
        try:
            await mailer.send(decision_mail(application, row["title"] if row else "", link))
        except (MailNotSent, ValueError):  # the server refused it, or the address is not one it can take
            continue
        await (
            Application.update({Application.notified_at: datetime.now(UTC)})
            .where(Application.id == application["id"])
            .run()
        )
        sent += 1
    return sent
