"""H1, H2, E1, K3: start care and e-pharmacy."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.models import CareService, Clinic, PrescriptionRequestStatus, Unrecognized
from patientsky.rules import (
    Allowed,
    Reason,
    may_start_care,
    needs_clinic_search,
    request_prescription_renewal,
    startable_services,
)
from tests.strategies_rules import make_patient, oslo

NOW = oslo(2026, 3, 2, 10, 0)
WITH_GP = make_patient("patient", dt.date(1980, 5, 17), gp_id="gp-1")
WITHOUT_GP = make_patient("patient", dt.date(1980, 5, 17))
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
