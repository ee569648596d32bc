"""Chart geometry: series in, rectangles, lines and positioned text out. Pure functions, no markup.

The SVG itself is written by the templates (autoescaped), so labels taken from the database can
never inject markup. Coordinates are in a fixed view box; the SVG scales to its container.

Right-to-left: charts are laid out left-to-right, then ``mirror`` flips every x coordinate, so bars
grow from the inline-start side (the right in Arabic) and month columns run from the right. Text
anchors are *logical* ("start"/"end" follow the text direction the SVG inherits from the page's
``dir``), so mirroring moves text but never changes its anchor.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from core.dashboard.measure import abbreviate, text_width, wrap

WIDTH = 360.0  # about the width of a chart's card on a laptop, so text is near its real size
PAD = 8.0
FONT = 12.0  # the templates' font size; text is measured at it (core.dashboard.measure)
LINE = 14.0  # the distance between two lines of a wrapped label
LABEL_LINES = 2  # a category label wraps onto this many lines before it is abbreviated
MIN_LABEL_SHARE = 0.15  # the label column never gets narrower than this share of the width
VALUE_ROOM = 40.0  # space after the longest bar for its number
AXIS_ROOM = 22.0  # below a plot, for the tick labels
FRAME = 70.0  # a chart's caption, data-table summary and spacing, in the same units (for balancing)

Formatter = Callable[[int], str]


class Datum(NamedTuple):
    """One category: a stable ``key`` (status code, topic code, month), its ``label`` in the reader's
    language, its ``value``, and optionally shorter ``axis`` lines for a column chart's axis."""

    key: str
    label: str
    value: int
    axis: tuple[str, ...] = ()


class Group(NamedTuple):
    """A category with one value per series, e.g. a meeting's attendees per side."""

    key: str
    label: str
    values: tuple[tuple[str, int], ...]  # (series key, value)


@dataclass(frozen=True, slots=True)
class Text:
    text: str
    x: float
    y: float
    anchor: str = "middle"  # logical: start, middle or end
    full: str = ""  # the whole text when ``text`` had to be shortened (shown as a tooltip)


@dataclass(frozen=True, slots=True)
class Bar:
    key: str
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float
    value_label: Text
    series: str = ""
    group: str = ""


@dataclass(frozen=True, slots=True)
class Tick:
    value: int
    x1: float
    y1: float
    x2: float
    y2: float
    label: Text


@dataclass(frozen=True, slots=True)
class Chart:
    width: float
    height: float
    bars: tuple[Bar, ...]
    labels: tuple[Text, ...]  # category (or group) labels
    ticks: tuple[Tick, ...]
    baseline: tuple[float, float, float, float]  # x1, y1, x2, y2 of the axis the bars stand on
    rtl: bool = False

    @property
    def empty(self) -> bool:
        return not self.bars


