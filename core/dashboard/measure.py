"""How wide a chart's text is, measured with DejaVu Sans's advance widths (the font core's reports
ship): one of the widest common sans-serif faces, so text measured to fit here fits in the system
font a browser draws the chart with. Characters the font lacks (Chinese, Japanese) count as wide
(one em) or average; SVG text cannot be measured on the server, and this errs on the wide side."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from fontTools.ttLib import TTFont

from core.reports.shaped import FONTS

ELLIPSIS = "…"
_TOKENS = re.compile(r"\S+\s*|\s+")


@cache
def _metrics() -> tuple[dict[int, str], dict[str, tuple[int, int]], int]:
    with (FONTS / "DejaVuSans.ttf").open("rb") as fh:
        font = TTFont(fh, lazy=False)
    return font.getBestCmap(), font["hmtx"].metrics, font["head"].unitsPerEm


@cache
def char_em(char: str) -> float:
    """One character's advance width in ems."""
    cmap, advances, units = _metrics()
    glyph = cmap.get(ord(char))
    if glyph is not None:
        return advances[glyph][0] / units
    return 1.0 if unicodedata.east_asian_width(char) in ("W", "F") else 0.65


def text_width(text: str, size: float) -> float:
    """The width of ``text`` at font size ``size`` (in the same units)."""
    return size * sum(char_em(char) for char in text)


def abbreviate(text: str, room: float, size: float) -> str:
    """``text`` cut and ended with an ellipsis to fit in ``room`` (the whole of it when it fits)."""
    if text_width(text, size) <= room:
        return text
    cut = text
    while cut and text_width(cut.rstrip() + ELLIPSIS, size) > room:
        cut = cut[:-1]
    return cut.rstrip() + ELLIPSIS


def _pieces(text: str, room: float, size: float) -> list[str]:
    """Words with their trailing space; a word wider than ``room`` (or a run of Chinese, written
    without spaces) split into pieces that fit."""
    pieces: list[str] = []
    for token in _TOKENS.findall(text):
        while text_width(token.rstrip(), size) > room and len(token) > 1:
            n = len(token)
            while n > 1 and text_width(token[:n], size) > room:
                n -= 1
            pieces.append(token[:n])
            token = token[n:]
        pieces.append(token)
    return pieces


def wrap(text: str, room: float, size: float, lines: int = 2) -> tuple[list[str], bool]:
    """``text`` broken into at most ``lines`` lines of at most ``room`` wide, at spaces where it
    can; the last line abbreviated when it still does not fit. Returns the lines and whether any
    text was left out."""
    text = " ".join(text.split())
    out: list[str] = []
    current = ""
    for piece in _pieces(text, room, size):
        if current and text_width((current + piece).rstrip(), size) > room:
            out.append(current.rstrip())
            current = piece.lstrip()
        else:
            current += piece
    if current.strip() or not out:
        out.append(current.rstrip())
    if len(out) <= lines:
        return out, False
    last = " ".join(out[lines - 1 :])
    return [*out[: lines - 1], abbreviate(last, room, size)], True
