"""
The names the API shows next to ids: GP, practitioner, representative.

They are a view: the stored records keep the ids only, and each answer looks the names
up, so a renamed practitioner or person shows their new name everywhere at once.
"""

from __future__ import annotations

import attrs

from patientsky.models import Consultation, Patient, PersonName, Relation
from patientsky.sandbox._context import Ctx

__all__ = ["gp_name", "named_consultation", "named_patient", "named_relation"]


def _practitioner_name(ctx: Ctx, practitioner_id: str | None) -> PersonName | None:
    found = None if practitioner_id is None else ctx.repo.practitioner(practitioner_id)
    return None if found is None else found.name


def gp_name(ctx: Ctx, patient: Patient) -> PersonName | None:
    """The name of the patient's GP, if they have one the sandbox knows."""
    return _practitioner_name(ctx, patient.gp_id)


def named_patient(ctx: Ctx, patient: Patient) -> Patient:
    """The patient with their GP's name."""
    return attrs.evolve(patient, gp_name=gp_name(ctx, patient))


def named_consultation(ctx: Ctx, consultation: Consultation) -> Consultation:
    """The consultation with its practitioner's name."""
    name = _practitioner_name(ctx, consultation.practitioner_id)
    return attrs.evolve(consultation, practitioner_name=name)


def named_relation(ctx: Ctx, relation: Relation) -> Relation:
    """The relation with its representative's name."""
    person = ctx.repo.patient(relation.representative_id)
    return attrs.evolve(relation, representative_name=None if person is None else person.name)
