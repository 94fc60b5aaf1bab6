"""The client's public surface, and what ``import patientsky.client`` loads (and doesn't)."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types

import pytest

MODULES = ["patientsky.client", "patientsky.client.resources", "patientsky.client.sandbox"]


def test_importing_the_client_loads_neither_the_wire_converter_nor_the_sandbox() -> None:
    heavy = (
        "cattrs",
        "patientsky.wire",
        "patientsky.sandbox",
        "patientsky.client.sandbox",
        "starlette",
        "uvicorn",
        "anyio",
        "importlib.metadata",
    )
    code = f"import sys, patientsky.client; print([m for m in {heavy!r} if m in sys.modules])"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_complete_and_documented(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported)
    public = {
        n
        for n, value in vars(module).items()
        if not n.startswith("_")
        and not isinstance(value, types.ModuleType)
        and getattr(value, "__module__", name).startswith("patientsky")
        and n not in {"annotations", "TYPE_CHECKING", "Any"}
    }
    assert set(exported) == public
    for attr in exported:
        assert getattr(module, attr).__doc__, f"{name}.{attr} has no docstring"


def test_the_resources_module_names_the_clients_resource_classes() -> None:
    import patientsky.client as client
    import patientsky.client.resources as resources

    sync = client.PortalClient("https://x.test")
    asynchronous = client.AsyncPortalClient("https://x.test")
    assert type(sync.dialogs) is resources.Dialogs
    assert type(asynchronous.dialogs) is resources.AsyncDialogs
    sync.close()
