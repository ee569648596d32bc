"""The dashboard page (the tenant's home after sign-in): headline figures and four charts, each with
the table of its numbers. This module only turns the service's figures into labelled chart input in
the reader's language; the aggregation is in ``service``, the geometry in ``charts``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.dates import format_date, format_skeleton
from litestar import Request, get
from litestar.response import Template

from core.dashboard import charts as geometry
from core.dashboard.charts import Chart, Datum, Group, column_bars, grouped_bars, horizontal_bars
from core.dashboard.service import BALANCE_SIDES, Dashboard, DashboardService
from core.forms.vocabulary import ACTION_STATUSES, GOVERNMENT, NON_GOVERNMENTAL, SIDES
from core.i18n.markers import N_
from core.i18n.translator import Translator
from core.web.pages.guards import require_signed_in
from core.web.pages.panels import load_panels
from core.web.pages.render import page_parts, render
from core.web.params import CurrentActor


@dataclass(frozen=True, slots=True)
class Figure:
    key: str
    label: str  # msgid
    value: int
    href: str


def headline(data: Dashboard) -> list[Figure]:
    h = data.headline
    return [
        Figure("organizations", N_("Organizations"), h.organizations, "/organizations"),
        Figure("contacts", N_("Contacts"), h.contacts, "/contacts"),
        Figure("meetings", N_("Meetings"), h.meetings, "/meetings"),
        Figure("actions", N_("Joint actions"), h.actions, "/actions"),
        Figure("completed", N_("Completed joint actions"), h.completed_actions, "/actions?status=completed"),
    ]


def month_labels(t: Translator, month: date) -> tuple[str, tuple[str, ...]]:
    """A month's full label ("ene 2025") and its axis lines: the month, then its year (which the
    chart writes only where it changes)."""
    full = format_skeleton("yMMM", month, locale=t.locale)
    return full, (format_date(month, "LLL", locale=t.locale), format_date(month, "y", locale=t.locale))


def balance_series(data: Dashboard) -> list[str]:
    """Government and non-governmental always; international only where someone of that side came."""
    shown = [GOVERNMENT, NON_GOVERNMENTAL]
    return shown + [s for s in BALANCE_SIDES if s not in shown and any(m.attended[s] for m in data.balance)]


def build_charts(t: Translator, data: Dashboard) -> dict[str, Chart]:
    rtl = t.direction == "rtl"
    fmt = t.format_number
    labels = {c.value: t.gettext(c.label) for c in ACTION_STATUSES}
    status = [Datum(code, labels[code], n) for code, n in data.by_status]
    topics = [Datum(item.code, item.label, item.count) for item in data.by_topic]
    months = []
    for month, n in data.per_month:
        full, axis = month_labels(t, month)
        months.append(Datum(month.isoformat(), full, n, axis))
    series = balance_series(data)
    groups = [
        Group(
            str(m.meeting_id),
            t.gettext(N_("{date} — {title}"), date=t.format_date(m.starts_on), title=m.title),
            tuple((s, m.attended[s]) for s in series),
        )
        for m in data.balance
    ]
    return {
        "status": horizontal_bars(status, fmt=fmt, rtl=rtl),
        "topics": horizontal_bars(topics, fmt=fmt, rtl=rtl, label_share=0.45),
        "months": column_bars(months, fmt=fmt, rtl=rtl),
        "balance": grouped_bars(groups, fmt=fmt, rtl=rtl),
    }


def describe(t: Translator, pairs: list[tuple[str, str]], sep: str = "; ") -> str:
    """A chart's numbers as one sentence ("label: value; label: value…"), for its <desc>."""
    return sep.join(t.gettext(N_("{label}: {value}"), label=label, value=value) for label, value in pairs)


def descriptions(t: Translator, charts: dict[str, Chart], series: list[tuple[str, str]]) -> dict[str, str]:
    simple = {
        name: describe(t, [(bar.label, t.format_number(bar.value)) for bar in charts[name].bars])
        for name in ("status", "topics", "months")
    }
    names = dict(series)
    meetings: dict[str, list[tuple[str, str]]] = {}
    labels: dict[str, str] = {}
    for bar in charts["balance"].bars:
        labels[bar.group] = bar.label
        meetings.setdefault(bar.group, []).append((names[bar.series], t.format_number(bar.value)))
    balance = [(labels[key], describe(t, pairs, ", ")) for key, pairs in meetings.items()]
    return {**simple, "balance": describe(t, balance)}


EMPTY_CHART = 40.0  # a chart with nothing to draw shows one sentence instead


def chart_columns(charts: dict[str, Chart]) -> list[list[str]]:
    """The charts shared between two columns of about the same height (on wide screens; one column
    under the other on narrow ones), each column in the page's order."""
    heights = [
        (name, geometry.FRAME + (EMPTY_CHART if chart.empty else chart.height))
        for name, chart in charts.items()
    ]
    return geometry.balanced_columns(heights)


@get("/", name="dashboard", guards=[require_signed_in])
async def dashboard(request: Request, actor: CurrentActor) -> Template:
    tenant, t, _ = page_parts(request)
    data = await DashboardService(actor, t.locale).build()
    side_labels = {c.value: t.gettext(c.label) for c in SIDES}
    series = [(s, side_labels[s]) for s in balance_series(data)]
    charts = build_charts(t, data)
    context: dict[str, Any] = {
        "figures": headline(data),
        "data": data,
        "charts": charts,
        "columns": chart_columns(charts),
        "series": series,
        "descriptions": descriptions(t, charts, series),
        "panels": await load_panels(tenant.plugins.hook.pilot_crm_dashboard_panels(), actor, t),
    }
    return render(request, "dashboard/index.html", **context)
