"""
:class:`~patientsky.models.consultation.ConsultationKind`, on its own.

The client's ``book`` takes ``ConsultationKind.IN_PERSON`` as its default, so the enum
must exist when the client is imported; kept apart from the consultation model, it
loads without the models a consultation holds. Its public home is
:mod:`patientsky.models.consultation`.
"""

from __future__ import annotations

import enum

__all__ = ["ConsultationKind"]


class ConsultationKind(enum.Enum):
    """How a consultation takes place (K2, K3)."""

    IN_PERSON = "in_person"
    VIDEO = "video"

    @property
    def label_nb(self) -> str:
        """The kind's name in Norwegian bokmål."""
        return "Oppmøte" if self is ConsultationKind.IN_PERSON else "Videokonsultasjon"


ConsultationKind.__module__ = "patientsky.models.consultation"
