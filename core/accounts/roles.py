"""Roles and what each may do. Least privilege: observers read; participants write what their side
owns; coordinators manage everything in their own tenant."""

from __future__ import annotations

from dataclasses import dataclass

from core.forms.vocabulary import GOVERNMENT, NON_GOVERNMENTAL

COORDINATOR, GOVERNMENT_PARTICIPANT, NGO_PARTICIPANT, OBSERVER = (
    "coordinator",
    "government",
    "ngo",
    "observer",
)
ROLES = (COORDINATOR, GOVERNMENT_PARTICIPANT, NGO_PARTICIPANT, OBSERVER)
ROLE_SIDE = {GOVERNMENT_PARTICIPANT: GOVERNMENT, NGO_PARTICIPANT: NON_GOVERNMENTAL}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting: the authenticated member of the tenant in context (or the CLI/system)."""

    user_id: int | None
    email: str
    role: str
    # The scope of the API token that identified the member ("read" or "write"); None for a browser
    # session or the CLI, which the role alone limits.
    token_scope: str | None = None

    @property
    def side(self) -> str:
        return ROLE_SIDE.get(self.role, "")

    @property
    def is_coordinator(self) -> bool:
        return self.role == COORDINATOR

    @property
    def can_write(self) -> bool:
        return self.role in (COORDINATOR, GOVERNMENT_PARTICIPANT, NGO_PARTICIPANT)

    def can_edit(self, owner_side: str) -> bool:
        """Coordinators edit anything in their tenant; participants what their own side owns."""
        return self.is_coordinator or (self.can_write and owner_side == self.side)


SYSTEM = Actor(user_id=None, email="system", role=COORDINATOR)
