"""The roadmap report as a PDF, laid out by fpdf2 with HarfBuzz text shaping (``ShapedPDF``), so
Arabic letters join and right-to-left paragraphs run from the right margin."""

from __future__ import annotations

from core.forms.vocabulary import ACTION_STATUSES
from core.i18n.translator import Translator
from core.reports import labels as L
from core.reports.roadmap import ReportAction, Roadmap
from core.reports.shaped import ShapedPDF

STATUS_LABELS = {choice.value: choice.label for choice in ACTION_STATUSES}
LINE = 5.5  # mm per line of body text


class RoadmapPDF(ShapedPDF):
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
