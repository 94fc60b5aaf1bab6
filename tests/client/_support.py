"""
Test helpers for the client: a tiny in-memory portal, a faulty transport, and a way to
run one async test body against both the sync and the async client.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from typing import Any, TypeVar, cast, overload

import httpx

from patientsky import wire
from patientsky.client import (
    AsyncPager,
    AsyncPaymentsPager,
    AsyncPortalClient,
    Pager,
    PaymentRow,
    PaymentsPager,
    PortalClient,
)
from patientsky.models import (
    AuthorKind,
    CommunicationType,
    ConsentEvent,
    ConsentEventKind,
    Consultation,
    ConsultationKind,
    ConsultationStatus,
    Counterpart,
    CounterpartKind,
    Dialog,
    DialogStatus,
    Message,
    NationalId,
    Patient,
    PersonName,
)

T = TypeVar("T")

BASE = "https://portal.test"
TOKEN = "secret-token-0123456789"
NATIONAL_ID = "17912099997"  # a synthetic test number
AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

Handler = Callable[[httpx.Request], httpx.Response]


# --------------------------------------------------------------------------- sample data


def patient(given: str = "Kari") -> Patient:
    """A patient with a synthetic national identity number."""
    nid = NationalId(NATIONAL_ID)
    return Patient(
        id="p-1", national_id=nid, name=PersonName(given, "Nordmann"), birth_date=nid.birth_date
    )


def dialog(n: int) -> Dialog:
    """Dialog number ``n``, open, with one message."""
    return Dialog(
        id=f"d-{n}",
        patient_id="p-1",
        clinic_id="c-1",
        type=CommunicationType.OTHER_INQUIRY,
        counterpart=Counterpart(CounterpartKind.CLINIC, "c-1", "Legesenteret"),
        subject=f"Subject {n}",
        status=DialogStatus.OPEN,
        messages=(Message(f"m-{n}", AuthorKind.PATIENT, "p-1", "a private body", AT),),
    )


def dialog_json(n: int, folder: str = "inbox") -> dict[str, Any]:
    """The wire form of a dialog view."""
    doc: dict[str, Any] = wire.unstructure(dialog(n))
    return {**doc, "folder": folder, "updatedAt": AT.isoformat(), "unread": True}


def consultation(cid: str, start: dt.datetime) -> Consultation:
    """A booked consultation."""
    return Consultation(
        id=cid,
        patient_id="p-1",
        clinic_id="c-1",
        practitioner_id="pr-1",
        calendar_ids=("cal-1",),
        kind=ConsultationKind.IN_PERSON,
        status=ConsultationStatus.BOOKED,
        start=start,
        end=start + dt.timedelta(minutes=15),
        booked_by="p-1",
        booked_at=AT,
    )


def consent_event() -> ConsentEvent:
    """The patient's consent."""
    return ConsentEvent("e-1", "p-1", ConsentEventKind.GIVEN, "2026-01", AT, "p-1")


def problem(status: int, code: str, detail: str = "", **extra: Any) -> httpx.Response:
    """A problem document response."""
    body = {"type": "about:blank", "title": "Problem", "status": status, "code": code}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return httpx.Response(
        status,
        content=json.dumps(body).encode(),
        headers={"Content-Type": "application/problem+json", "X-Request-Id": f"req-{status}"},
    )


