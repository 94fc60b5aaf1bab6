"""
Run the sandbox with uvicorn in a background thread, for tests and the demo.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn

from patientsky.errors import PatientSkyError

_START_TIMEOUT = 20.0


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int | None = None) -> Iterator[str]:
    """
    Serve ``app`` with uvicorn in a background thread; yield its base URL; stop it on exit.

    Args:
        app: An ASGI app, such as :func:`~patientsky.sandbox.create_app`'s.
        host: The address to listen on.
        port: The port; a free one if None.

    Yields:
        The base URL, for example ``http://127.0.0.1:50123``.

    Raises:
        PatientSkyError: If the server does not start within 20 seconds.
    """
    port = port or _free_port(host)
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="patientsky-sandbox", daemon=True)
    thread.start()
    deadline = time.monotonic() + _START_TIMEOUT
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(5)
            raise PatientSkyError("the sandbox server did not start")
        time.sleep(0.01)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(_START_TIMEOUT)
