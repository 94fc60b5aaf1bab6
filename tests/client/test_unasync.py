"""The sync client is generated from the async one, and the generated file is current."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from tools import unasync


def test_the_sync_client_is_current_with_its_async_source() -> None:
    wanted = unasync.unasync(unasync.SOURCE.read_text(encoding="utf-8"))
    current = unasync.TARGET.read_text(encoding="utf-8")
    assert current == wanted, "src/patientsky/client/_sync.py is stale: run `nox -s unasync`"


def test_the_sandbox_helpers_are_current_with_their_async_sources() -> None:
    for source, target in unasync.OTHERS:
        origin = source.relative_to(unasync.ROOT).as_posix()
        wanted = unasync.unasync(source.read_text(encoding="utf-8"), origin)
        assert target.read_text(encoding="utf-8") == wanted, f"{target.name} is stale"
        assert wanted.startswith(f"# Generated from {origin} by tools/unasync.py")


def test_the_generated_file_says_it_is_generated_and_from_what() -> None:
    first = unasync.TARGET.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# Generated from src/patientsky/client/_async.py")


@pytest.mark.parametrize("target", [target for _, target in unasync.pairs()], ids=lambda path: path.name)
def test_the_generated_modules_have_no_async_left(target: Path) -> None:
    tree = ast.parse(target.read_text(encoding="utf-8"))
    kinds = (ast.AsyncFunctionDef, ast.Await, ast.AsyncFor, ast.AsyncWith)
    assert not [node for node in ast.walk(tree) if isinstance(node, kinds)]
    names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    assert not {name for name in names if name.startswith("Async")}


def test_the_check_fails_on_a_stale_file_and_passes_on_a_current_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "_sync.py"
    stale.write_text("# old\n", encoding="utf-8")
    monkeypatch.setattr(unasync, "TARGET", stale)
    monkeypatch.setattr(unasync, "ROOT", tmp_path)
    assert unasync.main(["--check"]) == 1
    assert "stale" in capsys.readouterr().err
    assert unasync.main([]) == 0
    assert unasync.main(["--check"]) == 0
    assert stale.read_text(encoding="utf-8") == unasync.unasync(
        unasync.SOURCE.read_text(encoding="utf-8")
    )


def test_renaming_maps_async_names_to_their_sync_twins() -> None:
    line = "    async def __aenter__(self) -> AsyncIterator[T]: await self.http.aclose()"
    assert unasync.unasync_line(line) == "    def __enter__(self) -> Iterator[T]: self.http.close()"
    assert unasync.unasync_line("x = httpx.AsyncClient()") == "x = httpx.Client()"
    assert unasync.unasync_line("await anyio.sleep(1)") == "time.sleep(1)"
    assert unasync.unasync_line("not_awaited = MyAsyncThing") == "not_awaited = MyAsyncThing"
