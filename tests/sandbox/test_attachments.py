"""
Attachments on messages (M8), through both clients against the sandbox, and raw HTTP where
a client would refuse to send what the test needs to send.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from patientsky.client import AsyncPortalClient, FileUpload, PortalClient
from patientsky.client.sandbox import AsyncSandbox, Sandbox
from patientsky.errors import ApiConflict, ApiNotFound, BadRequest, Forbidden, InvalidInput
from patientsky.models import CommunicationType
from patientsky.rules.attachments import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS_PER_MESSAGE,
    MAX_PENDING_ATTACHMENTS,
    content_disposition,
    sniff,
)
from patientsky.sandbox import Limits, Rate, SandboxClock, create_app, serve_in_thread
from tests.images import JPEG, PDF, PNG
from tests.sandbox.conftest import Api

HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 40
DIALOG = "dlg-kari-1"


@pytest.fixture
def api(clock: SandboxClock) -> Iterator[Api]:
    """A fresh sandbox without rate limits: these tests upload more than a person would."""
    app = create_app(clock=clock, limits=Limits.unlimited())
    with serve_in_thread(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        yield Api(app, client)


@pytest.fixture
def kari(api: Api) -> Iterator[PortalClient]:
    with Sandbox(PortalClient(str(api.client.base_url))).client_for("kari") as client:
        yield client


def _client(api: Api, person: str) -> PortalClient:
    return Sandbox(PortalClient(str(api.client.base_url))).client_for(person)


def _upload(api: Api, who: str, content: bytes, media_type: str, name: str) -> httpx.Response:
    return api.client.post(
        "/v1/patients/me/attachments",
        content=content,
        headers={
            **api.auth(who),
            "Content-Type": media_type,
            "Content-Disposition": content_disposition(name),
        },
    )


def test_files_go_with_a_reply_and_come_back_as_they_were_sent(
    api: Api, kari: PortalClient, tmp_path: Path
) -> None:
    letter = tmp_path / "henvisning.pdf"
    letter.write_bytes(PDF)
    uploaded = kari.dialogs.upload_attachment(JPEG, file_name="C:\\Bilder\\kne.jpg")
    assert uploaded.file_name == "kne.jpg"
    message = kari.dialogs.reply(
        DIALOG,
        "Her er bilde og brev.",
        attachments=[uploaded, letter, FileUpload(PNG, "utslett.png")],
    )
    assert [a.file_name for a in message.attachments] == [
        "kne.jpg",
        "henvisning.pdf",
        "utslett.png",
    ]
    assert [a.media_type for a in message.attachments] == [
        "image/jpeg",
        "application/pdf",
        "image/png",
    ]
    assert kari.dialogs.list_attachments(DIALOG, message.id) == list(message.attachments)
    for attachment, content in zip(message.attachments, (JPEG, PDF, PNG), strict=True):
        assert attachment.sha256 == hashlib.sha256(content).hexdigest()
        got = kari.dialogs.download_attachment(DIALOG, attachment.id)
        assert (got.content, got.media_type, got.file_name) == (
            content,
            attachment.media_type,
            attachment.file_name,
        )
    thread = kari.dialogs.read(DIALOG).dialog
    assert thread.messages[-1].attachments == message.attachments


def test_a_new_dialog_starts_with_a_heic_photo(api: Api, kari: PortalClient) -> None:
    view = kari.dialogs.start(
        clinic_id="clinic-sentrum",
        type=CommunicationType.OTHER_INQUIRY,
        subject="Føflekk",
        body="Se bildet.",
        attachments=[FileUpload(HEIC, "IMG_0001.HEIC")],
    )
    (attachment,) = view.dialog.messages[0].attachments
    assert (attachment.media_type, attachment.file_name) == ("image/heic", "IMG_0001.HEIC")
    got = kari.dialogs.download_attachment(view.dialog.id, attachment.id)
    assert got.content == HEIC


def test_the_async_client_sends_lists_and_downloads(api: Api) -> None:
    async def walk() -> None:
        base = str(api.client.base_url)
        async with await AsyncSandbox(AsyncPortalClient(base)).client_for("kari") as kari:
            message = await kari.dialogs.reply(
                DIALOG, "PDF", attachments=[FileUpload(PDF, "brev.pdf")]
            )
            listed = await kari.dialogs.list_attachments(DIALOG, message.id)
            assert listed == list(message.attachments)
            got = await kari.dialogs.download_attachment(DIALOG, listed[0].id)
            assert (got.content, got.media_type, got.file_name) == (
                PDF,
                "application/pdf",
                "brev.pdf",
            )

    asyncio.run(walk())


def test_a_png_labelled_as_a_pdf_is_refused(api: Api, kari: PortalClient) -> None:
    with pytest.raises(InvalidInput) as refused_here:
        kari.dialogs.upload_attachment(PNG, file_name="brev.pdf", media_type="application/pdf")
    assert refused_here.value.field == "media_type"
    response = _upload(api, "p-kari", PNG, "application/pdf", "brev.pdf")
    assert response.status_code == 415
    problem = response.json()
    assert problem["code"] == "attachment_content_mismatch"
    assert problem["errors"] == [{"field": "body", "message": problem["detail"]}]
    assert api.sandbox.storage.count("attachments") == 0


@pytest.mark.parametrize(
    ("content", "media_type", "status", "code"),
    [
        (JPEG[:40] + b"\x00" * 200, "image/jpeg", 415, "attachment_content_mismatch"),
        (PDF[:-6], "application/pdf", 415, "attachment_content_mismatch"),
        (b"<html><script>alert(1)</script>", "text/html", 415, "attachment_type_not_allowed"),
        (b"MZ\x90\x00", "application/octet-stream", 415, "attachment_type_not_allowed"),
        (b"", "image/png", 415, "attachment_content_mismatch"),
    ],
)
def test_what_is_not_a_whole_file_of_its_type_is_refused(
    api: Api, content: bytes, media_type: str, status: int, code: str
) -> None:
    response = _upload(api, "p-kari", content, media_type, "x")
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.headers["content-type"] == "application/problem+json"


def test_a_file_too_large_is_refused_with_413(api: Api) -> None:
    response = _upload(api, "p-kari", PDF + b"\x00" * MAX_ATTACHMENT_BYTES, "application/pdf", "x")
    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert api.sandbox.storage.count("attachments") == 0


def test_a_file_of_the_limit_is_taken(api: Api) -> None:
    content = PDF[:9] + b" " * (MAX_ATTACHMENT_BYTES - len(PDF)) + PDF[9:]
    assert len(content) == MAX_ATTACHMENT_BYTES
    assert _upload(api, "p-kari", content, "application/pdf", "stor.pdf").status_code == 201


def test_too_many_attachments_are_refused_naming_the_field(api: Api, kari: PortalClient) -> None:
    files = [
        kari.dialogs.upload_attachment(PDF, file_name=f"{n}.pdf")
        for n in range(MAX_ATTACHMENTS_PER_MESSAGE + 1)
    ]
    with pytest.raises(BadRequest) as refused:
        kari.dialogs.reply(DIALOG, "Mange", attachments=files)
    assert refused.value.status == 422
    assert refused.value.code == "too_many_attachments"
    assert [e.field for e in refused.value.field_errors] == ["attachmentIds"]
    # Nothing was sent: the files can still go, five at a time.
    sent = kari.dialogs.reply(DIALOG, "Fem", attachments=files[:MAX_ATTACHMENTS_PER_MESSAGE])
    assert len(sent.attachments) == MAX_ATTACHMENTS_PER_MESSAGE


def test_an_attachment_goes_with_one_message_only(api: Api, kari: PortalClient) -> None:
    uploaded = kari.dialogs.upload_attachment(PDF, file_name="brev.pdf")
    kari.dialogs.reply(DIALOG, "Første", attachments=[uploaded])
    with pytest.raises(BadRequest) as refused:
        kari.dialogs.reply(DIALOG, "Andre", attachments=[uploaded])
    assert (refused.value.status, refused.value.code) == (422, "attachment_unavailable")
    assert [e.field for e in refused.value.field_errors] == ["attachmentIds[0]"]


def test_an_unsent_attachment_expires_after_a_day(api: Api, kari: PortalClient) -> None:
    uploaded = kari.dialogs.upload_attachment(PDF, file_name="brev.pdf")
    api.sandbox.clock.set(api.sandbox.clock.now() + dt.timedelta(hours=24, seconds=1))
    with _client(api, "kari") as again, pytest.raises(BadRequest) as refused:
        again.dialogs.reply(DIALOG, "For sent", attachments=[uploaded])
    assert refused.value.code == "attachment_unavailable"


def test_someone_elses_upload_cannot_be_sent(api: Api, kari: PortalClient) -> None:
    with _client(api, "jonas") as jonas:
        theirs = jonas.dialogs.upload_attachment(PDF, file_name="brev.pdf")
    with pytest.raises(BadRequest) as refused:
        kari.dialogs.reply(DIALOG, "Lånt", attachments=[theirs])
    assert refused.value.code == "attachment_unavailable"


def test_unsent_uploads_are_bounded(api: Api) -> None:
    for n in range(MAX_PENDING_ATTACHMENTS):
        assert _upload(api, "p-jonas", PDF, "application/pdf", f"{n}").status_code == 201
    response = _upload(api, "p-jonas", PDF, "application/pdf", "one more")
    assert response.status_code == 409
    assert response.json()["code"] == "too_many_pending_attachments"


def test_a_retried_upload_and_message_store_nothing_twice(api: Api, kari: PortalClient) -> None:
    first = kari.dialogs.upload_attachment(PDF, file_name="brev.pdf", idempotency_key="up-1")
    again = kari.dialogs.upload_attachment(PDF, file_name="brev.pdf", idempotency_key="up-1")
    assert again == first
    assert api.sandbox.storage.count("attachments") == 1
    files = [FileUpload(PNG, "a.png"), FileUpload(JPEG, "b.jpg")]
    sent = kari.dialogs.reply(DIALOG, "To filer", attachments=files, idempotency_key="msg-1")
    retried = kari.dialogs.reply(DIALOG, "To filer", attachments=files, idempotency_key="msg-1")
    assert retried == sent
    assert api.sandbox.storage.count("attachments") == 3
    # The same key with another file name is another request: refused, not replayed.
    with pytest.raises(ApiConflict) as clash:
        kari.dialogs.upload_attachment(PDF, file_name="annet.pdf", idempotency_key="up-1")
    assert clash.value.code == "idempotency_key_reused"


def test_another_patient_cannot_list_or_download(api: Api, kari: PortalClient) -> None:
    message = kari.dialogs.reply(DIALOG, "Privat", attachments=[FileUpload(PDF, "brev.pdf")])
    attachment = message.attachments[0]
    with _client(api, "jonas") as jonas:
        # Kari's path: the rules refuse a stranger.
        with pytest.raises(Forbidden) as refused:
            jonas.acting_for("p-kari").dialogs.download_attachment(DIALOG, attachment.id)
        assert refused.value.code == "no_relation"
        with pytest.raises(Forbidden):
            jonas.acting_for("p-kari").dialogs.list_attachments(DIALOG, message.id)
        # His own path: Kari's dialog is not his.
        with pytest.raises(ApiNotFound):
            jonas.dialogs.download_attachment(DIALOG, attachment.id)
        with pytest.raises(ApiNotFound):
            jonas.dialogs.list_attachments(DIALOG, message.id)


def test_a_parent_downloads_what_was_sent_in_the_childs_dialog(
    api: Api, kari: PortalClient
) -> None:
    emil = kari.acting_for("p-emil")
    message = emil.dialogs.reply(
        "dlg-emil-1", "Vaksinekort", attachments=[FileUpload(PDF, "v.pdf")]
    )
    got = emil.dialogs.download_attachment("dlg-emil-1", message.attachments[0].id)
    assert got.content == PDF
    # The file is in Emil's dialog, not in Kari's.
    with pytest.raises(ApiNotFound):
        kari.dialogs.download_attachment(DIALOG, message.attachments[0].id)


def test_a_download_is_an_attachment_the_browser_does_not_sniff(api: Api) -> None:
    response = _upload(api, "p-kari", PDF, "application/pdf", '../"rapport"\r\n<æ>.pdf')
    assert response.status_code == 201
    attachment = response.json()
    assert attachment["fileName"] == "_rapport__æ_.pdf"
    owner = api.auth("p-kari")
    sent = api.client.post(
        f"/v1/patients/me/dialogs/{DIALOG}/messages",
        json={"body": "Rapport", "attachmentIds": [attachment["id"]]},
        headers=owner,
    )
    assert sent.status_code == 201
    response = api.client.get(
        f"/v1/patients/me/dialogs/{DIALOG}/attachments/{attachment['id']}", headers=owner
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"_rapport____.pdf\"; filename*=UTF-8''_rapport__%C3%A6_.pdf"
    )
    assert "sandbox" in response.headers["content-security-policy"]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    prefix=st.sampled_from([b"", b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"%PDF-1.7", PNG, JPEG]),
    tail=st.binary(max_size=200),
    media_type=st.sampled_from(
        ["image/jpeg", "image/png", "image/heic", "application/pdf", "application/octet-stream"]
    ),
    name=st.text(max_size=200),
    raw=st.none()
    | st.sampled_from(
        [
            "",
            "inline",
            'attachment; filename=""',
            "attachment; filename*=UTF-8''%FF%FE%00",
            "attachment; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd",
            'attachment; filename="' + "x" * 5000 + '"',
            "attachment; filename=\"a\\b\"; filename*=UTF-8''",
        ]
    ),
)
def test_no_hostile_upload_reaches_a_server_error(
    api: Api, prefix: bytes, tail: bytes, media_type: str, name: str, raw: str | None
) -> None:
    content = prefix + tail
    disposition = content_disposition(name) if raw is None else raw
    response = api.client.post(
        "/v1/patients/me/attachments",
        content=content,
        headers={
            **_kari_headers(api),
            "Content-Type": media_type,
            "Content-Disposition": disposition,
        },
    )
    assert response.status_code < 500, response.text
    if response.status_code == 201:
        kind = response.json()["mediaType"]
        assert sniff(content) == kind
        assert media_type in (kind, "application/octet-stream")
        assert "/" not in response.json()["fileName"]
    elif response.status_code != 409:  # 409: too many unsent uploads
        assert response.headers["content-type"] == "application/problem+json"
        assert response.status_code in (400, 413, 415)


_TOKENS: dict[int, dict[str, str]] = {}


def _kari_headers(api: Api) -> dict[str, str]:
    key = id(api)
    if key not in _TOKENS:
        _TOKENS[key] = api.auth("p-kari")
    return _TOKENS[key]


def test_uploads_count_against_the_upload_rate_limit(clock: SandboxClock) -> None:
    limits = Limits(photos_per_caller=Rate(burst=2, per_minute=1))
    app = create_app(clock=clock, limits=limits)
    with serve_in_thread(app) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        api = Api(app, client)
        statuses = [
            _upload(api, "p-kari", PDF, "application/pdf", f"{n}.pdf").status_code for n in range(3)
        ]
        assert statuses == [201, 201, 429]


def test_neither_a_file_nor_its_name_is_logged(
    api: Api, kari: PortalClient, caplog: pytest.LogCaptureFixture
) -> None:
    marker = "hemmelig-diagnose"
    content = PDF[:9] + f"% {marker}\n".encode() + PDF[9:]
    with caplog.at_level("DEBUG"):
        message = kari.dialogs.reply(
            DIALOG, "Vedlagt", attachments=[FileUpload(content, f"{marker}.pdf")]
        )
        kari.dialogs.download_attachment(DIALOG, message.attachments[0].id)
        _upload(api, "p-kari", content + b"\x00", "application/pdf", f"{marker}-2.pdf")
    # httpcore's DEBUG trace prints every header (the bearer token too) and is not the
    # project's; everything else, httpx's request lines included, names no file.
    logged = [r.getMessage() for r in caplog.records if not r.name.startswith("httpcore")]
    assert any("/attachments" in line for line in logged)  # the calls were logged
    assert not [line for line in logged if marker in line]
