"""The roadmap PDF's layout rules without a database: what counts as overdue, and paragraphs wider
than the page (long notes, one word longer than a line) wrapped inside the margins."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

from babel.support import NullTranslations
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTTextContainer, LTTextLine

from core.i18n.translator import Translator
from core.reports.pdf import render_pdf
from core.reports.roadmap import Progress, ReportAction, Roadmap, Section, is_overdue


def text_lines(content: bytes) -> list[tuple[float, float, float, str]]:
    """Each line of text of the PDF: where it starts and ends, its page's width, its text."""
    return [
        (line.x0, line.x1, page.width, line.get_text().strip())
        for page in extract_pages(io.BytesIO(content))
        for box in page
        if isinstance(box, LTTextContainer)
        for line in box
        if isinstance(line, LTTextLine) and line.get_text().strip()
    ]


def test_an_action_is_overdue_from_the_day_after_its_due_date_until_it_is_closed():
    today = date(2026, 5, 10)
    assert is_overdue("in_progress", date(2026, 5, 9), today)
    assert not is_overdue("in_progress", today, today)
    assert not is_overdue("agreed", None, today)
    assert not is_overdue("completed", date(2020, 1, 1), today)
    assert not is_overdue("discontinued", date(2020, 1, 1), today)


def test_long_paragraphs_wrap_inside_the_margins():
    note = "Primera línea de una nota larga " * 12 + "\n" + "x" * 300
    action = ReportAction(
        1, "Título", "blocked", "", [], date(2020, 1, 1), True, [], [Progress(date(2025, 1, 2), note, "")], {}
    )
    roadmap = Roadmap(
        "Piloto", datetime(2026, 1, 1, tzinfo=UTC), date(2026, 1, 1), [Section(None, "", False, [action])]
    )
    content = render_pdf(roadmap, Translator("es", NullTranslations(), "UTC"))
    lines = text_lines(content)
    assert all(x0 >= 28 and x1 <= width - 28 for x0, x1, width, _ in lines)
    text = " ".join(line for *_, line in lines)
    assert text.count("x") == 300 and text.count("Primera") == 12
    assert len([line for *_, line in lines if "Primera" in line]) > 1  # wrapped over several lines
    assert "Título — Overdue" in text and "No topic" in text


def test_chinese_text_is_drawn_with_the_shipped_fallback_font_inside_the_margins():
    """DejaVu has no Chinese glyphs: without the fallback font every character would be a blank box."""
    note = "关于打击人口贩运的联合行动进展良好。" * 20
    progress = [Progress(date(2025, 1, 2), note, "")]
    action = ReportAction(1, "联合行动", "blocked", "", [], date(2020, 1, 1), True, [], progress, {})
    roadmap = Roadmap(
        "试点", datetime(2026, 1, 1, tzinfo=UTC), date(2026, 1, 1), [Section(None, "", False, [action])]
    )
    content = render_pdf(roadmap, Translator("zh", NullTranslations(), "UTC"))
    assert b"DroidSansFallback" in content
    lines = text_lines(content)
    assert all(x0 >= 28 and x1 <= width - 28 for x0, x1, width, _ in lines)
    text = "".join(line for *_, line in lines)
    assert text.count("进展良好") == 20
