"""Who may export an activity's applications: coordinators, and the members given the reviewer role
for calls (``engagement_reviewer``), who review the same applications."""

from __future__ import annotations

from core.plugin_api import Actor
from plugins.engagement.tables import Reviewer


async def may_export(actor: Actor) -> bool:
    if actor.is_coordinator:
        return True
    if actor.user_id is None:
        return False
    return bool(await Reviewer.count().where(Reviewer.member == actor.user_id).run())
