"""H1, H2, E1, E2, K3: start care, the connection to a clinic, and e-pharmacy renewals."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.models import (
    Action,
    AuthorKind,
    CareService,
    Clinic,
    CommunicationType,
    Counterpart,
    CounterpartKind,
    Dialog,
    DialogStatus,
    Message,
    PrescriptionRenewalRequest,
    PrescriptionRequestStatus,
    RelationKind,
    RenewalRoute,
    Unrecognized,
)
from patientsky.rules import (
    RENEWAL_ACTION,
    Allowed,
    Reason,
    add_relation,
    approve_renewal,
    change_clinic_offer,
    connect_patient,
    connection,
    may_start_care,
    may_start_dialog,
    needs_clinic_search,
    reject_renewal,
    request_prescription_renewal,
    startable_services,
)
from tests.strategies_rules import make_patient, oslo

NOW = oslo(2026, 3, 2, 10, 0)
WITH_GP = make_patient("patient", dt.date(1980, 5, 17), clinic_ids=("c1", "c2"), gp_id="gp-1")
WITHOUT_GP = make_patient("patient", dt.date(1980, 5, 17), clinic_ids=("c1", "c2"))
EVERYTHING = Clinic("c1", "Byklinikken", enabled_services=tuple(CareService))
BOOKING_ONLY = Clinic("c2", "Fjordklinikken", enabled_services=(CareService.BOOK_CONSULTATION,))


def test_each_clinic_decides_which_services_are_available() -> None:
    assert startable_services(EVERYTHING) == tuple(sorted(CareService, key=lambda s: s.value))
    assert startable_services(BOOKING_ONLY) == (CareService.BOOK_CONSULTATION,)
    assert startable_services(None) == ()


@given(st.sets(st.sampled_from(CareService)), st.sampled_from(CareService))
def test_a_service_can_be_started_exactly_where_the_clinic_enabled_it(
    enabled: set[CareService], service: CareService
) -> None:
    clinic = Clinic("c1", "Byklinikken", enabled_services=tuple(enabled))
    decision = may_start_care(clinic, service)
    assert bool(decision) is (service in enabled)
    if not decision:
        assert decision.reason is Reason.SERVICE_NOT_ENABLED


def test_a_patient_without_a_gp_must_search_for_a_clinic_first() -> None:
    assert needs_clinic_search(WITHOUT_GP)
    assert not needs_clinic_search(WITH_GP)
    assert may_start_care(None, CareService.BOOK_CONSULTATION).reason is Reason.NO_CLINIC_CHOSEN
    assert may_start_care(EVERYTHING, CareService.BOOK_CONSULTATION)


def test_video_consultation_only_where_enabled() -> None:
    assert may_start_care(EVERYTHING, CareService.VIDEO_CONSULTATION)
    assert may_start_care(BOOKING_ONLY, CareService.VIDEO_CONSULTATION).reason is (
        Reason.SERVICE_NOT_ENABLED
    )


def test_an_unknown_service_is_never_allowed() -> None:
    assert may_start_care(EVERYTHING, Unrecognized("acupuncture")).reason is (
        Reason.UNKNOWN_SERVICE
    )


def test_a_prescription_renewal_request_goes_to_a_clinic_that_enabled_it() -> None:
    outcome = request_prescription_renewal(
        request_id="rx1",
        patient=WITH_GP,
        clinic=EVERYTHING,
        medications=["Levaxin 50 mikrogram"],
        requested_by="patient",
        at=NOW,
        note="Som før",
    )
    assert isinstance(outcome, Allowed)
    request = outcome.value
    assert (request.clinic_id, request.requested_at, request.status) == (
        "c1",
        NOW,
        PrescriptionRequestStatus.SENT,
    )
    assert "Levaxin" not in repr(request)


def test_no_prescription_renewal_where_it_is_not_enabled_or_without_a_clinic() -> None:
    for clinic, reason in (
        (BOOKING_ONLY, Reason.SERVICE_NOT_ENABLED),
        (None, Reason.NO_CLINIC_CHOSEN),
    ):
        outcome = request_prescription_renewal(
            request_id="rx1",
            patient=WITHOUT_GP,
            clinic=clinic,
            medications=["Levaxin"],
            requested_by="patient",
            at=NOW,
        )
        assert outcome.decision.reason is reason


def test_a_prescription_renewal_request_refuses_bad_input() -> None:
    for medications, field in (([], "medications"), ("Levaxin", "medications")):
        with pytest.raises(InvalidInput, match=f"^{field}: "):
            request_prescription_renewal(
                request_id="rx1",
                patient=WITH_GP,
                clinic=EVERYTHING,
                medications=medications,
                requested_by="patient",
                at=NOW,
            )
    with pytest.raises(InvalidInput, match=r"^at: "):
        request_prescription_renewal(
            request_id="rx1",
            patient=WITH_GP,
            clinic=EVERYTHING,
            medications=["Levaxin"],
            requested_by="patient",
            at=dt.datetime(2026, 3, 2),
        )


# --- one connection rule for dialogs, bookings and renewals (H1, H2, M4, R4) ----------------

STRANGER = make_patient("stranger", dt.date(1980, 5, 17), clinic_ids=())
FULL = Clinic(
    "c1",
    "Byklinikken",
    enabled_services=tuple(CareService),
    enabled_communication_types=tuple(CommunicationType),
)


def test_a_patient_is_connected_exactly_to_the_clinics_that_connected_them() -> None:
    assert connection(WITH_GP, FULL)
    assert connection(STRANGER, FULL).reason is Reason.PATIENT_NOT_CONNECTED_TO_CLINIC
    connected = connect_patient(FULL, STRANGER)
    assert connection(connected, FULL)
    assert connected.clinic_ids == ("c1",)
    assert connect_patient(FULL, connected) is connected


@given(st.booleans(), st.sampled_from(CareService))
def test_dialogs_bookings_and_renewals_need_no_earlier_connection_only_what_the_clinic_enabled(
    connected: bool, service: CareService
) -> None:
    patient = connect_patient(FULL, STRANGER) if connected else STRANGER
    for type in CommunicationType:
        assert may_start_dialog(FULL, patient, type, NOW, fee_acknowledged=True)
    assert may_start_care(FULL, service)
    for route in RenewalRoute:
        renewal = request_prescription_renewal(
            request_id="rx1",
            patient=patient,
            clinic=FULL,
            medications=["Levaxin"],
            requested_by=patient.id,
            at=NOW,
            route=route,
        )
        assert renewal.unwrap().clinic_id == "c1"


def test_what_only_a_clinic_does_to_its_patients_asks_the_connection() -> None:
    outcome = add_relation(
        FULL,
        relation_id="r1",
        patient=STRANGER,
        representative_id="son",
        kind=RelationKind.FAMILY_CAREGIVER,
        at=NOW,
    )
    assert outcome.decision.reason is Reason.PATIENT_NOT_CONNECTED_TO_CLINIC
    connected = connect_patient(FULL, STRANGER)
    assert add_relation(
        FULL,
        relation_id="r1",
        patient=connected,
        representative_id="son",
        kind=RelationKind.FAMILY_CAREGIVER,
        at=NOW,
    )


def test_the_clinic_changes_what_it_offers() -> None:
    changed = change_clinic_offer(
        FULL,
        services=[CareService.BOOK_CONSULTATION],
        communication_types=[CommunicationType.OTHER_INQUIRY],
    )
    assert startable_services(changed) == (CareService.BOOK_CONSULTATION,)
    assert changed.enabled_communication_types == (CommunicationType.OTHER_INQUIRY,)
    assert change_clinic_offer(changed) == changed
    assert may_start_care(changed, CareService.PRESCRIPTION_RENEWAL).reason is (
        Reason.SERVICE_NOT_ENABLED
    )
    with pytest.raises(InvalidInput, match=r"^services: "):
        change_clinic_offer(FULL, services="book_consultation")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"^enabled_services"):
        change_clinic_offer(FULL, services=["acupuncture"])  # type: ignore[list-item]


# --- the renewal lifecycle (E1, E2) ---------------------------------------------------------


def _sent(
    route: RenewalRoute = RenewalRoute.START_CARE, clinic: Clinic = FULL
) -> PrescriptionRenewalRequest:
    return request_prescription_renewal(
        request_id="rx1",
        patient=WITH_GP,
        clinic=clinic,
        medications=["Levaxin 50 mikrogram"],
        requested_by="patient",
        at=NOW,
        route=route,
    ).unwrap()


def test_the_start_care_route_needs_the_service_and_the_e_pharmacy_the_request_type() -> None:
    service_only = Clinic("c1", "Byklinikken", enabled_services=[CareService.PRESCRIPTION_RENEWAL])
    type_only = Clinic(
        "c1", "Byklinikken", enabled_communication_types=[CommunicationType.PRESCRIPTION_REQUEST]
    )
    cases = (
        (service_only, RenewalRoute.START_CARE, None),
        (service_only, RenewalRoute.E_PHARMACY, Reason.TYPE_NOT_ENABLED_BY_CLINIC),
        (type_only, RenewalRoute.START_CARE, Reason.SERVICE_NOT_ENABLED),
        (type_only, RenewalRoute.E_PHARMACY, None),
    )
    for clinic, route, reason in cases:
        outcome = request_prescription_renewal(
            request_id="rx1",
            patient=WITH_GP,
            clinic=clinic,
            medications=["Levaxin"],
            requested_by="patient",
            at=NOW,
            route=route,
        )
        assert outcome.decision.reason is reason
        if reason is None:
            assert outcome.unwrap().route is route


def test_a_renewal_is_linked_to_its_prescription_request_dialog() -> None:
    message = Message("m1", AuthorKind.PATIENT, "patient", "Trenger ny resept", NOW)
    gp = Counterpart(CounterpartKind.CLINIC, "c1", "Byklinikken")
    dialog = Dialog(
        "d1", "patient", "c1", CommunicationType.PRESCRIPTION_REQUEST, gp, "Resept",
        DialogStatus.OPEN, (message,),
    )  # fmt: skip
    linked = request_prescription_renewal(
        request_id="rx1",
        patient=WITH_GP,
        clinic=FULL,
        medications=["Levaxin"],
        requested_by="patient",
        at=NOW,
        dialog=dialog,
    ).unwrap()
    assert linked.dialog_id == "d1"
    other = attrs.evolve(dialog, type=CommunicationType.OTHER_INQUIRY)
    with pytest.raises(InvalidInput, match=r"^dialog.type: "):
        request_prescription_renewal(
            request_id="rx1",
            patient=WITH_GP,
            clinic=FULL,
            medications=["Levaxin"],
            requested_by="patient",
            at=NOW,
            dialog=other,
        )


def test_an_approved_renewal_names_its_pharmacy_and_a_rejected_one_its_reason() -> None:
    sent = _sent()
    later = NOW + dt.timedelta(hours=3)
    approved = approve_renewal(sent, pharmacy="Apotek 1 Storgata", at=later).unwrap()
    assert approved.status is PrescriptionRequestStatus.APPROVED
    assert (approved.pharmacy, approved.decided_at, approved.rejection_reason) == (
        "Apotek 1 Storgata",
        later,
        None,
    )
    rejected = reject_renewal(sent, reason="Trenger kontroll først", at=later).unwrap()
    assert rejected.status is PrescriptionRequestStatus.REJECTED
    assert rejected.pharmacy is None
    assert "kontroll" not in repr(rejected)


def test_a_renewal_is_not_decided_before_it_was_sent() -> None:
    with pytest.raises(InvalidInput, match=r"^at: "):
        approve_renewal(_sent(), pharmacy="Apotek", at=NOW - dt.timedelta(seconds=1))


def test_an_unknown_renewal_status_is_never_decided() -> None:
    unknown = attrs.evolve(_sent(), status=Unrecognized("on_hold"))
    outcome = approve_renewal(unknown, pharmacy="Apotek", at=NOW)
    assert outcome.decision.reason is Reason.UNKNOWN_RENEWAL_STATUS


_DECISIONS = st.lists(st.tuples(st.booleans(), st.integers(0, 10_000)), min_size=1, max_size=5)


@given(_DECISIONS)
def test_a_renewal_is_decided_once_and_a_rejected_one_is_never_approved_later(
    decisions: list[tuple[bool, int]],
) -> None:
    request = _sent()
    first: PrescriptionRequestStatus | Unrecognized | None = None
    at = NOW
    for approve, minutes in decisions:
        at += dt.timedelta(minutes=minutes)
        outcome = (
            approve_renewal(request, pharmacy="Apotek", at=at)
            if approve
            else reject_renewal(request, reason="Nei", at=at)
        )
        if first is None:
            request = outcome.unwrap()
            first = request.status
        else:
            assert outcome.decision.reason is Reason.RENEWAL_ALREADY_DECIDED
        assert request.status is first
    assert first is not PrescriptionRequestStatus.SENT


def test_a_request_holds_a_pharmacy_or_a_reason_only_in_its_state() -> None:
    sent = _sent()
    with pytest.raises(InvalidInput, match=r"^pharmacy: "):
        attrs.evolve(sent, pharmacy="Apotek")
    with pytest.raises(InvalidInput, match=r"^decided_at: "):
        attrs.evolve(sent, status=PrescriptionRequestStatus.APPROVED, pharmacy="Apotek")
    with pytest.raises(InvalidInput, match=r"^decided_at: "):
        attrs.evolve(sent, decided_at=NOW - dt.timedelta(days=1))


def test_renewal_status_is_shown_with_the_action_that_sends_a_request() -> None:
    assert RENEWAL_ACTION is Action.REQUEST_PRESCRIPTION_RENEWAL
