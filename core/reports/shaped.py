"""A PDF document laid out by fpdf2 with HarfBuzz text shaping, so Arabic letters join and
right-to-left paragraphs run from the right margin: the setup of core's reports, for any document
(plugins' too, through ``core.plugin_api``). The fonts ship with the package, so the PDF looks the
same on any server with no system fonts: DejaVu Sans (Latin, Cyrillic, Arabic) and, for the
characters it lacks, Droid Sans Fallback (Chinese, Japanese, Korean)."""

from __future__ import annotations

from importlib.resources import files

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from core.i18n.translator import Translator, text_direction

FONT = "DejaVu"
CJK_FONT = "DroidSansFallback"
FONTS = files("core.reports") / "fonts"


class ShapedPDF(FPDF):
    """An A4 document in ``t``'s language with core's fonts and HarfBuzz shaping, page numbers in
    the footer, and paragraphs wrapped word by word. A paragraph may be in another language than
    the document (a participant's Arabic text in a Spanish summary): ``para(..., language=)``
    shapes and aligns it in that language's direction."""

    def __init__(self, t: Translator, orientation: str = "portrait") -> None:
        super().__init__(orientation=orientation, format="A4")
        self.t = t
        self.rtl = t.direction == "rtl"
        self.align = "R" if self.rtl else "L"
        self.widths: dict[tuple[str, float, str, bool], float] = {}  # word widths: words recur a lot
        self.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.add_font(CJK_FONT, "", str(FONTS / "DroidSansFallback.ttf"))
        # Glyphs DejaVu lacks (Chinese) come from the fallback, bold text included (it has no bold).
        self.set_fallback_fonts([CJK_FONT], exact_match=False)
        self._shape(self.rtl)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_lang(t.locale)

    def _shape(self, rtl: bool) -> None:
        if rtl:
            self.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab", language="ara")
        else:
            self.set_text_shaping(use_shaping_engine=True, direction="ltr")
        self.shaping_rtl = rtl

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.cell(0, 6, self.t.format_number(self.page_no()), align="C")

    def para(
        self,
        text: str,
        size: float = 10,
        bold: bool = False,
        gap: float = 0,
        language: str | None = None,
        align: str = "",
    ) -> None:
        """``text`` wrapped to the page, aligned to its reading side unless ``align`` says (``C``)."""
        rtl = self.rtl if language is None else text_direction(language) == "rtl"
        if rtl != self.shaping_rtl:
            self._shape(rtl)
        align = align or ("R" if rtl else "L")
        self.set_font(FONT, "B" if bold else "", size)
        height = size * 0.5 + 0.5
        room = self.epw - 2 * self.c_margin
        for line in self.wrap(text, room):
            if self.get_string_width(line) <= room:
                self.cell(0, height, line, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            else:  # one word wider than the page (a long address): fpdf2 breaks it
                self.multi_cell(0, height, line, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if rtl != self.rtl:
            self._shape(self.rtl)
        if gap:
            self.ln(gap)

    def measure(self, word: str) -> float:
        key = (self.font_style, self.font_size_pt, word, self.shaping_rtl)
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
