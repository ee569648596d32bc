"""Activities as records: core's record service does listing, search, versions, archiving and the
audit trail; this module adds who may write (coordinators: they run the programme's activities;
everyone else reads them) and the rules between fields: an activity ends after it starts, and its
registration deadline comes before its start."""

from __future__ import annotations

from typing import Any, ClassVar

from core.plugin_api import COORDINATOR, N_, Message, RecordService, ValidationFailed
from plugins.engagement.moments import instant
from plugins.engagement.tables import Activity

# The share of held sessions a participant attends for a certificate, unless the activity says.
DEFAULT_COMPLETION_ATTENDANCE = 80


class ActivityService(RecordService):
    entity = "activity"
    form_name = "activity"
    table = Activity
    label_column = "title"
    sort_column = "title"
    sort_keys: ClassVar = {"title": "title", "starts_at": "starts_at"}
    json_columns: ClassVar = {
        "extra": {},
        "languages": [],
        "eligible_sectors": [],
        "issue_areas": [],
    }
    filters: ClassVar = {
        "kind": lambda v: Activity.kind == v,
        "status": lambda v: Activity.status == v,
    }

    async def create(self, data: Any) -> dict[str, Any]:
        """A body that says nothing of the completion rule gets the default rule (80 %, the final
        self-assessment required): a blank boolean would otherwise read as "not required". The
        activity form always sends the attendance field, so there its checkbox decides."""
        if isinstance(data, dict) and not {"completion_attendance", "completion_requires_post"} & data.keys():
            data = {**data, "completion_requires_post": True}
        return await super().create(data)

    def may_write(self) -> bool:
        return self.actor.role == COORDINATOR and super().may_write()

    def search_parts(self, values: dict[str, Any]) -> list[Any]:
        return [values.get("title"), values.get("region"), values.get("eligible_countries")]

    async def before_write(self, values: dict[str, Any], existing: dict[str, Any] | None) -> None:
        if existing is None and not values.get("timezone"):
            values["timezone"] = self.tenant.declaration.timezone
        if "completion_attendance" in values and values["completion_attendance"] is None:
            values["completion_attendance"] = DEFAULT_COMPLETION_ATTENDANCE  # left blank: the default
        whole = {**(existing or {}), **values}
        starts, ends = instant(whole.get("starts_at")), instant(whole.get("ends_at"))
        deadline = instant(whole.get("registration_deadline"))
        errors: dict[str, list[Message]] = {}
        if starts and ends and ends <= starts:
            errors["ends_at"] = [Message(N_("The activity must end after it starts."))]
        if starts and deadline and deadline >= starts:
            errors["registration_deadline"] = [
                Message(N_("The registration deadline must come before the activity starts."))
            ]
        if errors:
            raise ValidationFailed(errors)