def ok(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    """A JSON response with a request id."""
    return httpx.Response(status, json=data, headers={"X-Request-Id": "req-ok", **(headers or {})})


# --------------------------------------------------------------------------- a fake portal


def merge(target: Any, patch: Any) -> Any:
    """RFC 7396: what the patch names changes, null removes, objects merge."""
    if not isinstance(patch, dict):
        return patch
    merged = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = merge(merged.get(key), value)
    return merged


class FakePortal:
    """
    A small in-memory server for a slice of the contract, as an ``httpx.MockTransport`` handler.

    It keeps the state that fault tests look at: bookings (idempotent by key, as the
    contract says), consents (not idempotent: each call is an event), the profile with
    its ETag, and dialogs in pages of ``page_size``.
    """

    def __init__(self, *, dialogs: int = 5, page_size: int = 2, token: str = TOKEN) -> None:
        self.token = token
        self.page_size = page_size
        self.dialogs = [dialog_json(n) for n in range(dialogs)]
        self.profile = wire.unstructure(patient())
        self.version = 1
        self.bookings: dict[str, dict[str, Any]] = {}
        self.keys: dict[str, tuple[bytes, httpx.Response]] = {}
        self.consents: list[str] = []
        self.requests: list[httpx.Request] = []

    @property
    def etag(self) -> str:
        """The profile's current ETag."""
        return f'"v{self.version}"'

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return problem(401, "unauthorized", "no valid token")
        path = request.url.path
        route = (request.method, path)
        if route == ("GET", "/v1/patients/me/profile"):
            return ok(self.profile, headers={"ETag": self.etag})
        if route == ("PATCH", "/v1/patients/me/profile"):
            return self._patch_profile(request)
        if route == ("GET", "/v1/patients/me/dialogs"):
            return self._dialogs(request)
        if route == ("POST", "/v1/patients/me/consultations"):
            return self._book(request)
        if route == ("POST", "/v1/patients/me/consent"):
            self.consents.append(json.loads(request.content)["termsVersion"])
            return ok(self._consent_state())
        return problem(404, "not_found", "no such path")

    def _consent_state(self) -> dict[str, Any]:
        return {
            "inForce": True,
            "termsVersion": "2026-01",
            "history": [wire.unstructure(consent_event())],
        }

    def _patch_profile(self, request: httpx.Request) -> httpx.Response:
        if_match = request.headers.get("if-match")
        if if_match is None:
            return problem(428, "precondition_required", "If-Match is required")
        if if_match != self.etag:
            return problem(412, "precondition_failed", "the profile changed since it was read")
        if request.headers.get("content-type") != "application/merge-patch+json":
            return problem(415, "unsupported_media_type", "a JSON merge patch is expected")
        self.profile = merge(self.profile, json.loads(request.content))
        self.version += 1
        return ok(self.profile, headers={"ETag": self.etag})

    def _dialogs(self, request: httpx.Request) -> httpx.Response:
        start = int(request.url.params.get("cursor", "0"))
        end = start + self.page_size
        cursor = str(end) if end < len(self.dialogs) else None
        return ok({"data": self.dialogs[start:end], "nextCursor": cursor})

    def _book(self, request: httpx.Request) -> httpx.Response:
        key = request.headers.get("idempotency-key")
        if key is not None and key in self.keys:
            body, first = self.keys[key]
            if body != request.content:
                return problem(409, "idempotency_key_reused", "another body")
            return httpx.Response(
                first.status_code,
                content=first.content,
                headers={**first.headers, "Idempotent-Replayed": "true"},
            )
        wanted = json.loads(request.content)
        start = dt.datetime.fromisoformat(wanted["start"])
        if any(b["start"] == wire.unstructure(start) for b in self.bookings.values()):
            return problem(409, "slot_not_free", "the time is taken")
        cid = f"k-{uuid.uuid4().hex[:8]}"
        booked = wire.unstructure(consultation(cid, start))
        self.bookings[cid] = booked
        response = ok(booked, status=201)
        if key is not None:
            self.keys[key] = (request.content, response)
        return response


class Faults:
    """
    A faulty network between the client and a server, following a script of faults.

    Each request takes the next fault from the script (``"ok"`` when it runs out):

    - ``"refuse"``: the connection is refused; the server never sees the request.
    - ``"connect_timeout"``: connecting times out; the server never sees it.
    - ``"drop_after"``: the server acts, then the connection drops before the answer.
    - ``"timeout_after"``: the server acts, then the answer never comes in time.
    - ``"503"``, ``"502"``, ``"504"``: a proxy answers; the server never sees it.
    - ``"429"``: rate limited with ``Retry-After: 1``; the server never sees it.

    Use it as an ``httpx.MockTransport`` handler over a handler, or through
    :class:`FaultyTransport` and :class:`AsyncFaultyTransport` over a real transport.
    """

    KINDS = (
        "ok",
        "refuse",
        "connect_timeout",
        "drop_after",
        "timeout_after",
        "502",
        "503",
        "504",
        "429",
    )

    def __init__(self, server: Handler | None = None, script: list[str] | None = None) -> None:
        self.server = server
        self.script = list(script or [])
        self.seen: list[str] = []

    def before(self, request: httpx.Request) -> tuple[str, httpx.Response | None]:
        """Take the next fault; raise or answer for faults the server never sees."""
        fault = self.script.pop(0) if self.script else "ok"
        self.seen.append(fault)
        if fault == "refuse":
            raise httpx.ConnectError("connection refused", request=request)
        if fault == "connect_timeout":
            raise httpx.ConnectTimeout("connect timed out", request=request)
        if fault in ("502", "503", "504"):
            return fault, problem(int(fault), "unavailable", "try again")
        if fault == "429":
            return fault, httpx.Response(
                429, headers={"Retry-After": "1", "X-Request-Id": "req-429"}
            )
        return fault, None

    @staticmethod
    def after(fault: str, request: httpx.Request) -> None:
        """Lose the server's answer, for faults that come after it acted."""
        if fault == "drop_after":
            raise httpx.RemoteProtocolError("server disconnected", request=request)
        if fault == "timeout_after":
            raise httpx.ReadTimeout("read timed out", request=request)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        assert self.server is not None
        fault, early = self.before(request)
        if early is not None:
            return early
        response = self.server(request)
        self.after(fault, request)
        return response


class FaultyTransport(httpx.BaseTransport):
    """A sync transport that puts :class:`Faults` in front of a real one."""

    def __init__(self, inner: httpx.BaseTransport, faults: Faults) -> None:
        self.inner = inner
        self.faults = faults

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        fault, early = self.faults.before(request)
        if early is not None:
            return early
        response = self.inner.handle_request(request)
        response.read()
        self.faults.after(fault, request)
        return response

    def close(self) -> None:
        self.inner.close()


class AsyncFaultyTransport(httpx.AsyncBaseTransport):
    """An async transport that puts :class:`Faults` in front of a real one."""

    def __init__(self, inner: httpx.AsyncBaseTransport, faults: Faults) -> None:
        self.inner = inner
        self.faults = faults

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        fault, early = self.faults.before(request)
        if early is not None:
            return early
        response = await self.inner.handle_async_request(request)
        await response.aread()
        self.faults.after(fault, request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


# --------------------------------------------------------------------------- both clients


class Sleeps:
    """Records the sleeps a client asks for, instead of sleeping."""

    def __init__(self) -> None:
        self.seconds: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)

    async def asleep(self, seconds: float) -> None:
        """The async client's sleep."""
        self.seconds.append(seconds)


async def _value(value: T) -> T:
    return value


class _AsyncPagerOverSync:
    """A sync pager, presented as an async one."""

    def __init__(self, pager: Pager[Any] | PaymentsPager) -> None:
        self._pager = pager

    async def _aiter(self, items: Iterator[Any]) -> Any:
        for item in items:
            yield item

    def pages(self) -> Any:
        return self._aiter(self._pager.pages())

    def __aiter__(self) -> Any:
        return self._aiter(iter(self._pager))

    def page(self) -> Awaitable[Any]:
        return _value(self._pager.page())

    def total(self) -> Awaitable[Any]:
        assert isinstance(self._pager, PaymentsPager)
        return _value(self._pager.total())

    def __repr__(self) -> str:
        return repr(self._pager)


class AsyncOverSync:
    """
    A sync client (or resource) presented with the async client's interface.

    Calls run at once and return an awaitable of the result (or raise at once), so one
    ``async def`` test body runs against both clients.
    """

    def __init__(self, target: Any) -> None:
        self._target = target

    def __getattr__(self, name: str) -> Any:
        if name == "aclose":
            return lambda: _value(self._target.close())
        if name == "with_raw_response":
            # The method passed is one of ours: hand the sync client the sync method.
            return lambda method, *args, **kwargs: _value(
                self._target.with_raw_response(method.__wrapped__, *args, **kwargs)
            )
        value = getattr(self._target, name)
        if not callable(value):
            return value if name.startswith("_") or isinstance(value, str) else AsyncOverSync(value)

        def call(*args: Any, **kwargs: Any) -> Any:
            result = value(*args, **kwargs)
            if isinstance(result, Pager | PaymentsPager):
                return _AsyncPagerOverSync(result)
            if isinstance(result, PortalClient):
                return AsyncOverSync(result)
            return _value(result)

        call.__wrapped__ = value  # type: ignore[attr-defined]
        return call

    async def __aenter__(self) -> Any:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._target.close()

    def __repr__(self) -> str:
        return repr(self._target)


CLIENT_KINDS = ("sync", "async")


def make_client(kind: str, handler: Handler, **kwargs: Any) -> AsyncPortalClient:
    """
    Make a client of ``kind`` over ``handler``, presented with the async interface.

    Unless given, the token is :data:`TOKEN`, the jitter is 1.0 (the top of each window,
    so sleeps are predictable) and sleeps are recorded in ``kwargs["sleep"]`` if it is a
    :class:`Sleeps`, else not taken at all.
    """
    kwargs.setdefault("token", TOKEN)
    kwargs.setdefault("rng", lambda: 1.0)
    sleeps = kwargs.pop("sleep", None) or Sleeps()
    transport = httpx.MockTransport(handler)
    if kind == "sync":
        sync = PortalClient(BASE, transport=transport, sleep=sleeps, **kwargs)
        return cast("AsyncPortalClient", AsyncOverSync(sync))
    return AsyncPortalClient(BASE, transport=transport, sleep=sleeps.asleep, **kwargs)


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a test body."""
    return asyncio.run(coroutine)


@overload
async def collect(pager: AsyncPaymentsPager) -> list[PaymentRow]: ...


@overload
async def collect(pager: AsyncPager[T]) -> list[T]: ...


async def collect(pager: AsyncPager[Any] | AsyncPaymentsPager) -> list[Any]:
    """Iterate a pager to the end."""
    return [item async for item in pager]
