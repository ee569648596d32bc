"""The wording of the account mails, translated into the recipient's language (their own choice,
else the tenant's default). Only the text is decided here; core.mail turns it into a message."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from core.i18n.markers import N_
from core.i18n.translator import Translator
from core.mail import Mail
from core.tenancy.registry import TenantRuntime


def _translator(tenant: TenantRuntime, member: dict[str, Any]) -> Translator:
    return tenant.translator(member.get("locale") or tenant.declaration.default_locale)


def _link_mail(
    t: Any,
    member: dict[str, Any],
    subject: str,
    intro: str,
    instruction: str,
    closing: str,
    link: str,
    expires_at: datetime,
) -> Mail:
    """Every account mail says the same things in the same order: hello, why, what to do, the link,
    how long it works, what to do if it was not expected. The texts arrive translated."""
    return Mail(
        to=member["email"],
        subject=subject,
        language=t.locale,
        paragraphs=(
            t.gettext(N_("Hello {name},"), name=member.get("display_name") or member["email"]),
            intro,
            instruction,
            link,
            t.gettext(N_("The link works once and until {moment}."), moment=t.format_moment(expires_at)),
            closing,
        ),
    )


def invitation(
    tenant: TenantRuntime, member: dict[str, Any], inviter: str | None, link: str, expires_at: datetime
) -> Mail:
    """``inviter``: the coordinator's address, or None when the invitation comes from the command line."""
    t = _translator(tenant, member)
    name = tenant.declaration.name_in(t.locale)
    return _link_mail(
        t,
        member,
        t.gettext(N_("Invitation to {tenant}"), tenant=name),
        t.gettext(N_("{inviter} invites you to join {tenant} on Pilot CRM."), inviter=inviter, tenant=name)
        if inviter
        else t.gettext(N_("You are invited to join {tenant} on Pilot CRM."), tenant=name),
        t.gettext(N_("Open this link to choose your password and sign in:")),
        t.gettext(N_("If you did not expect this invitation, you can ignore this email.")),
        link,
        expires_at,
    )


def password_reset(tenant: TenantRuntime, member: dict[str, Any], link: str, expires_at: datetime) -> Mail:
    t = _translator(tenant, member)
    name = tenant.declaration.name_in(t.locale)
    return _link_mail(
        t,
        member,
        t.gettext(N_("Choose a new password for {tenant}"), tenant=name),
        t.gettext(N_("Someone asked to reset the password of your account in {tenant}."), tenant=name),
        t.gettext(N_("Open this link to choose a new password:")),
        t.gettext(N_("If you did not ask for this, ignore this email: your password stays the same.")),
        link,
        expires_at,
    )
