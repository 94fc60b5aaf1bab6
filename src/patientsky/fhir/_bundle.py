"""
The patient's own export: everything their account holds, as one FHIR Bundle.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from patientsky.fhir._audit import access_log_entry_to_fhir
from patientsky.fhir._common import Resource, instant, validated
from patientsky.fhir._people import (
    clinic_to_fhir,
    patient_to_fhir,
    practitioner_to_fhir,
    relation_consent_to_fhir,
    relation_to_fhir,
)
from patientsky.fhir._records import (
    consent_history_to_fhir,
    consultation_to_fhir,
    dialog_to_fhir,
    invoice_to_fhir,
    payment_to_fhir,
)
from patientsky.models import (
    AccessLogEntry,
    Clinic,
    ConsentHistory,
    Consultation,
    ConsultationStatus,
    Dialog,
    Invoice,
    Patient,
    Payment,
    Practitioner,
    Relation,
)


def patient_bundle(
    patient: Patient,
    *,
    relations: Iterable[Relation] = (),
    consent: ConsentHistory | None = None,
    dialogs: Iterable[Dialog] = (),
    consultations: Iterable[Consultation] = (),
    invoices: Iterable[Invoice] = (),
    payments: Iterable[Payment] = (),
    clinics: Iterable[Clinic] = (),
    practitioners: Iterable[Practitioner] = (),
    access_log: Iterable[AccessLogEntry] = (),
    generated_at: dt.datetime | None = None,
    base_url: str | None = None,
) -> Resource:
    """
    Return everything a patient's account holds as a FHIR ``collection`` Bundle.

    This is the answer to "what do you hold about me": the patient, their relations
    (RelatedPerson and Consent each), their consent history, dialogs, consultations,
    invoices and payments, the access log, and the clinics and practitioners these
    refer to.
    Consultations whose status this version does not know are left out (FHIR's
    appointment status is a closed set); every other record is included.

    Args:
        patient: Whose account.
        relations: Relations in which the patient is represented.
        consent: The patient's consent history.
        dialogs: The patient's dialogs.
        consultations: The patient's consultations.
        invoices: The patient's invoices.
        payments: The patient's payments.
        clinics: The clinics referred to.
        practitioners: The practitioners referred to.
        access_log: The patient's access log (AL1), as AuditEvents.
        generated_at: When the export was made (``Bundle.timestamp``); pass the
            clock's time, as the library never reads a clock.
        base_url: The FHIR base the references resolve against; when given, every
            entry has a ``fullUrl`` of ``{base_url}/{type}/{id}``.

    Raises:
        InvalidInput: If an id is not a FHIR id.
    """
    resources: list[Resource] = [patient_to_fhir(patient)]
    resources += [clinic_to_fhir(c) for c in clinics]
    resources += [practitioner_to_fhir(p) for p in practitioners]
    for relation in relations:
        resources += [relation_to_fhir(relation), relation_consent_to_fhir(relation)]
    if consent is not None:
        resources += consent_history_to_fhir(consent)
    for dialog in dialogs:
        resources += dialog_to_fhir(dialog)
    resources += [
        consultation_to_fhir(c) for c in consultations if isinstance(c.status, ConsultationStatus)
    ]
    resources += [invoice_to_fhir(i) for i in invoices]
    resources += [payment_to_fhir(p) for p in payments]
    resources += [access_log_entry_to_fhir(e) for e in access_log]
    entries = []
    for resource in resources:
        entry: Resource = {"resource": resource}
        if base_url is not None:
            entry["fullUrl"] = f"{base_url.rstrip('/')}/{resource['resourceType']}/{resource['id']}"
        entries.append(entry)
    bundle: Resource = {"resourceType": "Bundle", "type": "collection", "entry": entries}
    if generated_at is not None:
        bundle["timestamp"] = instant(generated_at)
    return validated(bundle)
