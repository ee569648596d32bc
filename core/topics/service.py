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
    added_keys = ("display_label", "refines_label")
    json_columns: ClassVar[dict[str, Any]] = {"labels": {}}
    filters: ClassVar = {
        "category": lambda v: Topic.category == v,
        "priority": lambda v: Topic.priority == (v.lower() in ("1", "true", "yes")),
        "source": lambda v: Topic.source == v,
        "code": lambda v: Topic.code == v.upper(),
        "refines": lambda v: Topic.refines == v.upper(),  # the priorities refining a shared topic
        # Leave out these codes (comma-separated): the topic list folds shared topics under the
        # priorities refining them (core.topics.pages).
        "exclude": lambda v: Topic.code.not_in([c.upper() for c in v.split(",")]),
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

    async def _named(self, live_only: bool) -> list[dict[str, Any]]:
        """Every topic (only the live ones with ``live_only``) with its ``name`` in the service's
        locale: a coordinator's own wording for the locale, else the catalog's."""
        query = Topic.select(Topic.code, Topic.label, Topic.labels, Topic.priority, Topic.refines)
        if live_only:
            query = query.where(Topic.archived_at.is_null())
        t = self.tenant.translator(self.locale)
        rows = await query.run()
        for r in rows:
            r["name"] = load_json(r["labels"], {}).get(self.locale) or t.gettext(str(r["label"]))
        return rows

    async def names(self) -> dict[str, str]:
        """``code → name`` of every topic, archived ones too, to show a record's topics by name."""
        return {r["code"]: r["name"] for r in await self._named(live_only=False)}

    def in_context(self, name: str, refined: str) -> str:
        """A priority's name with the shared topic it refines as context."""
        t = self.tenant.translator(self.locale)
        return t.gettext("{topic} (refines: {shared})", topic=name, shared=refined)

    async def related(self, rows: list[dict[str, Any]]) -> None:
        """``refines_label``: the name of the shared topic a priority refines (None for others)."""
        await super().related(rows)
        if any(r.get("refines") for r in rows):
            names = await self.names()
            for r in rows:
                r["refines_label"] = names.get(r["refines"]) if r.get("refines") else None
        else:
            for r in rows:
                r["refines_label"] = None

    async def labelled(self) -> list[tuple[str, str]]:
        """``(code, label in the service's locale)`` of every live topic, to offer them (form and
        filter choices). The pilot's priorities come first, each that refines a shared topic named
        with it as context ("… (refines: Trafficking in persons)"); a refined shared topic is folded
        under the last priority refining it, out of the taxonomy's alphabetical run. It stays
        choosable: a record may be about the shared topic as a whole."""
        rows = await self._named(live_only=True)
        by_code = {r["code"]: r for r in rows}

        def folding(r: dict[str, Any]) -> str | None:
            """The live shared topic a live priority refines, if any."""
            return r["refines"] if r["priority"] and r["refines"] in by_code else None

        ordered = sorted(rows, key=lambda r: r["name"].casefold())
        folded = {code for r in rows if (code := folding(r))}
        priorities = [r for r in ordered if r["priority"]]
        # Priorities refining the same shared topic sit together, in the order of their first one.
        first: dict[str, int] = {}
        for index, r in enumerate(priorities):
            first.setdefault(folding(r) or r["code"], index)
        priorities.sort(key=lambda r: first[folding(r) or r["code"]])
        items: list[tuple[str, str]] = []
        for index, r in enumerate(priorities):
            refined = folding(r)
            if refined is None:
                items.append((r["code"], r["name"]))
                continue
            items.append((r["code"], self.in_context(r["name"], by_code[refined]["name"])))
            following = priorities[index + 1] if index + 1 < len(priorities) else None
            if following is None or folding(following) != refined:
                items.append((refined, by_code[refined]["name"]))
        items += [(r["code"], r["name"]) for r in ordered if not r["priority"] and r["code"] not in folded]
        return items

    async def family(self, record: dict[str, Any]) -> dict[str, Any]:
        """The topics ``record`` is related to by refinement: ``refines``, the shared topic it
        refines (or None), and ``refined_by``, the live priorities refining it."""
        refines = None
        if record.get("refines"):
            found = await self.list_page(filters={"code": record["refines"]}, limit=1, include_archived=True)
            refines = found.items[0] if found.items else None
        refined_by = await self.list_page(filters={"refines": record["code"]}, limit=200)
        return {"refines": refines, "refined_by": refined_by.items}
