"""The sandbox's front door: its route table picks what Starlette's router picks, its threads."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import re
import threading
from collections.abc import MutableMapping
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from starlette.applications import Starlette
from starlette.routing import Route

from patientsky.sandbox import SandboxClock, create_app, get_sandbox
from patientsky.sandbox._asgi import RouteTable, Workers, url_path

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
_APP = create_app(demo=False)
_ROUTES = [r for r in _APP.router.routes if isinstance(r, Route)]
_TABLE = RouteTable(_ROUTES)
_PARAM = re.compile(r"\{[^}]+\}")


def _scan(path: str) -> tuple[Route, dict[str, Any]] | None:
    """What Starlette's router does: the first route whose pattern matches."""
    for route in _ROUTES:
        match = route.path_regex.match(path)
        if match is not None:
            return route, match.groupdict()
    return None


# Path parts that look like ids, like other routes' literals, or like nothing valid.
_PART = st.one_of(
    st.text(min_size=0, max_size=6),
    st.sampled_from(["me", "dialogs", "messages", "x.ics", ".ics", "", "a/b", "profile"]),
)


@st.composite
def _paths(draw: st.DrawFn) -> str:
    template = draw(st.sampled_from([r.path for r in _ROUTES]))
    path = _PARAM.sub(lambda _: draw(_PART), template)
    change = draw(st.sampled_from(["none", "slash", "segment", "cut"]))
    if change == "slash":
        path += "/"
    elif change == "segment":
        parts = path.split("/")
        parts[draw(st.integers(1, len(parts) - 1))] = draw(_PART)
        path = "/".join(parts)
    elif change == "cut":
        path = path[: draw(st.integers(0, len(path)))]
    return path


@given(_paths())
def test_the_table_finds_the_route_starlette_finds(path: str) -> None:
    assert _TABLE.find(path) == _scan(path)


def test_every_template_is_found_with_its_parameters() -> None:
    for route in _ROUTES:
        path = _PARAM.sub("p-1", route.path)
        found = _TABLE.find(path)
        assert found is not None
        assert found == _scan(path)


def test_a_converted_parameter_is_refused() -> None:
    async def endpoint(_request: Any) -> Any:
        raise AssertionError

    with pytest.raises(ValueError, match="plain string"):
        RouteTable([Route("/v1/things/{n:int}", endpoint)])


@pytest.mark.parametrize(
    ("path", "expected"),
    [("/v1/terms", "/v1/terms"), ("/v1/a?b#c", "/v1/a%3Fb%23c"), ("/v1/a\\b", "/v1/a%5Cb")],
)
def test_the_path_is_the_one_starlette_gives(path: str, expected: str) -> None:
    assert url_path({"type": "http", "path": path, "query_string": b"", "headers": []}) == expected


def test_workers_return_results_and_raise_errors() -> None:
    workers = Workers(size=2)

    def fail() -> None:
        raise KeyError("x")

    async def main() -> list[int]:
        results = await asyncio.gather(*(workers.run(pow, n, 2) for n in range(10)))
        with pytest.raises(KeyError):
            await workers.run(fail)
        return list(results)

    assert asyncio.run(main()) == [n * n for n in range(10)]


def test_a_cancelled_caller_waits_for_its_work_to_end() -> None:
    workers = Workers(size=1)
    started, release = threading.Event(), threading.Event()
    done: list[str] = []

    def work() -> None:
        started.set()
        release.wait(5)
        done.append("work")

    async def main() -> None:
        task = asyncio.create_task(workers.run(work))
        await asyncio.get_running_loop().run_in_executor(None, started.wait, 5)
        task.cancel()
        await asyncio.sleep(0.01)
        assert not task.done()  # still waiting for the work, as anyio's threads do
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert done == ["work"]

    asyncio.run(main())


# --- the short way in answers as Starlette's router does ---


async def _call(
    app: Any, method: str, path: str, headers: dict[str, str], *, through_starlette: bool
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    raw_path, _, query = path.partition("?")
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": raw_path,
        "raw_path": raw_path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [(k.encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    if through_starlette:
        await Starlette.__call__(app, scope, receive, send)
    else:
        await app(scope, receive, send)
    start, *bodies = sent
    return start["status"], list(start["headers"]), b"".join(b.get("body", b"") for b in bodies)


def _same_but_request_ids(answer: tuple[int, list[tuple[bytes, bytes]], bytes]) -> Any:
    status, headers, body = answer
    ids = [v for k, v in headers if k == b"x-request-id"]
    for request_id in ids:
        body = body.replace(request_id, b"ID")
    kept = [(k, v) for k, v in headers if k not in (b"x-request-id", b"content-length")]
    return status, kept, body


def test_the_short_way_answers_as_starlette_does(monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(clock=SandboxClock(NOW))
    taken: list[str] = []
    answer = app._answer  # type: ignore[attr-defined]

    async def counted(*args: Any) -> None:
        taken.append(args[2]["path"])
        await answer(*args)

    monkeypatch.setattr(app, "_answer", counted)
    login = next(x for x in get_sandbox(app).demo.logins if x.patient_id == "p-kari")  # type: ignore[union-attr]
    body = json.dumps({"nationalId": login.national_id.reveal(), "method": "bankid"})

    async def main() -> None:
        async def token() -> str:
            scope_headers = {"content-type": "application/json"}
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t")
            async with client:
                answer = await client.post("/v1/sandbox/login", content=body, headers=scope_headers)
            return str(answer.json()["accessToken"])

        auth = {"authorization": f"Bearer {await token()}"}
        requests = [
            ("GET", "/v1/patients/me/profile", auth),
            ("HEAD", "/v1/patients/me/profile", auth),
            ("GET", "/v1/patients/me/dialogs?folder=inbox&limit=2", auth),
            ("GET", "/v1/patients/me/dialogs?folder=nowhere", auth),
            ("GET", "/v1/patients/me/dialogs/dlg-none", auth),
            ("DELETE", "/v1/patients/me/profile", auth),
            ("GET", "/v1/patients/me/profile", {}),
            ("GET", "/v1/patients/p-olav/profile", auth),
            ("GET", "/v1/terms", {}),
            ("GET", "/openapi.json", {}),
        ]
        for method, path, headers in requests:
            short = await _call(app, method, path, headers, through_starlette=False)
            long = await _call(app, method, path, headers, through_starlette=True)
            assert _same_but_request_ids(short) == _same_but_request_ids(long), (method, path)
        assert len(taken) == len(requests) + 1  # each request above, and the login

    asyncio.run(main())