def nice_ticks(maximum: int, target: int = 5) -> list[int]:
    """Whole-number ticks from 0 with a step of 1, 2 or 5 times a power of ten, reaching at least
    ``maximum`` in about ``target`` steps (a chart of zeros still gets a 0–1 scale)."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    whole = max(1, round(step))
    top = math.ceil(maximum / whole) * whole
    return list(range(0, top + whole, whole))


def shorten(text: str, room: float) -> Text:
    """``text`` on one line of ``room`` units, abbreviated when it is measured not to fit."""
    short = abbreviate(text, room, FONT)
    return Text(short, 0, 0, full="" if short == text else text)


def wrapped(text: str, room: float, lines: int = LABEL_LINES) -> list[Text]:
    """``text`` on up to ``lines`` lines of ``room`` units (positions to be set); when some of it
    had to be left out, every line carries the whole text for its tooltip."""
    parts, cut = wrap(text, room, FONT, lines)
    return [Text(part, 0, 0, full=text if cut else "") for part in parts]


def value_text(value: int, fmt: Formatter, x: float, y: float, anchor: str) -> Text:
    """A bar's number; none on an empty bar (a row of zeros says nothing the axis does not; the
    data table under the chart still gives them)."""
    return Text(fmt(value) if value else "", x, y, anchor)


def _placed(text: Text, x: float, y: float, anchor: str) -> Text:
    return replace(text, x=x, y=y, anchor=anchor)


def _value_ticks(
    ticks: list[int], x0: float, x1: float, y_top: float, y_bottom: float, fmt: Formatter
) -> tuple[Tick, ...]:
    """Vertical grid lines for a horizontal value axis from ``x0`` (0) to ``x1`` (the top tick)."""
    top = ticks[-1]
    out = []
    for value in ticks:
        x = x0 + (x1 - x0) * value / top
        out.append(Tick(value, x, y_top, x, y_bottom, Text(fmt(value), x, y_bottom + 14, "middle")))
    return tuple(out)


def horizontal_bars(
    data: Sequence[Datum],
    *,
    fmt: Formatter = str,
    rtl: bool = False,
    label_share: float = 0.38,
    row: float = 28.0,
    thickness: float = 18.0,
) -> Chart:
    """One bar per category, labels in a column at the inline start (as wide as the longest label
    needs, up to ``label_share`` of the width, wrapped onto two lines beyond), the number after
    each bar."""
    longest = max((text_width(d.label, FONT) for d in data), default=0.0)
    label_room = min(WIDTH * label_share, max(WIDTH * MIN_LABEL_SHARE, longest))
    x0 = PAD + label_room + 6
    x1 = WIDTH - PAD - VALUE_ROOM
    top_y = PAD
    ticks = nice_ticks(max((d.value for d in data), default=0))
    scale = (x1 - x0) / ticks[-1]
    bars: list[Bar] = []
    labels: list[Text] = []
    y0 = top_y
    for datum in data:
        lines = wrapped(datum.label, label_room)
        height = max(row, len(lines) * LINE + (row - LINE))
        y = y0 + (height - thickness) / 2
        width = datum.value * scale
        middle = y + thickness / 2 + FONT / 3
        bars.append(
            Bar(
                datum.key,
                datum.label,
                datum.value,
                x0,
                y,
                width,
                thickness,
                value_text(datum.value, fmt, x0 + width + 4, middle, "start"),
            )
        )
        first = middle - LINE * (len(lines) - 1) / 2
        labels.extend(_placed(line, x0 - 6, first + LINE * n, "end") for n, line in enumerate(lines))
        y0 += height
    bottom = y0
    chart = Chart(
        WIDTH,
        bottom + AXIS_ROOM,
        tuple(bars),
        tuple(labels),
        _value_ticks(ticks, x0, x1, top_y, bottom, fmt),
        (x0, top_y, x0, bottom),
    )
    return mirror(chart) if rtl else chart


def _axis_labels(data: Sequence[Datum], x0: float, band: float, top: float) -> list[Text]:
    """Category labels under columns. When the widest first line (the month) does not fit its
    column, only every second (third…) column is labelled, always including the last. A further
    line (the year) is written where it changes, and left out where it would touch the one
    written before it on that line."""
    widest = max((text_width((d.axis or (d.label,))[0], FONT) for d in data), default=0.0)
    need = widest + 4
    every = next((k for k in (1, 2, 3, 4, 6) if band * k >= need), max(1, len(data)))
    labels: list[Text] = []
    previous: tuple[str, ...] = ()
    ends: dict[int, float] = {}  # line → where the text last written on it ends
    for i, datum in enumerate(data):
        if (len(data) - 1 - i) % every:
            continue
        lines = datum.axis or (datum.label,)
        center = x0 + band * i + band / 2
        for n, line in enumerate(lines):
            repeated = n > 0 and n < len(previous) and previous[n] == line
            if not line or repeated:
                continue
            text = shorten(line, band * every) if n == 0 else Text(line, 0, 0)
            half = text_width(text.text, FONT) / 2
            if n > 0 and center - half < ends.get(n, -math.inf) + 4:
                continue
            labels.append(_placed(text, center, top + LINE * (n + 1), "middle"))
            ends[n] = center + half
        previous = lines
    return labels


def column_bars(
    data: Sequence[Datum],
    *,
    fmt: Formatter = str,
    rtl: bool = False,
    plot_height: float = 160.0,
) -> Chart:
    """One column per category (months, in order), the number above each column, the value axis at
    the inline start and the category labels (up to two lines each) below."""
    axis_room = 34.0
    x0 = PAD + axis_room
    x1 = WIDTH - PAD
    top_y = PAD + FONT + 4  # room for the number above the tallest column
    bottom = top_y + plot_height
    ticks = nice_ticks(max((d.value for d in data), default=0))
    band = (x1 - x0) / max(1, len(data))
    thickness = band * 0.6
    bars = []
    for i, datum in enumerate(data):
        center = x0 + band * i + band / 2
        height = plot_height * datum.value / ticks[-1]
        y = bottom - height
        bars.append(
            Bar(
                datum.key,
                datum.label,
                datum.value,
                center - thickness / 2,
                y,
                thickness,
                height,
                value_text(datum.value, fmt, center, y - 4, "middle"),
            )
        )
    labels = _axis_labels(data, x0, band, bottom)
    lines = max((len(d.axis or (d.label,)) for d in data), default=1)
    grid = []
    for value in ticks:
        y = bottom - plot_height * value / ticks[-1]
        grid.append(Tick(value, x0, y, x1, y, Text(fmt(value), x0 - 4, y + FONT / 3, "end")))
    chart = Chart(
        WIDTH,
        bottom + LINE * lines + 6,
        tuple(bars),
        tuple(labels),
        tuple(grid),
        (x0, bottom, x1, bottom),
    )
    return mirror(chart) if rtl else chart


def grouped_bars(
    groups: Sequence[Group],
    *,
    fmt: Formatter = str,
    rtl: bool = False,
    thickness: float = 14.0,
) -> Chart:
    """Per group, a label line then one horizontal bar per series (e.g. government, then
    non-governmental attendees of one meeting): readable on a phone, whatever the label's length."""
    x0 = PAD
    x1 = WIDTH - PAD - VALUE_ROOM
    label_line, gap, spacing = 18.0, 3.0, 10.0
    ticks = nice_ticks(max((v for g in groups for _, v in g.values), default=0))
    scale = (x1 - x0) / ticks[-1]
    bars, labels = [], []
    y = PAD
    for group in groups:
        for line in wrapped(group.label, WIDTH - 2 * PAD):
            labels.append(_placed(line, x0, y + FONT, "start"))
            y += LINE
        y += label_line - LINE
        for series, value in group.values:
            width = value * scale
            middle = y + thickness / 2 + FONT / 3
            bars.append(
                Bar(
                    f"{group.key}:{series}",
                    group.label,
                    value,
                    x0,
                    y,
                    width,
                    thickness,
                    value_text(value, fmt, x0 + width + 4, middle, "start"),
                    series=series,
                    group=group.key,
                )
            )
            y += thickness + gap
        y += spacing
    bottom = y
    chart = Chart(
        WIDTH,
        bottom + AXIS_ROOM,
        tuple(bars),
        tuple(labels),
        _value_ticks(ticks, x0, x1, PAD, bottom, fmt),
        (x0, PAD, x0, bottom),
    )
    return mirror(chart) if rtl else chart


