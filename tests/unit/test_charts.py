"""Chart geometry: tick scaling, proportions, and right-to-left mirroring."""

from __future__ import annotations

from datetime import date

import pytest

from core.dashboard.charts import (
    WIDTH,
    Datum,
    Group,
    column_bars,
    grouped_bars,
    horizontal_bars,
    mirror,
    nice_ticks,
    shorten,
)
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
