"""The summary of a dialogue's inputs for its working group: the included inputs grouped by topic in
the working groups' order, each with the inputs merged into it, then the topic's contributing
organizations (distinct, sorted) and its counts. Written as JSON, Markdown or PDF; headings in the
reader's language (``t``), inputs in their own."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from core.plugin_api import N_, ShapedPDF, Translator, load_json
from plugins.engagement.tables import DialogueInput
from plugins.engagement.vocabulary import LANGUAGES, WORKING_GROUPS, label_of

TITLE = N_("Summary of inputs: {title}")
DATE = N_("Date of the dialogue: {date}")
NO_ORGANIZATION = N_("No organization")
MERGED = N_("Merged into this input:")
ORGANIZATIONS = N_("Contributing organizations")
COUNTS = N_("Inputs: {inputs} · Organizations: {organizations}")
NOTHING = N_("No input has been included in the summary yet.")


@dataclass
class Item:
    id: int
    author: str
    organization: str
    language: str
    text: str
    tags: list[str]
    merged: list[Item] = field(default_factory=list)


@dataclass
class Section:
    topic: str
    label: str  # msgid
    items: list[Item]
    organizations: list[str]
    count: int


@dataclass
class Summary:
    activity_id: int
    title: str
    day: date
    sections: list[Section]


def _item(row: dict[str, Any]) -> Item:
    return Item(
        row["id"],
        row["author_name"] or "",
        (row["organization_name"] or "").strip(),
        row["language"] or "",
        row["text"],
        load_json(row["tags"], []),
    )


def day_of(activity: dict[str, Any]) -> date:
    """The dialogue's first day where it is held."""
    starts = activity["starts_at"]
    starts = starts if isinstance(starts, datetime) else datetime.fromisoformat(str(starts))
    starts = starts if starts.tzinfo else starts.replace(tzinfo=UTC)
    return starts.astimezone(ZoneInfo(activity["timezone"] or "UTC")).date()


async def build(activity: dict[str, Any]) -> Summary:
    rows = (
        await DialogueInput.select(
            DialogueInput.id,
            DialogueInput.topic,
            DialogueInput.status,
            DialogueInput.merged_into,
            DialogueInput.author_name,
            DialogueInput.organization_name,
            DialogueInput.language,
            DialogueInput.text,
            DialogueInput.tags,
        )
        .where(
            (DialogueInput.activity == activity["id"])
            & DialogueInput.status.is_in(["included", "merged"])
            & DialogueInput.archived_at.is_null()
        )
        .order_by(DialogueInput.id)
        .run()
    )
    included = {r["id"]: (r["topic"], _item(r)) for r in rows if r["status"] == "included"}
    for row in rows:
        if row["status"] == "merged" and row["merged_into"] in included:
            included[row["merged_into"]][1].merged.append(_item(row))
    sections = []
    for group in WORKING_GROUPS:
        items = [item for topic, item in included.values() if topic == group.value]
        if not items:
            continue
        everyone = [one for item in items for one in (item, *item.merged)]
        names = sorted({one.organization for one in everyone if one.organization}, key=str.casefold)
        sections.append(Section(group.value, group.label, items, names, len(everyone)))
    return Summary(activity["id"], activity["title"], day_of(activity), sections)


def filename(summary: Summary, extension: str) -> str:
    """``dialogue-12-dialogo-constructivo-sobre-armas-2027-03-10.md``: ASCII, so every browser
    keeps it."""
    ascii_title = unicodedata.normalize("NFKD", summary.title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:60].strip("-")
    return f"dialogue-{summary.activity_id}-{slug or 'summary'}-{summary.day.isoformat()}.{extension}"


def _language(t: Translator, code: str) -> str:
    return t.gettext(label_of(LANGUAGES, code)) if code else ""


def as_json(summary: Summary, t: Translator) -> dict[str, Any]:
    def item(one: Item) -> dict[str, Any]:
        return {
            "id": one.id,
            "author_name": one.author,
            "organization_name": one.organization,
            "language": one.language,
            "text": one.text,
            "tags": one.tags,
            "merged": [item(m) for m in one.merged],
        }

    return {
        "activity": summary.activity_id,
        "title": summary.title,
        "date": summary.day.isoformat(),
        "language": t.locale,
        "topics": [
            {
                "topic": s.topic,
                "label": t.gettext(s.label),
                "inputs": [item(one) for one in s.items],
                "organizations": s.organizations,
                "input_count": s.count,
                "organization_count": len(s.organizations),
            }
            for s in summary.sections
        ],
    }


