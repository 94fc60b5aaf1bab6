"""Sphinx configuration for the patientsky docs."""

from __future__ import annotations

import sys
from importlib.metadata import version as _version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "patientsky"
author = "The patientsky developers"
copyright = "2026, the patientsky developers"
release = _version("patientsky")
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    "rules_tables",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build"]
html_theme = "furo"
html_title = "patientsky"

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

autodoc_typehints = "description"
autodoc_member_order = "bysource"
autodoc_default_options = {"members": True, "show-inheritance": True}
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# Offline builds: intersphinx inventories cannot be fetched, so none are configured.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

doctest_test_doctest_blocks = ""

nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(attrs|cattrs|httpx|datetime|dt|enum|typing|collections|starlette|os)\..*"),
    (r"py:.*", r"(.*\.)?(T|E|T_co|R|_T)"),
    (
        r"py:class",
        r"(UnstructureStrategy|AttributeOverride|UnstructureHook|StructureHook|HookFactory)",
    ),
    (r"py:class", r".*\._.*"),
    (r"py:class", r".* .*"),  # napoleon reads "Returns: Some words: ..." as a type
    (r"py:(class|mod)", r"(pathlib|pickle|copy|stdnum)(\..*)?"),
    (r"py:class", r"patientsky\.sandbox\.storage\.Transaction"),
    (r"py:func", r"is_synthetic"),
    (r"py:attr", r"reason"),
    (r"py:class", r"(Any|Callable|Iterator|AsyncIterator|Mapping|Sequence|Awaitable)"),
    # The client's private type aliases and ParamSpec (the sync client is generated).
    (r"py:class", r"~?(Params|Sleeper|AsyncSleeper)"),
    # A public Literal alias (Folder, When, PaymentTab) shows its values, which are strings.
    (r"py:class", r"(patientsky\.client\.)?Literal"),
    (r"py:class", r"'[a-z_]+'"),
]


def _resolve_client_annotations() -> None:
    """
    Give the client's modules the names their annotations use, as a type checker sees them.

    The client imports its models and result types when a call needs them (so that
    ``import patientsky.client`` stays light), under ``if TYPE_CHECKING:`` for the
    annotations. autodoc resolves annotations at runtime: run those blocks (and evaluate
    the string type aliases) so the reference links each type as it did before.
    """
    import ast
    import importlib
    import inspect

    for name in (
        "patientsky.client._calls",
        "patientsky.client._async",
        "patientsky.client._sync",
    ):
        module = importlib.import_module(name)
        namespace = vars(module)
        for node in ast.parse(inspect.getsource(module)).body:
            if (
                isinstance(node, ast.If)
                and isinstance(node.test, ast.Name)
                and node.test.id == "TYPE_CHECKING"
            ):
                code = compile(ast.Module(body=node.body, type_ignores=[]), name, "exec")
                exec(code, namespace)  # noqa: S102 (our own import statements)
        for key, value in list(namespace.items()):
            if (
                isinstance(module.__annotations__.get(key), str)
                and "TypeAlias" in module.__annotations__[key]
                and isinstance(value, str)
            ):
                namespace[key] = eval(value, namespace)  # noqa: S307 (our own alias)


_resolve_client_annotations()
