"""What a list page shows around its rows: the columns (each member's choice, sortable ones as
links that say their order), and the filters in use as chips, each a link that removes it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from core.i18n.translator import Translator
from core.records.service import SortOrder

# Query parameters that only move through a list (never a filter to show as a chip).
PAGING = ("cursor",)


@dataclass(frozen=True, slots=True)
class ListColumn:
    """A column of a list page. ``key`` names its cell in the list's template (its ``cell`` block);
    ``sort`` is the service's sort key that orders by it (none: not sortable); ``default`` whether
    it shows before a member chooses their columns."""

    key: str
    label: str  # a msgid
    sort: str = ""
    default: bool = True


def shown_columns(columns: Sequence[ListColumn], chosen: Sequence[str] | None) -> list[ListColumn]:
    if chosen:
        return [c for c in columns if c.key in chosen]
    return [c for c in columns if c.default]


def column_views(
    t: Translator, columns: Sequence[ListColumn], order: SortOrder, query: Mapping[str, str]
) -> list[dict[str, Any]]:
    """Each shown column's label and, when sortable, the link that sorts by it (ascending, or
    descending when it already sorts ascending) and its ``aria-sort`` when the list is sorted by it."""
    kept = {k: v for k, v in query.items() if k not in (*PAGING, "sort")}
    views = []
    for column in columns:
        view: dict[str, Any] = {"key": column.key, "label": t.gettext(column.label), "href": "", "sort": ""}
        if column.sort:
            current = order.key.removeprefix("-") == column.sort
            if current:
                view["sort"] = "descending" if order.descending else "ascending"
            ascending_now = current and not order.key.startswith("-")
            view["href"] = "?" + urlencode({**kept, "sort": ("-" if ascending_now else "") + column.sort})
        views.append(view)
    return views


def as_named(order: SortOrder, sort_keys: Mapping[str, str]) -> SortOrder:
    """A list's own order under the sort key that names it (so its column says how it is sorted)."""
    if order.key:
        return order
    for key, column in sort_keys.items():
        if column == order.column:
            return SortOrder(("-" if order.descending else "") + key, order.column, order.descending)
    return order


def chip(t: Translator, label: str, value: str, name: str, query: Mapping[str, str]) -> dict[str, str]:
    """A filter in use: what it says ("Topic: Firearms") and the list without it."""
    rest = {k: v for k, v in query.items() if k not in (*PAGING, name)}
    text = t.gettext("{label}: {value}", label=label, value=value) if value else label
    return {"text": text, "href": "?" + urlencode(rest)}


def kept_query(raw: str) -> str:
    """A list's query string as a form sent it back, re-encoded (it only ever follows a list's path)."""
    pairs = [(k, v) for k, v in parse_qsl(raw, keep_blank_values=False) if k not in PAGING]
    return urlencode(pairs)
