"""
Every python block of README.md and docs/ runs, as written, against a real sandbox.

The blocks of one file run in order in one namespace, as a reader pastes them one after
the other, against a sandbox of their own on a free port of 127.0.0.1. The environment
is what a reader's would be after ``patientsky sandbox``: ``PATIENTSKY_BASE_URL`` names
the sandbox (the examples fall back to ``http://127.0.0.1:8000``, the sandbox's
default) and ``PATIENTSKY_SANDBOX_KEY`` holds its admin key, which the client's
``Sandbox`` helper reads. Each file runs in a temporary working folder, with
``sys.argv`` as for a script run without arguments; a block that ends the script with
``sys.exit(0)`` has run.

A block that only illustrates says why on the line before it
(``<!-- illustration: ... -->``) and is reported as skipped with that reason, so the
summary counts the blocks that ran and the ones that only illustrate.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from tests.markdown_blocks import Block, all_blocks, markdown_files, python_blocks

BLOCKS = all_blocks()
ADMIN_KEY = "docs-examples-admin-key-0123456789"
MOST_ILLUSTRATIONS = 3


@attrs.define
class FileRun:
    """The state one file's blocks share: the namespace, the sandbox, the first failure."""

    base_url: str
    folder: Path
    namespace: dict[str, Any] = attrs.field(factory=lambda: {"__name__": "__main__"}, repr=False)
    failed: str | None = None


@pytest.fixture(scope="session")
def file_runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, FileRun]]:
    """One sandbox and one namespace per Markdown file, started when its first block runs."""
    pytest.importorskip("starlette")
    from patientsky.sandbox import Limits, create_app, get_sandbox, serve_in_thread

    with contextlib.ExitStack() as stack:

        class Runs(dict[str, FileRun]):
            def __missing__(self, file: str) -> FileRun:
                app = create_app(admin_key=ADMIN_KEY, limits=Limits.unlimited())
                stack.callback(get_sandbox(app).storage.close)
                base_url = stack.enter_context(serve_in_thread(app))
                folder = tmp_path_factory.mktemp(re.sub(r"\W", "-", file))
                run = self[file] = FileRun(base_url, folder)
                return run

        yield Runs()


@pytest.mark.parametrize("block", BLOCKS, ids=[b.where for b in BLOCKS])
def test_each_python_block_of_the_docs_runs(
    block: Block, file_runs: dict[str, FileRun], monkeypatch: pytest.MonkeyPatch
) -> None:
    if block.illustration is not None:
        pytest.skip(f"illustration: {block.illustration}")
    run = file_runs[block.file]
    if run.failed is not None:
        pytest.fail(f"an earlier block of {block.file} failed ({run.failed})")
    monkeypatch.setenv("PATIENTSKY_BASE_URL", run.base_url)
    monkeypatch.setenv("PATIENTSKY_SANDBOX_KEY", ADMIN_KEY)
    monkeypatch.delenv("PATIENTSKY_TOKEN", raising=False)
    monkeypatch.chdir(run.folder)
    monkeypatch.setattr(sys, "argv", [block.file])  # a script run without arguments
    run.failed = block.where  # until it has run
    exit_code: object = None
    try:
        exec(compile(block.code, block.where, "exec"), run.namespace)  # noqa: S102
    except SystemExit as exc:  # a script that ends with sys.exit(main())
        exit_code = exc.code
    assert exit_code in (0, None), f"{block.where} exited with {exit_code}"
    run.failed = None


def test_the_docs_have_python_blocks_and_few_of_them_only_illustrate() -> None:
    files = {block.file for block in BLOCKS}
    assert {"README.md", "docs/quickstart.md", "docs/tutorial.md", "docs/client.md"} <= files
    illustrations = [b for b in BLOCKS if b.illustration is not None]
    assert len(illustrations) <= MOST_ILLUSTRATIONS, [b.where for b in illustrations]
    for block in illustrations:
        assert len(block.illustration or "") >= 20, f"{block.where}: say why it only illustrates"


def test_the_examples_take_the_sandbox_address_from_the_environment() -> None:
    fixed = re.compile(r"PortalClient\(\s*\"(http://(127\.0\.0\.1|localhost)[^\"]*)\"")
    for block in BLOCKS:
        for url, _host in fixed.findall(block.code):
            pytest.fail(f"{block.where}: {url} is written in; read PATIENTSKY_BASE_URL")


def test_the_readme_tour_is_at_most_20_lines() -> None:
    (tour,) = python_blocks(markdown_files()[0])
    assert len(tour.code.splitlines()) <= 20


def test_a_block_marked_as_an_illustration_says_why(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "Text.\n\n<!-- illustration: needs a real BankID login -->\n```python\nx = 1\n```\n"
        "\n  ```python\n  y = 2\n  ```\n",
        encoding="utf-8",
    )
    first, second = python_blocks(page)
    assert (first.line, first.code, first.illustration) == (
        4,
        "x = 1\n",
        "needs a real BankID login",
    )
    assert (second.line, second.code, second.illustration) == (8, "y = 2\n", None)


def test_a_python_block_that_is_never_closed_is_an_error(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("```python\nx = 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="never closed"):
        python_blocks(page)
