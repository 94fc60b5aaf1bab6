"""
The ``patientsky sandbox`` command: start the sandbox with its demo world and say how to log in.
"""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from patientsky.sandbox._limits import Limits
from patientsky.sandbox.app import Sandbox, create_app, get_sandbox

__all__ = ["configure", "describe", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    """Add the sandbox command's options."""
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on")
    parser.add_argument(
        "--db",
        metavar="FILE",
        default=None,
        help="SQLite file to keep the state in (memory if not given)",
    )
    parser.add_argument(
        "--no-rate-limits",
        action="store_true",
        help="turn the rate limits off, for benchmarks (the caps stay)",
    )


def describe(sandbox: Sandbox, base_url: str) -> str:
    """
    Return the text the command prints: the base URL and the demo logins.

    The national identity numbers are synthetic test numbers (month + 80), made for
    the sandbox; they are no real person's, which is why they may be printed.
    """
    lines = [
        f"PatientSky sandbox at {base_url}",
        f"  contract: {base_url}/openapi.json",
        "",
        "Demo logins: POST /v1/sandbox/login",
        '  {"nationalId": "<number>", "method": "bankid"}',
        "The numbers are synthetic test numbers (month + 80), not real people's.",
        "",
    ]
    with sandbox.storage.read() as tx:
        logins = json.loads(tx.get_meta("demo_logins") or "[]")
        for login in logins:
            data = tx.get("patients", login["patientId"])
            number = "" if data is None else str(data.get("nationalId", ""))
            lines.append(f"  {number}  {login['name']:<16} {login['role']}")
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Start the sandbox and serve until interrupted."""
    import uvicorn

    limits = Limits.unlimited() if args.no_rate_limits else None
    app = create_app(args.db, demo=True, limits=limits)
    out.write(describe(get_sandbox(app), f"http://{args.host}:{args.port}"))
    out.flush()
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0
