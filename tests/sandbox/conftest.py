"""Fixtures for the sandbox tests: a sandbox on a frozen clock, and logins into it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette

from patientsky.sandbox import Sandbox, SandboxClock, create_app, get_sandbox, serve_in_thread
from patientsky.sandbox import app as sandbox_app
from patientsky.sandbox._declare import Operation
from patientsky.sandbox._http import ApiProblem

# A Wednesday; the demo world is built around it.
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)


class Api:
    """A sandbox behind an httpx client, with helpers to log in as the demo people."""

    def __init__(self, app: Starlette, client: httpx.Client) -> None:
        self.app = app
        self.sandbox: Sandbox = get_sandbox(app)
        self.client = client
        assert self.sandbox.demo is not None
        self.logins = {login.patient_id: login for login in self.sandbox.demo.logins}

    def token(self, patient_id: str, method: str = "bankid") -> str:
        national_id = self.logins[patient_id].national_id.reveal()
        response = self.client.post(
            "/v1/sandbox/login", json={"nationalId": national_id, "method": method}
        )
        assert response.status_code == 200, response.text
        token = response.json()["accessToken"]
        assert isinstance(token, str)
        return token

    def auth(self, patient_id: str, method: str = "bankid") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(patient_id, method)}"}

    @property
    def admin(self) -> dict[str, str]:
        """The headers of the sandbox's admin key (the clock, clinic login)."""
        return {"Authorization": f"Bearer {self.sandbox.admin_key}"}

    def clinic_auth(self, clinic_id: str = "clinic-sentrum") -> dict[str, str]:
        response = self.client.post(
            "/v1/sandbox/clinic-login", json={"clinicId": clinic_id}, headers=self.admin
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['accessToken']}"}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """
    Check that every problem the sandbox answers in a test is one its operation declares.

    Each problem document the sandbox sends while a test runs is recorded with its
    operation; after the test, every ``(status, code)`` must be among the operation's
    ``problem_codes`` (implied by its declaration or named in ``problems=``), so the
    document's ``x-problem-codes`` lists what a client can meet. A hook, not a fixture,
    so that Hypothesis tests are checked too.
    """
    seen: list[tuple[Operation, int, str]] = []
    real = sandbox_app._problem_for

    def recording(exc: BaseException, op: Operation | None, request_id: str) -> ApiProblem:
        problem = real(exc, op, request_id)
        if op is not None:
            seen.append((op, problem.status, problem.code))
        return problem

    sandbox_app._problem_for = recording
    try:
        result = yield
    finally:
        sandbox_app._problem_for = real
    undeclared = sorted(
        {(op.id, status, code) for op, status, code in seen}
        - {(op.id, *pair) for op, _, _ in seen for pair in op.problem_codes}
    )
    assert not undeclared, f"problems answered but not declared (problems=): {undeclared}"
    return result


@pytest.fixture
def clock() -> SandboxClock:
    return SandboxClock(NOW)


@pytest.fixture
def api(clock: SandboxClock) -> Iterator[Api]:
    """A fresh sandbox (in memory) served over a real socket on 127.0.0.1."""
    app = create_app(clock=clock)
    with serve_in_thread(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        yield Api(app, client)
