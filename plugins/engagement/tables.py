"""The plugin's tables, in every tenant database that enables it (``pilot-crm migrate``)."""

from __future__ import annotations

from core.plugin_api import (
    JSON,
    Integer,
    PluginTable,
    RecordColumns,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)


class Activity(RecordColumns, PluginTable, tablename="engagement_activity"):
    """A training, workshop, constructive dialogue, preparation day or course cohort: what it is
    for, when and how it is held, and who may apply to it. Lists of values (languages, sectors,
    issue areas, reading materials) are JSON arrays; countries are a text of ISO codes, searchable."""

    id: Serial
    kind = Varchar(length=32, index=True)
    title = Varchar(length=300, index=True)
    objectives = Text(default="")
    format = Varchar(length=32)
    # Instants with their offset, and the zone they are shown in, as core's meetings store them.
    starts_at = Timestamptz(index=True)
    ends_at = Timestamptz()
    timezone = Varchar(length=64, default="")
    registration_deadline = Timestamptz(null=True, default=None)
    languages = JSON(default="[]")
    capacity = Integer(null=True, default=None)
    region = Varchar(length=120, default="")
    eligible_countries = Varchar(length=2000, default="")
    eligible_sectors = JSON(default="[]")
    issue_areas = JSON(default="[]")
    priority_review_group = Integer(null=True, default=None)
    youth_share_target = Integer(null=True, default=None)
    reading_materials = Text(default="")
    status = Varchar(length=16, index=True, default="draft")
    extra = JSON(default="{}")
