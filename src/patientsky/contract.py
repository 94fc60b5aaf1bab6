"""
The HTTP contract: the OpenAPI 3.1 document of the PatientSky API, shipped in the package.

It is read through ``importlib.resources``, so it works from any installed form of
the package, and needs no extra: the bare ``pip install patientsky`` has it.

>>> document = openapi_document()
>>> document["openapi"], document["info"]["title"]
('3.1.0', 'PatientSky patient portal API')
>>> "/v1/patients/{patientId}/dialogs" in document["paths"]
True

The sandbox serves the same document at ``/openapi.json``.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

__all__ = ["openapi_document"]

_RESOURCE = "openapi.json"


def openapi_document() -> dict[str, Any]:
    """
    Return the OpenAPI 3.1 document of the HTTP contract, as a new ``dict`` on each call.

    Returns:
        The decoded document; change it freely, the next call reads it afresh.
    """
    text = resources.files("patientsky").joinpath(_RESOURCE).read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document
