"""The confirmation of an application, in the applicant's language: what they applied to, until
when they may change it, what happens next, and their personal link (which replaces any earlier one)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from core.plugin_api import N_, Mail, Translator, require_tenant
from plugins.engagement.moments import instant


def confirmation(
    t: Translator, application: dict[str, Any], activity: dict[str, Any], link: str, updated: bool
) -> Mail:
    name = require_tenant().declaration.name_in(t.locale)
    deadline = instant(activity.get("registration_deadline"))
    zone = activity.get("timezone") or require_tenant().declaration.timezone
    until = (
        t.gettext(
            N_("You may change or withdraw it until {moment} ({zone}) with your personal link:"),
            moment=t.format_datetime(deadline.astimezone(ZoneInfo(zone))),
            zone=zone,
        )
        if deadline
        else t.gettext(N_("You may change or withdraw it while the call is open with your personal link:"))
    )
    return Mail(
        to=application["email"],
        subject=(
            t.gettext(N_("Your application was updated: {title}"), title=activity["title"])
            if updated
            else t.gettext(N_("Your application was received: {title}"), title=activity["title"])
        ),
        language=t.locale,
        paragraphs=(
            t.gettext(N_("Hello {name},"), name=f"{application['first_name']} {application['last_name']}"),
            t.gettext(
                N_("{tenant} updated your application to “{title}”."), tenant=name, title=activity["title"]
            )
            if updated
            else t.gettext(
                N_("{tenant} received your application to “{title}”."), tenant=name, title=activity["title"]
            ),
            until,
            link,
            t.gettext(
                N_("This link replaces any earlier one. Keep it to yourself: it opens your application.")
            ),
            t.gettext(
                N_(
                    "What happens next: after the deadline, the organizers review the applications against "
                    "the activity's criteria and write to every applicant with their decision."
                )
            ),
            t.gettext(N_("If you did not apply, ignore this email.")),
        ),
    )
