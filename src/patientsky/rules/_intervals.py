"""
Sets of half-open time intervals as sorted lists of integer pairs: sort once, then sweep.

Instants are whole microseconds since the Unix epoch (UTC), so the arithmetic is exact
and unaffected by daylight saving time. Every function takes and returns a *normal*
set: sorted, pairwise disjoint, no two touching, no empty pair (except where it says
otherwise), and runs in time linear in its input after the one sort in :func:`union`.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Sequence

__all__ = [
    "Span",
    "at_least",
    "clip",
    "clip_sorted",
    "from_micros",
    "intersect_all",
    "intersect_sorted",
    "subtract",
    "to_micros",
    "union",
]

Span = tuple[int, int]
"""``(start, end)`` in microseconds since the epoch, ``start < end``."""

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICRO = dt.timedelta(microseconds=1)


def to_micros(value: dt.datetime) -> int:
    """Return an aware datetime as whole microseconds since the epoch."""
    return (value - _EPOCH) // _MICRO


def from_micros(value: int, tz: dt.tzinfo) -> dt.datetime:
    """Return microseconds since the epoch as an aware datetime in ``tz``."""
    return (_EPOCH + dt.timedelta(microseconds=value)).astimezone(tz)


def union(spans: Iterable[Span]) -> list[Span]:
    """Return the normal set covering the same time: sorted, with touching spans joined."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def clip(spans: Sequence[Span], lo: int, hi: int) -> list[Span]:
    """Return the parts of a normal set inside ``[lo, hi)``."""
    out: list[Span] = []
    for start, end in spans:
        if end <= lo:
            continue
        if start >= hi:
            break
        out.append((max(start, lo), min(end, hi)))
    return out


def _start(span: Span) -> int:
    return span[0]


def _end(span: Span) -> int:
    return span[1]


def clip_sorted(spans: Sequence[Span], lo: int, hi: int) -> list[Span]:
    """
    Return the parts of a normal set inside ``[lo, hi)``, found by bisection.

    The same set as :func:`clip`, in time logarithmic in ``spans`` and linear in the answer.
    """
    first = bisect.bisect_right(spans, lo, key=_end)  # the first span ending after lo
    last = bisect.bisect_left(
        spans, hi, lo=first, key=_start
    )  # the first span starting at hi or later
    if first >= last:
        return []
    out = list(spans[first:last])
    start, end = out[0]
    if start < lo:
        out[0] = (lo, end)
    start, end = out[-1]
    if end > hi:
        out[-1] = (start, hi)
    return out


def _intersect_two(small: Sequence[Span], big: Sequence[Span]) -> list[Span]:
    """The time in both normal sets (``small`` no longer than ``big``)."""
    out: list[Span] = []
    n = len(big)
    if len(small) * 16 < n:
        # Far fewer spans on one side: each finds its part of the other by bisection.
        j = 0
        for start, end in small:
            j = bisect.bisect_right(big, start, lo=j, key=_end)
            k = j
            while k < n:
                other_start, other_end = big[k]
                if other_start >= end:
                    break
                out.append((max(start, other_start), min(end, other_end)))
                k += 1
        return out
    # Alike in size: one merge of the two sorted lists.
    i = j = 0
    m = len(small)
    while i < m and j < n:
        a_start, a_end = small[i]
        b_start, b_end = big[j]
        start = a_start if a_start > b_start else b_start  # noqa: FURB136 -- no call: hot loop
        if a_end < b_end:
            if start < a_end:
                out.append((start, a_end))
            i += 1
        else:
            if start < b_end:
                out.append((start, b_end))
            j += 1
    return out


def intersect_sorted(sets: Sequence[Sequence[Span]]) -> list[Span]:
    """
    Return the time inside every one of several normal sets (empty if there are none).

    The same set as :func:`intersect_all`: the smallest set first, then each next one
    intersected by bisection, so the work follows the answer, not the sizes of the sets.
    """
    if not sets:
        return []
    ordered = sorted(sets, key=len)
    result = list(ordered[0])
    for other in ordered[1:]:
        if not result:
            break
        result = _intersect_two(result, other)
    return result


def subtract(base: Sequence[Span], cuts: Sequence[Span]) -> list[Span]:
    """Return the time of normal set ``base`` outside normal set ``cuts``."""
    out: list[Span] = []
    j = 0
    for start, end in base:
        # Cuts that end before this span can't touch later spans either: base is sorted.
        while j < len(cuts) and cuts[j][1] <= start:
            j += 1
        cursor = start
        k = j
        while k < len(cuts) and cuts[k][0] < end:
            cut_start, cut_end = cuts[k]
            if cut_start > cursor:
                out.append((cursor, cut_start))
            cursor = max(cursor, cut_end)
            if cursor >= end:
                break
            k += 1
        if cursor < end:
            out.append((cursor, end))
    return out


def intersect_all(sets: Sequence[Sequence[Span]]) -> list[Span]:
    """
    Return the time inside every one of several normal sets (empty if there are none).

    One sweep over all bounds, counting how many sets cover each point: where the count
    equals the number of sets, every set covers it.
    """
    if not sets:
        return []
    if len(sets) == 1:
        return list(sets[0])
    events: list[tuple[int, int]] = []
    for spans in sets:
        for start, end in spans:
            events.append((start, 1))
            events.append((end, -1))
    # At one instant, ends sort before starts (-1 < 1): touching spans do not overlap.
    events.sort()
    need = len(sets)
    count = 0
    opened = 0
    out: list[Span] = []
    for time, delta in events:
        count += delta
        if delta == 1 and count == need:
            opened = time
        elif delta == -1 and count == need - 1 and time > opened:
            if out and out[-1][1] == opened:
                out[-1] = (out[-1][0], time)
            else:
                out.append((opened, time))
    return out


def at_least(spans: Iterable[Span], length: int) -> list[Span]:
    """Return the spans at least ``length`` long."""
    return [(start, end) for start, end in spans if end - start >= length]
