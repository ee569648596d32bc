"""The tenant's full form definition: core + plugin fields with translated labels and choices."""

from __future__ import annotations

from typing import Any

from litestar import get

from core.errors import NotFound
from core.forms.definitions import CORE_FORMS, plugin_forms
from core.i18n.translator import Translator
from core.web.params import CurrentActor, CurrentTenant, CurrentTranslator, PathName


def form_names(tenant: CurrentTenant) -> list[str]:
    """Core's forms and those of the tenant's plugins (``pilot_crm_forms``)."""
    return [*CORE_FORMS, *plugin_forms(tenant.plugins)]


def describe_form(tenant: CurrentTenant, name: str, t: Translator) -> dict[str, Any]:
    if name not in form_names(tenant):
        raise NotFound()
    form = tenant.form(name)
    return {
        "form": name,
        "locale": t.locale,
        "fields": [
            {
                "name": f.name,
                "type": f.kind,
                "label": t.gettext(f.label),
                "help": t.gettext(f.help) if f.help else "",
                "required": f.required,
                "multiple": f.multiple,
                "max_length": f.max_length,
                "choices": [{"value": c.value, "label": t.gettext(c.label)} for c in f.choices],
                "references": f.references,
                "source": f.source,
            }
            for f in form.fields
        ],
    }


@get("/forms", summary="Form names", tags=["Forms"])
async def form_list(tenant: CurrentTenant, actor: CurrentActor) -> dict[str, list[str]]:
    """The names of the tenant's record forms, core's and its plugins'."""
    return {"forms": form_names(tenant)}


@get("/forms/{form:str}", summary="Form definition", tags=["Forms"])
async def form_definition(
    form: PathName, tenant: CurrentTenant, translator: CurrentTranslator, actor: CurrentActor
) -> dict[str, Any]:
    return describe_form(tenant, form, translator)
