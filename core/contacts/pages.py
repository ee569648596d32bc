"""Contact pages: list, detail (the meetings a person was invited to or attended, and the joint
actions of their organization), forms."""

from __future__ import annotations

from typing import Any

import phonenumbers
from litestar import Request

from core.accounts.roles import Actor
from core.contacts.service import ContactService
from core.forms.vocabulary import CONTACT_ROLES
from core.i18n.markers import N_
from core.meetings.service import MeetingService
from core.organizations.pages import organization_actions
from core.web.pages.display import as_date
from core.web.pages.records import ListFilter, PageSpec, record_pages
from core.web.pages.render import locale_name, page_parts


def readable_phone(e164: str) -> str:
    """``+525512345678`` → ``+52 55 1234 5678``: stored in E.164, shown grouped for reading."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


async def contact_links(request: Request, actor: Actor, record: dict[str, Any]) -> dict[str, Any]:
    _, t, _ = page_parts(request)
    organization = record.get("organization")
    language = record.get("preferred_language")
    consent_date = as_date(record.get("consent_date"))
    return {
        "phones": [(number, readable_phone(number)) for number in record.get("phones") or []],
        "language_name": locale_name(language) if language else "",
        "consent_date": t.format_date(consent_date) if consent_date else "",
        "meetings": await MeetingService(actor, t.locale).meetings_of_contact(record["id"]),
        "actions": await organization_actions(actor, t.locale, organization) if organization else [],
    }


SPEC = PageSpec(
    path="/contacts",
    service=ContactService,
    plural=N_("Contacts"),
    singular=N_("Contact"),
    new_label=N_("New contact"),
    list_template="contacts/list.html",
    detail_template="contacts/detail.html",
    filters=(
        ListFilter("organization", N_("Organization"), source="organizations"),
        ListFilter("role", N_("Role"), CONTACT_ROLES),
    ),
    detail_context=contact_links,
)

ContactPages = record_pages(SPEC)
