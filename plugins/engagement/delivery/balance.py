"""Spreading participants over breakout groups so that each group mixes countries and sectors.

Deterministic, so the same cohort always gets the same groups: sort the participants by country,
then sector, then id, and deal them round-robin over the groups. Because each country's people
are dealt consecutively, a country with ``c`` people lands in ``min(c, k)`` of the ``k`` groups,
each holding ``c // k`` or ``c // k + 1`` of them: no group holds two people of a country while
another group has none of it. Within a country the same holds for sectors' runs as far as the
deal allows; group sizes differ by at most one."""

from __future__ import annotations


def balanced_groups(people: list[tuple[int, str, str]], groups: int) -> dict[int, int]:
    """``people`` as ``(id, country, sector)`` → ``{id: group index}`` over ``groups`` groups."""
    if groups < 1:
        raise ValueError("at least one group")
    ordered = sorted(people, key=lambda p: (p[1] or "", p[2] or "", p[0]))
    return {person[0]: index % groups for index, person in enumerate(ordered)}
