"""The cards this plugin adds: an organization's networks on its page, and the networks' figures
and chart on the dashboard. Loaders read through ``reading``; templates are under
``templates/networks/``."""

from __future__ import annotations

from typing import Any

from core.plugin_api import N_, Actor, Datum, Panel, Translator, horizontal_bars
from plugins.networks import reading
from plugins.networks.service import NetworkService


async def organization_networks(actor: Actor, t: Translator, record: dict[str, Any] | None) -> dict[str, Any]:
    """The organization's networks; an organization in none gets the card with a word saying so."""
    assert record is not None
    return {
        "memberships": await reading.networks_of(t, record["id"]),
        "can_add": NetworkService(actor, t.locale).may_write(),
    }


async def dashboard_networks(actor: Actor, t: Translator, _record: dict[str, Any] | None) -> dict[str, Any]:
    """Headline figures and the networks with the most member organizations, as a bar chart."""
    figures = await reading.dashboard_figures()
    data = [Datum(str(network_id), name, count) for network_id, name, count in figures["top"]]
    chart = horizontal_bars(data, fmt=t.format_number, rtl=t.direction == "rtl", label_share=0.45)
    description = "; ".join(
        t.gettext(N_("{label}: {value}"), label=d.label, value=t.format_number(d.value)) for d in data
    )
    return {**figures, "chart": chart, "description": description}


ORGANIZATION_PANEL = Panel(
    key="networks",
    title=N_("Networks"),
    template="networks/organization_panel.html",
    load=organization_networks,
)
DASHBOARD_PANEL = Panel(
    key="networks",
    title=N_("Networks and alliances"),
    template="networks/dashboard_panel.html",
    load=dashboard_networks,
)