def _inline(text: str) -> str:
    """A name as Markdown text: its emphasis and link characters escaped."""
    return re.sub(r"([\\`*_\[\]#<>])", r"\\\1", " ".join(text.split()))


# A line of an input that Markdown would read as a heading, a quote, a list item or a rule.
BLOCK = re.compile(r"^(\s*)(#|>|[-*+](?=\s)|[-*_]{3,}\s*$)")
NUMBERED = re.compile(r"^(\s*\d+)([.)])(?=\s)")


def _body(text: str) -> list[str]:
    """An input's lines as Markdown paragraphs' text: written as they are, except that a line
    starting like a heading, quote, list item or rule is escaped, so the summary keeps its shape."""
    escaped = (BLOCK.sub(r"\1\\\2", line) for line in text.splitlines())
    return [NUMBERED.sub(r"\1\\\2", line) for line in escaped]


def _byline(t: Translator, one: Item) -> str:
    return " · ".join(_inline(p) for p in (one.author, _language(t, one.language)) if p)


def as_markdown(summary: Summary, t: Translator) -> str:
    lines = [f"# {_inline(t.gettext(TITLE, title=summary.title))}", ""]
    lines += [t.gettext(DATE, date=t.format_date(summary.day, "long")), ""]
    if not summary.sections:
        lines += [t.gettext(NOTHING), ""]
    for section in summary.sections:
        lines += [f"## {t.gettext(section.label)}", ""]
        for number, item in enumerate(section.items, start=1):
            name = _inline(item.organization) if item.organization else t.gettext(NO_ORGANIZATION)
            lines += [f"### {number}. {name}", ""]
            if byline := _byline(t, item):
                lines += [f"*{byline}*", ""]
            lines += [*_body(item.text), ""]
            if item.merged:
                lines += [f"**{t.gettext(MERGED)}**", ""]
                for one in item.merged:
                    name = _inline(one.organization) if one.organization else t.gettext(NO_ORGANIZATION)
                    byline = _byline(t, one)
                    lines += [f"- **{name}**" + (f" · {byline}" if byline else ""), ""]
                    lines += [f"  {line}" if line else "" for line in _body(one.text)]
                    lines += [""]
        lines += [f"**{t.gettext(ORGANIZATIONS)}**", ""]
        lines += [f"- {_inline(name)}" for name in section.organizations] or ["—"]
        lines += [""]
        counts = t.gettext(
            COUNTS,
            inputs=t.format_number(section.count),
            organizations=t.format_number(len(section.organizations)),
        )
        lines += [counts, ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def as_pdf(summary: Summary, t: Translator) -> bytes:
    pdf = ShapedPDF(t)
    pdf.set_title(t.gettext(TITLE, title=summary.title))
    pdf.set_creator("Pilot CRM")
    pdf.add_page()
    pdf.para(t.gettext(TITLE, title=summary.title), 16, bold=True, gap=2)
    pdf.para(t.gettext(DATE, date=t.format_date(summary.day, "long")), 10, gap=6)
    if not summary.sections:
        pdf.para(t.gettext(NOTHING))
    for section in summary.sections:
        pdf.para(t.gettext(section.label), 14, bold=True, gap=2)
        for number, item in enumerate(section.items, start=1):
            name = item.organization or t.gettext(NO_ORGANIZATION)
            pdf.para(f"{number}. {name}", 11, bold=True)
            byline = " · ".join(p for p in (item.author, _language(t, item.language)) if p)
            if byline:
                pdf.para(byline, 9)
            pdf.para(item.text, 10, language=item.language or None, gap=2)
            if item.merged:
                pdf.para(t.gettext(MERGED), 10, bold=True)
                for one in item.merged:
                    head = " · ".join(
                        p
                        for p in (
                            one.organization or t.gettext(NO_ORGANIZATION),
                            one.author,
                            _language(t, one.language),
                        )
                        if p
                    )
                    pdf.para(head, 9, bold=True)
                    pdf.para(one.text, 9, language=one.language or None, gap=1)
            pdf.ln(2)
        pdf.para(t.gettext(ORGANIZATIONS), 11, bold=True)
        for name in section.organizations:
            pdf.para(f"• {name}", 10)
        counts = t.gettext(
            COUNTS,
            inputs=t.format_number(section.count),
            organizations=t.format_number(len(section.organizations)),
        )
        pdf.para(counts, 10, gap=6)
    return bytes(pdf.output())
