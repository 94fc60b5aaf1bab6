"""Fixtures for the portal tests: a sandbox over a real socket, and the portal in front of it."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import socket
import threading
import time
from collections.abc import Iterator, Mapping

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from patientsky.client import PortalClient
from patientsky.client.sandbox import Sandbox as SandboxApi
from patientsky.portal import create_portal
from patientsky.sandbox import Sandbox, SandboxClock, create_app, get_sandbox, serve_in_thread

# The sandbox's clock is set to a time of the test's (the portal reads it with
# server_time()), to the minute.
NOW = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)


class World:
    """A sandbox and the portal's app for it."""

    def __init__(self, sandbox_app: Starlette, base_url: str) -> None:
        self.sandbox: Sandbox = get_sandbox(sandbox_app)
        self.base_url = base_url
        demo = self.sandbox.demo
        assert demo is not None
        self.logins = list(demo.logins)
        self.national_ids = {login.national_id.reveal() for login in self.logins}
        with PortalClient(base_url) as client:
            self.people = SandboxApi(client).people()
        self.app = create_portal(
            base_url,
            sandbox_admin_key=self.sandbox.admin_key,
            demo_login=True,
        )

    def handle_of(self, patient_id: str) -> str:
        return next(person.handle for person in self.people if person.patient_id == patient_id)


@pytest.fixture
def world() -> Iterator[World]:
    """A fresh sandbox (in memory) on 127.0.0.1 and a portal for it."""
    app = create_app(clock=SandboxClock(NOW))
    with serve_in_thread(app) as base_url:
        yield World(app, base_url)


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Browser:
    """The portal over a real socket through httpx, with the CSRF token of the last page."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self.csrf = ""

    def get(self, path: str) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, (path, response.status_code, response.text[:2000])
        self._remember(response.text)
        return response.text

    def _remember(self, html: str) -> None:
        match = CSRF.search(html)
        if match:
            self.csrf = match.group(1)

    def post(self, path: str, data: Mapping[str, str | list[str]], *, expect: int = 303) -> str:
        response = self.client.post(path, data={"csrf": self.csrf, **data}, follow_redirects=False)
        assert response.status_code == expect, (path, response.status_code, response.text[:2000])
        self._remember(response.text)
        location: str = response.headers.get("location", response.text)
        return location

    def login(self, world: World, patient_id: str, method: str = "bankid") -> str:
        self.get("/logg-inn")
        location = self.post("/logg-inn", {"method": method, "person": world.handle_of(patient_id)})
        self.get("/logg-inn")  # the login gave the session a new id and CSRF token
        return location


@contextlib.contextmanager
def serve_portal(app: Starlette) -> Iterator[str]:
    """Serve the portal with uvicorn in a thread, with its lifespan (one shared pool)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="portal", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the portal did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def portal_url(world: World) -> Iterator[str]:
    """The portal served on 127.0.0.1."""
    with serve_portal(world.app) as base_url:
        yield base_url


@pytest.fixture
def browser(portal_url: str) -> Iterator[Browser]:
    with httpx.Client(base_url=portal_url, timeout=30) as client:
        yield Browser(client)
