"""
The ``patientsky sandbox`` command: start the sandbox with its demo world and say how to log in.

Exit codes: 0 after a clean stop, 2 for bad options (argparse's), 3 when the port is
already in use, 4 when asked to listen on a non-loopback address without
``--allow-remote``.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import ipaddress
import os
import socket
from typing import TextIO

from patientsky.client.sandbox import ADMIN_KEY_VARIABLE
from patientsky.sandbox._limits import Limits
from patientsky.sandbox._people import demo_people
from patientsky.sandbox.app import MIN_ADMIN_KEY_LENGTH, Sandbox, create_app, get_sandbox

__all__ = ["EXIT_NOT_LOOPBACK", "EXIT_PORT_IN_USE", "configure", "describe", "is_loopback", "run"]

EXIT_PORT_IN_USE = 3
"""The exit code when the port is already in use."""

EXIT_NOT_LOOPBACK = 4
"""The exit code when the address is not loopback and ``--allow-remote`` was not given."""


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
        "--admin-key",
        metavar="KEY",
        default=None,
        help=f"the secret the sandbox-only operations need (default: ${ADMIN_KEY_VARIABLE},"
        " else a random key printed once at start)",
    )
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow an address that is not loopback (the sandbox is a developer tool)",
    )
    parser.add_argument(
        "--no-rate-limits",
        action="store_true",
        help="turn the rate limits off, for benchmarks (the caps stay)",
    )


def describe(sandbox: Sandbox, base_url: str, *, show_admin_key: bool = True) -> str:
    """
    Return the text the command prints: the base URL, the admin key and the demo logins.

    The demo people are listed by handle (``kari``), which is all a login needs: no
    national identity number is printed. The admin key is printed only when the sandbox
    made it up (not when the user gave it).
    """
    lines = [
        f"PatientSky sandbox at {base_url}",
        f"  contract: {base_url}/openapi.json",
        "",
    ]
    if show_admin_key:
        lines += [
            f"Admin key (the clock, clinic login; set {ADMIN_KEY_VARIABLE} to choose it):",
            f"  {sandbox.admin_key}",
            "",
        ]
    lines += [
        'Demo logins: POST /v1/sandbox/login {"person": "<handle>", "method": "bankid"},',
        '  or in Python: Sandbox(PortalClient(base_url)).client_for("kari")',
        "",
    ]
    with sandbox.storage.read() as tx:
        for person in demo_people(tx):
            lines.append(f"  {person.handle:<7} {person.name:<15} {person.role}")
    return "\n".join(lines) + "\n"


def is_loopback(host: str) -> bool:
    """Whether ``host`` names only this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host.strip("[]"), port))
        sock.listen(128)
    except BaseException:
        sock.close()
        raise
    return sock


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Start the sandbox and serve until interrupted."""
    import uvicorn

    if not is_loopback(args.host):
        if not args.allow_remote:
            out.write(
                f"patientsky sandbox: refusing to listen on {args.host}: it is not a loopback"
                " address. The sandbox is a developer tool; pass --allow-remote if you mean"
                " it.\n"
            )
            return EXIT_NOT_LOOPBACK
        out.write(
            "WARNING: the sandbox listens on a non-loopback address"
            f" ({args.host}): anyone who can reach it can log in as the demo people.\n"
        )
    given = args.admin_key or os.environ.get(ADMIN_KEY_VARIABLE) or None
    if given is not None and len(given) < MIN_ADMIN_KEY_LENGTH:
        out.write(
            "patientsky sandbox: the admin key must be at least"
            f" {MIN_ADMIN_KEY_LENGTH} characters\n"
        )
        return 2
    try:
        sock = _bind(args.host, args.port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            out.write(f"patientsky sandbox: port {args.port} on {args.host} is already in use\n")
            return EXIT_PORT_IN_USE
        raise
    with contextlib.closing(sock):
        limits = Limits.unlimited() if args.no_rate_limits else None
        app = create_app(args.db, demo=True, admin_key=given, limits=limits)
        port = sock.getsockname()[1]
        host = f"[{args.host.strip('[]')}]" if ":" in args.host else args.host
        # The banner comes only now: the port is bound, so the address it prints works.
        out.write(describe(get_sandbox(app), f"http://{host}:{port}", show_admin_key=not given))
        out.flush()
        config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off")
        uvicorn.Server(config).run(sockets=[sock])
    return 0
