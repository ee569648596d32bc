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
