"""Free text typed by members (minutes, notes, descriptions, inputs), shown with its web addresses as
safe links: the Jinja filters ``linkify`` and ``paragraphs``, on the environment every template of
core and of the plugins is rendered with.

Addresses are found by linkify-it (Unicode-aware; trailing punctuation and unbalanced brackets stay
outside the link). Only ``http``/``https`` addresses and ``www.`` names become links: ``javascript:``,
``data:``, ``mailto:``, ``ftp:`` and scheme-relative addresses stay text. Every link carries
``rel="noopener nofollow ugc"`` (the page vouches for nothing a member typed), and all text, the
addresses included, is escaped: no markup from a member ever reaches the page.
"""

from __future__ import annotations

from linkify_it import LinkifyIt
from markupsafe import Markup, escape

SAFE_SCHEMES = ("http:", "https:")
LINK = Markup('<a href="{href}" rel="noopener nofollow ugc">{text}</a>')
# No e-mail addresses (they are not web links); bare names ("example.org") only with "www.", so a
# file name or an abbreviation with a dot never turns into a link.
_finder = LinkifyIt(options={"fuzzy_email": False, "fuzzy_link": True})


def _is_safe(schema: str, text: str) -> bool:
    if schema:
        return schema.lower() in SAFE_SCHEMES
    return text[:4].lower() == "www."


def linkify(text: object) -> Markup:
    """``text`` escaped, its ``http(s)://`` and ``www.`` addresses made links; ``None`` gives ""."""
    value = "" if text is None else str(text)
    matches = _finder.match(value) if value and _finder.test(value) else None
    if not matches:
        return escape(value)
    parts: list[str] = []
    end = 0
    for match in matches:
        if not _is_safe(match.schema, match.text):
            continue
        parts += [escape(value[end : match.index]), LINK.format(href=match.url, text=match.text)]
        end = match.last_index
    parts.append(escape(value[end:]))
    return Markup("").join(parts)


def paragraphs(text: object) -> Markup:
    """Multi-line text as paragraphs: a blank line starts one, a single line break is kept (``<br>``);
    each line through :func:`linkify`."""
    value = "" if text is None else str(text)
    blocks = [block.strip("\n") for block in value.replace("\r\n", "\n").split("\n\n") if block.strip()]
    lines = (Markup("<br>").join(map(linkify, block.split("\n"))) for block in blocks)
    return Markup("\n").join(Markup("<p>{}</p>").format(shown) for shown in lines)
