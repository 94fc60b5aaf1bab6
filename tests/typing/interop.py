"""
The FHIR and calendar API, used as an application would: type-checked by mypy, never run.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from patientsky.fhir import (
    IdentifierSystem,
    consultation_from_fhir,
    patient_bundle,
    patient_from_fhir,
    patient_to_fhir,
)
from patientsky.ical import consultation_event, patient_feed, uid
from patientsky.models import Clinic, Consultation, Patient


def export_account(patient: Patient, consultations: list[Consultation], now: dt.datetime) -> str:
    bundle: dict[str, Any] = patient_bundle(
        patient, consultations=consultations, generated_at=now, base_url="https://fhir.example.org"
    )
    return json.dumps(bundle)


def national_id_system(patient: Patient) -> str:
    identifier: dict[str, str] = patient_to_fhir(patient)["identifier"][0]
    return identifier["system"] if identifier["system"] != IdentifierSystem.H_NUMBER else "H"


def import_records(patient: dict[str, Any], appointment: dict[str, Any]) -> tuple[str, str]:
    return patient_from_fhir(patient).id, consultation_from_fhir(appointment).id


def calendar_files(consultation: Consultation, clinic: Clinic) -> tuple[bytes, bytes, str]:
    one: bytes = consultation_event(consultation, clinic=clinic, sequence=2)
    feed: bytes = patient_feed([consultation], clinics=[clinic], name="Timer")
    return one, feed, uid(consultation)
