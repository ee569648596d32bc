"""Panels plugins add to the dashboard and to records' pages: run each loader for the member and the
page's record, keep the ones with something to show, in plugin order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from core.accounts.roles import Actor
from core.i18n.translator import Translator
from core.plugins.contributions import Panel, visible_to
from core.plugins.manager import in_plugin_order


@dataclass(frozen=True, slots=True)
class PanelView:
    key: str
    title: str
    template: str
    data: dict[str, Any]


async def load_panels(
    hook_results: list[list[Panel]], actor: Actor, t: Translator, record: dict[str, Any] | None = None
) -> list[PanelView]:
    """``hook_results`` as a pluggy hook returns them (last registered first)."""
    views = []
    for panel in in_plugin_order(hook_results):
        if not visible_to(panel.roles, actor):
            continue
        data = await panel.load(actor, t, record)
        if data is not None:
            views.append(PanelView(panel.key, t.gettext(panel.title), panel.template, data))
    return views
