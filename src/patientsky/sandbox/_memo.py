"""
Decoded records, remembered by the JSON text they were decoded from.

Decoding a stored record (``json.loads``, then the wire converter with every check)
costs far more than reading its row. Models are frozen, and a record's text decodes
to the same model every time, so :class:`Decoded` keeps the models by their exact
text: a record that changed has another text and is decoded afresh. Nothing is ever
invalidated, because nothing can be stale: the key is the content itself, read inside
the request's own transaction. A clinic's :class:`~patientsky.models.calendar.Schedule`
is kept by the clinic's schedule versions (random values the database changes with any
change to its rows, in the same transaction: see
:mod:`patientsky.sandbox._schedule_versions`), so the free-time index it builds once
(``Schedule._index``) serves every request until a slot, appointment, calendar or slot
type changes. When only appointments changed (a booking, a cancellation), the new
schedule is made from the last one with the same other rows, sharing their checks and
the slots' index (:meth:`Decoded.peek`). What is derived from a schedule (a week of free
time, as the API writes it) is kept by the same versions and the question
(:meth:`Decoded.answer`).

The memo is bounded: when it is full, the oldest entries go first.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from patientsky.wire import WireConverter

__all__ = ["Decoded"]

T = TypeVar("T")


class Decoded:
    """
    A bounded memo of decoded records, for one wire converter.

    Args:
        converter: The converter every record is decoded with.
        size: How many records to keep.
        schedules: How many schedules (or other values made by :meth:`made`) to keep.
        answers: How many values made by :meth:`answer` to keep.
        pages: How many values made by :meth:`page` to keep (few: each key holds every
            text its page was made from, a whole inbox's).
    """

    def __init__(
        self,
        converter: WireConverter,
        size: int = 20_000,
        schedules: int = 8,
        answers: int = 64,
        pages: int = 32,
    ) -> None:
        self.conv = converter
        self._size = size
        self._made_size = schedules
        self._answers_size = answers
        self._records: OrderedDict[Hashable, Any] = OrderedDict()
        self._made: OrderedDict[Hashable, Any] = OrderedDict()
        self._answers: OrderedDict[Hashable, Any] = OrderedDict()
        self._pages_size = pages
        self._pages: OrderedDict[Hashable, Any] = OrderedDict()
        self._derived: OrderedDict[int, tuple[object, Hashable, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Decoded(records={len(self._records)}, made={len(self._made)})"

    def record(self, text: str, cls: type[T]) -> T:
        """Return the stored JSON ``text`` decoded as ``cls``, as the converter would."""
        key = (cls, text)
        with self._lock:
            found = self._records.get(key)
        if found is not None:
            return found  # type: ignore[no-any-return]
        value: T = self.conv.structure(json.loads(text), cls)
        with self._lock:
            self._records[key] = value
            if len(self._records) > self._size:
                self._records.popitem(last=False)
        return value

    def keyed(self, key: Hashable, make: Callable[[], T]) -> T:
        """
        Return what ``make`` decoded, kept by ``key`` among the records.

        For a model decoded from more than one text: ``key`` holds the class and all
        of the texts, so it cannot be stale either.
        """
        with self._lock:
            found = self._records.get(key)
        if found is not None:
            return found  # type: ignore[no-any-return]
        value = make()
        with self._lock:
            self._records[key] = value
            if len(self._records) > self._size:
                self._records.popitem(last=False)
        return value

    def records(self, texts: list[str], cls: type[T]) -> list[T]:
        """Return each of ``texts`` decoded as ``cls``, as :meth:`record` would."""
        with self._lock:
            get = self._records.get
            found = [get((cls, text)) for text in texts]
        return [
            self.record(text, cls) if value is None else value
            for text, value in zip(texts, found, strict=True)
        ]

    def peek(self, key: Hashable) -> Any:
        """Return what is kept for ``key`` by :meth:`made` or :meth:`put`, or None."""
        with self._lock:
            return self._made.get(key)

    def put(self, key: Hashable, value: Any) -> None:
        """Keep ``value`` for ``key`` (newest), as :meth:`made` keeps what it made."""
        with self._lock:
            self._made[key] = value
            self._made.move_to_end(key)
            if len(self._made) > self._made_size:
                self._made.popitem(last=False)

    def made(self, key: Hashable, make: Callable[[], T]) -> T:
        """Return what ``make`` returned for ``key`` (a key that says all it depends on)."""
        with self._lock:
            found = self._made.get(key)
            if found is not None:
                self._made.move_to_end(key)
        if found is not None:
            return found  # type: ignore[no-any-return]
        value = make()
        with self._lock:
            self._made[key] = value
            if len(self._made) > self._made_size:
                self._made.popitem(last=False)
        return value

    def page(self, key: Hashable, make: Callable[[], T]) -> T:
        """
        Return what ``make`` returned for ``key``, kept apart from the other values.

        For a page of an answer made from stored texts: ``key`` holds the question and
        every text the page is made from, so it cannot be stale either; the few newest
        are kept (a key holds whole texts).
        """
        return self._kept(self._pages, self._pages_size, key, make)

    def _kept(
        self, kept: OrderedDict[Hashable, Any], size: int, key: Hashable, make: Callable[[], T]
    ) -> T:
        with self._lock:
            found = kept.get(key)
            if found is not None:
                kept.move_to_end(key)
        if found is not None:
            return found  # type: ignore[no-any-return]
        value = make()
        with self._lock:
            kept[key] = value
            if len(kept) > size:
                kept.popitem(last=False)
        return value

    def answer(self, key: Hashable, make: Callable[[], T]) -> T:
        """
        Return what ``make`` returned for ``key``, kept apart from :meth:`made`'s values.

        For answers derived from a kept value (the free time of a schedule): the key
        says all they depend on, the version of the rows included, so they cannot be
        stale either, and many of them do not push out the schedules.
        """
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
        if found is not None:
            return found  # type: ignore[no-any-return]
        value = make()
        with self._lock:
            self._answers[key] = value
            if len(self._answers) > self._answers_size:
                self._answers.popitem(last=False)
        return value

    def derived(self, source: object, also: Hashable, make: Callable[[], T]) -> T:
        """
        Return what ``make`` derives from ``source`` (a value this memo gave) and ``also``.

        Kept by ``source`` itself (the same object: the same text it was decoded from)
        and ``also``, which says what else it depends on; the entry holds ``source``, so
        no other object can take its place while it is kept.
        """
        key = id(source)
        with self._lock:
            found = self._derived.get(key)
        if found is not None and found[0] is source and found[1] == also:
            return found[2]  # type: ignore[no-any-return]
        value = make()
        with self._lock:
            self._derived[key] = (source, also, value)
            self._derived.move_to_end(key)
            if len(self._derived) > self._size // 16:
                self._derived.popitem(last=False)
        return value
