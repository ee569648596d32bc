"""Inputs to a constructive dialogue as records: core's record service lists, versions and audits
them; this module scopes them to one dialogue, says who submits and who moderates, and keeps the
moderation consistent (a merged input points at another input of the same dialogue and topic).

Who: any member who writes (coordinators, government and NGO participants) submits inputs, and so
does a participant without an account through their personal link (``ParticipantInputs``).
Moderators tag inputs and change their status: coordinators, and the members the ``Reviewer``
table lists. Inputs are taken until the activity ends; moderation goes on after it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any, ClassVar

from core.plugin_api import (
    N_,
    NGO_PARTICIPANT,
    Actor,
    Conflict,
    Contact,
    FieldInvalid,
    Message,
    NotFound,
    Organization,
    PermissionDenied,
    RecordService,
    ValidationFailed,
    VisibilityRule,
    load_json,
)
from plugins.engagement.links import link_hash
from plugins.engagement.moments import instant, now
from plugins.engagement.reviewing import is_reviewer
from plugins.engagement.tables import Activity, Application, DialogueInput, Participant
from plugins.engagement.vocabulary import DIALOGUE_KINDS, INPUT_STATUSES

MAX_TAGS = 20
MAX_TAG_LENGTH = 40
# The most inputs one bulk change takes (a page of the moderation list).
MAX_BULK = 200
# A mailed link's token is 43 characters; anything far longer is not worth a lookup.
MAX_TOKEN = 128
STATUS_VALUES = frozenset(c.value for c in INPUT_STATUSES)


def normalize_tags(text: str) -> str:
    """ "Armas,  control de armas; ARMAS" → "armas, control de armas": tags split on commas or
    semicolons, spaces collapsed, lower case, once each in the order given."""
    tags = [" ".join(tag.split()).casefold() for tag in re.split(r"[,;]", text)]
    return ", ".join(dict.fromkeys(tag for tag in tags if tag))


def tag_list(text: str) -> list[str]:
    return [tag for tag in text.split(", ") if tag]


def check_tags(text: str) -> None:
    tags = tag_list(text)
    if len(tags) > MAX_TAGS:
        raise FieldInvalid(N_("Enter at most {max} tags."), max=MAX_TAGS)
    if any(len(tag) > MAX_TAG_LENGTH for tag in tags):
        raise FieldInvalid(N_("A tag has at most {max} characters."), max=MAX_TAG_LENGTH)


async def dialogue(activity_id: int) -> dict[str, Any]:
    """The live activity of that id if it takes inputs (a constructive dialogue or a preparation
    day); anything else does not exist here."""
    row = (
        await Activity.select(
            Activity.id,
            Activity.kind,
            Activity.title,
            Activity.starts_at,
            Activity.ends_at,
            Activity.timezone,
        )
        .where((Activity.id == activity_id) & Activity.archived_at.is_null())
        .first()
        .run()
    )
    if row is None or row["kind"] not in DIALOGUE_KINDS:
        raise NotFound()
    return row


def is_open(activity: dict[str, Any]) -> bool:
    """Inputs are taken before and during the dialogue, until it ends."""
    ends = instant(activity["ends_at"])
    return ends is not None and now() < ends


async def is_moderator(actor: Actor) -> bool:
    """Coordinators, and the members given the reviewer role (the ``Reviewer`` table)."""
    return await is_reviewer(actor)


class InputService(RecordService):
    """One dialogue's inputs (``activity``), as ``actor`` may see and change them."""

    entity = "dialogue_input"
    form_name = "dialogue_input"
    table = DialogueInput
    label_column = "author_name"
    json_columns: ClassVar = {"extra": {}, "tags": []}
    added_keys = ("merged_from",)
    filters: ClassVar = {
        "topic": lambda v: DialogueInput.topic == v,
        "status": lambda v: DialogueInput.status == v,
        "language": lambda v: DialogueInput.language == v,
    }

    def __init__(
        self,
        actor: Actor,
        locale: str | None = None,
        activity: dict[str, Any] | None = None,
        moderator: bool = False,
    ) -> None:
        super().__init__(actor, locale)
        # Without a dialogue (core listing the form's records), the service sees no input.
        self.activity = activity or {"id": -1, "ends_at": datetime.min.replace(tzinfo=UTC)}
        self.moderator = moderator
        # The tag filter looks through this dialogue's inputs only.
        dialogue_id = self.activity["id"]
        self.filters = {**type(self).filters, "tag": lambda v: _tagged(v, dialogue_id)}  # type: ignore[misc]

    @classmethod
    async def open(cls, actor: Actor, locale: str | None, activity_id: int) -> InputService:
        """The service for the dialogue of that id (404 for any other activity)."""
        return cls(actor, locale, await dialogue(activity_id), await is_moderator(actor))

    def visibility_rule(self) -> VisibilityRule:
        return VisibilityRule("activity", lambda a: DialogueInput.activity == a, (self.activity["id"],))

    def may_write(self) -> bool:
        return self.moderator or self.actor.can_write

    def may_edit(self, record: dict[str, Any]) -> bool:
        return self.moderator

    def search_parts(self, values: dict[str, Any]) -> list[Any]:
        return [values.get("author_name"), values.get("organization_name"), values.get("text")]

    def _validate(self, data: Any, partial: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        # The API may send tags as a list, as it reads them; the form takes them as one text.
        tags = data.get("tags") if isinstance(data, dict) else None
        if isinstance(tags, list) and all(isinstance(tag, str) for tag in tags):
            data = {**data, "tags": ", ".join(tags)}
        return super()._validate(data, partial)

    async def related(self, rows: list[dict[str, Any]]) -> None:
        """Each input's ``merged_from``: the inputs merged into it, who wrote them and for whom."""
        if not rows:
            return
        merged = (
            await DialogueInput.select(
                DialogueInput.id,
                DialogueInput.merged_into,
                DialogueInput.author_name,
                DialogueInput.organization_name,
            )
            .where(
                DialogueInput.merged_into.is_in([r["id"] for r in rows])
                & (DialogueInput.status == "merged")
                & DialogueInput.archived_at.is_null()
            )
            .order_by(DialogueInput.id)
            .run()
        )
        by_target: dict[int, list[dict[str, Any]]] = {}
        for row in merged:
            by_target.setdefault(row.pop("merged_into"), []).append(row)
        for row in rows:
            row["merged_from"] = by_target.get(row["id"], [])

    async def before_write(self, values: dict[str, Any], existing: dict[str, Any] | None) -> None:
        if "tags" in values:
            values["tags"] = tag_list(values["tags"] or "")
        if values.get("organization") is not None:
            # An organization picked from the tenant's: its name is kept with the input, as written.
            await self.check_reference(Organization, "organization", values["organization"])
            row = (
                await Organization.select(Organization.name)
                .where(Organization.id == values["organization"])
                .first()
                .run()
            )
            values["organization_name"] = row["name"] if row else ""
        if existing is None:
            await self._new(values)
        else:
            await self._moderate(values, existing)

    async def _new(self, values: dict[str, Any]) -> None:
        if not is_open(self.activity):
            raise Conflict(N_("Inputs to this dialogue are closed: it has ended."))
        values.update(activity=self.activity["id"], submitted_at=now(), status="received", merged_into=None)
        values["language"] = values.get("language") or self.locale
        if not self.moderator:
            # A member writes in their own name; only moderators enter inputs on someone's behalf.
            values["author_name"] = self.actor.email
            values.pop("tags", None)
        elif not values.get("author_name"):
            values["author_name"] = self.actor.email

    async def _moderate(self, values: dict[str, Any], existing: dict[str, Any]) -> None:
        whole = {**existing, **values}
        status, target = whole.get("status"), whole.get("merged_into")
        if status != "merged":
            if values.get("merged_into") is not None:
                raise ValidationFailed(
                    {"merged_into": [Message(N_("Only a merged input points at another input."))]}
                )
            values["merged_into"] = None
            target = None
        elif target is None:
            raise ValidationFailed({"merged_into": [Message(N_("Choose the input to merge this one into."))]})
        children = await DialogueInput.exists().where(
            (DialogueInput.merged_into == existing["id"])
            & (DialogueInput.status == "merged")
            & DialogueInput.archived_at.is_null()
        )
        if children and (status == "merged" or whole.get("topic") != existing.get("topic")):
            raise ValidationFailed(
                {
                    "status" if status == "merged" else "topic": [
                        Message(N_("Other inputs are merged into this one: move them first."))
                    ]
                }
            )
        if target is not None:
            await self._check_target(int(target), existing["id"], whole.get("topic"))

    async def _check_target(self, target_id: int, input_id: int, topic: str | None) -> None:
        row = (
            await DialogueInput.select(DialogueInput.topic, DialogueInput.status)
            .where(
                (DialogueInput.id == target_id)
                & (DialogueInput.activity == self.activity["id"])
                & DialogueInput.archived_at.is_null()
            )
            .first()
            .run()
        )
        if row is None or target_id == input_id:
            raise ValidationFailed({"merged_into": [Message(N_("Choose another input of this dialogue."))]})
        if row["topic"] != topic:
            raise ValidationFailed(
                {"merged_into": [Message(N_("An input is merged only into one of the same topic."))]}
            )
        if row["status"] == "merged":
            raise ValidationFailed(
                {"merged_into": [Message(N_("That input is itself merged: choose the one it went into."))]}
            )

    async def set_status(self, data: Any) -> list[dict[str, Any]]:
        """The API's bulk change: ``{"inputs": [{"id", "version"}…], "status", "merged_into"?}``."""
        items, change = _bulk_request(data)
        return await self.moderate(items, change)

    async def moderate(
        self,
        items: list[tuple[int, int]],
        change: dict[str, Any],
        add_tags: list[str] = (),  # type: ignore[assignment]
        remove_tags: list[str] = (),  # type: ignore[assignment]
    ) -> list[dict[str, Any]]:
        """Several inputs to one status (and, for ``merged``, one target) and tags added or removed,
        each at the version the moderator saw: all of them change, or none (a stale one is a 409)."""
        self._require_writer()
        if not self.moderator:
            raise PermissionDenied()
        changed = []
        async with DialogueInput._meta.db.transaction():
            for item_id, version in items:
                body: dict[str, Any] = {"version": version, **change}
                if add_tags or remove_tags:
                    current = (await self.get(item_id))["tags"]
                    kept = [tag for tag in [*current, *add_tags] if tag not in remove_tags]
                    body["tags"] = ", ".join(dict.fromkeys(kept))
                changed.append(await self.update(item_id, body))
        return changed

    async def known_tags(self) -> list[str]:
        """The tags this dialogue's inputs carry, to suggest them (sorted, once each)."""
        rows = (
            await DialogueInput.select(DialogueInput.tags)
            .where((DialogueInput.activity == self.activity["id"]) & DialogueInput.archived_at.is_null())
            .run()
        )
        return sorted({tag for row in rows for tag in load_json(row["tags"], [])})


class ParticipantInputs(InputService):
    """Inputs submitted through a participant's personal link: no account, so the author and the
    organization are the participant's (their contact, or their application), never typed."""

    def __init__(self, locale: str | None, activity: dict[str, Any], participant: dict[str, Any]) -> None:
        actor = Actor(user_id=None, email=participant["email"] or "", role=NGO_PARTICIPANT)
        super().__init__(actor, locale, activity, moderator=False)
        self.participant = participant

    def may_write(self) -> bool:
        return True

    async def _new(self, values: dict[str, Any]) -> None:
        await super()._new(values)
        person = self.participant
        values.update(
            author_name=person["name"],
            contact=person["contact"],
            organization=person["organization"],
            organization_name=person["organization_name"],
        )


async def participant_by_link(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The participant whose personal link is ``token`` and their dialogue (404 for an unknown link,
    or an activity that takes no inputs): who they are and for whom they speak."""
    if len(token) > MAX_TOKEN:
        raise NotFound()
    row = (
        await Participant.select(
            Participant.id, Participant.activity, Participant.contact, Participant.application
        )
        .where(Participant.link_hash == link_hash(token))
        .first()
        .run()
    )
    if row is None:
        raise NotFound()
    activity = await dialogue(row["activity"])
    contact = (
        await Contact.select(Contact.first_name, Contact.last_name, Contact.organization, Contact.emails)
        .where(Contact.id == row["contact"])
        .first()
        .run()
    ) or {}
    application: dict[str, Any] = {}
    if row["application"] is not None:
        application = (
            await Application.select(
                Application.email, Application.organization, Application.organization_name
            )
            .where(Application.id == row["application"])
            .first()
            .run()
        ) or {}
    emails = load_json(contact.get("emails"), [])
    email = application.get("email") or (emails[0] if emails and isinstance(emails[0], str) else "")
    organization = contact.get("organization") or application.get("organization")
    organization_name = application.get("organization_name") or ""
    if organization is not None:
        named = (
            await Organization.select(Organization.name).where(Organization.id == organization).first().run()
        )
        organization_name = named["name"] if named else organization_name
    person = {
        "id": row["id"],
        "contact": row["contact"],
        "name": " ".join(p for p in (contact.get("first_name"), contact.get("last_name")) if p),
        "email": email,
        "organization": organization,
        "organization_name": organization_name,
    }
    return person, activity


def _tagged(tag: str, activity_id: int) -> Any:
    """The dialogue's inputs carrying ``tag`` (normalized as tags are): the JSON column is text on
    SQLite and json on PostgreSQL, so the ids are found in Python, in one query."""

    async def clause() -> Any:
        wanted = normalize_tags(tag)
        rows = (
            await DialogueInput.select(DialogueInput.id, DialogueInput.tags)
            .where((DialogueInput.activity == activity_id) & DialogueInput.archived_at.is_null())
            .run()
        )
        ids = [r["id"] for r in rows if wanted and wanted in load_json(r["tags"], [])]
        return DialogueInput.id.is_in(ids or [-1])

    return clause()


def _bulk_request(data: Any) -> tuple[list[tuple[int, int]], dict[str, Any]]:
    """``{"inputs": [{"id", "version"}…], "status", "merged_into"?}`` checked field by field."""
    errors: dict[str, list[Message]] = {}
    if not isinstance(data, dict):
        raise ValidationFailed({"inputs": [Message(N_("This field is required."))]})
    raw = data.get("inputs")
    items: list[tuple[int, int]] = []
    if not isinstance(raw, list) or not raw:
        errors["inputs"] = [Message(N_("Select at least one input."))]
    elif len(raw) > MAX_BULK:
        errors["inputs"] = [Message(N_("Select at most {max} inputs."), {"max": MAX_BULK})]
    else:
        for item in raw:
            pair = (item.get("id"), item.get("version")) if isinstance(item, dict) else (None, None)
            if not all(isinstance(v, int) and not isinstance(v, bool) and 0 < v < 2**31 for v in pair):
                errors["inputs"] = [Message(N_("Each input needs its id and version."))]
                break
            items.append((pair[0], pair[1]))  # type: ignore[arg-type]
        if len({i for i, _ in items}) != len(items):
            errors["inputs"] = [Message(N_("Each input needs its id and version."))]
    status = data.get("status")
    if status not in STATUS_VALUES:
        errors["status"] = [Message(N_("Select a valid choice."))]
    change: dict[str, Any] = {"status": status}
    if status == "merged":
        target = data.get("merged_into")
        if not isinstance(target, int) or isinstance(target, bool) or not 0 < target < 2**31:
            errors["merged_into"] = [Message(N_("Choose the input to merge this one into."))]
        change["merged_into"] = target
    if errors:
        raise ValidationFailed(errors)
    return items, change
