"""The roadmap report as a PDF, laid out by fpdf2 with HarfBuzz text shaping, so Arabic letters join
and right-to-left paragraphs run from the right margin. The fonts (DejaVu Sans, with Arabic glyphs)
ship with the package: the PDF looks the same on any server, with no system fonts."""

from __future__ import annotations

from importlib.resources import files

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from core.forms.vocabulary import ACTION_STATUSES
from core.i18n.translator import Translator
from core.reports import labels as L
from core.reports.roadmap import ReportAction, Roadmap

FONT = "DejaVu"
FONTS = files("core.reports") / "fonts"
STATUS_LABELS = {choice.value: choice.label for choice in ACTION_STATUSES}
LINE = 5.5  # mm per line of body text


class ShapedPDF(FPDF):
    """An fpdf2 document in ``t``'s language with the shipped fonts (regular ``""`` and bold ``"B"``
    of :data:`FONT`) and HarfBuzz shaping, right to left for Arabic. Any PDF of Pilot CRM (the
    roadmap, a plugin's certificate) starts from it, so every one renders every language alike."""

    def __init__(self, t: Translator, orientation: str = "portrait") -> None:
        super().__init__(orientation=orientation, format="A4")
        self.t = t
        self.rtl = t.direction == "rtl"
        self.align = "R" if self.rtl else "L"
        self.widths: dict[tuple[str, float, str], float] = {}  # word widths: words recur a lot
        self.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        if self.rtl:
            self.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab", language="ara")
        else:
            self.set_text_shaping(use_shaping_engine=True, direction="ltr")
        self.set_lang(t.locale)

    def para(self, text: str, size: float = 10, bold: bool = False, gap: float = 0, align: str = "") -> None:
        """``text`` in lines that fit the page, aligned to the reading side unless ``align`` says."""
        self.set_font(FONT, "B" if bold else "", size)
        height = size * 0.5 + 0.5
        room = self.epw - 2 * self.c_margin
        for line in self.wrap(text, room):
            if self.get_string_width(line) <= room:
                self.cell(0, height, line, align=align or self.align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            else:  # one word wider than the page (a long address): fpdf2 breaks it
                self.multi_cell(
                    0, height, line, align=align or self.align, new_x=XPos.LMARGIN, new_y=YPos.NEXT
                )
        if gap:
            self.ln(gap)

    def measure(self, word: str) -> float:
        key = (self.font_style, self.font_size_pt, word)
        if key not in self.widths:
            self.widths[key] = self.get_string_width(word)
        return self.widths[key]

    def wrap(self, text: str, room: float) -> list[str]:
        """``text``'s lines broken at spaces to fit ``room``, measuring each word once (shaping does
        not join letters across a space). fpdf2's multi_cell measures the line again for every
        character it adds, which made a report of a few hundred actions take tens of seconds."""
        space = self.measure(" ")
        lines = []
        for paragraph in text.splitlines() or [""]:
            current: list[str] = []
            width = 0.0
            for word in paragraph.split(" "):
                size = self.measure(word)
                if current and width + space + size > room:
                    lines.append(" ".join(current))
                    current, width = [], 0.0
                width += (space if current else 0.0) + size
                current.append(word)
            lines.append(" ".join(current))
        return lines


class RoadmapPDF(ShapedPDF):
    def __init__(self, t: Translator) -> None:
        super().__init__(t)
        self.set_auto_page_break(auto=True, margin=18)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.cell(0, 6, self.t.format_number(self.page_no()), align="C")

    def field(self, label: str, value: str) -> None:
        self.para(self.t.gettext(L.SUMMARY, label=self.t.gettext(label), value=value or "—"))


def _action(pdf: RoadmapPDF, t: Translator, action: ReportAction) -> None:
    title = action.title
    if action.overdue:
        title = f"{title} — {t.gettext(L.OVERDUE)}"
    pdf.para(title, 11, bold=True)
    pdf.field(L.STATUS, t.gettext(STATUS_LABELS.get(action.status, action.status)))
    pdf.field(L.LEAD, action.lead)
    pdf.field(L.PARTNERS, ", ".join(action.partners))
    pdf.field(L.DUE, t.format_date(action.due_date) if action.due_date else "")
    if action.topics:
        pdf.field(L.TOPICS, ", ".join(action.topics))
    for side, side_label in L.SIDES:
        confirmation = action.confirmations.get(side)
        state = (
            t.gettext(
                L.CONFIRMED_BY, who=confirmation.email, date=t.format_datetime(confirmation.confirmed_at)
            )
            if confirmation
            else t.gettext(L.NOT_CONFIRMED)
        )
        pdf.field(side_label, state)
    pdf.para(t.gettext(L.PROGRESS), 10, bold=True)
    if not action.progress:
        pdf.para(t.gettext(L.NO_PROGRESS))
    for entry in action.progress:
        who = f" · {entry.author}" if entry.author else ""
        pdf.para(f"{t.format_date(entry.on_date)}{who}", 9, bold=True)
        pdf.para(entry.note, 9)
    pdf.ln(4)


def render_pdf(roadmap: Roadmap, t: Translator) -> bytes:
    """The report in ``t``'s language: a title page, the overdue actions, then the topics."""
    pdf = RoadmapPDF(t)
    pdf.set_title(f"{t.gettext(L.TITLE)} — {roadmap.tenant_name}")
    pdf.set_creator("Pilot CRM")
    pdf.add_page()
    pdf.ln(50)
    pdf.para(roadmap.tenant_name, 22, bold=True, gap=4)
    pdf.para(t.gettext(L.TITLE), 18, gap=8)
    pdf.para(t.gettext(L.GENERATED, date=t.format_moment(roadmap.generated_at)), 11, gap=6)
    pdf.field(L.ACTIONS, t.format_number(len(roadmap.actions)))
    pdf.field(L.OVERDUE_ACTIONS, t.format_number(len(roadmap.overdue)))

    pdf.add_page()
    pdf.para(t.gettext(L.OVERDUE_ACTIONS), 15, bold=True, gap=2)
    if not roadmap.overdue:
        pdf.para(t.gettext(L.NONE_OVERDUE))
    for action in roadmap.overdue:
        due = t.format_date(action.due_date) if action.due_date else ""
        pdf.para(t.gettext(L.SUMMARY, label=action.title, value=due))
    pdf.ln(6)
    if not roadmap.sections:
        pdf.para(t.gettext(L.NO_ACTIONS))
    for section in roadmap.sections:
        heading = section.label if section.code else t.gettext(L.NO_TOPIC)
        if section.priority:
            heading = f"{heading} — {t.gettext(L.NATIONAL_PRIORITY)}"
        pdf.para(heading, 14, bold=True, gap=2)
        for action in section.actions:
            _action(pdf, t, action)
    return bytes(pdf.output())
