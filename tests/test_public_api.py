"""The public surface: sorted, complete ``__all__`` lists, and a light ``import patientsky``."""

from __future__ import annotations

import importlib
import subprocess
import sys
import types

import pytest

PUBLIC_MODULES = [
    "patientsky",
    "patientsky.errors",
    "patientsky.reasons",
    "patientsky.models",
    "patientsky.rules",
    "patientsky.wire",
    "patientsky.client",
    "patientsky.contract",
    "patientsky.sandbox",
    "patientsky.fhir",
    "patientsky.ical",
    "patientsky.portal",
]


def _public_names(module: types.ModuleType) -> set[str]:
    return {
        name
        for name, value in vars(module).items()
        if not name.startswith("_")
        and not isinstance(value, types.ModuleType)
        and getattr(value, "__module__", module.__name__).startswith("patientsky")
        and name not in {"annotations", "TYPE_CHECKING", "Any"}
    }


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_all_is_sorted_and_lists_exactly_the_public_names(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported)
    # A name may load with its first use (a module __getattr__): every exported name
    # must resolve, and then the module holds exactly the exported public names.
    for attr in exported:
        assert getattr(module, attr) is not None, f"{name}.{attr} does not resolve"
    assert set(exported) == _public_names(module)
    assert set(exported) <= set(dir(module))


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_every_exported_name_has_a_docstring(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__doc__
    for attr in module.__all__:
        value = getattr(module, attr)
        assert getattr(value, "__doc__", None), f"{name}.{attr} has no docstring"


def test_importing_patientsky_loads_no_model_until_one_is_used() -> None:
    code = (
        "import sys, patientsky; "
        "before = sorted(m for m in sys.modules if m.startswith('patientsky.models.')); "
        "from patientsky import Money; "
        "print(before, 'patientsky.models.payment' in sys.modules, Money.__module__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert out.split() == ["[]", "True", "patientsky.models.payment"]


def test_an_unknown_name_is_an_attribute_error() -> None:
    import patientsky
    import patientsky.models

    for module in (patientsky, patientsky.models):
        with pytest.raises(AttributeError, match="NoSuchModel"):
            module.NoSuchModel  # noqa: B018


def test_importing_patientsky_loads_neither_httpx_nor_cattrs() -> None:
    code = (
        "import sys, patientsky; "
        "print(sorted(m for m in ('httpx', 'cattrs', 'starlette', 'uvicorn') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    assert out.strip() == "[]"


def test_version_comes_from_the_package_metadata() -> None:
    from importlib.metadata import version

    import patientsky

    assert patientsky.__version__ == version("patientsky")
