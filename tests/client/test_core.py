"""The sans-I/O core on its own: requests, retry decisions, errors, pagination; no I/O at all."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.client._core import (
    Backoff,
    Call,
    FailureKind,
    GetToken,
    Pagination,
    Request,
    Response,
    Send,
    Settings,
    Sleep,
    Timeouts,
    TransportFailure,
    build_request,
    check_base_url,
    check_idempotency_key,
    error_for,
    exchange,
    mask,
    may_repeat,
    next_cursor,
    parse_retry_after,
    retry_delay,
    segment,
    transport_error,
)
from patientsky.errors import (
    ApiConflict,
    ApiError,
    ApiNotFound,
    BadRequest,
    ClientError,
    ConnectError,
    Forbidden,
    InvalidInput,
    RateLimited,
    ServerError,
    Timeout,
    TransportError,
    Unauthorized,
)
from patientsky.rules.decision import Reason

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def settings(**changes: Any) -> Settings:
    keys = iter(f"key-{n}" for n in range(1000))
    base = Settings(
        base_url="https://portal.test",
        user_agent="patientsky-python/test",
        timeout=Timeouts(),
        max_retries=3,
        backoff=Backoff(base=0.5, maximum=8.0, retry_after_max=60.0),
        rng=lambda: 1.0,
        now=lambda: NOW,
        new_key=lambda: next(keys),
    )
    return base._replace(**changes)


def text(response: Response) -> str:
    return response.content.decode()


def get(*path: str) -> Call[str]:
    return Call("GET", path, text)


def post(*path: str, idempotent: bool = True, key: str | None = None) -> Call[str]:
    return Call(
        "POST",
        path,
        text,
        body=b'{"a":1}',
        content_type="application/json",
        idempotent=idempotent,
        idempotency_key=key,
    )


def response(status: int, body: Any = None, **headers: str) -> Response:
    content = b"" if body is None else json.dumps(body).encode()
    pairs = [(k.lower().replace("_", "-"), v) for k, v in headers.items()]
    if body is not None:
        pairs.append(("content-type", "application/problem+json"))
    return Response(status, tuple(pairs), content)


def request_for(call: Call[Any], key: str | None = None) -> Request:
    return build_request(call, settings(), token="t", idempotency_key=key, attempt=1)


class Driver:
    """Drives the exchange by hand, recording every step."""

    def __init__(self, call: Call[Any], config: Settings | None = None) -> None:
        self.steps = exchange(call, config or settings())
        self.sent: list[Request] = []
        self.sleeps: list[float] = []
        self.token_requests: list[GetToken] = []
        self.step = next(self.steps)

    def run(self, outcomes: list[Response | TransportFailure], tokens: list[str | None]) -> Any:
        try:
            while True:
                if isinstance(self.step, Send):
                    self.sent.append(self.step.request)
                    self.step = self.steps.send(outcomes.pop(0))
                elif isinstance(self.step, Sleep):
                    self.sleeps.append(self.step.seconds)
                    self.step = self.steps.send(None)
                else:
                    self.token_requests.append(self.step)
                    self.step = self.steps.send(tokens.pop(0) if tokens else "t")
        except StopIteration as done:
            self.response = done.value
            return done.value.parse()


# --------------------------------------------------------------------------- requests


def test_a_request_has_the_path_query_and_headers_of_its_call() -> None:
    call = Call(
        "GET",
        ("patients", "me", "dialogs"),
        text,
        params=(("folder", "inbox"), ("q", "a b&c")),
    )
    request = build_request(call, settings(), token="tok", idempotency_key=None, attempt=1)
    assert request.url == "https://portal.test/v1/patients/me/dialogs?folder=inbox&q=a+b%26c"
    assert request.path == "/v1/patients/me/dialogs"
    assert request.header("authorization") == "Bearer tok"
    assert request.header("user-agent") == "patientsky-python/test"
    assert request.header("accept") == "application/json"
    assert request.header("idempotency-key") is None
    assert request.header("content-type") is None


def test_path_segments_are_percent_encoded_so_an_id_cannot_change_the_path() -> None:
    request = request_for(get("dialogs", "a/../../sandbox?x=1"))
    assert request.url == "https://portal.test/v1/dialogs/a%2F..%2F..%2Fsandbox%3Fx%3D1"


def test_a_base_url_path_prefix_is_kept() -> None:
    config = settings(base_url="https://gw.test/portal")
    request = build_request(get("terms"), config, token=None, idempotency_key=None, attempt=1)
    assert request.url == "https://gw.test/portal/v1/terms"
    assert request.path == "/portal/v1/terms"
    assert request.header("authorization") is None


def test_every_write_gets_an_idempotency_key_that_every_retry_reuses() -> None:
    driver = Driver(post("patients", "me", "consultations"))
    result = driver.run([response(503), response(502), response(201)], [])
    assert result == ""
    keys = {r.header("idempotency-key") for r in driver.sent}
    assert keys == {"key-0"}
    assert len(driver.sent) == 3


def test_different_calls_get_different_keys_and_a_callers_key_is_used_as_given() -> None:
    config = settings()
    first, second = Driver(post("x"), config), Driver(post("x"), config)
    first.run([response(201)], [])
    second.run([response(201)], [])
    assert first.sent[0].header("idempotency-key") != second.sent[0].header("idempotency-key")
    mine = Driver(post("x", key="my-key"), config)
    mine.run([response(503), response(201)], [])
    assert [r.header("idempotency-key") for r in mine.sent] == ["my-key", "my-key"]


def test_reads_carry_no_idempotency_key() -> None:
    driver = Driver(get("terms"))
    driver.run([response(200)], [])
    assert driver.sent[0].header("idempotency-key") is None


def test_an_idempotency_key_must_be_visible_ascii_of_at_most_255_characters() -> None:
    assert check_idempotency_key("abc-123_!~") == "abc-123_!~"
    for bad in ("", "with space", "x" * 256, "nøkkel", "tab\t", "newline\n"):
        with pytest.raises(InvalidInput) as info:
            check_idempotency_key(bad)
        assert info.value.field == "idempotency_key"


def test_a_base_url_must_be_https_unless_it_is_a_loopback_host() -> None:
    assert check_base_url("https://portal.test/") == "https://portal.test"
    assert check_base_url("http://127.0.0.1:8000") == "http://127.0.0.1:8000"
    assert check_base_url("http://localhost:8000/api/") == "http://localhost:8000/api"
    assert check_base_url("http://sandbox:8000", allow_http=True) == "http://sandbox:8000"
    for bad in (
        "",
        "portal.test",
        "ftp://portal.test",
        "http://portal.test",
        "https://user:pw@portal.test",
        "https://portal.test/?a=1",
    ):
        with pytest.raises(InvalidInput) as info:
            check_base_url(bad)
        assert info.value.field == "base_url"


def test_an_id_that_looks_like_a_national_identity_number_never_goes_in_a_path() -> None:
    for bad in ("17912099997", "179120 99997"):
        with pytest.raises(InvalidInput) as info:
            segment("patient_id", bad)
        assert "17912099997" not in str(info.value)
        assert info.value.field == "patient_id"
    for bad in ("", " ", ".", ".."):
        with pytest.raises(InvalidInput):
            segment("dialog_id", bad)
    assert segment("patient_id", "p-17912099997x") == "p-17912099997x"


# --------------------------------------------------------------------------- retry decisions


@given(retry=st.integers(0, 30), jitter=st.floats(0, 1, exclude_max=True))
def test_backoff_sleeps_within_the_full_jitter_window(retry: int, jitter: float) -> None:
    config = settings(max_retries=31, rng=lambda: jitter)
    delay = retry_delay(request_for(get("x")), response(503), retry=retry, settings=config)
    assert delay is not None
    window = min(8.0, 0.5 * 2**retry)
    assert 0 <= delay <= window
    assert delay == pytest.approx(jitter * window)


def test_the_backoff_window_doubles_up_to_its_maximum() -> None:
    backoff = Backoff(base=0.5, maximum=8.0)
    assert [backoff.window(n) for n in range(7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]
    assert backoff.window(10_000) == 8.0


def test_backoff_settings_must_not_be_negative() -> None:
    with pytest.raises(InvalidInput) as info:
        Backoff(base=-1)
    assert info.value.field == "backoff.base"


@pytest.mark.parametrize("status", [408, 429, 502, 503, 504])
def test_transient_statuses_are_retried(status: int) -> None:
    assert retry_delay(request_for(get("x")), response(status), retry=0, settings=settings())


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 412, 422, 428, 500, 501])
def test_other_statuses_are_not_retried(status: int) -> None:
    assert (
        retry_delay(request_for(get("x")), response(status), retry=0, settings=settings()) is None
    )


def test_a_409_idempotency_key_in_use_is_retried_but_another_409_is_not() -> None:
    req = request_for(post("x"), key="k")
    in_use = response(409, {"code": "idempotency_key_in_use"})
    taken = response(409, {"code": "slot_not_free"})
    assert retry_delay(req, in_use, retry=0, settings=settings()) is not None
    assert retry_delay(req, taken, retry=0, settings=settings()) is None


def test_retry_after_in_seconds_is_honoured_exactly() -> None:
    delay = retry_delay(
        request_for(get("x")), response(429, retry_after="7"), retry=0, settings=settings()
    )
    assert delay == 7.0


def test_retry_after_as_an_http_date_is_measured_from_the_responses_date() -> None:
    outcome = response(
        503,
        retry_after="Mon, 02 Mar 2026 09:00:12 GMT",
        date="Mon, 02 Mar 2026 09:00:02 GMT",
    )
    assert retry_delay(request_for(get("x")), outcome, retry=0, settings=settings()) == 10.0


def test_retry_after_as_an_http_date_without_a_date_header_uses_the_clock() -> None:
    outcome = response(503, retry_after="Mon, 02 Mar 2026 09:00:30 GMT")
    assert retry_delay(request_for(get("x")), outcome, retry=0, settings=settings()) == 30.0


def test_retry_after_is_capped_and_never_negative() -> None:
    req = request_for(get("x"))
    huge = response(503, retry_after="86400")
    past = response(503, retry_after="Mon, 02 Mar 2026 08:00:00 GMT")
    assert retry_delay(req, huge, retry=0, settings=settings()) == 60.0
    assert retry_delay(req, past, retry=0, settings=settings()) == 0.0


def test_an_unreadable_retry_after_falls_back_to_backoff() -> None:
    for value in ("soon", "-5", "1.5", ""):
        outcome = response(503, retry_after=value)
        assert retry_delay(request_for(get("x")), outcome, retry=1, settings=settings()) == 1.0
    assert parse_retry_after(None) is None


def test_no_retry_once_max_retries_is_reached() -> None:
    config = settings(max_retries=2)
    req = request_for(get("x"))
    assert retry_delay(req, response(503), retry=1, settings=config) is not None
    assert retry_delay(req, response(503), retry=2, settings=config) is None
    assert retry_delay(req, response(503), retry=0, settings=settings(max_retries=0)) is None


def failure(kind: FailureKind, sent: bool) -> TransportFailure:
    return TransportFailure(kind, sent, OSError("boom"))


def test_a_write_the_server_may_have_seen_is_retried_only_if_repeating_it_is_harmless() -> None:
    config = settings()
    dropped = failure(FailureKind.CONNECT, sent=True)
    keyed = request_for(post("x", idempotent=True), key="k")
    unkeyed = request_for(post("x", idempotent=True), key=None)
    not_idempotent = request_for(post("x", idempotent=False), key="k")
    assert may_repeat(keyed)
    assert not may_repeat(unkeyed)
    assert not may_repeat(not_idempotent)
    assert retry_delay(keyed, dropped, retry=0, settings=config) is not None
    assert retry_delay(unkeyed, dropped, retry=0, settings=config) is None
    assert retry_delay(not_idempotent, dropped, retry=0, settings=config) is None
    for status in (502, 503, 504, 408):
        assert retry_delay(unkeyed, response(status), retry=0, settings=config) is None


def test_a_write_the_server_never_saw_is_always_retried() -> None:
    unkeyed = request_for(post("x", idempotent=False), key=None)
    config = settings()
    refused = failure(FailureKind.CONNECT, sent=False)
    connect_timeout = failure(FailureKind.TIMEOUT, sent=False)
    assert retry_delay(unkeyed, refused, retry=0, settings=config) is not None
    assert retry_delay(unkeyed, connect_timeout, retry=0, settings=config) is not None
    assert retry_delay(unkeyed, response(429), retry=0, settings=config) is not None


def test_reads_are_retried_after_any_network_failure_but_not_after_other_errors() -> None:
    req = request_for(get("x"))
    config = settings()
    assert retry_delay(req, failure(FailureKind.TIMEOUT, sent=True), retry=0, settings=config)
    assert retry_delay(req, failure(FailureKind.CONNECT, sent=True), retry=0, settings=config)
    assert (
        retry_delay(req, failure(FailureKind.OTHER, sent=False), retry=0, settings=config) is None
    )


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, BadRequest),
        (401, Unauthorized),
        (403, Forbidden),
        (404, ApiNotFound),
        (405, ClientError),
        (409, ApiConflict),
        (412, ApiConflict),
        (413, BadRequest),
        (415, BadRequest),
        (422, BadRequest),
        (428, BadRequest),
        (429, RateLimited),
        (500, ServerError),
        (503, ServerError),
        (302, ApiError),
    ],
)
def test_each_status_family_raises_its_own_error(status: int, cls: type[ApiError]) -> None:
    error = error_for(response(status, {"title": "T", "code": "some_code"}, x_request_id="r-1"))
    assert type(error) is cls
    assert error.status == status
    assert error.request_id == "r-1"
    assert error.problem["title"] == "T"


def test_an_error_keeps_the_problem_document_and_its_code() -> None:
    body = {
        "type": "about:blank",
        "title": "Invalid input",
        "status": 400,
        "detail": "contact.email: must be an e-mail address",
        "code": "invalid_input",
        "requestId": "r-9",
        "errors": [{"field": "contact.email", "message": "must be an e-mail address"}],
    }
    error = error_for(response(400, body))
    assert error.code == "invalid_input"
    assert error.request_id == "r-9"  # from the document when the header is missing
    assert error.problem["errors"] == body["errors"]
    assert "r-9" in str(error)


def test_a_429_reads_an_http_date_retry_after_against_the_clock_without_a_date_header() -> None:
    now = dt.datetime(2026, 10, 21, 7, 28, 0, tzinfo=dt.UTC)
    answer = Response(429, (("retry-after", "Wed, 21 Oct 2026 07:28:12 GMT"),), b"")
    error = error_for(answer, now=now)
    assert isinstance(error, RateLimited)
    assert error.retry_after == 12.0
    assert error.headers == {"retry-after": "Wed, 21 Oct 2026 07:28:12 GMT"}
    unknown = error_for(answer)  # an HTTP-date and no clock: how long is unknown
    assert isinstance(unknown, RateLimited)
    assert unknown.retry_after is None


def test_repeated_headers_are_joined_and_names_are_lower_case() -> None:
    answer = Response(500, (("x-a", "1"), ("x-a", "2"), ("x-b", "3")), b"")
    assert error_for(answer).headers == {"x-a": "1, 2", "x-b": "3"}


def test_a_403_carries_the_rules_reason() -> None:
    error = error_for(response(403, {"code": "login_assurance_too_low"}))
    assert isinstance(error, Forbidden)
    assert error.reason is Reason.LOGIN_ASSURANCE_TOO_LOW
    unknown = error_for(response(403, {"code": "a_reason_from_the_future"}))
    assert isinstance(unknown, Forbidden)
    assert unknown.reason is Reason.UNKNOWN


def test_a_412_is_a_conflict_told_apart_by_its_code() -> None:
    stale = error_for(response(412))
    assert isinstance(stale, ApiConflict)
    assert stale.code == "precondition_failed"
    taken = error_for(response(409, {"code": "slot_not_free"}))
    assert taken.code == "slot_not_free"


def test_an_error_without_a_problem_document_still_has_its_status() -> None:
    error = error_for(Response(502, (("content-type", "text/html"),), b"<html>bad gateway</html>"))
    assert isinstance(error, ServerError)
    assert error.problem == {}
    assert "bad gateway" not in str(error)
    garbled = error_for(Response(500, (("content-type", "application/json"),), b"{not json"))
    assert garbled.problem == {}


def test_a_national_identity_number_in_a_problem_is_masked() -> None:
    body = {
        "title": "No",
        "detail": "17912099997 is not registered",
        "code": "not_found",
        "errors": [{"field": "nationalId", "message": "179120 99997 unknown"}],
    }
    error = error_for(response(404, body))
    assert "17912099997" not in str(error)
    assert "99997" not in json.dumps(error.problem)
    assert "179120*****" in str(error)
    assert mask("call 12345678 or 123456789012") == "call 12345678 or 123456789012"


def test_transport_errors_say_what_failed_and_where_but_nothing_else() -> None:
    req = request_for(get("patients", "me", "dialogs"))
    timeout = transport_error(req, failure(FailureKind.TIMEOUT, sent=True))
    refused = transport_error(req, failure(FailureKind.CONNECT, sent=False))
    dropped = transport_error(req, failure(FailureKind.CONNECT, sent=True))
    other = transport_error(req, failure(FailureKind.OTHER, sent=True))
    assert isinstance(timeout, Timeout)
    assert isinstance(refused, ConnectError)
    assert type(other) is TransportError
    assert str(refused) == "GET /v1/patients/me/dialogs: could not connect (after 1 attempt)"
    assert "connection lost" in str(dropped)
    assert "Bearer" not in str(timeout)


def test_the_exchange_raises_transport_errors_from_the_underlying_error() -> None:
    cause = OSError("network down")
    driver = Driver(get("x"), settings(max_retries=1))
    with pytest.raises(ConnectError) as info:
        driver.run([TransportFailure(FailureKind.CONNECT, False, cause)] * 2, [])
    assert info.value.__cause__ is cause
    assert driver.sleeps == [0.5]


# --------------------------------------------------------------------------- tokens


def test_a_401_asks_for_a_new_token_once_and_repeats_the_request_once() -> None:
    driver = Driver(post("x"))
    result = driver.run([response(401), response(201)], ["old", "new"])
    assert result == ""
    assert [r.header("authorization") for r in driver.sent] == ["Bearer old", "Bearer new"]
    assert [t.refresh for t in driver.token_requests] == [False, True]
    assert driver.sent[0].header("idempotency-key") == driver.sent[1].header("idempotency-key")
    assert driver.sleeps == []


def test_a_second_401_raises_unauthorized() -> None:
    driver = Driver(get("x"))
    with pytest.raises(Unauthorized):
        driver.run([response(401), response(401)], ["old", "new"])
    assert len(driver.sent) == 2


def test_a_401_without_a_new_token_raises_at_once() -> None:
    driver = Driver(get("x"))
    with pytest.raises(Unauthorized):
        driver.run([response(401)], ["fixed", None])
    assert len(driver.sent) == 1


@pytest.mark.parametrize("token", ["bad\r\ntoken", "bad-token\n", "", "two words"])
def test_a_token_that_is_not_a_header_value_is_refused_without_repeating_it(token: str) -> None:
    driver = Driver(get("x"))
    with pytest.raises(InvalidInput) as info:
        driver.run([], [token])
    assert info.value.field == "token"
    assert "bad" not in str(info.value)
    assert driver.sent == []


# --------------------------------------------------------------------------- pagination


def test_the_next_page_goes_to_the_same_path_with_the_cursor() -> None:
    first: Call[Any] = Call(
        "GET", ("patients", "me", "dialogs"), text, params=(("folder", "inbox"),)
    )
    pagination = Pagination(first)
    assert pagination.next_call() is first

    @attrs.frozen
    class Page:
        data: tuple[int, ...]
        next_cursor: str | None

    pagination.advance(Page((1,), "abc"))
    following = pagination.next_call()
    assert following is not None
    assert following.path == first.path
    assert following.params == (("folder", "inbox"), ("cursor", "abc"))
    pagination.advance(Page((2,), "def"))
    assert pagination.next_call() == first.with_param("cursor", "def")
    pagination.advance(Page((3,), None))
    assert pagination.next_call() is None


@pytest.mark.parametrize(
    "cursor",
    ["https://evil.test/v1/patients/me/dialogs", "//evil.test/steal", "http://127.0.0.1/x"],
)
def test_a_cursor_that_is_a_url_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidInput) as info:
        next_cursor(None, cursor)
    assert info.value.field == "nextCursor"


def test_a_cursor_that_repeats_the_last_one_is_refused() -> None:
    with pytest.raises(InvalidInput, match="repeats"):
        next_cursor("abc", "abc")
    with pytest.raises(InvalidInput):
        next_cursor(None, "")
    with pytest.raises(InvalidInput):
        next_cursor(None, 42)
    assert next_cursor("abc", None) is None
