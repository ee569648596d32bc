"""Contact pages: list, detail (the meetings a person was invited to or attended, and the joint
actions of their organization), forms, and for coordinators the personal-data download and the
erasure (with a confirmation page). A contact the member may not see arrives from the service as a
placeholder, and its page shows only that."""

from __future__ import annotations

from typing import Any

import phonenumbers
from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from core.accounts.roles import Actor
from core.contacts.privacy import PersonalDataService, as_json, may_manage_personal_data
from core.contacts.service import ContactService
from core.forms.vocabulary import CONTACT_ROLES
from core.i18n.markers import N_
from core.meetings.service import MeetingService
from core.organizations.pages import organization_actions
from core.web.pages.display import as_date
from core.web.pages.listing import ListColumn
from core.web.pages.records import ListFilter, PageSpec, record_pages
from core.web.pages.render import locale_name, page_parts, redirect, render
from core.web.params import CurrentActor, PathId


def readable_phone(e164: str) -> str:
    """``+525512345678`` → ``+52 55 1234 5678``: stored in E.164, shown grouped for reading."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


async def contact_links(request: Request, actor: Actor, record: dict[str, Any]) -> dict[str, Any]:
    _, t, _ = page_parts(request)
    if record.get("hidden"):
        return {"phones": [], "language_name": "", "consent_date": "", "meetings": [], "actions": []}
    organization = record.get("organization")
    language = record.get("preferred_language")
    consent_date = as_date(record.get("consent_date"))
    return {
        "phones": [(number, readable_phone(number)) for number in record.get("phones") or []],
        "language_name": locale_name(language) if language else "",
        "consent_date": t.format_date(consent_date) if consent_date else "",
        "meetings": await MeetingService(actor, t.locale).meetings_of_contact(record["id"]),
        "actions": await organization_actions(actor, t.locale, organization) if organization else [],
        "can_manage_personal_data": may_manage_personal_data(actor),
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
    columns=(
        ListColumn("name", N_("Name"), sort="name"),
        ListColumn("organization", N_("Organization")),
        ListColumn("position", N_("Position"), sort="position"),
        ListColumn("roles", N_("Roles")),
        ListColumn("language", N_("Preferred language")),
        ListColumn("email", N_("Email"), default=False),
        ListColumn("phone", N_("Phone"), default=False),
    ),
    detail_context=contact_links,
)

_Base = record_pages(SPEC)


class ContactPages(_Base):  # type: ignore[valid-type,misc]
    @get("/{record_id:int}/personal-data")
    async def personal_data(
        self, request: Request, actor: CurrentActor, record_id: PathId
    ) -> Response[bytes]:
        """Everything held about the contact, as a JSON download (coordinators; audited)."""
        _, t, _ = page_parts(request)
        exported = await PersonalDataService(actor, t.locale).export(record_id)
        return Response(
            as_json(exported),
            media_type="application/json",
            headers={"Content-Disposition": f'attachment; filename="personal-data-contact-{record_id}.json"'},
        )

    @get("/{record_id:int}/erase")
    async def erase_page(self, request: Request, actor: CurrentActor, record_id: PathId) -> Template:
        _, t, _ = page_parts(request)
        PersonalDataService(actor, t.locale)  # refuses members who may not erase
        record = await ContactService(actor, t.locale).get(record_id)
        return render(request, "contacts/erase.html", spec=SPEC, record=record)

    @post("/{record_id:int}/erase")
    async def erase(self, request: Request, actor: CurrentActor, record_id: PathId) -> Redirect:
        _, t, _ = page_parts(request)
        await PersonalDataService(actor, t.locale).erase(record_id)
        return redirect(request, f"/contacts/{record_id}", flash=("success", N_("Personal data erased.")))
