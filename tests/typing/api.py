"""
The public client API, used as an application would: type-checked by mypy, never run.

Every function here only builds on the API's types; nothing runs at import.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import httpx

from patientsky.client import (
    DEFAULT_TIMEOUT,
    AsyncPortalClient,
    AttachmentFile,
    Backoff,
    CallOptions,
    ClinicServices,
    ConsentState,
    DialogView,
    FeeNotice,
    FileUpload,
    FreeTime,
    PaymentRow,
    Photo,
    PortalClient,
    Represented,
    Timeouts,
    Versioned,
    VideoLink,
)
from patientsky.client.sandbox import AsyncSandbox, Sandbox, SandboxClock, SandboxToken
from patientsky.contract import openapi_document
from patientsky.errors import (
    ApiConflict,
    ApiError,
    ConnectError,
    FieldError,
    Forbidden,
    RateLimited,
    ResponseValidationError,
    Timeout,
    TransportError,
)
from patientsky.models import (
    Action,
    Attachment,
    Clinic,
    CommunicationType,
    Consultation,
    ConsultationKind,
    ContactDetails,
    LoginMethod,
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
from patientsky.rules.decision import Reason
from patientsky.wire import Page


def sync_portal(token: str) -> None:
    with PortalClient("https://portal.example.no", token=token) as client:
        session: LoginSession = client.session.get()
        people: list[Represented] = list(client.session.represented(limit=10))
        child = client.acting_for(people[0].patient_id)
        assert child.patient_id != client.patient_id != session.person_id

        profile: Versioned[Patient] = client.profile.get(timeout=5)
        try:
            new: Versioned[Patient] = client.profile.update(
                if_match=profile, contact=ContactDetails(email="kari@example.no")
            )
            client.profile.update(if_match=new.etag, name=PersonName("Kari", "Nordmann"))
        except ApiConflict as exc:
            code: str | None = exc.code
            assert code == "precondition_failed"
        photo: PhotoRef = client.profile.upload_photo(b"\x89PNG...", "image/png")
        image: Photo = child.profile.photo()
        media_type: str = image.media_type
        assert photo.size_bytes >= len(image.data)
        assert media_type

        terms: Terms = client.consent.terms()
        consent: ConsentState = client.consent.give(terms.version, max_retries=0)
        assert consent.in_force

        for view in client.dialogs.list(folder="archive", limit=50, max_retries=1):
            dialog: DialogView = view
            assert dialog.folder in ("inbox", "archive")
        for page in client.dialogs.list().pages():
            cursor: str | None = page.next_cursor
            assert cursor != ""
        notice: FeeNotice = client.dialogs.fee_notice("clinic-1")
        started: DialogView = client.dialogs.start(
            clinic_id="clinic-1",
            type=CommunicationType.E_CONSULTATION,
            subject="Rash",
            body="It itches",
            fee_acknowledged=notice.applies,
            idempotency_key="my-key-1",
        )
        client.dialogs.reply(started.dialog.id, "More", idempotency_key="my-key-2")
        knee: Attachment = client.dialogs.upload_attachment(b"...", file_name="kne.jpg")
        sent: Message = client.dialogs.reply(
            started.dialog.id,
            "Photos",
            attachments=[knee, FileUpload(b"%PDF-", "brev.pdf"), Path("skann.pdf")],
        )
        listed: list[Attachment] = client.dialogs.list_attachments(started.dialog.id, sent.id)
        got: AttachmentFile = client.dialogs.download_attachment(started.dialog.id, listed[0].id)
        assert got.content
        assert got.file_name.endswith(".jpg")

        start = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
        free: list[FreeTime] = client.clinics.free_time(
            "clinic-1", start=start, end=start + dt.timedelta(days=7), duration_minutes=30
        )
        booked: Consultation = client.consultations.book(
            clinic_id="clinic-1",
            calendar_ids=free[0].calendar_ids,
            start=free[0].start,
            duration_minutes=30,
            kind=ConsultationKind.VIDEO,
        )
        link: VideoLink = client.consultations.video_link(booked.id)
        assert link.join_url
        client.consultations.cancel(booked.id)
        upcoming: list[Consultation] = list(client.consultations.list("upcoming"))
        assert upcoming is not None

        tab = client.payments.list("paid_this_year")
        total: Money = tab.total()
        rows: list[PaymentRow] = list(tab)
        receipt: bytes = client.payments.receipt(rows[0].id)
        assert total
        assert receipt

        services: ClinicServices = client.care.services("clinic-1")
        assert services.communication_types
        renewal: PrescriptionRenewalRequest = client.prescriptions.request(
            "clinic-1", ["Ventoline"], note="as before"
        )
        assert renewal in list(client.prescriptions.list())

        relations: list[Relation] = list(client.relations.list())
        client.relations.change(relations[0].id, actions=[Action.READ_MESSAGES], enabled=True)
        client.relations.remove(relations[0].id)

        clinics: list[Clinic] = list(client.clinics.search("lege", city="Bergen"))
        clinic: Clinic = client.clinics.get(clinics[0].id)
        links: list[PublicServiceLink] = client.public_services.list()
        assert clinic.id
        assert links


def sync_errors_and_options() -> None:
    def token_provider() -> str:
        return "a-fresh-token"

    client = PortalClient(
        "https://portal.example.no",
        token=token_provider,
        timeout=Timeouts(connect=2.0, read=10.0, write=10.0, pool=2.0),
        max_retries=4,
        backoff=Backoff(base=0.25, maximum=4.0, retry_after_max=30.0),
        http_client=httpx.Client(),
    )
    patient = client.with_options(timeout=None, max_retries=0).acting_for("p-42")
    options: CallOptions = {"timeout": 2.5, "max_retries": 1}
    try:
        patient.profile.get(**options)
    except Forbidden as exc:
        reason: Reason = exc.reason
        assert reason is Reason.CONSENT_MISSING
    except RateLimited as exc:
        request_id: str | None = exc.request_id
        wait: float | None = exc.retry_after
        assert request_id or wait
    except ResponseValidationError as exc:
        where: str = exc.field
        print(where, exc.status)
    except ApiError as exc:
        status: int = exc.status
        headers: dict[str, str] = exc.headers
        fields: tuple[FieldError, ...] = exc.field_errors
        messages = {error.field: error.message for error in fields}
        print(status, headers.get("x-request-id"), messages)
    except (ConnectError, Timeout) as exc:
        failure: TransportError = exc
        print(failure)
    assert DEFAULT_TIMEOUT.read
    paths: dict[str, object] = openapi_document()["paths"]
    assert paths
    client.close()


def sync_sandbox(national_id: str) -> None:
    with PortalClient("http://127.0.0.1:8000") as anonymous:
        sandbox = Sandbox(anonymous)
        token: SandboxToken = sandbox.login(national_id, LoginMethod.BUYPASS_MOBILE)
        client: PortalClient = anonymous.with_options(token=token.access_token)
        kari: PortalClient = sandbox.client_for(national_id)
        clock: SandboxClock = sandbox.advance_clock(dt.timedelta(days=1))
        sandbox.set_clock(clock.now)
        sandbox.reset_clock()
        staff = anonymous.with_options(token=sandbox.clinic_login("clinic-1").access_token)
        staff.clinics.add_relation(
            "clinic-1", principal_id="p-1", representative_id="p-2", kind=RelationKind.PARENT
        )
        assert client.session.get() != kari.session.get()


async def async_portal() -> None:
    async def token_provider() -> str:
        return "a-fresh-token"

    async with AsyncPortalClient(
        "https://portal.example.no",
        token=token_provider,
        http_client=httpx.AsyncClient(),
    ) as client:
        profile: Versioned[Patient] = await client.profile.get()
        await client.profile.update(if_match=profile, name=PersonName("Kari", "Nordmann"))
        async for view in client.dialogs.list("inbox"):
            read: DialogView = await client.dialogs.read(view.dialog.id, timeout=3)
            assert read.unread is False
            files: list[Attachment] = await client.dialogs.list_attachments(
                view.dialog.id, view.dialog.messages[-1].id
            )
            one: AttachmentFile = await client.dialogs.download_attachment(
                view.dialog.id, files[0].id
            )
            assert one.content
        async for page in client.acting_for("p-42").consultations.list("past").pages():
            items: tuple[Consultation, ...] = page.data
            assert items
        first: Page[Represented] = await client.session.represented().pages().__anext__()
        assert first.data
        tab = client.payments.list()
        total: Money = await tab.total()
        rows: list[PaymentRow] = [row async for row in tab]
        assert total
        assert rows
        links: list[PublicServiceLink] = await client.public_services.list(max_retries=0)
        assert links

    anonymous = AsyncPortalClient("http://localhost:8000", token=lambda: "sync-provider-too")
    token: SandboxToken = await AsyncSandbox(anonymous).login("17912099997")
    assert token.person_id
    await anonymous.aclose()
