"""
HTTP details of the sandbox's answers: security headers, ``If-Match``, attachments.

- Every response carries ``X-Content-Type-Options: nosniff``, so a browser never
  guesses a type the server did not say (a photo that is really HTML stays an image).
- Every response carries ``Cache-Control: no-store`` except those of
  :data:`CACHEABLE_PATHS` (the contract, which holds nothing about anyone): an answer
  that holds health data must not stay in a browser's or a proxy's cache.
- ``If-Match`` is compared strongly (RFC 9110, section 13.1.1): a weak tag (``W/"…"``)
  never matches, a list matches when one of its tags does, and ``*`` matches the
  current representation.

>>> etag_matches('"a", W/"b", "c"', '"c"'), etag_matches('W/"c"', '"c"')
(True, False)
>>> etag_matches("*", '"c"'), etag_matches('"c" "d"', '"c"') is None
(True, True)
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = [
    "CACHEABLE_PATHS",
    "SecurityHeaders",
    "attachment",
    "etag_matches",
    "parse_entity_tags",
    "secure",
    "set_header",
]

CACHEABLE_PATHS = frozenset({"/openapi.json"})
"""The paths whose answers may be cached: they hold no personal data and change rarely."""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]


class SecurityHeaders:
    """
    ASGI middleware that adds ``X-Content-Type-Options`` and ``Cache-Control`` to answers.

    It sees every answer the app gives, problem documents and Starlette's own 404 and
    405 included; a header a handler set itself is kept.

    Args:
        app: The ASGI app to wrap.
    """

    def __init__(self, app: App) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cacheable = scope.get("path") in CACHEABLE_PATHS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = raw = list(message.get("headers", ()))
                secure(raw, cacheable)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def secure(raw: list[tuple[bytes, bytes]], cacheable: bool) -> None:
    """
    Add the security headers to an answer's raw header list, in place.

    Args:
        raw: The answer's headers, as ASGI sends them.
        cacheable: Whether the path is one of :data:`CACHEABLE_PATHS`.
    """
    set_header(raw, b"x-content-type-options", b"nosniff")
    if not cacheable and all(key != b"cache-control" for key, _ in raw):
        raw.append((b"cache-control", b"no-store"))  # as MutableHeaders.setdefault


def set_header(raw: list[tuple[bytes, bytes]], name: bytes, value: bytes) -> None:
    """
    Set a header in a raw header list, as ``MutableHeaders.__setitem__`` does, in place.

    The first header of that name takes the value and the others go; if there is none,
    it is added last. ``name`` is lower-case, as raw header names are.
    """
    found = [i for i, (key, _) in enumerate(raw) if key == name]
    for i in reversed(found[1:]):
        del raw[i]
    if found:
        raw[found[0]] = (name, value)
    else:
        raw.append((name, value))


_OWS = " \t"
# etagc = %x21 / %x23-7E / obs-text (a header value reaches us decoded as Latin-1)
_ETAGC = re.compile(r"[\x21\x23-\x7e\x80-\xff]*")


def parse_entity_tags(value: str) -> list[tuple[bool, str]] | None:
    """
    Read a list of entity tags (``#entity-tag`` of RFC 9110), as ``(weak, opaque)`` pairs.

    The opaque part keeps its quotes, so ``W/"x"`` is ``(True, '"x"')``. Empty list
    elements are skipped, as the RFC asks of a recipient.

    Args:
        value: The header's value.

    Returns:
        The tags in order, or None if ``value`` is not such a list.
    """
    tags: list[tuple[bool, str]] = []
    i, n = 0, len(value)
    while True:
        while i < n and value[i] in _OWS:
            i += 1
        if i == n:
            return tags
        if value[i] == ",":
            i += 1
            continue
        weak = value.startswith("W/", i)
        if weak:
            i += 2
        if i == n or value[i] != '"':
            return None
        end = value.find('"', i + 1)
        if end < 0 or _ETAGC.fullmatch(value, i + 1, end) is None:
            return None
        tags.append((weak, value[i : end + 1]))
        i = end + 1
        while i < n and value[i] in _OWS:
            i += 1
        if i < n and value[i] != ",":
            return None


def etag_matches(if_match: str, current: str) -> bool | None:
    """
    Evaluate ``If-Match`` against the current (strong) entity tag, comparing strongly.

    Args:
        if_match: The ``If-Match`` header's value.
        current: The current representation's entity tag, quoted (``'"abc"'``).

    Returns:
        True if ``if_match`` is ``*`` or lists ``current`` as a strong tag; False if it
        does not; None if it is not a valid ``If-Match`` value.
    """
    if if_match.strip(_OWS) == "*":
        return True
    tags = parse_entity_tags(if_match)
    if tags is None:
        return None
    return any(not weak and opaque == current for weak, opaque in tags)


_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]")


def attachment(filename: str) -> str:
    """
    Return a ``Content-Disposition`` that makes a download an attachment named ``filename``.

    Characters other than ASCII letters, digits, ``.``, ``_`` and ``-`` become ``_``, so
    the name needs no escaping and cannot climb out of a download folder.

    >>> attachment("kvittering-pay-1.pdf")
    'attachment; filename="kvittering-pay-1.pdf"'
    >>> attachment('a"b/../c.pdf')
    'attachment; filename="a_b_.._c.pdf"'
    """
    return f'attachment; filename="{_UNSAFE_FILENAME.sub("_", filename)}"'
