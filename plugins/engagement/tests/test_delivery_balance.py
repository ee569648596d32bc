"""The balancing of breakout groups, on its own: sizes differ by one at most, and no group holds
two people of one country while another group has none of that country."""

from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.engagement.delivery.balance import balanced_groups

COUNTRIES = st.sampled_from(["MEX", "GTM", "HND", "SLV", "AGO", ""])
SECTORS = st.sampled_from(["ngo", "academia", "private_company", ""])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(COUNTRIES, SECTORS), max_size=40), st.integers(min_value=1, max_value=7))
def test_groups_are_even_and_mix_countries(people, groups):
    rows = [(index + 1, country, sector) for index, (country, sector) in enumerate(people)]
    placed = balanced_groups(rows, groups)
    assert set(placed) == {r[0] for r in rows} and set(placed.values()) <= set(range(groups))
    sizes = Counter(placed.values())
    counts = [sizes.get(g, 0) for g in range(groups)]
    assert max(counts) - min(counts) <= 1
    for country in {r[1] for r in rows}:
        per_group = Counter(placed[r[0]] for r in rows if r[1] == country)
        held = [per_group.get(g, 0) for g in range(groups)]
        # Two of a country in one group only when every group has at least one of it.
        assert max(held) - min(held) <= 1
    assert balanced_groups(list(reversed(rows)), groups) == placed  # deterministic
