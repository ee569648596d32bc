"""The plugin's tables, in every tenant database that enables it (``pilot-crm migrate``)."""

from __future__ import annotations

from core.plugin_api import (
    JSON,
    Contact,
    Date,
    ForeignKey,
    Organization,
    PluginTable,
    RecordColumns,
    Serial,
    Varchar,
)


class Network(RecordColumns, PluginTable, tablename="networks_network"):
    """A national, regional or global alliance of organizations."""

    id: Serial
    name = Varchar(length=300, index=True)
    acronym = Varchar(length=40, default="")
    scope = Varchar(length=16)
    website = Varchar(length=300, default="")
    extra = JSON(default="{}")


class Membership(RecordColumns, PluginTable, tablename="networks_membership"):
    """An organization's membership of a network: its role there, since when, and optionally the
    person who is its focal point for the network (which makes this personal data)."""

    id: Serial
    network = ForeignKey(references=Network, index=True)
    organization = ForeignKey(references=Organization, index=True)
    role = Varchar(length=32)
    since = Date(null=True, default=None)
    focal_point = ForeignKey(references=Contact, null=True, index=True)
    extra = JSON(default="{}")
