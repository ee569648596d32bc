"""Who may see a contact in full, and what everyone else gets instead.

A protected contact (an at-risk person) is shown in full only to coordinators and to the member who
created it. Everyone else never finds it in a list or a search (so a search cannot confirm that a
name exists), and where it is referenced (a meeting's attendees, an organization's people, a direct
link) they get a placeholder with no personal data. An erased contact is no secret any more: its
personal data are gone, and it is shown as "Erased contact" to everyone.

Every surface asks this module, through ``ContactService`` and ``MeetingService``, so the rule lives
in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from core.accounts.roles import Actor
from core.contacts.tables import Contact
from core.i18n.markers import N_
from core.records.service import VisibilityRule

PROTECTED_LABEL = N_("Protected contact")
ERASED_LABEL = N_("Erased contact")
# What a placeholder keeps of a hidden contact: nothing that identifies the person (the organization
# is left out too: in a small NGO it is as good as a name).
PLACEHOLDER_FIELDS = ("id",)
# The columns a row referencing a contact selects so that ``reference`` can decide, and drops after.
DECIDING_KEYS = ("protected", "created_by", "erased_at")
# What a reference to a hidden contact loses (the side stays: attendance by side must add up).
PERSONAL_REFERENCE_KEYS = (
    "first_name",
    "last_name",
    "emails",
    "position",
    "organization",
    "organization_name",
)


@dataclass(frozen=True, slots=True)
class ContactVisibility:
    actor: Actor

    @property
    def sees_everything(self) -> bool:
        return self.actor.is_coordinator

    def rule(self) -> VisibilityRule:
        """The contacts ``actor`` may list: never an erased one (nothing is left to find); for
        everyone but coordinators, only unprotected ones and those they created. A rule, so that
        list queries compile it once and bind the member's id."""
        if self.sees_everything:
            return VisibilityRule("listed", _listed)
        if self.actor.user_id is None:
            return VisibilityRule("listed-unprotected", _listed_unprotected)
        return VisibilityRule("listed-unprotected-or-own", _listed_unprotected_or_own, (self.actor.user_id,))

    def where(self) -> Any:
        """The same rule as a where-clause, for queries that join contacts (attendees)."""
        return self.rule().clause()

    def may_see(self, row: dict[str, Any]) -> bool:
        """Whether ``row`` (with ``protected``, ``created_by`` and ``erased_at``) is shown in full."""
        if self.sees_everything or row.get("erased_at") is not None or not row.get("protected"):
            return True
        return self.actor.user_id is not None and row.get("created_by") == self.actor.user_id

    def reference(self, row: dict[str, Any], translate: Callable[[str], str]) -> dict[str, Any]:
        """A row that references a contact (an attendee) as the actor may see it. ``row`` carries the
        contact's ``DECIDING_KEYS``; a hidden contact's personal keys give way to a label."""
        shown = {k: v for k, v in row.items() if k not in DECIDING_KEYS}
        if is_erased(row):
            shown.update(label=translate(ERASED_LABEL), erased=True)
        elif not self.may_see(row):
            for key in PERSONAL_REFERENCE_KEYS:
                shown.pop(key, None)
            shown.update(label=translate(PROTECTED_LABEL), protected=True, hidden=True)
        return shown


def _listed() -> Any:
    return Contact.erased_at.is_null()


def _listed_unprotected() -> Any:
    return _listed() & (Contact.protected == False)  # noqa: E712 - a SQL comparison, not a Python one


def _listed_unprotected_or_own(user_id: Any) -> Any:
    return _listed() & ((Contact.protected == False) | (Contact.created_by == user_id))  # noqa: E712


def is_erased(row: dict[str, Any]) -> bool:
    return row.get("erased_at") is not None


def placeholder(row: dict[str, Any], label: str) -> dict[str, Any]:
    """A hidden contact as everyone who may not see it gets it: its id, the flags, a label."""
    return {**{k: row[k] for k in PLACEHOLDER_FIELDS}, "protected": True, "hidden": True, "label": label}
