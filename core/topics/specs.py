"""What a plugin declares about a topic."""

from __future__ import annotations

from dataclasses import dataclass

CATEGORIES = ("instrument", "cluster", "crime", "crosscutting", "national")


@dataclass(frozen=True, slots=True)
class TopicSpec:
    code: str
    label: str  # English msgid
    category: str = "national"
    priority: bool = False
    # The code of the shared taxonomy's topic this priority narrows (``refines="TIP"``): pages show
    # the priority with that topic as context instead of listing the two as near-duplicates, and a
    # filter on the shared topic also finds what is tagged with its refinements.
    refines: str | None = None
