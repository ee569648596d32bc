"""Choices for reference, topic and language fields of a form, loaded through the services (so
what a member may not see never reaches a select)."""

from __future__ import annotations

from core.accounts.roles import Actor
from core.forms.definitions import FormDefinition
from core.forms.picking import SIDE_OF_FIELD
from core.records.references import service_for
from core.tenancy.registry import TenantRuntime
from core.web.pages.render import locale_name


async def form_options(
    form: FormDefinition, actor: Actor, locale: str, tenant: TenantRuntime
) -> dict[str, list[tuple[str, str]]]:
    from core.organizations.tables import Organization
    from core.topics.service import TopicService

    options: dict[str, list[tuple[str, str]]] = {
        "locale": [(code, locale_name(code)) for code in tenant.declaration.locales]
    }
    for spec in form.fields:
        if spec.kind == "topics":
            options[spec.name] = await TopicService(actor, locale).labelled()
        elif spec.kind in ("reference", "references") and spec.references:
            side = SIDE_OF_FIELD.get(spec.name)
            where = Organization.side == side if side and spec.references == "organization" else None
            pairs = await service_for(spec.references, tenant)(actor, locale).choices(where)
            options[spec.name] = [(str(i), label) for i, label in pairs]
    return options
