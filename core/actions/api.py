from typing import Any

from litestar import get, post
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from core.actions.service import ActionService
from core.records.api import record_controller
from core.web.params import CurrentActor, JSONObject, PathId

_Base = record_controller("/actions", ActionService, "Joint actions")


class ActionController(_Base):  # type: ignore[valid-type,misc]
    @get("/{record_id:int}/progress", summary="Progress updates of an action")
    async def list_progress(self, actor: CurrentActor, record_id: PathId) -> list[dict[str, Any]]:
        return await ActionService(actor).progress(record_id)

    @post("/{record_id:int}/progress", summary="Add a progress update", status_code=HTTP_201_CREATED)
    async def add_progress(self, actor: CurrentActor, record_id: PathId, data: JSONObject) -> dict[str, Any]:
        return await ActionService(actor).add_progress(record_id, data)

    @post(
        "/{record_id:int}/confirm",
        summary="Confirm completion for the caller's side",
        status_code=HTTP_200_OK,
    )
    async def confirm(self, actor: CurrentActor, record_id: PathId) -> dict[str, Any]:
        return await ActionService(actor).confirm_completion(record_id)
