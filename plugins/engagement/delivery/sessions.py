"""Sessions of an activity as records: core's record service gives versions, archiving and the
audit trail; this module ties each session to its activity (the service only ever sees that
activity's sessions) and checks its times: a plenary or breakout session has a start, and ends
after it starts; a self-paced module may have no times at all."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from core.plugin_api import (
    COORDINATOR,
    N_,
    Actor,
    FieldSpec,
    Message,
    PluginForm,
    RecordService,
    ValidationFailed,
    VisibilityRule,
)
from plugins.engagement import fields
from plugins.engagement.delivery.vocabulary import SELF_PACED, SESSION_KINDS
from plugins.engagement.moments import instant
from plugins.engagement.service import ActivityService
from plugins.engagement.tables import Session

SESSION_FIELDS = (
    FieldSpec("kind", "choice", N_("Kind of session"), required=True, choices=SESSION_KINDS),
    FieldSpec("title", "text", N_("Title"), required=True, max_length=300),
    FieldSpec("starts_at", "datetime", N_("Starts")),
    FieldSpec("ends_at", "datetime", N_("Ends")),
    FieldSpec(
        "position",
        "integer",
        N_("Order"),
        help=N_("Orders sessions that start at the same time, and self-paced modules."),
    ),
    FieldSpec(
        "materials",
        "textarea",
        N_("Materials"),
        max_length=20000,
        validator=fields.check_reading_materials,
        help=N_('One per line: a title, a bar and a web address, e.g. "Toolkit | https://…".'),
    ),
)


def in_order(sessions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """By start (sessions without one, self-paced modules, last), then position, then id."""
    far = datetime.max.replace(tzinfo=UTC)
    return sorted(
        sessions, key=lambda s: (instant(s.get("starts_at")) or far, s.get("position") or 0, s["id"])
    )


def _of_activity(activity_id: int) -> Any:
    return Session.activity == activity_id


class SessionService(RecordService):
    entity = "engagement_session"
    form_name = "session"
    table = Session
    label_column = "title"
    sort_column = "title"

    def __init__(self, actor: Actor, locale: str | None = None, activity_id: int = 0) -> None:
        super().__init__(actor, locale)
        self.activity_id = activity_id

    def may_write(self) -> bool:
        return self.actor.role == COORDINATOR and super().may_write()

    def visibility_rule(self) -> VisibilityRule:
        return VisibilityRule("engagement-session-activity", _of_activity, (self.activity_id,))

    async def activity(self) -> dict[str, Any]:
        """The activity these sessions belong to (404 when there is none of that id)."""
        return await ActivityService(self.actor, self.locale).get(self.activity_id)

    async def all(self, include_archived: bool = False) -> list[dict[str, Any]]:
        """Every session of the activity, in programme order."""
        rows = await self._base_query(include_archived).run()
        return in_order([self._serialize(row) for row in rows])

    async def before_write(self, values: dict[str, Any], existing: dict[str, Any] | None) -> None:
        if existing is None:
            activity = await self.activity()
            if activity.get("archived_at") is not None:
                raise ValidationFailed(
                    {"": [Message(N_("This record is archived and can no longer be changed."))]}
                )
            values["activity"] = self.activity_id
        whole = {**(existing or {}), **values}
        starts, ends = instant(whole.get("starts_at")), instant(whole.get("ends_at"))
        errors: dict[str, list[Message]] = {}
        if starts is None and whole.get("kind") != SELF_PACED:
            errors["starts_at"] = [
                Message(N_("Enter when the session starts (only self-paced modules may have no time)."))
            ]
        if ends is not None and (starts is None or ends <= starts):
            errors["ends_at"] = [Message(N_("The session must end after it starts."))]
        if errors:
            raise ValidationFailed(errors)
        if values.get("position") is None and ("position" in values or existing is None):
            values["position"] = 0


SESSION_FORM = PluginForm("session", SESSION_FIELDS, SessionService)
