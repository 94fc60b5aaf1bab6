"""
Both clients over ``httpx.MockTransport``: requests, responses, errors, retries, pagination,
tokens, concurrency control and logging.

Each test body is written once, ``async``, and runs against the sync client (through
:class:`tests.client._support.AsyncOverSync`) and the async client.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patientsky import wire
from patientsky.client import (
    AsyncPortalClient,
    ConsentState,
    DialogView,
    PaymentRow,
    PaymentsPage,
    PortalClient,
    Timeouts,
    Versioned,
)
from patientsky.client import _calls as calls
from patientsky.errors import (
    ApiConflict,
    ApiError,
    ApiNotFound,
    BadRequest,
    ClientError,
    ConnectError,
    ConnectionLost,
    FieldError,
    Forbidden,
    InvalidInput,
    RateLimited,
    ResponseValidationError,
    ServerError,
    Timeout,
    Unauthorized,
)
from patientsky.models import (
    AccessLogEntry,
    Action,
    Address,
    Clinic,
    CommunicationType,
    ConsultationKind,
    ContactDetails,
    LoginSession,
    Money,
    Patient,
    PaymentMethod,
    PaymentStatus,
    PersonName,
    PrescriptionRenewalRequest,
    PublicServiceLink,
    Relation,
    RelationKind,
    Unrecognized,
)
from tests import strategies as s
from tests.client._support import (
    AT,
    BASE,
    CLIENT_KINDS,
    NATIONAL_ID,
    TOKEN,
    FakePortal,
    Faults,
    Sleeps,
    collect,
    consent_event,
    consultation,
    dialog_json,
    make_client,
    merge,
    ok,
    patient,
    problem,
    run,
)

IO_EXAMPLES = settings(max_examples=15, suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(params=CLIENT_KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


class Recorder:
    """Answers every request with one response, and keeps the requests."""

    def __init__(self, response: httpx.Response | None = None) -> None:
        self.response = response or ok({})
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.response

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


def body(request: httpx.Request) -> Any:
    return json.loads(request.content) if request.content else None


# --------------------------------------------------------------------------- requests

Scenario = Callable[[AsyncPortalClient], Awaitable[Any]]

START = dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC)
NAME = PersonName("Kari", "Nordmann")
REQUESTS: list[tuple[str, Scenario, str, str, dict[str, str], Any]] = [
    ("session", lambda c: c.session.get(), "GET", "/v1/session", {}, None),
    (
        "represented",
        lambda c: collect(c.session.represented(limit=5)),
        "GET",
        "/v1/session/represented",
        {"limit": "5"},
        None,
    ),
    ("terms", lambda c: c.consent.terms(), "GET", "/v1/terms", {}, None),
    ("profile", lambda c: c.profile.get(), "GET", "/v1/patients/me/profile", {}, None),
    ("photo", lambda c: c.profile.photo(), "GET", "/v1/patients/me/photo", {}, None),
    ("consent", lambda c: c.consent.get(), "GET", "/v1/patients/me/consent", {}, None),
    (
        "give consent",
        lambda c: c.consent.give("2026-01"),
        "POST",
        "/v1/patients/me/consent",
        {},
        {"termsVersion": "2026-01"},
    ),
    ("withdraw", lambda c: c.consent.withdraw(), "DELETE", "/v1/patients/me/consent", {}, None),
    (
        "consultations",
        lambda c: collect(c.consultations.list("past")),
        "GET",
        "/v1/patients/me/consultations",
        {"when": "past"},
        None,
    ),
    (
        "book",
        lambda c: c.consultations.book(
            clinic_id="c-1",
            calendar_ids=["cal-1", "room-2"],
            start=START,
            duration_minutes=30,
            kind=ConsultationKind.VIDEO,
            comment="sore throat",
        ),
        "POST",
        "/v1/patients/me/consultations",
        {},
        {
            "clinicId": "c-1",
            "calendarIds": ["cal-1", "room-2"],
            "start": "2026-03-03T10:00:00+00:00",
            "durationMinutes": 30,
            "kind": "video",
            "comment": "sore throat",
        },
    ),
    (
        "cancel",
        lambda c: c.consultations.cancel("k-1", fee_acknowledged=True),
        "POST",
        "/v1/patients/me/consultations/k-1/cancel",
        {},
        {"feeAcknowledged": True},
    ),
    (
        "cancellation notice",
        lambda c: c.consultations.cancellation_notice("k-1"),
        "GET",
        "/v1/patients/me/consultations/k-1/cancellation-notice",
        {},
        None,
    ),
    (
        "video",
        lambda c: c.consultations.video_link("k-1"),
        "GET",
        "/v1/patients/me/consultations/k-1/video",
        {},
        None,
    ),
    (
        "dialogs",
        lambda c: collect(c.dialogs.list("archive", limit=50)),
        "GET",
        "/v1/patients/me/dialogs",
        {"folder": "archive", "limit": "50"},
        None,
    ),
    ("read", lambda c: c.dialogs.read("d-1"), "GET", "/v1/patients/me/dialogs/d-1", {}, None),
    (
        "start",
        lambda c: c.dialogs.start(
            clinic_id="c-1",
            type=CommunicationType.E_CONSULTATION,
            subject="Rash",
            body="It itches",
            fee_acknowledged=True,
        ),
        "POST",
        "/v1/patients/me/dialogs",
        {},
        {
            "clinicId": "c-1",
            "type": "e_consultation",
            "subject": "Rash",
            "body": "It itches",
            "feeAcknowledged": True,
        },
    ),
    (
        "reply",
        lambda c: c.dialogs.reply("d-1", "Thanks"),
        "POST",
        "/v1/patients/me/dialogs/d-1/messages",
        {},
        {"body": "Thanks"},
    ),
    (
        "fee notice",
        lambda c: c.dialogs.fee_notice("c-1"),
        "GET",
        "/v1/patients/me/clinics/c-1/fee-notice",
        {},
        None,
    ),
    (
        "services",
        lambda c: c.care.services("c-1"),
        "GET",
        "/v1/patients/me/clinics/c-1/services",
        {},
        None,
    ),
    (
        "outstanding",
        lambda c: collect(c.payments.list()),
        "GET",
        "/v1/patients/me/payments",
        {"tab": "outstanding"},
        None,
    ),
    (
        "paid",
        lambda c: collect(c.payments.list("all_paid")),
        "GET",
        "/v1/patients/me/payments",
        {"tab": "all_paid"},
        None,
    ),
    (
        "receipt",
        lambda c: c.payments.receipt("pay-1"),
        "GET",
        "/v1/patients/me/payments/pay-1/receipt",
        {},
        None,
    ),
    (
        "relations",
        lambda c: collect(c.relations.list()),
        "GET",
        "/v1/patients/me/relations",
        {},
        None,
    ),
    (
        "change relation",
        lambda c: c.relations.change("r-1", actions=[Action.READ_MESSAGES], enabled=False),
        "PATCH",
        "/v1/patients/me/relations/r-1",
        {},
        {"actions": ["read_messages"], "enabled": False},
    ),
    (
        "remove relation",
        lambda c: c.relations.remove("r-1"),
        "DELETE",
        "/v1/patients/me/relations/r-1",
        {},
        None,
    ),
    (
        "renewals",
        lambda c: collect(c.prescriptions.list()),
        "GET",
        "/v1/patients/me/prescription-renewals",
        {},
        None,
    ),
    (
        "renew",
        lambda c: c.prescriptions.request("c-1", ["Ventoline"], note="as before"),
        "POST",
        "/v1/patients/me/prescription-renewals",
        {},
        {"clinicId": "c-1", "medications": ["Ventoline"], "note": "as before"},
    ),
    (
        "search",
        lambda c: collect(c.clinics.search("lege", city="Bergen")),
        "GET",
        "/v1/clinics",
        {"query": "lege", "city": "Bergen"},
        None,
    ),
    ("clinic", lambda c: c.clinics.get("c-1"), "GET", "/v1/clinics/c-1", {}, None),
    (
        "free time",
        lambda c: c.clinics.free_time(
            "c-1", start=START, end=START + dt.timedelta(days=1), calendar_id="cal-1"
        ),
        "GET",
        "/v1/clinics/c-1/free-time",
        {
            "from": "2026-03-03T10:00:00+00:00",
            "to": "2026-03-04T10:00:00+00:00",
            "durationMinutes": "15",
            "calendarId": "cal-1",
        },
        None,
    ),
    (
        "add relation",
        lambda c: c.clinics.add_relation(
            "c-1", principal_id="p-1", representative_id="p-2", kind=RelationKind.PARENT
        ),
        "POST",
        "/v1/clinics/c-1/relations",
        {},
        {"principalId": "p-1", "representativeId": "p-2", "kind": "parent"},
    ),
    (
        "access log",
        lambda c: collect(c.access_log(limit=5)),
        "GET",
        "/v1/patients/me/access-log",
        {"limit": "5"},
        None,
    ),
    (
        "public services",
        lambda c: c.public_services.list(),
        "GET",
        "/v1/public-services",
        {},
        None,
    ),
]


@pytest.mark.parametrize(
    ("scenario", "method", "path", "params", "expected_body"),
    [pytest.param(*case[1:], id=case[0]) for case in REQUESTS],
)
def test_each_call_sends_its_method_path_query_and_body(
    kind: str,
    scenario: Scenario,
    method: str,
    path: str,
    params: dict[str, str],
    expected_body: Any,
) -> None:
    recorder = Recorder(problem(418, "teapot"))

    async def go() -> None:
        client = make_client(kind, recorder, max_retries=0)
        with pytest.raises(ClientError):
            await scenario(client)
        await client.aclose()

    run(go())
    request = recorder.last
    assert request.method == method
    assert request.url.scheme == "https"
    assert request.url.host == "portal.test"
    assert request.url.path == path
    assert dict(request.url.params) == params
    assert body(request) == expected_body
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["user-agent"].startswith("patientsky-python/")
    writes = method != "GET"
    assert ("idempotency-key" in request.headers) is writes
    if expected_body is not None:
        assert request.headers["content-type"] == "application/json"


def test_acting_for_sends_patient_scoped_calls_to_that_patient(kind: str) -> None:
    recorder = Recorder(ok({"data": [], "nextCursor": None}))

    async def go() -> None:
        client = make_client(kind, recorder)
        child = client.acting_for("p-42")
        assert child.patient_id == "p-42"
        assert client.patient_id == "me"
        await collect(child.dialogs.list())
        await collect(client.dialogs.list())
        await collect(child.clinics.search("lege"))

    run(go())
    assert [r.url.path for r in recorder.requests] == [
        "/v1/patients/p-42/dialogs",
        "/v1/patients/me/dialogs",
        "/v1/clinics",
    ]


def test_acting_for_refuses_a_national_identity_number(kind: str) -> None:
    client = make_client(kind, Recorder())
    with pytest.raises(InvalidInput) as info:
        client.acting_for(NATIONAL_ID)
    assert info.value.field == "patient_id"
    assert NATIONAL_ID not in str(info.value)


def test_a_photo_upload_sends_the_image_with_its_media_type(kind: str) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 32
    recorder = Recorder(ok({"id": "ph-1", "mediaType": "image/png", "sizeBytes": len(png)}))

    async def go() -> None:
        client = make_client(kind, recorder)
        ref = await client.profile.upload_photo(png)
        assert ref.size_bytes == len(png)
        with pytest.raises(InvalidInput) as info:
            await client.profile.upload_photo(png, "image/jpeg")
        assert info.value.field == "media_type"
        with pytest.raises(InvalidInput) as too_big:
            await client.profile.upload_photo(png + b"\0" * (5 * 1024 * 1024))
        assert too_big.value.field == "data"
        with pytest.raises(InvalidInput):
            await client.profile.upload_photo(b"GIF89a...")

    run(go())
    assert len(recorder.requests) == 1
    request = recorder.last
    assert (request.method, request.url.path) == ("PUT", "/v1/patients/me/photo")
    assert request.headers["content-type"] == "image/png"
    assert request.content == png


@pytest.mark.parametrize(
    ("scenario", "field"),
    [
        (lambda c: collect(c.dialogs.list("trash")), "folder"),
        (lambda c: collect(c.dialogs.list(limit=0)), "limit"),
        (lambda c: collect(c.consultations.list("soon")), "when"),
        (lambda c: collect(c.payments.list("never")), "tab"),
        (lambda c: c.dialogs.read(""), "dialog_id"),
        (lambda c: c.profile.update(if_match="", name=PersonName("A", "B")), "if_match"),
        (lambda c: c.profile.update(if_match='"v1"'), "name"),
        (lambda c: c.profile.update(if_match='"v1"\r\nX-Evil: 1', name=NAME), "if_match"),
        (lambda c: c.profile.update(if_match='"v1"\n', name=NAME), "if_match"),
        (lambda c: c.consultations.cancel("k-1", idempotency_key="with space"), "idempotency_key"),
        (lambda c: c.consultations.cancel("k-1", idempotency_key=""), "idempotency_key"),
        (lambda c: c.relations.change("r-1"), "actions"),
        (lambda c: c.prescriptions.request("c-1", "Ventoline"), "medications"),
        (lambda c: c.prescriptions.request("c-1", []), "medications"),
        (
            lambda c: c.consultations.book(
                clinic_id="c-1",
                calendar_ids=["cal-1"],
                start=dt.datetime(2026, 3, 3, 10, 0),
                duration_minutes=15,
            ),
            "start",
        ),
        (
            lambda c: c.consultations.book(
                clinic_id="c-1", calendar_ids=[], start=START, duration_minutes=15
            ),
            "calendar_ids",
        ),
        (
            lambda c: c.consultations.book(
                clinic_id="c-1", calendar_ids=["x"], start=START, duration_minutes=1
            ),
            "duration_minutes",
        ),
        (
            lambda c: c.clinics.free_time("c-1", start=START, end=START),
            "end",
        ),
        (lambda c: c.dialogs.list(timeout=-1).pages().__anext__(), "timeout"),
        (lambda c: c.profile.get(max_retries=99), "max_retries"),
    ],
)
def test_bad_arguments_are_refused_naming_the_field_before_anything_is_sent(
    kind: str, scenario: Scenario, field: str
) -> None:
    recorder = Recorder()

    async def go() -> None:
        with pytest.raises(InvalidInput) as info:
            await scenario(make_client(kind, recorder))
        assert info.value.field == field

    run(go())
    assert recorder.requests == []


# --------------------------------------------------------------------------- responses


def _serve(data: Any, headers: dict[str, str] | None = None, status: int = 200) -> Recorder:
    return Recorder(ok(data, status=status, headers=headers))


@IO_EXAMPLES
@given(kind=st.sampled_from(CLIENT_KINDS), value=s.patients())
def test_the_profile_reads_as_a_patient_with_its_etag(kind: str, value: Patient) -> None:
    recorder = _serve(wire.unstructure(value), {"ETag": '"v7"'})
    result = run(make_client(kind, recorder).profile.get())
    assert result == Versioned(value, '"v7"')


@IO_EXAMPLES
@given(
    kind=st.sampled_from(CLIENT_KINDS),
    items=st.lists(s.consultations(), max_size=3),
)
def test_consultations_read_as_models(kind: str, items: list[Any]) -> None:
    recorder = _serve({"data": [wire.unstructure(i) for i in items], "nextCursor": None})
    assert run(collect(make_client(kind, recorder).consultations.list())) == items


@IO_EXAMPLES
@given(kind=st.sampled_from(CLIENT_KINDS), value=s.dialogs())
def test_a_dialog_reads_as_a_view_with_its_folder(kind: str, value: Any) -> None:
    doc = {**wire.unstructure(value), "folder": "archive", "unread": False}
    result = run(make_client(kind, _serve(doc)).dialogs.read("d-1"))
    assert result == DialogView(value, "archive", unread=False)


def payment_rows() -> st.SearchStrategy[PaymentRow]:
    return st.builds(
        PaymentRow,
        kind=st.sampled_from(["invoice", "payment"]),
        id=s.ids(),
        date=st.dates(),
        paid_at=st.none() | s.aware_datetimes(),
        clinic_id=s.ids(),
        clinic_name=s.texts(),
        method=st.none() | s.enum_or_unrecognized(PaymentMethod),
        status=s.enum_or_unrecognized(PaymentStatus),
        invoice_number=st.none() | s.texts(50),
        amount=s.money(),
    )


@IO_EXAMPLES
@given(
    kind=st.sampled_from(CLIENT_KINDS),
    rows=st.lists(payment_rows(), max_size=4),
    total=s.money(),
)
def test_payment_tabs_read_as_rows_with_the_tabs_total(
    kind: str, rows: list[PaymentRow], total: Money
) -> None:
    def server(request: httpx.Request) -> httpx.Response:
        data = [wire.unstructure(r) for r in rows]
        return ok({"data": data, "nextCursor": None, "total": wire.unstructure(total)})

    async def go() -> None:
        client = make_client(kind, server)
        assert await collect(client.payments.list()) == rows
        assert await client.payments.list("all_paid").total() == total
        (page,) = [p async for p in client.payments.list("paid_this_year").pages()]
        assert page == PaymentsPage(tuple(rows), total, None)

    run(go())


@IO_EXAMPLES
@given(
    kind=st.sampled_from(CLIENT_KINDS),
    relations=st.lists(s.relations(), max_size=3),
    renewals=st.lists(s.prescription_renewal_requests(), max_size=3),
    clinics=st.lists(s.clinics(), max_size=3),
    links=st.lists(s.public_service_links(), max_size=3),
    session=s.login_sessions(),
    entries=st.lists(s.access_log_entries(), max_size=3),
)
def test_lists_and_single_values_read_as_their_models(
    kind: str,
    relations: list[Relation],
    renewals: list[PrescriptionRenewalRequest],
    clinics: list[Clinic],
    links: list[PublicServiceLink],
    session: LoginSession,
    entries: list[AccessLogEntry],
) -> None:
    def page(items: list[Any]) -> httpx.Response:
        return ok({"data": [wire.unstructure(i) for i in items], "nextCursor": None})

    def server(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/relations"):
            return page(relations)
        if path.endswith("/prescription-renewals"):
            return page(renewals)
        if path.endswith("/access-log"):
            return page(entries)
        if path == "/v1/clinics":
            return page(clinics)
        if path == "/v1/public-services":
            return ok({"data": [wire.unstructure(i) for i in links]})
        return ok(wire.unstructure(session))

    async def go() -> None:
        client = make_client(kind, server)
        assert await collect(client.relations.list()) == relations
        assert await collect(client.prescriptions.list()) == renewals
        assert await collect(client.clinics.search()) == clinics
        assert await client.public_services.list() == links
        assert await client.session.get() == session
        assert await collect(client.access_log()) == entries
        assert await collect(client.acting_for("p-42").access_log()) == entries

    run(go())


def test_api_bodies_read_as_their_types(kind: str) -> None:
    event = consent_event()
    docs: dict[str, Any] = {
        "/v1/patients/me/consent": {
            "inForce": True,
            "termsVersion": "2026-01",
            "history": [wire.unstructure(event)],
        },
        "/v1/patients/me/consultations/k-1/video": {"joinUrl": "https://video.test/j/secret"},
        "/v1/patients/me/clinics/c-1/fee-notice": {
            "clinicId": "c-1",
            "amount": {"minorUnits": 17500, "currency": "NOK"},
            "applies": True,
            "childExempt": False,
            "textNb": "Egenandel kr 175",
            "textEn": "Co-payment NOK 175",
        },
        "/v1/patients/me/clinics/c-1/services": {
            "clinicId": "c-1",
            "services": ["book_consultation", "teleport"],
            "communicationTypes": ["other_inquiry"],
        },
        "/v1/clinics/c-1/free-time": {
            "data": [
                {
                    "start": "2026-03-03T10:00:00+01:00",
                    "end": "2026-03-03T11:00:00+01:00",
                    "calendarIds": ["cal-1"],
                    "timeSlotTypeId": None,
                }
            ]
        },
        "/v1/session/represented": {
            "data": [
                {
                    "patientId": "p-2",
                    "relationId": "r-1",
                    "name": {"given": "Ola", "family": "Nordmann", "middle": None},
                    "kind": "parent",
                    "actions": ["read_messages", "fly"],
                }
            ],
            "nextCursor": None,
        },
    }

    def server(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/receipt"):
            return httpx.Response(
                200, content=b"%PDF-1.7", headers={"Content-Type": "application/pdf"}
            )
        return ok(docs[request.url.path])

    async def go() -> None:
        client = make_client(kind, server)
        assert await client.consent.get() == ConsentState(True, "2026-01", (event,))
        link = await client.consultations.video_link("k-1")
        assert link.join_url == "https://video.test/j/secret"
        assert "secret" not in repr(link)
        notice = await client.dialogs.fee_notice("c-1")
        assert notice.amount == Money.nok(175)
        assert notice.applies
        assert notice.text_nn is None  # an older server sends no nynorsk: bokmål stands in
        assert notice.text("nn") == notice.text("nb") == "Egenandel kr 175"
        assert notice.text("en") == "Co-payment NOK 175"
        services = await client.care.services("c-1")
        assert services.services[1] == Unrecognized("teleport")  # a newer server's value
        (free,) = await client.clinics.free_time("c-1", start=START, end=START + dt.timedelta(1))
        assert free.end - free.start == dt.timedelta(hours=1)
        (person,) = await collect(client.session.represented())
        assert person.kind is RelationKind.PARENT
        assert person.actions == (Action.READ_MESSAGES, Unrecognized("fly"))
        assert await client.payments.receipt("pay-1") == b"%PDF-1.7"

    run(go())


def test_a_response_that_does_not_decode_names_the_bad_field(kind: str) -> None:
    doc = wire.unstructure(consultation("k-1", START))
    del doc["start"]

    async def go() -> None:
        client = make_client(kind, _serve({"data": [doc], "nextCursor": None}))
        with pytest.raises(ResponseValidationError) as info:
            await collect(client.consultations.list())
        assert info.value.field == "response.data[0].start"
        assert isinstance(info.value.__cause__, InvalidInput)
        assert info.value.__cause__.field == "response.data[0].start"
        with pytest.raises(ResponseValidationError) as garbled:
            await make_client(kind, Recorder(httpx.Response(200, content=b"{oops"))).session.get()
        assert garbled.value.field == "response"

    run(go())


def test_a_malformed_success_body_is_an_api_error_with_status_and_request_id(kind: str) -> None:
    body = {"data": [{"id": "k-1"}], "nextCursor": None}
    answer = httpx.Response(200, json=body, headers={"X-Request-Id": "req-bad", "X-Extra": "1"})

    async def go() -> None:
        client = make_client(kind, Recorder(answer))
        with pytest.raises(ApiError) as info:
            await collect(client.consultations.list())
        error = info.value
        assert isinstance(error, ResponseValidationError)
        assert not isinstance(error, InvalidInput)
        assert (error.status, error.request_id) == (200, "req-bad")
        assert error.headers["x-extra"] == "1"
        assert "req-bad" in str(error)

    run(go())


def test_a_profile_without_an_etag_is_refused(kind: str) -> None:
    recorder = _serve(wire.unstructure(patient()))

    async def go() -> None:
        with pytest.raises(ResponseValidationError) as info:
            await make_client(kind, recorder).profile.get()
        assert info.value.field == "response.ETag"

    run(go())


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequest),
        (401, Unauthorized),
        (403, Forbidden),
        (404, ApiNotFound),
        (409, ApiConflict),
        (412, ApiConflict),
        (413, BadRequest),
        (415, BadRequest),
        (422, BadRequest),
        (429, RateLimited),
        (500, ServerError),
        (503, ServerError),
    ],
)
def test_each_error_status_raises_its_family_with_the_problem_and_request_id(
    kind: str, status: int, cls: type[ApiError]
) -> None:
    recorder = Recorder(problem(status, "consent_missing", "say yes first"))

    async def go() -> None:
        with pytest.raises(cls) as info:
            await make_client(kind, recorder, max_retries=0).profile.get()
        error = info.value
        assert error.status == status
        assert error.code == "consent_missing"
        assert error.request_id == f"req-{status}"
        assert error.problem["detail"] == "say yes first"
        assert TOKEN not in str(error)

    run(go())


def test_an_error_carries_the_response_headers_and_typed_field_errors(kind: str) -> None:
    answer = problem(
        400,
        "invalid_input",
        "contact.email: must be an e-mail address",
        errors=[
            {"field": "contact.email", "message": "must be an e-mail address"},
            {"field": "contact.phone", "message": "must be a phone number"},
            {"oops": "not a field error"},
        ],
    )
    answer.headers["X-Trace"] = "t-1"

    async def go() -> None:
        with pytest.raises(BadRequest) as info:
            await make_client(kind, Recorder(answer), max_retries=0).profile.get()
        error = info.value
        assert error.field_errors == (
            FieldError("contact.email", "must be an e-mail address"),
            FieldError("contact.phone", "must be a phone number"),
        )
        assert error.headers["x-trace"] == "t-1"
        assert error.headers["x-request-id"] == "req-400"
        assert error.headers["content-type"] == "application/problem+json"

    run(go())


@pytest.mark.parametrize(
    ("retry_after", "date", "seconds"),
    [
        ("7", None, 7.0),
        ("Wed, 21 Oct 2026 07:28:30 GMT", "Wed, 21 Oct 2026 07:28:00 GMT", 30.0),
        ("in a while", None, None),
        (None, None, None),
    ],
)
def test_rate_limited_says_how_long_the_server_asked_to_wait(
    kind: str, retry_after: str | None, date: str | None, seconds: float | None
) -> None:
    answer = problem(429, "rate_limited")
    if retry_after is not None:
        answer.headers["Retry-After"] = retry_after
    if date is not None:
        answer.headers["Date"] = date

    async def go() -> None:
        with pytest.raises(RateLimited) as info:
            await make_client(kind, Recorder(answer), max_retries=0).profile.get()
        assert info.value.retry_after == seconds
        assert info.value.field_errors == ()

    run(go())


def test_a_redirect_is_not_followed(kind: str) -> None:
    hosts: list[str] = []

    def server(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        return httpx.Response(302, headers={"Location": "https://evil.test/steal"})

    async def go() -> None:
        with pytest.raises(ApiError) as info:
            await make_client(kind, server).session.get()
        assert info.value.status == 302

    run(go())
    assert hosts == ["portal.test"]


# --------------------------------------------------------------------------- retries


def test_retries_back_off_with_full_jitter_and_reuse_the_idempotency_key(kind: str) -> None:
    portal = FakePortal()
    faults = Faults(portal, ["503", "drop_after", "502"])
    sleeps = Sleeps()
    jitter = iter([0.5, 0.25, 1.0])

    async def go() -> None:
        client = make_client(kind, faults, sleep=sleeps, rng=lambda: next(jitter), max_retries=3)
        booked = await client.consultations.book(
            clinic_id="c-1", calendar_ids=["cal-1"], start=START, duration_minutes=15
        )
        assert booked.id in portal.bookings

    run(go())
    assert sleeps.seconds == [0.5 * 0.5, 0.25 * 1.0, 1.0 * 2.0]
    assert len(portal.bookings) == 1  # the drop came after the booking: the retry replayed it
    keys = {r.headers["idempotency-key"] for r in portal.requests}
    assert len(keys) == 1
    assert faults.seen == ["503", "drop_after", "502", "ok"]


def test_each_write_gets_its_own_key(kind: str) -> None:
    portal = FakePortal()

    async def go() -> None:
        client = make_client(kind, portal)
        for hour in (10, 11):
            start = START.replace(hour=hour)
            await client.consultations.book(
                clinic_id="c-1", calendar_ids=["cal-1"], start=start, duration_minutes=15
            )
        await client.consultations.book(
            clinic_id="c-1",
            calendar_ids=["cal-1"],
            start=START.replace(hour=12),
            duration_minutes=15,
            idempotency_key="mine-1",
        )

    run(go())
    keys = [r.headers["idempotency-key"] for r in portal.requests]
    assert len(set(keys)) == 3
    assert keys[2] == "mine-1"


def test_retry_after_is_honoured_on_a_429(kind: str) -> None:
    sleeps = Sleeps()
    faults = Faults(FakePortal(), ["429", "429"])

    async def go() -> None:
        await collect(make_client(kind, faults, sleep=sleeps).dialogs.list())

    run(go())
    assert sleeps.seconds == [1.0, 1.0]


def test_a_write_the_server_does_not_deduplicate_is_not_repeated_after_it_may_have_acted(
    kind: str,
) -> None:
    portal = FakePortal()

    async def go() -> None:
        client = make_client(kind, Faults(portal, ["drop_after"]))
        with pytest.raises(ConnectionLost) as lost:
            await client.consent.give("2026-01")
        assert portal.consents == ["2026-01"]
        assert lost.value.may_have_been_applied
        assert lost.value.idempotency_key is not None
        assert any("read the state" in note for note in lost.value.__notes__)
        client = make_client(kind, Faults(portal, ["refuse", "503"]))
        with pytest.raises(ServerError) as failed:
            await client.consent.give("2026-02")
        assert failed.value.attempts == 2
        assert failed.value.may_have_been_applied  # a 503 does not say what was done

    run(go())
    assert portal.consents == ["2026-01"]


def test_max_retries_can_be_set_per_client_per_call_and_per_view(kind: str) -> None:
    def always_503(_request: httpx.Request) -> httpx.Response:
        return problem(503, "unavailable")

    async def attempts(scenario: Scenario, **kwargs: Any) -> int:
        recorder = Recorder(problem(503, "unavailable"))
        with pytest.raises(ServerError):
            await scenario(make_client(kind, recorder, **kwargs))
        return len(recorder.requests)

    async def go() -> None:
        assert await attempts(lambda c: c.session.get()) == 3
        assert await attempts(lambda c: c.session.get(), max_retries=5) == 6
        assert await attempts(lambda c: c.session.get(max_retries=0)) == 1
        assert await attempts(lambda c: collect(c.dialogs.list(max_retries=1))) == 2
        assert await attempts(lambda c: c.with_options(max_retries=0).session.get()) == 1

    run(go())


def test_a_timeout_raises_timeout_from_the_httpx_error(kind: str) -> None:
    faults = Faults(FakePortal(), ["timeout_after"] * 3)

    async def go() -> None:
        with pytest.raises(Timeout) as info:
            await collect(make_client(kind, faults).dialogs.list())
        assert isinstance(info.value.__cause__, httpx.ReadTimeout)
        assert "after 3 attempts" in str(info.value)

    run(go())


def test_a_refused_connection_raises_connect_error_from_the_httpx_error(kind: str) -> None:
    faults = Faults(FakePortal(), ["refuse"] * 3)

    async def go() -> None:
        with pytest.raises(ConnectError) as info:
            await make_client(kind, faults).profile.get()
        assert isinstance(info.value.__cause__, httpx.ConnectError)

    run(go())


def test_timeouts_reach_httpx_per_client_and_per_call(kind: str) -> None:
    seen: list[dict[str, float | None]] = []

    def server(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return ok({"data": [], "nextCursor": None})

    async def go() -> None:
        client = make_client(kind, server, deadline=None)
        await collect(client.dialogs.list())
        await collect(client.dialogs.list(timeout=2.5))
        await collect(client.dialogs.list(timeout=None))
        await collect(client.with_options(timeout=httpx.Timeout(1.0, read=9.0)).dialogs.list())
        slow = make_client(
            kind, server, timeout=Timeouts(connect=1, read=120, write=5, pool=1), deadline=None
        )
        await collect(slow.dialogs.list())
        # A deadline caps every phase at the time left of the call.
        await collect(slow.dialogs.list(deadline=3))
        await collect(client.dialogs.list(timeout=None, deadline=4))

    run(go())
    assert seen[:5] == [
        {"connect": 5.0, "read": 30.0, "write": 30.0, "pool": 10.0},
        {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5},
        {"connect": None, "read": None, "write": None, "pool": None},
        {"connect": 1.0, "read": 9.0, "write": 1.0, "pool": 1.0},
        {"connect": 1, "read": 120, "write": 5, "pool": 1},
    ]
    capped, unlimited = seen[5:]
    assert (capped["connect"], capped["pool"]) == (1, 1)
    assert all(t is not None and 0 < t <= 3 for t in (capped["read"], capped["write"]))
    assert all(t is not None and 0 < t <= 4 for t in unlimited.values())


# --------------------------------------------------------------------------- pagination


def test_a_list_follows_next_cursors_lazily_across_pages(kind: str) -> None:
    portal = FakePortal(dialogs=5, page_size=2)

    async def go() -> None:
        client = make_client(kind, portal)
        pager = client.dialogs.list()
        assert portal.requests == []  # nothing is sent until iterated
        views = await collect(pager)
        assert [v.dialog.id for v in views] == [f"d-{n}" for n in range(5)]
        assert len(portal.requests) == 3
        first = [page async for page in pager.pages()]
        assert [len(p.data) for p in first] == [2, 2, 1]
        async for _ in client.dialogs.list().pages():
            break  # stopping early fetches no more pages

    run(go())
    assert len(portal.requests) == 7
    cursors = [r.url.params.get("cursor") for r in portal.requests[:3]]
    assert cursors == [None, "2", "4"]
    assert {(r.url.host, r.url.path) for r in portal.requests} == {
        ("portal.test", "/v1/patients/me/dialogs")
    }


def test_a_cursor_that_points_elsewhere_is_refused_and_never_followed(kind: str) -> None:
    hosts: list[str] = []

    def server(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        data = [dialog_json(1)]
        return ok({"data": data, "nextCursor": "https://evil.test/v1/patients/me/dialogs"})

    async def go() -> None:
        with pytest.raises(InvalidInput) as info:
            await collect(make_client(kind, server).dialogs.list())
        assert info.value.field == "nextCursor"

    run(go())
    assert hosts == ["portal.test"]


def test_a_server_repeating_its_cursor_cannot_loop_the_client(kind: str) -> None:
    recorder = Recorder(ok({"data": [dialog_json(1)], "nextCursor": "same"}))

    async def go() -> None:
        with pytest.raises(InvalidInput, match="repeats"):
            await collect(make_client(kind, recorder).dialogs.list())

    run(go())
    assert len(recorder.requests) == 2


# --------------------------------------------------------------------------- tokens


def test_a_token_provider_is_called_again_once_on_a_401(kind: str) -> None:
    tokens = iter(["expired", TOKEN, "never-used"])
    calls: list[str] = []

    def provider() -> str:
        calls.append("called")
        return next(tokens)

    portal = FakePortal()

    async def go() -> None:
        client = make_client(kind, portal, token=provider)
        await client.profile.get()

    run(go())
    assert len(calls) == 2
    assert [r.headers["authorization"] for r in portal.requests] == [
        "Bearer expired",
        f"Bearer {TOKEN}",
    ]


def test_a_second_401_raises_unauthorized(kind: str) -> None:
    calls: list[str] = []

    def provider() -> str:
        calls.append("called")
        return f"bad-{len(calls)}"

    portal = FakePortal()

    async def go() -> None:
        with pytest.raises(Unauthorized):
            await make_client(kind, portal, token=provider).profile.get()

    run(go())
    assert len(calls) == 2
    assert len(portal.requests) == 2


def test_a_fixed_token_that_is_refused_raises_at_once(kind: str) -> None:
    portal = FakePortal()

    async def go() -> None:
        with pytest.raises(Unauthorized):
            await make_client(kind, portal, token="wrong").profile.get()

    run(go())
    assert len(portal.requests) == 1


def test_the_async_client_takes_an_async_token_provider() -> None:
    tokens = iter(["expired", TOKEN])

    async def provider() -> str:
        return next(tokens)

    portal = FakePortal()

    async def go() -> None:
        async with AsyncPortalClient(
            BASE, token=provider, transport=httpx.MockTransport(portal)
        ) as client:
            await client.profile.get()

    run(go())
    assert len(portal.requests) == 2


def test_with_options_can_swap_the_token(kind: str) -> None:
    portal = FakePortal()

    async def go() -> None:
        anonymous = make_client(kind, portal, token=None)
        with pytest.raises(Unauthorized):
            await anonymous.profile.get()
        await anonymous.with_options(token=TOKEN).profile.get()

    run(go())
    assert "authorization" not in portal.requests[0].headers
    assert portal.requests[1].headers["authorization"] == f"Bearer {TOKEN}"


# --------------------------------------------------------------------------- If-Match


def test_a_profile_update_sends_only_what_changed_as_a_merge_patch(kind: str) -> None:
    portal = FakePortal()
    address = Address(street="Borggata 1A", postal_code="0650", city="Oslo", country="NO")
    full = ContactDetails(email="kari@example.no", phone="+4791234567", address=address)

    async def go() -> None:
        client = make_client(kind, portal)
        first = await client.profile.update(if_match=await client.profile.get(), contact=full)
        phone = attrs.evolve(full, phone="+4798765432")
        second = await client.profile.update(if_match=first, contact=phone)
        assert second.value.contact == phone
        moved = attrs.evolve(phone, address=attrs.evolve(address, city="Bergen"), email=None)
        third = await client.profile.update(if_match=second, contact=moved)
        assert third.value.contact == moved
        # A bare ETag: the object named is sent whole, and replaces the old one.
        only = ContactDetails(phone="+4791111111")
        fourth = await client.profile.update(if_match=third.etag, contact=only)
        assert fourth.value.contact == only

    run(go())
    patches = [r for r in portal.requests if r.method == "PATCH"]
    assert {r.headers["content-type"] for r in patches} == {"application/merge-patch+json"}
    bodies = [json.loads(r.content) for r in patches]
    assert bodies[1] == {"contact": {"phone": "+4798765432"}}
    assert bodies[2] == {"contact": {"email": None, "address": {"city": "Bergen"}}}
    assert bodies[3] == {"contact": {"email": None, "phone": "+4791111111", "address": None}}


def test_merge_diff_is_the_patch_that_merges_old_into_new() -> None:
    old = {"a": 1, "b": {"c": 2, "d": 3}, "e": None}
    new = {"a": 1, "b": {"c": 2, "d": 4, "f": 5}, "e": 6}
    diff = calls.merge_diff(old, new)
    assert diff == {"b": {"d": 4, "f": 5}, "e": 6}
    assert merge(old, diff) == merge(old, new)


def test_a_profile_update_sends_if_match_and_a_stale_one_raises_conflict(kind: str) -> None:
    portal = FakePortal()

    async def go() -> None:
        client = make_client(kind, portal)
        first = await client.profile.get()
        contact = ContactDetails(email="kari@example.no")
        updated = await client.profile.update(if_match=first, contact=contact)
        assert updated.value.contact == contact
        assert updated.etag != first.etag
        with pytest.raises(ApiConflict) as info:
            await client.profile.update(if_match=first, name=PersonName("Kari", "Olsen"))
        assert info.value.code == "precondition_failed"
        assert info.value.status == 412
        again = await client.profile.update(if_match=updated.etag, name=PersonName("K", "O"))
        assert again.value.name == PersonName("K", "O")

    run(go())
    patches = [r for r in portal.requests if r.method == "PATCH"]
    assert [r.headers["if-match"] for r in patches] == ['"v1"', '"v1"', '"v2"']
    assert all("idempotency-key" in r.headers for r in patches)


# --------------------------------------------------------------------------- logging


def test_the_debug_log_shows_the_exchange_but_no_token_body_or_national_id(
    kind: str, caplog: pytest.LogCaptureFixture
) -> None:
    portal = FakePortal()
    portal.dialogs = [dialog_json(1)]

    def server(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/sandbox/login":
            return ok(
                {
                    "accessToken": TOKEN,
                    "tokenType": "Bearer",
                    "expiresAt": AT.isoformat(),
                    "personId": "p-1",
                }
            )
        if request.url.path.endswith("/consent"):
            return problem(400, "invalid_input", f"{NATIONAL_ID} is odd")
        return portal(request)

    async def go() -> None:
        from patientsky.client.sandbox import AsyncSandbox, Sandbox

        client = make_client(kind, Faults(server, ["503"]), token=TOKEN)
        if kind == "sync":
            sync_client: PortalClient = client._target  # type: ignore[attr-defined]
            Sandbox(sync_client).login(NATIONAL_ID)
        else:
            await AsyncSandbox(client).login(NATIONAL_ID)
        await client.profile.get()
        await collect(client.dialogs.list())
        with pytest.raises(ApiNotFound):
            await client.dialogs.reply("d-1", "a private reply")  # the fake has no replies
        await client.consultations.book(
            clinic_id="c-1",
            calendar_ids=["cal-1"],
            start=START,
            duration_minutes=15,
            comment="a private comment",
        )

    with caplog.at_level(logging.DEBUG):
        run(go())
        with pytest.raises(BadRequest) as info:
            run(make_client(kind, server).consent.give("2026-01"))
    text = caplog.text + str(info.value)
    for secret in (TOKEN, NATIONAL_ID, "a private body", "a private reply", "Kari"):
        assert secret not in text
    ours = [r.getMessage() for r in caplog.records if r.name == "patientsky.client"]
    assert "POST /v1/sandbox/login -> 503 (request id req-503, attempt 1" in ours[0]
    assert any(
        "GET /v1/patients/me/profile -> 200 (request id req-ok, attempt 1," in m for m in ours
    )
    assert any(m.endswith(" ms)") for m in ours)
    assert any(m.startswith("POST /v1/patients/me/consultations -> 201") for m in ours)
    assert any("retrying in" in m for m in ours)


# --------------------------------------------------------------------------- lifecycle


def test_the_sync_client_is_a_context_manager_that_closes_only_its_own_pool() -> None:
    transport = httpx.MockTransport(FakePortal())
    with PortalClient(BASE, token=TOKEN, transport=transport) as client:
        client.profile.get()
    assert client._shared.http.is_closed
    mine = httpx.Client(transport=transport)
    with PortalClient(BASE, token=TOKEN, http_client=mine) as client:
        client.acting_for("p-1").session  # noqa: B018 -- a view shares the pool
    assert not mine.is_closed
    mine.close()


def test_the_async_client_is_an_async_context_manager_that_closes_only_its_own_pool() -> None:
    async def go() -> None:
        transport = httpx.MockTransport(FakePortal())
        async with AsyncPortalClient(BASE, token=TOKEN, transport=transport) as client:
            await client.profile.get()
        assert client._shared.http.is_closed
        mine = httpx.AsyncClient(transport=transport)
        async with AsyncPortalClient(BASE, token=TOKEN, http_client=mine) as client:
            await client.profile.get()
        assert not mine.is_closed
        await mine.aclose()

    run(go())


def test_your_own_http_client_is_used_with_its_headers() -> None:
    portal = FakePortal()
    mine = httpx.Client(transport=httpx.MockTransport(portal), headers={"X-Team": "portal"})
    client = PortalClient(BASE, token=TOKEN, http_client=mine)
    client.profile.get()
    assert portal.requests[0].headers["x-team"] == "portal"
    mine.close()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"base_url": ""}, "base_url"),
        ({"base_url": "http://portal.test"}, "base_url"),
        ({"token": 42}, "token"),
        ({"max_retries": -1}, "max_retries"),
        ({"max_retries": True}, "max_retries"),
        ({"timeout": 0}, "timeout"),
        ({"http_client": "not a client"}, "http_client"),
        (
            {"transport": httpx.MockTransport(FakePortal()), "http_client": httpx.Client()},
            "transport",
        ),
        ({"backoff": 2}, "backoff"),
    ],
)
def test_bad_constructor_arguments_are_refused_naming_them(
    kwargs: dict[str, Any], field: str
) -> None:
    arguments: dict[str, Any] = {"base_url": BASE, **kwargs}
    with pytest.raises(InvalidInput) as info:
        PortalClient(**arguments)
    assert info.value.field == field
    if "http_client" in kwargs and isinstance(kwargs["http_client"], httpx.Client):
        kwargs["http_client"].close()


def test_the_sync_and_async_clients_offer_the_same_calls_with_the_same_parameters() -> None:
    import inspect

    sync = PortalClient(BASE, transport=httpx.MockTransport(FakePortal()))
    asynchronous = AsyncPortalClient(BASE, transport=httpx.MockTransport(FakePortal()))
    resources = [n for n in vars(sync) if not n.startswith("_")]
    assert resources == [n for n in vars(asynchronous) if not n.startswith("_")]
    for name in resources:
        mine, theirs = getattr(sync, name), getattr(asynchronous, name)
        methods = sorted(m for m in dir(mine) if not m.startswith("_"))
        assert methods == sorted(m for m in dir(theirs) if not m.startswith("_"))
        for method in methods:
            a = inspect.signature(getattr(mine, method)).parameters
            b = inspect.signature(getattr(theirs, method)).parameters
            assert list(a) == list(b), f"{name}.{method}"
            assert [p.default for p in a.values()] == [p.default for p in b.values()]
    sync.close()


def test_reprs_show_where_and_for_whom_but_never_the_token() -> None:
    client = PortalClient(BASE, token=TOKEN, transport=httpx.MockTransport(FakePortal()))
    assert repr(client) == "<PortalClient https://portal.test acting for me>"
    assert TOKEN not in repr(client.with_options(token=TOKEN))
    assert repr(client.dialogs.list()) == "<Pager GET /v1/patients/me/dialogs>"
    client.close()


@pytest.mark.parametrize(
    ("content_type", "data", "media_type"),
    [
        ("image/png", b"\x89PNG\r\n\x1a\n" + b"\0" * 8, "image/png"),
        ("image/jpeg; charset=binary", b"\xff\xd8\xff" + b"\0" * 8, "image/jpeg"),
        ("application/octet-stream", b"\xff\xd8\xff" + b"\0" * 8, "image/jpeg"),
    ],
)
def test_a_photo_comes_with_its_media_type_and_version(
    kind: str, content_type: str, data: bytes, media_type: str
) -> None:
    answer = httpx.Response(
        200, content=data, headers={"Content-Type": content_type, "ETag": '"v1"'}
    )

    async def go() -> None:
        photo = await make_client(kind, Recorder(answer)).profile.photo()
        assert (photo.data, photo.media_type, photo.etag) == (data, media_type, '"v1"')
        assert bytes(photo) == data
        assert len(photo) == len(data)
        assert "data" not in repr(photo).replace("media_type", "")

    run(go())


def test_a_photo_that_is_not_an_image_is_refused_by_name(kind: str) -> None:
    answer = httpx.Response(200, content=b"<html>", headers={"Content-Type": "text/html"})

    async def go() -> None:
        with pytest.raises(ResponseValidationError, match="content_type: is text/html"):
            await make_client(kind, Recorder(answer)).profile.photo()

    run(go())
