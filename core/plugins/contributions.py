"""What plugins hand to core through the hooks besides fields and topics: their own record forms,
menu entries, panels, export columns, personal-data sources and what a picker leaves out. Plain
frozen dataclasses, so a plugin describes a contribution and core decides where and when it is
shown or run."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from core.accounts.roles import Actor
    from core.forms.fields import FieldSpec
    from core.i18n.translator import Translator

# Who may see a contribution: None is every signed-in member of the tenant; otherwise the roles
# (``core.accounts.roles.ROLES``) that may.
Roles = tuple[str, ...] | None


def visible_to(roles: Roles, actor: Actor | None) -> bool:
    return actor is not None and (roles is None or actor.role in roles)


@dataclass(frozen=True, slots=True)
class PluginForm:
    """A form of the plugin's own records (a network, a membership). Core builds, validates, renders
    and translates it like its own; ``service`` (a ``RecordService`` subclass) lists the records a
    ``reference`` field with ``references=name`` offers, and other plugins may append fields to it
    through ``pilot_crm_form_fields``."""

    name: str
    fields: tuple[FieldSpec, ...]
    service: type[Any] | None = None


@dataclass(frozen=True, slots=True)
class NavEntry:
    """A menu entry: ``label`` is an English msgid, ``path`` is relative to the tenant
    (``/networks``); shown after core's entries to the members whose role is in ``roles``."""

    label: str
    path: str
    roles: Roles = None


# A panel's loader: (actor, translator, record or None) → the template's context; return None to
# leave the panel out for this record or member (nothing to show).
PanelLoader = Callable[["Actor", "Translator", "dict[str, Any] | None"], Awaitable["dict[str, Any] | None"]]


@dataclass(frozen=True, slots=True)
class Panel:
    """A card on the dashboard or on a record's page. ``template`` is a template of the plugin's
    (``pilot_crm_template_dirs``) rendered inside core's card, under a heading with ``title`` (an
    English msgid): it sees the layout's context (``_``, ``base``, ``t``, formatting helpers) and what
    ``load`` returned as ``data``."""

    key: str
    title: str
    template: str
    load: PanelLoader
    roles: Roles = None


# Values of an export column: (actor, record ids) → {record id: cell}; ids without a value are blank.
ColumnLoader = Callable[["Actor", list[int]], Awaitable[dict[int, Any]]]


@dataclass(frozen=True, slots=True)
class ExportColumn:
    """A column appended to a list's CSV export (``key`` names it in the file's machine header,
    ``label`` is an English msgid for the reader's header)."""

    key: str
    label: str
    values: ColumnLoader


@dataclass(frozen=True, slots=True)
class PersonalDataSource:
    """The plugin's rows about one contact, for a data-subject request. ``export(contact_id)``
    returns what is held (JSON-ready); ``erase(contact_id, identifying)`` removes or anonymizes it and
    returns how many rows it changed: ``identifying`` holds the person's names, emails and phones, so
    free text that copied them can be scrubbed too. Both run inside the tenant, in the erasure's
    transaction. ``tables`` are the plugin tables ``erase`` writes, purged afterwards of the old row
    versions like core's (``core.db.purge``)."""

    key: str
    export: Callable[[int], Awaitable[Any]]
    erase: Callable[[int, frozenset[str]], Awaitable[int]]
    tables: tuple[type[Any], ...] = ()


# The ids a picker leaves out: (actor, locale, record id) → the ids of the contacts or organizations
# already linked to that record. It raises NotFound when the actor may not see the record.
LinkedIds = Callable[["Actor", str, int], Awaitable["Collection[int]"]]


@dataclass(frozen=True, slots=True)
class PickExclusion:
    """Records a searchable picker leaves out: the ``picks`` (``contact`` or ``organization``) already
    linked to one record, such as the organizations already members of a network. A page asks for it
    with ``without=<key>&of=<record id>`` in the picker's search (``/pick/organizations?without=
    networks.members&of=12``); ``linked`` returns the ids to leave out, inside the tenant, as the
    member may see that record. Name the key after the plugin and the link (``networks.members``)."""

    key: str
    picks: str
    linked: LinkedIds
