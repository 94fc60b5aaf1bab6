"""
The asynchronous client: a thin driver around the sans-I/O core, and its resources.

``tools/unasync.py`` writes the synchronous client, ``_sync.py``, from ``_async.py``
(``nox -s unasync``): edit ``_async.py`` only.
"""

from __future__ import annotations

import builtins
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, Self, TypeVar, Unpack

import httpx

from patientsky.client import _calls as calls
from patientsky.client._base import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    AsyncAuth,
    AsyncSleeper,
    AsyncTokenProvider,
    CallOptions,
    async_within,
    build_httpx_request,
    capture_responses,
    deadline_passed,
    default_async_sleep,
    make_settings,
    past,
    raw_response,
    record,
    to_failure,
    to_response,
    token_from_environment,
    with_call_options,
)
from patientsky.client._core import (
    ApiResponse,
    Backoff,
    Call,
    Outcome,
    P,
    Pagination,
    Request,
    Send,
    Settings,
    Sleep,
    Timeouts,
    exchange,
)
from patientsky.errors import InvalidInput
from patientsky.models._consultation_kind import ConsultationKind

if TYPE_CHECKING:
    import datetime as dt
    import os

    from patientsky.client._types import (
        AttachmentFile,
        CalendarFeed,
        CancellationNotice,
        ClinicServices,
        ConsentState,
        DialogView,
        FeeNotice,
        FileUpload,
        Folder,
        FreeTime,
        PaymentRow,
        PaymentsPage,
        PaymentTab,
        Photo,
        Represented,
        Versioned,
        VideoLink,
        When,
    )
    from patientsky.models import (
        AccessLogEntry,
        Action,
        Attachment,
        Clinic,
        CommunicationType,
        Consultation,
        ContactDetails,
        LoginSession,
        Message,
        Money,
        Patient,
        PersonName,
        PhotoRef,
        PrescriptionRenewalRequest,
        PublicServiceLink,
        Relation,
        RelationKind,
        Terms,
    )
    from patientsky.wire import Page

T = TypeVar("T")
Params = ParamSpec("Params")

__all__ = ["AsyncPager", "AsyncPaymentsPager", "AsyncPortalClient", "AsyncTokenProvider"]


class _Transport:
    """The httpx client the views of one :class:`AsyncPortalClient` share."""

    def __init__(
        self,
        http_client: httpx.AsyncClient | None,
        transport: httpx.AsyncBaseTransport | None,
        sleep: AsyncSleeper,
    ) -> None:
        if http_client is not None and transport is not None:
            raise InvalidInput("transport", "give http_client or transport, not both")
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise InvalidInput("http_client", "must be an httpx.AsyncClient")
        self.owned = http_client is None
        self.http = http_client or httpx.AsyncClient(transport=transport, follow_redirects=False)
        self.sleep = sleep

    async def send(self, request: Request) -> Outcome:
        """
        Send ``request`` and read its answer to the end, or until the call's deadline.

        An answer whose head or body trickles in slower than the deadline is cut off
        there, whatever the per-phase timeouts (each of which waits for one read only).
        """
        started = time.perf_counter()
        outgoing = build_httpx_request(self.http, request)
        outcome = await async_within(request.deadline, self._exchange, outgoing, request, started)
        return deadline_passed(outgoing, started) if outcome is None else outcome

    async def _exchange(self, outgoing: httpx.Request, request: Request, started: float) -> Outcome:
        try:
            response = await self.http.send(outgoing, stream=True, follow_redirects=False)
            try:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if past(request.deadline):
                        return deadline_passed(outgoing, started)
            finally:
                await response.aclose()
        except httpx.RequestError as exc:
            return to_failure(exc, started)
        return to_response(response, bytes(body), started)


