from typing import Any

from litestar import Request, get, post
from litestar.status_codes import HTTP_200_OK

from core.contacts.privacy import PersonalDataService
from core.contacts.service import ContactService
from core.records.api import record_controller
from core.web.params import CurrentActor, PathId
from core.web.state import request_locale

_Base = record_controller("/contacts", ContactService, "Contacts")


class ContactController(_Base):  # type: ignore[valid-type,misc]
    @get(
        "/{record_id:int}/personal-data",
        summary="Export everything held about a contact",
        description="Coordinators only. The record, its organization, its meetings and its audit "
        "history, as JSON; the export is audited.",
    )
    async def personal_data(self, request: Request, actor: CurrentActor, record_id: PathId) -> dict[str, Any]:
        return await PersonalDataService(actor, request_locale(request)).export(record_id)

    @post(
        "/{record_id:int}/erase",
        summary="Erase a contact's personal data",
        description="Coordinators only. Anonymizes the contact in place (meeting attendance is kept) "
        "and scrubs its audit history; answers the anonymized record. Erasing twice answers 409.",
        status_code=HTTP_200_OK,
    )
    async def erase(self, request: Request, actor: CurrentActor, record_id: PathId) -> dict[str, Any]:
        return await PersonalDataService(actor, request_locale(request)).erase(record_id)
