"""Topics: the shared taxonomy plus each tenant's priorities; coordinators may add their own."""

from __future__ import annotations

from typing import Any, ClassVar

from core.errors import Conflict
from core.i18n.markers import N_
from core.records.service import RecordService, load_json
from core.topics.tables import Topic


class TopicService(RecordService):
    entity = "topic"
    form_name = "topic"
    table = Topic
    label_column = "code"
    immutable_fields = ("code",)
    sort_column = "code"
    sort_keys: ClassVar = {"code": "code"}
    added_keys = ("display_label",)
    json_columns: ClassVar[dict[str, Any]] = {"labels": {}}
    filters: ClassVar = {
        "category": lambda v: Topic.category == v,
        "priority": lambda v: Topic.priority == (v.lower() in ("1", "true", "yes")),
        "source": lambda v: Topic.source == v,
    }

    def _serialize(self, row: dict[str, Any]) -> dict[str, Any]:
        data = super()._serialize(row)
        data.pop("declared", None)  # bookkeeping for migrate (core.topics.seeding), like search_text
        labels = load_json(data.get("labels"), {})
        locale = self.locale
        source_label = data["label"]  # a msgid held in the database, not a literal to extract
        data["display_label"] = labels.get(locale) or self.tenant.translator(locale).gettext(source_label)
        return data

    def search_parts(self, values: dict[str, Any]) -> list[Any]:
        return [values.get("code"), values.get("label")]

    def may_write(self) -> bool:
        # The taxonomy and the pilot's priorities are the coordinators' to shape.
        return self.actor.is_coordinator

    async def before_write(self, values: dict[str, Any], existing: dict[str, Any] | None) -> None:
        if existing is None:
            values["code"] = values["code"].upper()
            if await Topic.exists().where(Topic.code == values["code"]).run():
                raise Conflict(N_("A topic with this code already exists."))
            values["source"] = "custom"

    async def labelled(self) -> list[tuple[str, str]]:
        """``(code, label in the service's locale)`` of every live topic, priorities first."""
        rows = (
            await Topic.select(Topic.code, Topic.label, Topic.labels, Topic.priority)
            .where(Topic.archived_at.is_null())
            .run()
        )
        t = self.tenant.translator(self.locale)
        items = [
            (
                not r["priority"],
                r["code"],
                load_json(r["labels"], {}).get(self.locale) or t.gettext(str(r["label"])),
            )
            for r in rows
        ]
        return [(code, label) for _, code, label in sorted(items, key=lambda i: (i[0], i[2].casefold()))]
