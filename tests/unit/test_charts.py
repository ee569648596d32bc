"""Chart geometry: tick scaling, proportions, and right-to-left mirroring."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from babel.dates import format_date
from hypothesis import given
from hypothesis import strategies as st

from core.dashboard.charts import (
    FONT,
    WIDTH,
    Datum,
    Group,
    balanced_columns,
    column_bars,
    grouped_bars,
    horizontal_bars,
    mirror,
    nice_ticks,
    shorten,
)
from core.dashboard.measure import text_width
from core.dashboard.service import month_starts

STATUS = [Datum("proposed", "Proposed", 3), Datum("agreed", "Agreed", 0), Datum("completed", "Completed", 7)]


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (3, [0, 1, 2, 3]),
        (7, [0, 2, 4, 6, 8]),
        (10, [0, 2, 4, 6, 8, 10]),
        (17, [0, 5, 10, 15, 20]),
        (230, [0, 50, 100, 150, 200, 250]),
        (1000, [0, 200, 400, 600, 800, 1000]),
    ],
)
def test_nice_ticks_are_whole_round_steps_that_cover_the_maximum(maximum, ticks):
    assert nice_ticks(maximum) == ticks


def test_horizontal_bars_are_proportional_and_share_a_start():
    chart = horizontal_bars(STATUS, fmt=lambda n: f"#{n}")
    proposed, agreed, completed = chart.bars
    assert {b.x for b in chart.bars} == {proposed.x}
    assert agreed.width == 0
    assert completed.width / proposed.width == pytest.approx(7 / 3)
    top = chart.ticks[-1]
    assert top.value == 8 and completed.width == pytest.approx((top.x1 - proposed.x) * 7 / 8)
    assert [b.value_label.text for b in chart.bars] == ["#3", "", "#7"]  # no number on an empty bar
    # Labels end just before the bars; numbers start just after them.
    assert all(label.anchor == "end" and label.x < proposed.x for label in chart.labels)
    assert completed.value_label.x > completed.x + completed.width
    assert all(b.x >= 0 and b.x + b.width <= WIDTH for b in chart.bars)


def test_right_to_left_bars_grow_from_the_right_edge():
    ltr = horizontal_bars(STATUS)
    rtl = horizontal_bars(STATUS, rtl=True)
    assert rtl.rtl and not ltr.rtl
    for left, right in zip(ltr.bars, rtl.bars, strict=True):
        assert right.width == left.width and right.y == left.y
        assert right.x + right.width == pytest.approx(WIDTH - left.x)  # same start, seen from the right
        assert right.value_label.x == pytest.approx(WIDTH - left.value_label.x)
        assert right.value_label.anchor == left.value_label.anchor == "start"  # logical anchor
    assert all(label.x > rtl.bars[0].x + rtl.bars[0].width for label in rtl.labels)  # labels on the right
    assert [t.label.x for t in rtl.ticks] == pytest.approx([WIDTH - t.label.x for t in ltr.ticks])
    assert rtl.ticks[0].x1 > rtl.ticks[-1].x1  # zero on the right, the scale grows to the left


def test_mirroring_twice_gives_the_chart_back():
    chart = grouped_bars([Group("1", "Diálogo", (("government", 4), ("non_governmental", 2)))])
    assert mirror(mirror(chart)) == chart


def test_columns_run_from_the_inline_start():
    months = [Datum(m.isoformat(), m.isoformat(), i) for i, m in enumerate(month_starts(date(2025, 3, 9)))]
    ltr, rtl = column_bars(months), column_bars(months, rtl=True)
    assert [b.x for b in ltr.bars] == sorted(b.x for b in ltr.bars)  # oldest month on the left
    assert [b.x for b in rtl.bars] == sorted((b.x for b in rtl.bars), reverse=True)  # ... on the right
    assert [b.height for b in rtl.bars] == [b.height for b in ltr.bars]
    assert ltr.bars[0].height == 0 and ltr.bars[-1].y < ltr.bars[1].y
    tick_x = {t.label.x for t in rtl.ticks}
    assert len(tick_x) == 1 and tick_x.pop() > max(b.x + b.width for b in rtl.bars)  # axis on the right


def test_grouped_bars_keep_series_order_within_each_group():
    chart = grouped_bars(
        [
            Group("7", "Mesa técnica", (("government", 5), ("non_governmental", 3))),
            Group("9", "Taller", (("government", 0), ("non_governmental", 6))),
        ]
    )
    assert [(b.group, b.series, b.value) for b in chart.bars] == [
        ("7", "government", 5),
        ("7", "non_governmental", 3),
        ("9", "government", 0),
        ("9", "non_governmental", 6),
    ]
    assert [b.y for b in chart.bars] == sorted(b.y for b in chart.bars)
    assert chart.bars[3].width == pytest.approx(chart.bars[0].width * 6 / 5)
    assert [label.text for label in chart.labels] == ["Mesa técnica", "Taller"]


def test_empty_series_give_an_empty_chart_with_a_scale():
    chart = horizontal_bars([])
    assert chart.empty and [t.value for t in chart.ticks] == [0, 1]


def test_long_labels_are_shortened_but_kept_whole_for_the_tooltip():
    long = "Protección de víctimas de trata de personas en zonas fronterizas del norte"
    text = shorten(long, 120)
    assert text.text.endswith("…") and len(text.text) < len(long) and text.full == long
    assert shorten("Corto", 120).full == ""


def test_month_starts_cross_the_year():
    months = month_starts(date(2025, 2, 28))
    assert len(months) == 12 and months[0] == date(2024, 3, 1) and months[-1] == date(2025, 2, 1)


def test_column_labels_thin_out_when_they_do_not_fit_and_years_are_written_once():
    months = month_starts(date(2026, 3, 1))
    data = [Datum(m.isoformat(), m.isoformat(), 1, (f"month-{m.month:02}", str(m.year))) for m in months]
    chart = column_bars(data)
    texts = [label.text for label in chart.labels]
    assert "month-03" in texts  # the latest month is always labelled
    assert [t for t in texts if t.startswith("month")] == ["month-06", "month-09", "month-12", "month-03"]
    assert [t for t in texts if t.isdigit()] == ["2025", "2026"]
    short = column_bars([Datum(m.isoformat(), "x", 0, (str(m.month), "")) for m in months])
    assert len(short.labels) == 12


# --- generated series: numbers, labels and layout ------------------------------------------------

LOCALES = ("es", "pt", "fr", "ar", "en", "zh", "ru")
words = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "Zs", "P")), min_size=0, max_size=80
)


@given(st.lists(st.integers(0, 400), min_size=12, max_size=12), st.sampled_from(LOCALES), st.booleans())
def test_empty_months_carry_no_number_and_axis_labels_never_touch(values, locale, rtl):
    months = month_starts(date(2026, 5, 20))
    data = [
        Datum(
            m.isoformat(),
            format_date(m, "MMM y", locale=locale),
            n,
            (format_date(m, "LLL", locale=locale), format_date(m, "y", locale=locale)),
        )
        for m, n in zip(months, values, strict=True)
    ]
    chart = column_bars(data, rtl=rtl)
    for bar in chart.bars:
        assert bar.value_label.text == ("" if bar.value == 0 else str(bar.value))
    by_line: dict[float, list[tuple[float, float]]] = {}
    for label in chart.labels:
        half = text_width(label.text, FONT) / 2
        by_line.setdefault(label.y, []).append((label.x - half, label.x + half))
    for spans in by_line.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in itertools.pairwise(spans)), spans
        assert spans[0][0] >= 0 and spans[-1][1] <= chart.width
    assert any(label.text == data[-1].axis[0] for label in chart.labels)  # the latest month is named


@given(st.lists(st.tuples(words, st.integers(0, 1000)), max_size=12), st.booleans())
def test_category_labels_fit_their_column_and_are_cut_only_beyond_two_lines(series, rtl):
    data = [Datum(str(i), label, n) for i, (label, n) in enumerate(series)]
    chart = horizontal_bars(data, rtl=rtl, label_share=0.45)
    assert [b.value_label.text for b in chart.bars] == [str(n) if n else "" for _, n in series]
    room = WIDTH * 0.45
    for label in chart.labels:
        assert text_width(label.text, FONT) <= room + 0.01 or len(label.text) <= 1
    lines_of: dict[str, list[str]] = {}
    for bar in chart.bars:
        lines_of[bar.key] = []
    # Lines are placed bar by bar, in order: give each bar the lines that lie within its row.
    rows = sorted(chart.bars, key=lambda b: b.y)
    for label in chart.labels:
        owner = min(rows, key=lambda b: abs((b.y + b.height / 2) - label.y))
        lines_of[owner.key].append(label.text)
    for datum in data:
        lines = lines_of[datum.key]
        assert 1 <= len(lines) <= 2
        whole = " ".join(datum.label.split())
        if not any(label.full for label in chart.labels if label.text in lines):
            assert "".join(lines).replace(" ", "") == whole.replace(" ", "")  # nothing left out
    assert all(b.y >= a.y + a.height for a, b in itertools.pairwise(rows))  # rows never overlap


@given(st.lists(st.tuples(st.text(min_size=1, max_size=6), st.floats(0, 900)), max_size=6))
def test_balanced_columns_keep_every_chart_once_in_order_and_minimise_the_tallest(charts):
    named = [(f"{i}-{name}", height) for i, (name, height) in enumerate(charts)]
    columns = balanced_columns(named)
    assert sorted(itertools.chain(*columns)) == sorted(name for name, _ in named)
    order = [name for name, _ in named]
    for column in columns:
        assert column == sorted(column, key=order.index)
    heights = dict(named)
    tallest = max(sum(heights[n] for n in column) for column in columns)
    best = (
        min(
            max(sum(h for (_, h), c in zip(named, pick, strict=True) if c == k) for k in (0, 1))
            for pick in itertools.product((0, 1), repeat=len(named))
        )
        if named
        else 0.0
    )
    assert tallest == pytest.approx(best)
    if named:
        assert columns[0][0] == named[0][0]


def test_a_status_chart_and_twelve_months_balance_against_a_tall_chart():
    assert balanced_columns([("status", 270), ("topics", 400), ("months", 290), ("balance", 900)]) == [
        ["status", "topics", "months"],
        ["balance"],
    ]
