"""
FHIR R4 export and import, following HL7 Norway's base profiles (no-basis).

Each ``*_to_fhir`` function maps a model to FHIR resources as JSON-ready data
(``dict``), checked against the R4B models of the ``fhir.resources`` package;
``patient_from_fhir``, ``relation_from_fhir``, ``consultation_from_fhir`` and
``access_log_entry_from_fhir`` read
them back, refusing what the models cannot hold with an
:class:`~patientsky.errors.InvalidInput` naming the field.

Needs the extra ``fhir`` (``pip install "patientsky[fhir]"``); ``import patientsky``
never loads it. See the mapping table in the docs' "Interoperability" page.

>>> from patientsky.fhir import IdentifierSystem
>>> IdentifierSystem.FODSELSNUMMER.value
'urn:oid:2.16.578.1.12.4.1.4.1'
"""

from __future__ import annotations

try:
    import fhir.resources  # noqa: F401 - fail here, with the extra's name, if it is missing
except ImportError as exc:  # pragma: no cover - exercised by a test in a subprocess
    raise ImportError(
        'patientsky.fhir needs the "fhir" extra: pip install "patientsky[fhir]"'
    ) from exc

from patientsky.fhir._audit import access_log_entry_from_fhir, access_log_entry_to_fhir
from patientsky.fhir._bundle import patient_bundle
from patientsky.fhir._common import CodeSystem, IdentifierSystem
from patientsky.fhir._people import (
    clinic_to_fhir,
    patient_from_fhir,
    patient_to_fhir,
    practitioner_to_fhir,
    relation_consent_to_fhir,
    relation_from_fhir,
    relation_to_fhir,
)
from patientsky.fhir._records import (
    consent_history_to_fhir,
    consultation_from_fhir,
    consultation_to_fhir,
    dialog_to_fhir,
    invoice_to_fhir,
    payment_to_fhir,
)

__all__ = [
    "CodeSystem",
    "IdentifierSystem",
    "access_log_entry_from_fhir",
    "access_log_entry_to_fhir",
    "clinic_to_fhir",
    "consent_history_to_fhir",
    "consultation_from_fhir",
    "consultation_to_fhir",
    "dialog_to_fhir",
    "invoice_to_fhir",
    "patient_bundle",
    "patient_from_fhir",
    "patient_to_fhir",
    "payment_to_fhir",
    "practitioner_to_fhir",
    "relation_consent_to_fhir",
    "relation_from_fhir",
    "relation_to_fhir",
]
