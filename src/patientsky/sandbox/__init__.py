"""
The sandbox: a reference server for the HTTP contract that enforces :mod:`patientsky.rules`.

Needs the ``sandbox`` extra (Starlette, uvicorn, fpdf2, Pillow). Its state lives in SQLite
(a file or memory), its time comes from a :class:`SandboxClock` that tests can set and
advance, and it starts with a demo world of synthetic patients and real clinic calendars.

Run it with ``patientsky sandbox``, or in a test::

    from patientsky.sandbox import create_app, serve_in_thread

    with serve_in_thread(create_app()) as base_url:
        ...

The contract is the OpenAPI 3.1 document at :func:`openapi_path`, also served at
``/openapi.json``.
"""

from patientsky.sandbox._limits import Limits, Rate
from patientsky.sandbox._openapi import openapi_path
from patientsky.sandbox._server import serve_in_thread
from patientsky.sandbox.app import Sandbox, create_app, get_sandbox
from patientsky.sandbox.clock import SandboxClock
from patientsky.sandbox.demo_data import DemoData, DemoLogin, build_demo, synthetic_national_id
from patientsky.sandbox.receipts import receipt_pdf
from patientsky.sandbox.storage import Storage

__all__ = [
    "DemoData",
    "DemoLogin",
    "Limits",
    "Rate",
    "Sandbox",
    "SandboxClock",
    "Storage",
    "build_demo",
    "create_app",
    "get_sandbox",
    "openapi_path",
    "receipt_pdf",
    "serve_in_thread",
    "synthetic_national_id",
]
