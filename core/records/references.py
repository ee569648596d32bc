"""Which service names the records a reference field points to, and their names for a set of ids:
exports write the referenced record's name (what an import resolves back), not its id."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from core.tenancy.registry import TenantRuntime


def service_for(entity: str, tenant: TenantRuntime) -> Any:
    """The record service listing ``entity``: core's, or the one a plugin's form names."""
    from core.actions.service import ActionService
    from core.contacts.service import ContactService
    from core.forms.definitions import plugin_forms
    from core.meetings.service import MeetingService
    from core.organizations.service import OrganizationService

    core = {
        "organization": OrganizationService,
        "meeting": MeetingService,
        "contact": ContactService,
        "action": ActionService,
    }
    if entity in core:
        return core[entity]
    _, form = plugin_forms(tenant.plugins)[entity]
    return form.service


def referenced_ids(values: Iterable[Any]) -> set[int]:
    """The ids in reference values: single ids and lists of them, blanks skipped."""
    ids: set[int] = set()
    for value in values:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, int) and not isinstance(item, bool):
                ids.add(item)
    return ids