class AsyncPortalClient:
    """
    A client for the PatientSky patient portal API (asynchronous).

    The sync and the async client offer the same calls; the async one works under
    asyncio and trio. Every method takes the keyword options of
    :class:`CallOptions` (``timeout``, ``max_retries``) for that call only. Lists are
    :class:`AsyncPager` objects that fetch pages as they are iterated. Errors are
    :class:`~patientsky.errors.ApiError` subclasses by status and
    :class:`~patientsky.errors.TransportError` for network failures.

    >>> client = AsyncPortalClient("https://portal.example.no", token="...")
    >>> client.dialogs.list(folder="inbox")  # nothing is sent until iterated
    <AsyncPager GET /v1/patients/me/dialogs>
    >>> client.acting_for("p-42")
    <AsyncPortalClient https://portal.example.no acting for p-42>

    Args:
        base_url: The API's address, for example ``"https://portal.example.no"``;
            taken from the environment variable ``PATIENTSKY_BASE_URL`` if omitted, and
            required either way: there is no default host. ``http`` only to a loopback
            host, unless ``allow_http``.
        token: A bearer token, or a function that returns one (called before every
            attempt; on a 401 it is called once more and the request repeated once); the
            async client also takes an ``async`` function. Taken from the environment
            variable ``PATIENTSKY_TOKEN`` if omitted; never logged, never in a repr.
        refresh_token: A function that returns a *new* token, called after a 401
            instead of ``token`` (which is then known to be refused); the request is
            repeated once with it. Without it, ``token`` is called again.
        timeout: Seconds for every phase, per-phase :class:`Timeouts`, an
            ``httpx.Timeout``, or ``None`` for no limit. Default: connect 5 s, read and
            write 30 s, pool 10 s.
        deadline: Seconds a whole call may take, across its attempts and the waits
            between them (default 120); ``None`` for no overall limit. An answer still
            arriving then is cut off, and the call raises
            :class:`~patientsky.errors.DeadlineExceeded`.
        max_retries: Retries after the first attempt (default 2).
        http_client: Your own ``httpx.AsyncClient`` (you close it); redirects are never
            followed.
        transport: An httpx transport for the client's own ``httpx.AsyncClient``
            (``httpx.MockTransport``, ``httpx.ASGITransport``, ...).
        backoff: The retry schedule.
        rng: The jitter's random source: returns a float in ``[0, 1)``.
        sleep: How to wait between attempts (for tests).
        allow_http: Allow plain http to any host (tokens travel in clear text).
        on_response: Called with the :class:`ApiResponse` of every successful answer
            (status, headers, request id, replay), pages of lists included.
        default_headers: Headers for every request (a correlation id, ...); a call's
            ``extra_headers`` add to them. The client's own headers (``Authorization``,
            ``Idempotency-Key``, ...) cannot be replaced: they are refused.

    Raises:
        InvalidInput: For a bad argument, naming it.
    """

    profile: AsyncProfile
    """The patient's profile and photo (P1–P5)."""
    consent: AsyncConsent
    """Consent to the terms (C1–C3)."""
    consultations: AsyncConsultations
    """List, book and cancel consultations, and join video ones (K1–K3)."""
    dialogs: AsyncDialogs
    """Dialogs with the clinic (M1–M7)."""
    payments: AsyncPayments
    """Payments, invoices and receipts (B1–B5)."""
    care: AsyncCare
    """What the patient can start at a clinic (H1, M4)."""
    prescriptions: AsyncPrescriptions
    """Prescription renewal requests (E1)."""
    relations: AsyncRelations
    """Who may act for the patient (R1–R4)."""
    clinics: AsyncClinics
    """Clinic search, free time, and adding relations as clinic staff (H2, K2, R3)."""
    public_services: AsyncPublicServices
    """Links to public services on HelseNorge (O1)."""
    session: AsyncSession
    """The login session and the people the user may act for (L1, R1)."""
    exports: AsyncExports
    """Everything the account holds, as a FHIR R4 Bundle (X1)."""
    calendar_feed: AsyncCalendarFeeds
    """The patient's secret calendar feed address: create, rotate, revoke, fetch (X2)."""

    def __init__(
        self,
        base_url: str | None = None,
        *,
        token: str | AsyncTokenProvider | None = None,
        refresh_token: AsyncTokenProvider | None = None,
        timeout: float | Timeouts | httpx.Timeout | None = DEFAULT_TIMEOUT,
        deadline: float | None = DEFAULT_DEADLINE,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        backoff: Backoff = Backoff(),  # noqa: B008 -- frozen, so sharing it is safe
        rng: Callable[[], float] | None = None,
        sleep: AsyncSleeper | None = None,
        allow_http: bool = False,
        on_response: Callable[[ApiResponse[Any]], None] | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> None:
        settings = make_settings(
            base_url,
            timeout=timeout,
            max_retries=max_retries,
            backoff=backoff,
            rng=rng,
            allow_http=allow_http,
            on_response=on_response,
            default_headers=default_headers,
            deadline=deadline,
        )
        auth = AsyncAuth(token_from_environment(token), refresh_token)
        shared = _Transport(http_client, transport, sleep or default_async_sleep)
        self._setup(shared, settings, auth, calls.ME)

    def _setup(self, shared: _Transport, settings: Settings, auth: AsyncAuth, scope: str) -> None:
        self._shared = shared
        self._settings = settings
        self._auth = auth
        self._scope = scope
        self.profile = AsyncProfile(self)
        self.consent = AsyncConsent(self)
        self.consultations = AsyncConsultations(self)
        self.dialogs = AsyncDialogs(self)
        self.payments = AsyncPayments(self)
        self.care = AsyncCare(self)
        self.prescriptions = AsyncPrescriptions(self)
        self.relations = AsyncRelations(self)
        self.clinics = AsyncClinics(self)
        self.public_services = AsyncPublicServices(self)
        self.session = AsyncSession(self)
        self.exports = AsyncExports(self)
        self.calendar_feed = AsyncCalendarFeeds(self)

    def _view(
        self,
        *,
        settings: Settings | None = None,
        auth: AsyncAuth | None = None,
        scope: str | None = None,
    ) -> Self:
        view = object.__new__(type(self))
        view._setup(
            self._shared,
            settings or self._settings,
            auth or self._auth,
            self._scope if scope is None else scope,
        )
        return view

    @property
    def patient_id(self) -> str:
        """The patient whose resources this client uses, ``"me"`` unless acting for someone."""
        return self._scope

    @property
    def base_url(self) -> str:
        """The API's address."""
        return self._settings.base_url

    def acting_for(self, patient_id: str) -> Self:
        """
        Return a view of the client that acts for another patient (R1–R4).

        Patient-scoped calls of the view go to ``/v1/patients/{patient_id}/...``
        instead of ``/v1/patients/me/...``; the server checks, per call, that the
        logged-in person may do that for them. The view shares the connection pool.

        Args:
            patient_id: The PatientSky patient id, as
                :meth:`~patientsky.client.resources.AsyncSession.represented` lists them; never a
                national identity number.

        Raises:
            InvalidInput: With field ``patient_id``.
        """
        return self._view(scope=calls.scope_id(patient_id))

    def with_options(
        self,
        *,
        token: str | AsyncTokenProvider | None = None,
        refresh_token: AsyncTokenProvider | None = None,
        **options: Unpack[CallOptions],
    ) -> Self:
        """
        Return a view of the client with other defaults; it shares the connection pool.

        Args:
            token: Another bearer token or token provider (``None`` keeps the current
                one). A new token drops the client's ``refresh_token`` unless another
                is given.
            refresh_token: Another function for a new token after a 401.
            options: ``timeout``, ``deadline``, ``max_retries``, ``on_response`` and
                ``extra_headers`` (added to the client's) for every call of the view.

        Raises:
            InvalidInput: For a bad value.
        """
        auth = None
        if token is not None or refresh_token is not None:
            current = self._auth.token if token is None else token
            refresh = refresh_token or (self._auth.refresh_token if token is None else None)
            auth = AsyncAuth(current, refresh)
        return self._view(settings=with_call_options(self._settings, options), auth=auth)

    async def _run(self, call: Call[T], options: CallOptions) -> T:
        """Drive the core's exchange for ``call``: send, sleep, get tokens."""
        steps = exchange(call, with_call_options(self._settings, options))
        try:
            step = next(steps)
            while True:
                if isinstance(step, Send):
                    outcome: object = await self._shared.send(step.request)
                elif isinstance(step, Sleep):
                    await self._shared.sleep(step.seconds)
                    outcome = None
                else:
                    outcome = await self._auth.get(step.refresh)
                step = steps.send(outcome)
        except StopIteration as done:
            result: ApiResponse[T] = done.value
            return record(result)
        finally:
            steps.close()

    def access_log(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[CallOptions],
    ) -> AsyncPager[AccessLogEntry]:
        """
        List who has read or changed the patient's data, newest first (AL1).

        Every call that read or changed it is one
        :class:`~patientsky.models.access_log.AccessLogEntry`: who (the patient, or a
        representative and the kind of relation they acted through), which operation,
        when, at which clinic. Listing it is an entry too. The patient may list it; a
        representative (``acting_for``) needs the action ``manage_relations``, or the
        list raises :class:`~patientsky.errors.Forbidden` when iterated.

        Args:
            limit: Page size, 1 to 100.
            cursor: A page's ``next_cursor`` saved earlier: start from that page.
        """
        call = calls.list_access_log(self._scope, limit)
        return AsyncPager._of(self, call, options, cursor)

    async def with_raw_response(
        self,
        method: Callable[Params, Awaitable[T]],
        /,
        *args: Params.args,
        **kwargs: Params.kwargs,
    ) -> ApiResponse[T]:
        """
        Call ``method`` and return its result with the answer's status, headers and request id.

        ``method`` is any call of a client (``client.dialogs.read``, ...), followed by
        its arguments; :meth:`ApiResponse.parse` gives what the call itself returns. For
        a list, whose pages are fetched while it is iterated, pass ``on_response=``.

        Args:
            method: The call.
            args: Its positional arguments.
            kwargs: Its keyword arguments.

        Raises:
            InvalidInput: With field ``method``, if it sent no request.
        """
        with capture_responses() as seen:
            value = await method(*args, **kwargs)
        return raw_response(seen, value)

    async def server_time(self, **options: Unpack[CallOptions]) -> dt.datetime:
        """
        Return the server's current time (``GET /v1/time``), timezone-aware.

        Show "now" and choose free-time windows by it, not by the local clock: a
        sandbox's test clock may be set to another day.
        """
        return await self._run(calls.server_time(), options)

    async def aclose(self) -> None:
        """Close the connection pool (unless it is your own ``http_client``), for every view."""
        if self._shared.owned:
            await self._shared.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"<AsyncPortalClient {self._settings.base_url} acting for {self._scope}>"


class AsyncPager(Generic[T]):
    """
    A list that fetches its pages lazily, as it is iterated.

    Iterate it for the items (``async for dialog in client.dialogs.list(): ...``), or
    :meth:`pages` for the pages, or :meth:`page` for one page. Each iteration starts
    again from the first page, or from the ``cursor`` the list was given (a page's
    ``next_cursor``, saved to resume later). The next page always goes to the same
    origin and path as the first.
    """

    _client: AsyncPortalClient
    _call: Call[Page[T]]
    _options: CallOptions
    _cursor: str | None

    @classmethod
    def _of(
        cls,
        client: AsyncPortalClient,
        call: Call[Page[T]],
        options: CallOptions,
        cursor: str | None,
    ) -> Self:
        pager = cls()
        pager._client, pager._call, pager._options = client, call, options
        pager._cursor = Pagination(call, cursor).start_cursor()
        return pager

    async def page(self) -> Page[T]:
        """
        Fetch one page: the first, or the one at the list's ``cursor``.

        Its ``next_cursor`` (``None`` on the last page; ``has_next`` says the same)
        resumes the list later: ``client.dialogs.list(cursor=page.next_cursor)``.
        """
        call = Pagination(self._call, self._cursor).start()
        return await self._client._run(call, self._options)

    def pages(self) -> AsyncIterator[Page[T]]:
        """
        Yield the pages, fetching each when the one before it has been used.

        Raises:
            ApiError: As the call does.
            TransportError: As the call does.
            InvalidInput: For a ``nextCursor`` that is a URL or repeats the last one.
        """
        return _pages(self._client, self._call, self._options, self._cursor)

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.data:
                yield item

    def __repr__(self) -> str:
        return f"<AsyncPager {self._call.method} /v1/{'/'.join(self._call.path)}>"


class AsyncPaymentsPager:
    """
    A payments tab that fetches its pages lazily; each page carries the tab's total.

    Like :class:`AsyncPager`, it starts from the first page or from its ``cursor``.
    """

    _client: AsyncPortalClient
    _call: Call[PaymentsPage]
    _options: CallOptions
    _cursor: str | None

    @classmethod
    def _of(
        cls,
        client: AsyncPortalClient,
        call: Call[PaymentsPage],
        options: CallOptions,
        cursor: str | None,
    ) -> Self:
        pager = cls()
        pager._client, pager._call, pager._options = client, call, options
        pager._cursor = Pagination(call, cursor).start_cursor()
        return pager

    def pages(self) -> AsyncIterator[PaymentsPage]:
        """Yield the pages, fetching each when the one before it has been used."""
        return _pages(self._client, self._call, self._options, self._cursor)

    async def page(self) -> PaymentsPage:
        """Fetch one page: the first, or the one at the list's ``cursor``."""
        call = Pagination(self._call, self._cursor).start()
        return await self._client._run(call, self._options)

    async def total(self) -> Money:
        """Return the total of the whole tab (fetches the first page)."""
        first = await self._client._run(self._call, self._options)
        return first.total

    async def __aiter__(self) -> AsyncIterator[PaymentRow]:
        async for page in self.pages():
            for item in page.data:
                yield item

    def __repr__(self) -> str:
        return f"<AsyncPaymentsPager {self._call.method} /v1/{'/'.join(self._call.path)}>"


async def _pages(
    client: AsyncPortalClient,
    call: Call[P],
    options: CallOptions,
    cursor: str | None,
) -> AsyncIterator[P]:
    pagination = Pagination(call, cursor)
    while (next_call := pagination.next_call()) is not None:
        page = await client._run(next_call, options)
        yield page
        pagination.advance(page)


class _Resource:
    def __init__(self, client: AsyncPortalClient) -> None:
        self._client = client

    @property
    def _scope(self) -> str:
        return self._client._scope


class AsyncProfile(_Resource):
    """The patient's profile and photo (P1–P5)."""

    async def get(self, **options: Unpack[CallOptions]) -> Versioned[Patient]:
        """
        Read the profile, with its version for :meth:`update`.

        Returns:
            The patient and the profile's ETag.
        """
        return await self._client._run(calls.get_profile(self._scope), options)

    async def update(
        self,
        *,
        if_match: str | Versioned[Patient],
        name: PersonName | None = None,
        contact: ContactDetails | None = None,
        **options: Unpack[CallOptions],
    ) -> Versioned[Patient]:
        """
        Change the name and/or contact details, unless someone changed them since the read.

        Args:
            if_match: The :class:`~patientsky.client.Versioned` profile from :meth:`get`
                (or its ``etag``).
            name: The new name.
            contact: The new contact details (replacing the old ones).

        The request is a JSON merge patch (``application/merge-patch+json``, RFC 7396).
        Given the :class:`~patientsky.client.Versioned` profile, it carries only what
        differs from it, field by field: ``attrs.evolve(read.value.contact, phone=...)``
        sends the phone alone. Given a bare ETag, the named objects are sent whole.

        Returns:
            The new profile and its new ETag.

        Raises:
            ApiConflict: With code ``precondition_failed`` (412) if the profile changed
                since it was read: read it again, and decide again.
        """
        call = calls.update_profile(self._scope, if_match=if_match, name=name, contact=contact)
        return await self._client._run(call, options)

    async def upload_photo(
        self, data: bytes, media_type: str | None = None, **options: Unpack[CallOptions]
    ) -> PhotoRef:
        """
        Upload a new profile photo: a JPEG or PNG of at most 5 MiB.

        Args:
            data: The image.
            media_type: ``"image/jpeg"`` or ``"image/png"``; read from the data if omitted.
        """
        return await self._client._run(calls.upload_photo(self._scope, data, media_type), options)

    async def photo(self, **options: Unpack[CallOptions]) -> Photo:
        """
        Download the profile photo: its bytes (``photo.data``), media type and version.

        Raises:
            ApiNotFound: If no photo was uploaded.
        """
        return await self._client._run(calls.download_photo(self._scope), options)


class AsyncConsent(_Resource):
    """Consent to the terms (C1–C3)."""

    async def get(self, **options: Unpack[CallOptions]) -> ConsentState:
        """Return whether consent is in force, and its history."""
        return await self._client._run(calls.get_consent(self._scope), options)

    async def give(self, terms_version: str, **options: Unpack[CallOptions]) -> ConsentState:
        """
        Give consent to a version of the terms (C1, C2).

        Args:
            terms_version: The version consented to, from :meth:`terms`.
        """
        return await self._client._run(calls.give_consent(self._scope, terms_version), options)

    async def withdraw(self, **options: Unpack[CallOptions]) -> ConsentState:
        """Withdraw consent ("reserve yourself", C3); the portal is then closed to the patient."""
        return await self._client._run(calls.withdraw_consent(self._scope), options)

    async def terms(self, **options: Unpack[CallOptions]) -> Terms:
        """Return the current terms version."""
        return await self._client._run(calls.get_terms(), options)


class AsyncConsultations(_Resource):
    """List, book and cancel consultations, and join video ones (K1–K3)."""

    def list(
        self,
        when: When = "upcoming",
        *,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[CallOptions],
    ) -> AsyncPager[Consultation]:
        """
        List consultations (K1).

        Args:
            when: ``"upcoming"`` or ``"past"``.
            limit: Page size, 1 to 100 (the server's default is 20).
            cursor: A page's ``next_cursor`` saved earlier: start from that page.
        """
        call = calls.list_consultations(self._scope, when, limit)
        return AsyncPager._of(self._client, call, options, cursor)

    async def book(
        self,
        *,
        clinic_id: str,
        calendar_ids: Iterable[str],
        start: dt.datetime,
        duration_minutes: int,
        kind: ConsultationKind = ConsultationKind.IN_PERSON,
        time_slot_type_id: str | None = None,
        comment: str | None = None,
        idempotency_key: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Consultation:
        """
        Book a consultation in free time, in person or by video (K2, K3).

        Args:
            clinic_id: The clinic.
            calendar_ids: The calendars to book (the practitioner's, a room's, ...).
            start: When it starts (timezone-aware).
            duration_minutes: How long, 5 to 240 minutes.
            kind: In person or video.
            time_slot_type_id: The type of time to book in, if any.
            comment: A note to the clinic (health data; never logged).
            idempotency_key: Your key for this booking; one is made if omitted. Retries
                reuse it, so the booking is made once.

        Raises:
            ApiConflict: With code ``slot_not_free`` if the time is taken.
        """
        call = calls.book_consultation(
            self._scope,
            clinic_id=clinic_id,
            calendar_ids=calendar_ids,
            start=start,
            duration_minutes=duration_minutes,
            kind=kind,
            time_slot_type_id=time_slot_type_id,
            comment=comment,
            idempotency_key=idempotency_key,
        )
        return await self._client._run(call, options)

    async def cancellation_notice(
        self, consultation_id: str, **options: Unpack[CallOptions]
    ) -> CancellationNotice:
        """
        Return what cancelling the consultation now costs, to show before cancelling (K2).

        When ``applies`` is true, cancelling needs ``fee_acknowledged=True`` and the fee
        is charged as an invoice.
        """
        call = calls.cancellation_notice(self._scope, consultation_id)
        return await self._client._run(call, options)

    def cancellation_notices(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[CallOptions],
    ) -> AsyncPager[CancellationNotice]:
        """
        List what cancelling each upcoming booked consultation costs now, in one call (K2).

        For a list of consultations that shows each one's terms beside it: one request
        and one access-log entry, where :meth:`cancellation_notice` per consultation
        would make one of each per consultation. The soonest consultation comes first.

        Args:
            limit: Page size, 1 to 100 (the server's default is 20).
            cursor: A page's ``next_cursor`` saved earlier: start from that page.
        """
        call = calls.cancellation_notices(self._scope, limit)
        return AsyncPager._of(self._client, call, options, cursor)

    async def cancel(
        self,
        consultation_id: str,
        *,
        fee_acknowledged: bool = False,
        idempotency_key: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Consultation:
        """
        Cancel a booked consultation; after the clinic's deadline it is a late cancellation.

        Args:
            consultation_id: The consultation.
            fee_acknowledged: The patient saw the :meth:`cancellation_notice` and accepts
                its fee; needed when cancelling now is late and costs a fee, which is then
                charged as an invoice.
            idempotency_key: Your key; one is made if omitted.

        Raises:
            ApiConflict: With code ``late_cancellation_fee_not_acknowledged`` for a late
                cancellation with a fee that was not acknowledged.
        """
        call = calls.cancel_consultation(
            self._scope, consultation_id, idempotency_key, fee_acknowledged
        )
        return await self._client._run(call, options)

    async def video_link(self, consultation_id: str, **options: Unpack[CallOptions]) -> VideoLink:
        """Return where to join a video consultation (K3)."""
        return await self._client._run(calls.video_link(self._scope, consultation_id), options)


class AsyncDialogs(_Resource):
    """Dialogs with the clinic (M1–M7)."""

    def list(
        self,
        folder: Folder = "inbox",
        *,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[CallOptions],
    ) -> AsyncPager[DialogView]:
        """
        List the dialogs in a folder, newest first (M1, M2, M6).

        Args:
            folder: ``"inbox"`` or ``"archive"``.
            limit: Page size, 1 to 100.
            cursor: A page's ``next_cursor`` saved earlier: start from that page.
        """
        call = calls.list_dialogs(self._scope, folder, limit)
        return AsyncPager._of(self._client, call, options, cursor)

    async def read(self, dialog_id: str, **options: Unpack[CallOptions]) -> DialogView:
        """
        Open a dialog: this marks it read, and may move it to the archive (M5).

        Args:
            dialog_id: The dialog.
        """
        return await self._client._run(calls.read_dialog(self._scope, dialog_id), options)

    async def start(
        self,
        *,
        clinic_id: str,
        type: CommunicationType,
        subject: str,
        body: str,
        fee_acknowledged: bool = False,
        attachments: Iterable[calls.AttachmentSource] = (),
        idempotency_key: str | None = None,
        **options: Unpack[CallOptions],
    ) -> DialogView:
        """
        Start a dialog of a type the clinic has enabled (M3, M4, M7), with files (M8).

        Args:
            clinic_id: The clinic.
            type: One of the four communication types.
            subject: The subject line.
            body: The first message (never logged).
            fee_acknowledged: The patient was shown :meth:`fee_notice` and accepted it;
                needed for an e-consultation that costs a co-payment.
            attachments: Up to five files to send with the first message: uploaded
                ones (:class:`~patientsky.models.attachment.Attachment`), files in memory
                (:class:`~patientsky.client.FileUpload`) or paths; those not uploaded
                yet are uploaded first.
            idempotency_key: Your key; one is made if omitted. Retrying with it uploads
                no file twice.
        """
        if attachments:
            idempotency_key = idempotency_key or self._client._settings.new_key()
        ids = await self._attach(attachments, idempotency_key, options)
        call = calls.start_dialog(
            self._scope,
            clinic_id=clinic_id,
            type=type,
            subject=subject,
            body=body,
            fee_acknowledged=fee_acknowledged,
            idempotency_key=idempotency_key,
            attachment_ids=ids,
        )
        return await self._client._run(call, options)

    async def reply(
        self,
        dialog_id: str,
        body: str,
        *,
        attachments: Iterable[calls.AttachmentSource] = (),
        idempotency_key: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Message:
        """
        Answer in a dialog, with files if you like (M8); return the new message.

        The answer is the message, not the whole thread, so it costs the same however
        long the dialog is; read the dialog again (``get``) for the thread.

        Args:
            dialog_id: The dialog.
            body: The message (never logged).
            attachments: Up to five files to send with it: uploaded ones
                (:class:`~patientsky.models.attachment.Attachment`), files in memory
                (:class:`~patientsky.client.FileUpload`) or paths; those not uploaded
                yet are uploaded first.
            idempotency_key: Your key; one is made if omitted. Retrying with it uploads
                no file twice.
        """
        if attachments:
            idempotency_key = idempotency_key or self._client._settings.new_key()
        ids = await self._attach(attachments, idempotency_key, options)
        call = calls.reply_to_dialog(self._scope, dialog_id, body, idempotency_key, ids)
        return await self._client._run(call, options)

    async def upload_attachment(
        self,
        file: FileUpload | bytes | str | os.PathLike[str],
        *,
        file_name: str | None = None,
        media_type: str | None = None,
        idempotency_key: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Attachment:
        """
        Upload a file to send with a message within 24 hours: JPEG, PNG, HEIC or PDF (M8).

        Args:
            file: A :class:`~patientsky.client.FileUpload`, the file's bytes, or its path.
            file_name: Its name (required for bytes; a path gives its own).
            media_type: Its media type; read from its bytes if omitted. It must be what
                the bytes are.
            idempotency_key: Your key; one is made if omitted.

        Returns:
            The attachment: pass it (or its id) in ``attachments`` of :meth:`start` or
            :meth:`reply`.
        """
        upload = calls.as_upload(file, file_name, media_type)
        call = calls.upload_attachment(
            self._scope, upload.data, upload.file_name, upload.media_type, idempotency_key
        )
        return await self._client._run(call, options)

    async def _attach(
        self,
        attachments: Iterable[calls.AttachmentSource],
        key: str | None,
        options: CallOptions,
    ) -> builtins.list[str]:
        """Upload what is not uploaded yet (each under a key derived from ``key``); the ids."""
        from patientsky.models import Attachment

        ids: builtins.list[str] = []
        for index, item in enumerate(attachments):
            if isinstance(item, Attachment):
                ids.append(item.id)
                continue
            derived = None if key is None else calls.derived_key(key, index)
            uploaded = await self.upload_attachment(item, idempotency_key=derived, **options)
            ids.append(uploaded.id)
        return ids

    async def list_attachments(
        self, dialog_id: str, message_id: str, **options: Unpack[CallOptions]
    ) -> builtins.list[Attachment]:
        """
        List the files attached to a message, in the order they were attached (M8).

        Reading them does not mark the dialog read.

        Args:
            dialog_id: The dialog.
            message_id: The message.
        """
        call = calls.list_attachments(self._scope, dialog_id, message_id)
        found: tuple[Attachment, ...] = await self._client._run(call, options)
        return builtins.list(found)

    async def download_attachment(
        self, dialog_id: str, attachment_id: str, **options: Unpack[CallOptions]
    ) -> AttachmentFile:
        """
        Download a file sent in a dialog: its bytes, media type and file name (M8).

        Args:
            dialog_id: The dialog.
            attachment_id: The attachment (from a message's ``attachments``).
        """
        call = calls.download_attachment(self._scope, dialog_id, attachment_id)
        return await self._client._run(call, options)

    async def fee_notice(self, clinic_id: str, **options: Unpack[CallOptions]) -> FeeNotice:
        """Return what starting an e-consultation at the clinic costs (M7)."""
        return await self._client._run(calls.fee_notice(self._scope, clinic_id), options)


class AsyncPayments(_Resource):
    """Payments, invoices and receipts (B1–B5)."""

    def list(
        self,
        tab: PaymentTab = "outstanding",
        *,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[CallOptions],
    ) -> AsyncPaymentsPager:
        """
        List a tab of "My payments", newest first (B1–B4).

        Args:
            tab: ``"outstanding"`` (unpaid invoices), ``"paid_this_year"`` (the Norwegian
                calendar year) or ``"all_paid"``.
            limit: Page size, 1 to 100.
            cursor: A page's ``next_cursor`` saved earlier: start from that page.
        """
        call = calls.list_payments(self._scope, tab, limit)
        return AsyncPaymentsPager._of(self._client, call, options, cursor)

    async def receipt(self, payment_id: str, **options: Unpack[CallOptions]) -> bytes:
        """Download a payment's receipt (PDF bytes) (B5)."""
        return await self._client._run(calls.receipt(self._scope, payment_id), options)


class AsyncCare(_Resource):
    """What the patient can start at a clinic (H1, M4)."""

    async def services(self, clinic_id: str, **options: Unpack[CallOptions]) -> ClinicServices:
        """Return the services and dialog types the patient can start at the clinic."""
        return await self._client._run(calls.clinic_services(self._scope, clinic_id), options)


class AsyncPrescriptions(_Resource):
    """Prescription renewal requests (E1)."""

    def list(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[CallOptions],
    ) -> AsyncPager[PrescriptionRenewalRequest]:
        """List the renewal requests sent (``cursor``: a saved ``next_cursor`` to start at)."""
        call = calls.list_renewals(self._scope, limit)
        return AsyncPager._of(self._client, call, options, cursor)

    async def request(
        self,
        clinic_id: str,
        medications: Iterable[str],
        *,
        note: str | None = None,
        idempotency_key: str | None = None,
        **options: Unpack[CallOptions],
    ) -> PrescriptionRenewalRequest:
        """
        Ask a clinic to renew prescriptions.

        Args:
            clinic_id: The clinic.
            medications: 1 to 20 medications, as the patient names them.
            note: A note to the clinic (health data; never logged).
            idempotency_key: Your key; one is made if omitted.
        """
        call = calls.request_renewal(
            self._scope,
            clinic_id=clinic_id,
            medications=medications,
            note=note,
            idempotency_key=idempotency_key,
        )
        return await self._client._run(call, options)


class AsyncRelations(_Resource):
    """Who may act for the patient (R1–R4)."""

    def list(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[CallOptions],
    ) -> AsyncPager[Relation]:
        """List the relations that may act for the patient (``cursor``: where to start)."""
        call = calls.list_relations(self._scope, limit)
        return AsyncPager._of(self._client, call, options, cursor)

    async def change(
        self,
        relation_id: str,
        *,
        actions: Iterable[Action] | None = None,
        enabled: bool | None = None,
        **options: Unpack[CallOptions],
    ) -> Relation:
        """
        Change what a relation may do, or switch its access off or on (R4).

        Args:
            relation_id: The relation.
            actions: The actions it may do from now on (replacing the old set).
            enabled: Switch access on or off without removing the relation.
        """
        call = calls.change_relation(self._scope, relation_id, actions=actions, enabled=enabled)
        return await self._client._run(call, options)

    async def remove(self, relation_id: str, **options: Unpack[CallOptions]) -> None:
        """Remove a relation (R4)."""
        await self._client._run(calls.remove_relation(self._scope, relation_id), options)


class AsyncClinics(_Resource):
    """Clinic search, free time, and adding relations as clinic staff (H2, K2, R3)."""

    def search(
        self,
        query: str | None = None,
        *,
        city: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[CallOptions],
    ) -> AsyncPager[Clinic]:
        """
        Search clinics by name or city (H2).

        Args:
            query: Words in the clinic's name.
            city: The city.
            limit: Page size, 1 to 100.
            cursor: A page's ``next_cursor`` saved earlier: start from that page.
        """
        call = calls.search_clinics(query, city, limit)
        return AsyncPager._of(self._client, call, options, cursor)

    async def get(self, clinic_id: str, **options: Unpack[CallOptions]) -> Clinic:
        """Return a clinic and what it offers (H1)."""
        return await self._client._run(calls.get_clinic(clinic_id), options)

    async def free_time(
        self,
        clinic_id: str,
        *,
        start: dt.datetime,
        end: dt.datetime,
        duration_minutes: int = 15,
        calendar_id: str | None = None,
        time_slot_type_id: str | None = None,
        **options: Unpack[CallOptions],
    ) -> list[FreeTime]:
        """
        Return the publicly bookable free time in a clinic's calendars (K2).

        Args:
            clinic_id: The clinic.
            start: From (timezone-aware).
            end: To (at most 31 days after ``start``).
            duration_minutes: The length wanted, 5 to 240.
            calendar_id: Only this calendar.
            time_slot_type_id: Only time of this type.
        """
        call = calls.free_time(
            clinic_id,
            start=start,
            end=end,
            duration_minutes=duration_minutes,
            calendar_id=calendar_id,
            time_slot_type_id=time_slot_type_id,
        )
        return await self._client._run(call, options)

    async def add_relation(
        self,
        clinic_id: str,
        *,
        principal_id: str,
        representative_id: str,
        kind: RelationKind,
        actions: Iterable[Action] | None = None,
        valid_from: dt.datetime | None = None,
        valid_until: dt.datetime | None = None,
        idempotency_key: str | None = None,
        **options: Unpack[CallOptions],
    ) -> Relation:
        """
        Add a relation; only clinic staff may (R3).

        Args:
            clinic_id: The clinic adding it.
            principal_id: The patient who is represented.
            representative_id: The person who will act for them.
            kind: Parent, guardian or family caregiver.
            actions: What they may do; the kind's defaults if omitted.
            valid_from: When the access begins (now if omitted).
            valid_until: When it ends, if ever.
            idempotency_key: Your key; one is made if omitted.
        """
        call = calls.add_relation(
            clinic_id,
            principal_id=principal_id,
            representative_id=representative_id,
            kind=kind,
            actions=actions,
            valid_from=valid_from,
            valid_until=valid_until,
            idempotency_key=idempotency_key,
        )
        return await self._client._run(call, options)


class AsyncPublicServices(_Resource):
    """Links to public services on HelseNorge (O1)."""

    async def list(self, **options: Unpack[CallOptions]) -> builtins.list[PublicServiceLink]:
        """Return the links."""
        return await self._client._run(calls.public_services(), options)


class AsyncSession(_Resource):
    """The login session and the people the user may act for (L1, R1)."""

    async def get(self, **options: Unpack[CallOptions]) -> LoginSession:
        """Return who is logged in, how, and until when."""
        return await self._client._run(calls.get_session(), options)

    async def logout(self, **options: Unpack[CallOptions]) -> None:
        """Log out: the token stops working at once, and is forgotten by the server."""
        await self._client._run(calls.logout(), options)

    def represented(
        self,
        *,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[CallOptions],
    ) -> AsyncPager[Represented]:
        """
        List the people the logged-in person may act for now (see ``acting_for``).

        Args:
            limit: Page size, 1 to 100.
            cursor: A page's ``next_cursor`` saved earlier: start from that page.
        """
        return AsyncPager._of(self._client, calls.list_represented(limit), options, cursor)


class AsyncExports(_Resource):
    """Everything the account holds, as a FHIR R4 Bundle (X1)."""

    async def fhir_bundle(self, **options: Unpack[CallOptions]) -> dict[str, Any]:
        """
        Return everything the account holds about the patient as a FHIR R4 Bundle.

        The Bundle (type ``collection``) is JSON data, as ``json.loads`` gives it:
        Patient, Organization, Practitioner, RelatedPerson, Consent, Communication,
        Appointment, Invoice and PaymentNotice resources, following HL7 Norway's
        no-basis profiles. A representative gets the parts their relation lets them
        see (dialogs with ``read_messages``, invoices and payments with
        ``view_payments``, relations with ``manage_relations``). Read it back with
        ``patientsky.fhir`` (extra ``fhir``), or validate it with
        ``fhir.resources.R4B.bundle.Bundle.model_validate``.

        Raises:
            AccessDenied: Without ``view_profile`` for the patient.
        """
        return await self._client._run(calls.export_fhir(self._scope), options)


class AsyncCalendarFeeds(_Resource):
    """
    The patient's calendar feed: a secret address a calendar app subscribes to (X2).

    Calendar apps cannot log in, so the feed's address carries a random token of its
    own, never the login token and never a national identity number. Only the patient
    may make one, and each patient has at most one at a time.
    """

    async def create(self, **options: Unpack[CallOptions]) -> CalendarFeed:
        """
        Make the patient's feed address; the answer is the only time it is shown.

        Not retried: if the answer is lost, :meth:`rotate` makes a new address.

        Raises:
            ApiConflict: With code ``conflict`` if the patient has one already (use
                :meth:`rotate`).
            AccessDenied: With code ``patient_only`` for a representative.
        """
        return await self._client._run(calls.create_calendar_feed(self._scope), options)

    async def rotate(self, **options: Unpack[CallOptions]) -> CalendarFeed:
        """
        Replace the feed's address with a new one; the old one stops working at once.

        Raises:
            NotFound: If the patient has no feed.
        """
        return await self._client._run(calls.rotate_calendar_feed(self._scope), options)

    async def revoke(self, **options: Unpack[CallOptions]) -> None:
        """Delete the feed's address: it answers 404 from now on (safe to repeat)."""
        await self._client._run(calls.revoke_calendar_feed(self._scope), options)

    async def fetch(self, feed: CalendarFeed | str, **options: Unpack[CallOptions]) -> bytes:
        """
        Fetch a feed as a calendar app would: the ``text/calendar`` bytes.

        Args:
            feed: The :class:`~patientsky.client.CalendarFeed`, its ``url``, or its
                token; the address is the credential, no login is needed.

        Raises:
            NotFound: If the address was rotated or revoked.
        """
        return await self._client._run(calls.fetch_calendar_feed(feed), options)

    async def download(self, **options: Unpack[CallOptions]) -> bytes:
        """
        Download the patient's consultations as one ``text/calendar`` file, with the login.

        The same file the feed serves, for "add to my calendar" without a feed address;
        a representative with ``view_profile`` may download it too.
        """
        return await self._client._run(calls.calendar_file(self._scope), options)
