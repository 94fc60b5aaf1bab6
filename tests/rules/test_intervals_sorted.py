"""The bisecting interval operations give the sets the sweeping ones give."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from patientsky.rules import _intervals as iv

_SPANS = st.lists(
    st.tuples(st.integers(-50, 50), st.integers(1, 20)).map(lambda p: (p[0], p[0] + p[1])),
    max_size=12,
).map(iv.union)


@given(_SPANS, st.integers(-60, 60), st.integers(1, 80))
def test_clipping_by_bisection_gives_the_clipped_set(spans: list[iv.Span], lo: int, n: int) -> None:
    assert iv.clip_sorted(spans, lo, lo + n) == iv.clip(spans, lo, lo + n)


@given(st.lists(_SPANS, max_size=5))
def test_intersecting_smallest_first_gives_the_sweeps_set(sets: list[list[iv.Span]]) -> None:
    assert iv.intersect_sorted(sets) == iv.intersect_all(sets)
