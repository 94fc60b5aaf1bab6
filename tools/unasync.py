"""
Generate the synchronous client from the asynchronous one, as httpcore does.

``src/patientsky/client/_async.py`` is the only source of the client's calls; this
script writes ``_sync.py`` from it (and the sandbox helpers' ``_clinic_sync.py`` and
``_sandbox_sync.py`` from ``_clinic_async.py`` and ``_sandbox_async.py``) by replacing
tokens (``async def`` by ``def``, ``await`` by nothing, ``AsyncPortalClient`` by
``PortalClient``, ...). The async source uses names that map one to one, so the result
needs no hand edits and passes ruff and mypy as it is.

Run ``python tools/unasync.py`` (or ``nox -s unasync``) after changing ``_async.py``;
``python tools/unasync.py --check`` exits 1 if ``_sync.py`` is stale, and a test does
the same comparison.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
CLIENT: Final = ROOT / "src" / "patientsky" / "client"
SOURCE: Final = CLIENT / "_async.py"
TARGET: Final = CLIENT / "_sync.py"
# The sandbox helpers' classes, generated the same way: (async source, sync target).
OTHERS: Final[tuple[tuple[Path, Path], ...]] = (
    (CLIENT / "_clinic_async.py", CLIENT / "_clinic_sync.py"),
    (CLIENT / "_sandbox_async.py", CLIENT / "_sandbox_sync.py"),
)


def header(source: str = "src/patientsky/client/_async.py") -> str:
    """The two comment lines that open a generated module, naming its ``source``."""
    name = source.rsplit("/", 1)[-1]
    return (
        f"# Generated from {source} by tools/unasync.py: do not edit.\n"
        f"# Change {name}, then run `nox -s unasync` (or `python tools/unasync.py`).\n"
    )


HEADER: Final = header()

# Applied in order to every line. Word boundaries keep a name from matching inside another.
SUBSTITUTIONS: Final[tuple[tuple[str, str], ...]] = (
    (r"\basync def\b", "def"),
    (r"\basync for\b", "for"),
    (r"\basync with\b", "with"),
    (r"\bawait ", ""),
    (r"\b__aenter__\b", "__enter__"),
    (r"\b__aexit__\b", "__exit__"),
    (r"\b__aiter__\b", "__iter__"),
    (r"\b__anext__\b", "__next__"),
    (r"\baclose\b", "close"),
    (r"\baread\b", "read"),
    (r"\baiter_(\w+)", r"iter_\1"),
    (r"\bStopAsyncIteration\b", "StopIteration"),
    (r"\bAwaitable\[(\w+)\]", r"\1"),
    (r"\bdefault_async_sleep\b", "default_sleep"),
    (r"\basync_(\w+)", r"\1"),
    # The generated modules' sources: _clinic_async -> _clinic_sync, ...
    (r"\b_(\w+)_async\b", r"_\1_sync"),
    (r"\banyio\.sleep\b", "time.sleep"),
    (r"\bASGITransport\b", "WSGITransport"),
    (r"\basynchronous\b", "synchronous"),
    (r"\bAsynchronous\b", "Synchronous"),
    # AsyncPortalClient, AsyncPager, AsyncIterator, httpx.AsyncClient, AsyncBaseTransport, ...
    (r"\bAsync([A-Z]\w*)", r"\1"),
)
_COMPILED: Final = tuple((re.compile(pattern), new) for pattern, new in SUBSTITUTIONS)
_FROM_IMPORT: Final = re.compile(r"^(\s*from [\w.]+ import )([\w, ]+)$")
_PRUNED: Final = frozenset({"from typing import ", "from collections.abc import "})


def _import_key(name: str) -> tuple[int, str]:
    # ruff's isort order within one import: CONSTANTS, Classes, functions.
    if name.isupper() and len(name) > 1:
        kind = 0
    elif name[:1].isupper():
        kind = 1
    else:
        kind = 2
    return kind, name.lower()


def _sorted_names(names: str) -> list[str]:
    return sorted({n.strip() for n in names.split(",") if n.strip()}, key=_import_key)


def unasync_line(line: str) -> str:
    """Return the synchronous form of one line of the async source."""
    for pattern, new in _COMPILED:
        line = pattern.sub(new, line)
    return line


def unasync(source: str, origin: str = "src/patientsky/client/_async.py") -> str:
    """
    Return the synchronous module for the asynchronous module ``source``, with its header.

    ``origin`` is the source's path from the project's root, named in the header.

    Every line is rewritten by :data:`SUBSTITUTIONS`; then the names of each
    ``from ... import`` are sorted again, since a renamed name may sort elsewhere.
    """
    lines = _sort_imports([unasync_line(line) for line in source.splitlines()])
    return header(origin) + "\n".join(_drop_unused_imports(lines)) + "\n"


def _sort_imports(lines: list[str]) -> list[str]:
    out: list[str] = []
    block: list[str] | None = None  # the names of an open ``from x import (`` block
    for line in lines:
        if block is not None:
            if line.strip() == ")":
                out.extend(f"    {name}," for name in _sorted_names(" ".join(block)))
                out.append(line)
                block = None
            else:
                block.append(line)
            continue
        if line.startswith("from ") and line.endswith(" import ("):
            out.append(line)
            block = []
            continue
        match = _FROM_IMPORT.match(line)
        if match is not None:
            line = match.group(1) + ", ".join(_sorted_names(match.group(2)))
        out.append(line)
    return out


def _drop_unused_imports(lines: list[str]) -> list[str]:
    """Drop names from ``typing`` and ``collections.abc`` the sync module no longer uses."""
    text = "\n".join(lines)

    def used(name: str) -> bool:
        return len(re.findall(rf"\b{re.escape(name)}\b", text)) > 1

    out: list[str] = []
    for line in lines:
        match = _FROM_IMPORT.match(line)
        if match is not None and match.group(1) in _PRUNED:
            names = [n for n in _sorted_names(match.group(2)) if used(n)]
            if not names:
                continue
            line = match.group(1) + ", ".join(names)
        out.append(line)
    return out


def main(argv: list[str] | None = None) -> int:
    """
    Write every generated module, or with ``--check`` report whether each is current.

    Returns:
        0 when written or current; 1 when ``--check`` finds one stale.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="fail if a sync module is stale")
    args = parser.parse_args(argv)
    stale = 0
    for source, target in pairs():
        origin = f"src/patientsky/client/{source.name}"
        wanted = unasync(source.read_text(encoding="utf-8"), origin)
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current == wanted:
            continue
        if args.check:
            sys.stderr.write(f"{_shown(target)} is stale: run `nox -s unasync`\n")
            stale = 1
        else:
            target.write_text(wanted, encoding="utf-8")
            sys.stdout.write(f"wrote {_shown(target)}\n")
    return stale


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def pairs() -> tuple[tuple[Path, Path], ...]:
    """Every (async source, generated sync module) pair, read when called."""
    return ((SOURCE, TARGET), *OTHERS)


if __name__ == "__main__":
    raise SystemExit(main())
