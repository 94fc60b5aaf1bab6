"""
The client against the OpenAPI document the sandbox ships: every operation has a call,
and each call's method, path, query, body, retry safety and response type agree with it.

When the contract changes, these tests say which call no longer fits.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import attrs
import pytest

from patientsky.client import _calls as calls
from patientsky.client import _clinic_side as clinic
from patientsky.client import _sandbox_calls as sandbox_helpers
from patientsky.client._core import Call
from patientsky.client._types import (
    CalendarFeed,
    CancellationNotice,
    ClinicServices,
    ConsentState,
    FeeNotice,
    FreeTime,
    PaymentRow,
    Represented,
    VideoLink,
)
from patientsky.contract import openapi_document
from patientsky.models import (
    AccessLogEntry,
    Action,
    Attachment,
    CareService,
    Clinic,
    CommunicationType,
    Consultation,
    ConsultationKind,
    ContactDetails,
    Dialog,
    Invoice,
    LoginMethod,
    LoginSession,
    Message,
    Money,
    Patient,
    Payment,
    PaymentMethod,
    PersonName,
    PhotoRef,
    PrescriptionRenewalRequest,
    PublicServiceLink,
    Relation,
    RelationKind,
    Terms,
)

DOCUMENT = openapi_document()
SCHEMAS: dict[str, Any] = DOCUMENT["components"]["schemas"]
AT = dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC)
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 8

# Fields of a response the client derives itself instead of reading.
DERIVED = {
    "Session": {"assurance"},  # LoginSession.assurance comes from the login method
    "DialogView": {"updatedAt"},  # Dialog.updated_at is the last message's time
}

# Writes that are harmless to repeat though the server does not deduplicate them.
HARMLESS_TO_REPEAT = {"sandboxLogin", "sandboxClinicLogin"}

Shape = tuple[str, Any]

# operationId -> (the call with every optional argument given, how its answer is read)
OPERATIONS: dict[str, tuple[Callable[[], Call[Any]], Shape]] = {
    "sandboxLogin": (
        lambda: sandbox_helpers._login("17912099997", LoginMethod.BUYPASS_MOBILE),
        ("object", sandbox_helpers.SandboxToken),
    ),
    "listDemoPeople": (sandbox_helpers._list_people, ("list", sandbox_helpers.DemoPerson)),
    "connectPatient": (
        lambda: clinic._connect("x-clinicId", "p", None),
        ("object", clinic.ClinicConnection),
    ),
    "clinicReplyToDialog": (
        lambda: clinic._reply("x-clinicId", "x-dialogId", "b", "pr", True, "k"),
        ("object", Message),
    ),
    "clinicCloseDialog": (
        lambda: clinic._close("x-clinicId", "x-dialogId", True, None),
        ("object", "DialogView"),
    ),
    "clinicIssueInvoice": (
        lambda: clinic._issue("x-clinicId", "p", Money.nok(350), AT.date(), "c", None),
        ("object", Invoice),
    ),
    "clinicSettleInvoice": (
        lambda: clinic._settle("x-clinicId", "x-invoiceId", PaymentMethod.CARD, None),
        ("object", clinic.Settlement),
    ),
    "clinicRefundPayment": (
        lambda: clinic._refund("x-clinicId", "x-paymentId", None),
        ("object", Payment),
    ),
    "clinicApproveRenewal": (
        lambda: clinic._approve("x-clinicId", "x-renewalId", "Apotek", None),
        ("object", PrescriptionRenewalRequest),
    ),
    "clinicRejectRenewal": (
        lambda: clinic._reject("x-clinicId", "x-renewalId", "why", None),
        ("object", PrescriptionRenewalRequest),
    ),
    "clinicChangeOffer": (
        lambda: clinic._offer(
            "x-clinicId", [CareService.BOOK_CONSULTATION], [CommunicationType.E_CONSULTATION], None
        ),
        ("object", Clinic),
    ),
    "clinicMarkConsultation": (
        lambda: clinic._mark("x-clinicId", "x-consultationId", False, None),
        ("object", Consultation),
    ),
    "sandboxClinicLogin": (
        lambda: sandbox_helpers._clinic_login("x-clinicId"),
        ("object", sandbox_helpers.ClinicToken),
    ),
    "getClock": (sandbox_helpers._get_clock, ("object", sandbox_helpers.SandboxClock)),
    "setClock": (lambda: sandbox_helpers._set_clock(AT), ("object", sandbox_helpers.SandboxClock)),
    "resetClock": (sandbox_helpers._reset_clock, ("object", sandbox_helpers.SandboxClock)),
    "advanceClock": (
        lambda: sandbox_helpers._advance_clock(60),
        ("object", sandbox_helpers.SandboxClock),
    ),
    "getSession": (calls.get_session, ("object", LoginSession)),
    "logout": (calls.logout, ("none", None)),
    "listRepresented": (lambda: calls.list_represented(10), ("page", Represented)),
    "getTerms": (calls.get_terms, ("object", Terms)),
    "getProfile": (lambda: calls.get_profile("me"), ("object", Patient)),
    "updateProfile": (
        lambda: calls.update_profile(
            "me", if_match='"v1"', name=PersonName("A", "B"), contact=ContactDetails()
        ),
        ("object", Patient),
    ),
    "getPhoto": (lambda: calls.download_photo("me"), ("bytes", None)),
    "putPhoto": (lambda: calls.upload_photo("me", PNG, None), ("object", PhotoRef)),
    "getConsent": (lambda: calls.get_consent("me"), ("object", ConsentState)),
    "giveConsent": (lambda: calls.give_consent("me", "2026-01"), ("object", ConsentState)),
    "withdrawConsent": (lambda: calls.withdraw_consent("me"), ("object", ConsentState)),
    "listConsultations": (
        lambda: calls.list_consultations("me", "past", 10),
        ("page", Consultation),
    ),
    "bookConsultation": (
        lambda: calls.book_consultation(
            "me",
            clinic_id="c",
            calendar_ids=["a"],
            start=AT,
            duration_minutes=15,
            kind=ConsultationKind.VIDEO,
            time_slot_type_id="t",
            comment="c",
            idempotency_key=None,
        ),
        ("object", Consultation),
    ),
    "cancelConsultation": (
        lambda: calls.cancel_consultation("me", "x-consultationId", None, True),
        ("object", Consultation),
    ),
    "getCancellationNotice": (
        lambda: calls.cancellation_notice("me", "x-consultationId"),
        ("object", CancellationNotice),
    ),
    "getVideoLink": (lambda: calls.video_link("me", "x-consultationId"), ("object", VideoLink)),
    "listDialogs": (lambda: calls.list_dialogs("me", "archive", 10), ("page", "DialogView")),
    "startDialog": (
        lambda: calls.start_dialog(
            "me",
            clinic_id="c",
            type=CommunicationType.E_CONSULTATION,
            subject="s",
            body="b",
            fee_acknowledged=True,
            idempotency_key=None,
        ),
        ("object", "DialogView"),
    ),
    "readDialog": (lambda: calls.read_dialog("me", "x-dialogId"), ("object", "DialogView")),
    "replyToDialog": (
        lambda: calls.reply_to_dialog("me", "x-dialogId", "b", None),
        ("object", Message),
    ),
    "uploadAttachment": (
        lambda: calls.upload_attachment("me", b"%PDF-1.4\n%%EOF\n", "a.pdf", None, None),
        ("object", Attachment),
    ),
    "listMessageAttachments": (
        lambda: calls.list_attachments("me", "x-dialogId", "x-messageId"),
        ("list", Attachment),
    ),
    "downloadAttachment": (
        lambda: calls.download_attachment("me", "x-dialogId", "x-attachmentId"),
        ("bytes", None),
    ),
    "getFeeNotice": (lambda: calls.fee_notice("me", "x-clinicId"), ("object", FeeNotice)),
    "getClinicServices": (
        lambda: calls.clinic_services("me", "x-clinicId"),
        ("object", ClinicServices),
    ),
    "listPayments": (lambda: calls.list_payments("me", "all_paid", 10), ("page", PaymentRow)),
    "downloadReceipt": (lambda: calls.receipt("me", "x-paymentId"), ("bytes", None)),
    "listRelations": (lambda: calls.list_relations("me", 10), ("page", Relation)),
    "listAccessLog": (lambda: calls.list_access_log("me", 10), ("page", AccessLogEntry)),
    "changeRelation": (
        lambda: calls.change_relation(
            "me", "x-relationId", actions=[Action.READ_MESSAGES], enabled=True
        ),
        ("object", Relation),
    ),
    "removeRelation": (lambda: calls.remove_relation("me", "x-relationId"), ("none", None)),
    "listPrescriptionRenewals": (
        lambda: calls.list_renewals("me", 10),
        ("page", PrescriptionRenewalRequest),
    ),
    "requestPrescriptionRenewal": (
        lambda: calls.request_renewal(
            "me", clinic_id="c", medications=["m"], note="n", idempotency_key=None
        ),
        ("object", PrescriptionRenewalRequest),
    ),
    "searchClinics": (lambda: calls.search_clinics("q", "Oslo", 10), ("page", Clinic)),
    "getClinic": (lambda: calls.get_clinic("x-clinicId"), ("object", Clinic)),
    "getFreeTime": (
        lambda: calls.free_time(
            "x-clinicId",
            start=AT,
            end=AT + dt.timedelta(days=1),
            duration_minutes=30,
            calendar_id="c",
            time_slot_type_id="t",
        ),
        ("list", FreeTime),
    ),
    "addRelation": (
        lambda: calls.add_relation(
            "x-clinicId",
            principal_id="a",
            representative_id="b",
            kind=RelationKind.GUARDIAN,
            actions=[Action.VIEW_PROFILE],
            valid_from=AT,
            valid_until=AT + dt.timedelta(days=1),
            idempotency_key=None,
        ),
        ("object", Relation),
    ),
    "listPublicServices": (calls.public_services, ("list", PublicServiceLink)),
    "exportFhir": (lambda: calls.export_fhir("me"), ("fhir", None)),
    "createCalendarFeed": (lambda: calls.create_calendar_feed("me"), ("object", CalendarFeed)),
    "rotateCalendarFeed": (lambda: calls.rotate_calendar_feed("me"), ("object", CalendarFeed)),
    "revokeCalendarFeed": (lambda: calls.revoke_calendar_feed("me"), ("none", None)),
    "getCalendarFeed": (lambda: calls.fetch_calendar_feed("x-feedToken"), ("bytes", None)),
    "getCalendar": (lambda: calls.calendar_file("me"), ("bytes", None)),
    "getServerTime": (calls.server_time, ("object", calls._ServerTime)),
}

NOT_FOR_THE_CLIENT = {"health"}


def _operations() -> dict[str, tuple[str, str, dict[str, Any]]]:
    found = {}
    for path, item in DOCUMENT["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                found[op["operationId"]] = (method.upper(), path, op)
    return found


DOCUMENTED = _operations()


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = SCHEMAS[schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _name(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[1] if isinstance(ref, str) else None


def _properties(schema: dict[str, Any]) -> tuple[set[str], set[str]]:
    schema = _resolve(schema)
    props: set[str] = set(schema.get("properties", {}))
    required: set[str] = set(schema.get("required", []))
    for part in schema.get("allOf", []):
        more, more_required = _properties(part)
        props |= more
        required |= more_required
    return props, required


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def _fields(cls: Any) -> tuple[set[str], set[str]]:
    if cls == "DialogView":
        props, required = _fields(Dialog)
        return props | {"folder", "unread"}, required | {"folder", "unread"}
    fields = attrs.fields(cls)
    names = {_camel(f.alias.lstrip("_")) for f in fields}
    required = {_camel(f.alias.lstrip("_")) for f in fields if f.default is attrs.NOTHING}
    return names, required


def _success(op: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    status = min(int(code) for code in op["responses"] if code.startswith("2"))
    return status, op["responses"][str(status)]


def test_every_operation_of_the_contract_has_a_call() -> None:
    assert set(DOCUMENTED) - NOT_FOR_THE_CLIENT == set(OPERATIONS)


@pytest.mark.parametrize("op_id", sorted(OPERATIONS))
def test_each_call_uses_the_method_path_and_query_of_its_operation(op_id: str) -> None:
    method, template, op = DOCUMENTED[op_id]
    call = OPERATIONS[op_id][0]()
    assert call.method == method
    path = re.sub(r"\{(\w+)\}", lambda m: "me" if m[1] == "patientId" else f"x-{m[1]}", template)
    assert "/v1/" + "/".join(call.path) == path
    query = {p["name"]: p for p in op.get("parameters", []) if p.get("in") == "query"}
    sent = {name for name, _ in call.params}
    assert sent <= set(query)
    assert {n for n, p in query.items() if p.get("required")} <= sent


@pytest.mark.parametrize("op_id", sorted(OPERATIONS))
def test_each_calls_body_fits_its_operations_request_body(op_id: str) -> None:
    _, _, op = DOCUMENTED[op_id]
    call = OPERATIONS[op_id][0]()
    content = op.get("requestBody", {}).get("content", {})
    if not content:
        assert call.body is None
        return
    content_type = call.content_type
    if content_type == "application/json" and "application/merge-patch+json" in content:
        content_type = "application/merge-patch+json"  # the sandbox reads either as a merge patch
    assert content_type in content
    if not (content_type or "").endswith("json"):
        return
    props, required = _properties(content[content_type]["schema"])
    sent = set(json.loads(call.body or b"{}"))
    assert sent <= props
    assert required <= sent


@pytest.mark.parametrize("op_id", sorted(OPERATIONS))
def test_a_write_is_retried_only_if_the_contract_makes_a_repeat_harmless(op_id: str) -> None:
    method, _, op = DOCUMENTED[op_id]
    call = OPERATIONS[op_id][0]()
    keyed = any(p.get("name") == "Idempotency-Key" for p in op.get("parameters", []))
    if keyed:
        assert call.idempotent
    elif method == "POST" and op_id not in HARMLESS_TO_REPEAT:
        assert not call.idempotent
    if any(p.get("name") == "If-Match" for p in op.get("parameters", [])):
        assert call.if_match is not None


@pytest.mark.parametrize("op_id", sorted(OPERATIONS))
def test_each_call_reads_the_answer_its_operation_gives(op_id: str) -> None:
    _, _, op = DOCUMENTED[op_id]
    shape, cls = OPERATIONS[op_id][1]
    status, response = _success(op)
    content = response.get("content", {})
    if shape == "none":
        assert status == 204
        assert not content
        return
    if shape == "bytes":
        assert content
        assert "application/json" not in content
        return
    if shape == "fhir":
        assert set(content) == {calls.FHIR_JSON}
        return
    schema = content["application/json"]["schema"]
    name = _name(schema)
    if shape in ("page", "list"):
        props, _ = _properties(schema)
        assert "data" in props
        assert ("nextCursor" in props) is (shape == "page")
        schema = _resolve(schema)["properties"]["data"]["items"]
        name = _name(schema)
    props, required = _properties(schema)
    mine, my_required = _fields(cls)
    assert mine <= props, f"the client reads fields {mine - props} that {name} lacks"
    assert my_required <= required, f"the client needs {my_required - required} of {name}"
    missing = required - mine - DERIVED.get(name or "", set())
    assert not missing, f"{name} has fields {missing} that the client does not read"


def test_money_and_patients_are_read_by_the_models_the_contract_names() -> None:
    assert _fields(Money)[0] == _properties({"$ref": "#/components/schemas/Money"})[0]
    assert _fields(Patient)[0] == _properties({"$ref": "#/components/schemas/Patient"})[0]