def balanced_columns(heights: Sequence[tuple[str, float]], columns: int = 2) -> list[list[str]]:
    """The names of ``heights`` (name, height) shared among ``columns`` stacks so the tallest
    stack is as short as it can be (every assignment is tried: a dashboard has a handful of
    charts), each stack keeping the given order. Of equally good ones, the first found wins, which
    puts the first chart at the top of the first column."""
    best: tuple[float, tuple[int, ...]] | None = None
    for assignment in itertools.product(range(columns), repeat=len(heights)):
        if heights and assignment[0] != 0:
            continue
        totals = [0.0] * columns
        for (_, height), column in zip(heights, assignment, strict=True):
            totals[column] += height
        if best is None or max(totals) < best[0] - 1e-9:
            best = (max(totals), assignment)
    chosen = best[1] if best else ()
    return [
        [name for (name, _), c in zip(heights, chosen, strict=True) if c == column]
        for column in range(columns)
    ]


def mirror(chart: Chart) -> Chart:
    """The chart flipped left-right (for right-to-left pages); text keeps its logical anchor."""
    w = chart.width

    def text(t: Text) -> Text:
        return replace(t, x=w - t.x)

    x1, y1, x2, y2 = chart.baseline
    return replace(
        chart,
        bars=tuple(replace(b, x=w - b.x - b.width, value_label=text(b.value_label)) for b in chart.bars),
        labels=tuple(text(t) for t in chart.labels),
        ticks=tuple(replace(t, x1=w - t.x1, x2=w - t.x2, label=text(t.label)) for t in chart.ticks),
        baseline=(w - x1, y1, w - x2, y2),
        rtl=not chart.rtl,
    )
