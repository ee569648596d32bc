"""The columns each member chose to see in each list, kept in the tenant's database (one row per
member and list). A list offers its columns; a choice naming one it does not offer is refused, and
a stored choice is read through what the list offers today (a column a plugin dropped disappears)."""

from __future__ import annotations

from collections.abc import Sequence

from core.accounts.roles import Actor
from core.errors import Message, PermissionDenied, ValidationFailed
from core.i18n.markers import N_
from core.records.service import load_json, now
from core.records.tables import ListColumns


def _member(actor: Actor) -> int:
    if actor.user_id is None:  # an actor with no member behind it has nothing to remember
        raise PermissionDenied()
    return actor.user_id


async def chosen_columns(actor: Actor, listing: str, offered: Sequence[str]) -> list[str] | None:
    """The columns ``actor`` chose for ``listing``, in the list's order; None when they chose none."""
    if actor.user_id is None:
        return None
    row = (
        await ListColumns.select(ListColumns.columns)
        .where((ListColumns.member == actor.user_id) & (ListColumns.listing == listing))
        .first()
        .run()
    )
    if row is None:
        return None
    stored = set(load_json(row["columns"], []))
    kept = [key for key in offered if key in stored]
    return kept or None


async def remember_columns(
    actor: Actor, listing: str, keys: Sequence[str], offered: Sequence[str]
) -> list[str]:
    """Remember ``keys`` as ``actor``'s columns of ``listing``; at least one, each one offered."""
    member = _member(actor)
    unknown = [key for key in keys if key not in offered]
    if unknown:
        raise ValidationFailed(
            {"columns": [Message(N_("Unknown column: {column}."), {"column": unknown[0]})]}
        )
    if not keys:
        raise ValidationFailed({"columns": [Message(N_("Choose at least one column."))]})
    chosen = [key for key in offered if key in set(keys)]
    async with ListColumns._meta.db.transaction():
        updated = (
            await ListColumns.update({ListColumns.columns: chosen, ListColumns.updated_at: now()})
            .where((ListColumns.member == member) & (ListColumns.listing == listing))
            .returning(ListColumns.id)
            .run()
        )
        if not updated:
            await ListColumns.insert(ListColumns(member=member, listing=listing, columns=chosen)).run()
    return chosen


async def forget_columns(actor: Actor, listing: str) -> None:
    """Back to the list's own columns for ``actor``."""
    member = _member(actor)
    await ListColumns.delete().where((ListColumns.member == member) & (ListColumns.listing == listing)).run()
