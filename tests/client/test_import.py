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


def test_importing_the_client_loads_no_model_and_no_result_type() -> None:
    # The models and the result types load with the first call that decodes into them
    # (or the first use of their name), so importing the client compiles none of them.
    code = (
        "import sys, patientsky.client; "
        "print(sorted(m for m in sys.modules if m.startswith('patientsky.models.') "
        "or m == 'patientsky.client._types'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    # Only the enum that ``book`` takes as its default, which needs no model.
    assert out.strip() == "['patientsky.models._consultation_kind']"


def test_a_call_loads_the_models_it_decodes_into() -> None:
    code = (
        "import sys, patientsky.client as c; "
        "loaded = lambda: [m for m in ('patientsky.models.payment', 'patientsky.client._types', "
        "'patientsky.models.session') if m in sys.modules]; "
        "print(loaded()); c.DialogView; print(loaded()); "
        "from patientsky.client import _calls; _calls.get_session(); print(loaded())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert out.split("\n")[:3] == [
        "[]",
        "['patientsky.models.payment', 'patientsky.client._types']",
        "['patientsky.models.payment', 'patientsky.client._types', 'patientsky.models.session']",
    ]


@pytest.mark.parametrize("name", MODULES)
def test_all_is_sorted_complete_and_documented(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported)
    # A name may load with its first use (a module __getattr__): every exported name must
    # resolve, and then the module holds exactly the exported public names.
    for attr in exported:
        assert getattr(module, attr) is not None, f"{name}.{attr} does not resolve"
    assert set(exported) <= set(dir(module))
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
