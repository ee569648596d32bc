"""Who reviews: coordinators always, and the members a coordinator gave the reviewer role
(``engagement_reviewer``). One answer for the review queue, the applications export and the
moderation of dialogue inputs, which the same people do."""

from __future__ import annotations

from core.plugin_api import COORDINATOR, Actor
from plugins.engagement.tables import Reviewer


async def is_reviewer(actor: Actor) -> bool:
    if actor.role == COORDINATOR:
        return True
    if actor.user_id is None:
        return False
    return bool(await Reviewer.exists().where(Reviewer.member == actor.user_id))
