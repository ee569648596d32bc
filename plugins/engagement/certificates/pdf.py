"""A certificate as a PDF: A4 landscape, in the certificate's language (Arabic shaped and right to
left, through core's :class:`ShapedPDF`), with the programme's name, the holder, the activity, the
completion date, the verification code and a QR code of the public verification address."""

from __future__ import annotations

import io
from typing import Any

import segno

from core.plugin_api import N_, ShapedPDF, Translator
from plugins.engagement.certificates import codes

TITLE = N_("Certificate of completion")
CERTIFIES = N_("This certifies that")
COMPLETED = N_("has completed")
ON_DATE = N_("Completed on {date}")
ISSUED_BY = N_("Issued by {programme}")
VERIFY_AT = N_("Verify this certificate at {address} with the code {code}.")
QR_SIZE = 38  # mm: a phone reads it from arm's length


def verification_address(base_url: str, tenant: str, code: str) -> str:
    """The public page that says whether ``code`` is valid (what the QR code holds)."""
    return f"{base_url}/t/{tenant}/engagement/certificates/verify/{codes.grouped(code)}"


def qr_png(address: str) -> bytes:
    """The QR code of ``address`` as PNG bytes (error correction M, black on white)."""
    out = io.BytesIO()
    segno.make(address, error="m", micro=False).save(out, kind="png", scale=8, border=2)
    return out.getvalue()


def render_certificate(certificate: dict[str, Any], t: Translator, programme: str, address: str) -> bytes:
    """The certificate in ``t``'s language; ``address`` is its verification page."""
    pdf = ShapedPDF(t, orientation="landscape")
    pdf.set_title(f"{t.gettext(TITLE)} — {certificate['holder_name']}")
    pdf.set_creator("Pilot CRM")
    pdf.set_auto_page_break(auto=False)
    pdf.set_margins(20, 18, 20)
    pdf.add_page()
    pdf.set_line_width(0.8)
    pdf.rect(10, 10, pdf.w - 20, pdf.h - 20)
    pdf.set_y(26)
    pdf.para(programme, 14, gap=10, align="C")
    pdf.para(t.gettext(TITLE), 28, bold=True, gap=10, align="C")
    pdf.para(t.gettext(CERTIFIES), 13, gap=4, align="C")
    pdf.para(certificate["holder_name"], 24, bold=True, gap=4, align="C")
    pdf.para(t.gettext(COMPLETED), 13, gap=4, align="C")
    pdf.para(certificate["activity_title"], 18, bold=True, gap=6, align="C")
    pdf.para(
        t.gettext(ON_DATE, date=t.format_date(certificate["completed_on"], "long")), 12, gap=2, align="C"
    )
    pdf.para(t.gettext(ISSUED_BY, programme=programme), 11, align="C")
    bottom = pdf.h - 18 - QR_SIZE
    qr_x = 20 if pdf.rtl else pdf.w - 20 - QR_SIZE
    pdf.image(io.BytesIO(qr_png(address)), x=qr_x, y=bottom, w=QR_SIZE, h=QR_SIZE)
    # The code and the address beside the QR code, on the reading side.
    pdf.set_left_margin(25 + QR_SIZE if pdf.rtl else 20)
    pdf.set_right_margin(20 if pdf.rtl else 25 + QR_SIZE)
    pdf.set_xy(pdf.l_margin, bottom + QR_SIZE / 2 - 8)
    pdf.para(codes.grouped(certificate["code"]), 14, bold=True, gap=1)
    pdf.para(t.gettext(VERIFY_AT, address=address, code=codes.grouped(certificate["code"])), 9)
    return bytes(pdf.output())
