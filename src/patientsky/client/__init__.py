"""
The HTTP client for the PatientSky patient portal API, synchronous and asynchronous.

:class:`PortalClient` and :class:`AsyncPortalClient` are thin drivers around one
sans-I/O core that builds requests, reads responses and decides retries, so both
behave the same:

- every write carries an ``Idempotency-Key`` (yours or a new one) that every retry
  reuses, so a retried booking is made once;
- connection failures, timeouts, 408, 429, 502, 503 and 504 are retried with
  exponential backoff and full jitter, honouring ``Retry-After`` (capped);
- a token provider is called again once on a 401 (or a ``refresh_token`` function, so
  it knows the token was refused);
- every call has an overall deadline across its attempts and waits;
- every error from a write says whether the write may have been applied, and carries
  the ``Idempotency-Key`` to call again with;
- every call can give its answer's status, headers, request id and whether it was an
  idempotent replay, with its typed result (``client.with_raw_response(...)``, or an
  ``on_response`` hook);
- lists are iterated lazily across pages, and the next page can only go to the origin
  and path of the first;
- a debug log (logger ``patientsky.client``) shows method, path, status, request id,
  attempt and time, never a token, a body or a national identity number.

The resources (``client.dialogs``, ...) are in :mod:`patientsky.client.resources`; the
sandbox's login and clock helpers in :mod:`patientsky.client.sandbox`.

``import patientsky.client`` loads httpx and the client. The result types (``DialogView``,
``Photo``, ...) load with the first use of their name, each model with the first call
that decodes into it, and the wire converter with the first decode; the sandbox never.
"""

from typing import TYPE_CHECKING, Any

from patientsky.client._async import (
    AsyncPager,
    AsyncPaymentsPager,
    AsyncPortalClient,
    AsyncTokenProvider,
)
from patientsky.client._base import DEFAULT_DEADLINE, DEFAULT_TIMEOUT, CallOptions
from patientsky.client._core import ApiResponse, Backoff, Timeouts
from patientsky.client._sync import Pager, PaymentsPager, PortalClient, TokenProvider

if TYPE_CHECKING:
    from patientsky.client._types import (
        AttachmentFile,
        CalendarFeed,
        CancellationNotice,
        ClinicServices,
        ConsentState,
        DialogView,
        FeeNotice,
        FileUpload,
        Folder,
        FreeTime,
        PaymentRow,
        PaymentsPage,
        PaymentTab,
        Photo,
        Represented,
        Versioned,
        VideoLink,
        When,
    )

__all__ = [
    "ApiResponse",
    "AsyncPager",
    "AsyncPaymentsPager",
    "AsyncPortalClient",
    "AsyncTokenProvider",
    "AttachmentFile",
    "Backoff",
    "CalendarFeed",
    "CallOptions",
    "CancellationNotice",
    "ClinicServices",
    "ConsentState",
    "DEFAULT_DEADLINE",
    "DEFAULT_TIMEOUT",
    "DialogView",
    "FeeNotice",
    "FileUpload",
    "Folder",
    "FreeTime",
    "Pager",
    "PaymentRow",
    "PaymentTab",
    "PaymentsPage",
    "PaymentsPager",
    "Photo",
    "PortalClient",
    "Represented",
    "Timeouts",
    "TokenProvider",
    "Versioned",
    "VideoLink",
    "When",
]

# The result types load with the first use of their name (or the first call that
# returns one), so that importing the client does not compile them.
_LAZY = frozenset(
    {
        "AttachmentFile",
        "CalendarFeed",
        "CancellationNotice",
        "ClinicServices",
        "ConsentState",
        "DialogView",
        "FeeNotice",
        "FileUpload",
        "Folder",
        "FreeTime",
        "PaymentRow",
        "PaymentsPage",
        "PaymentTab",
        "Photo",
        "Represented",
        "Versioned",
        "VideoLink",
        "When",
    }
)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from patientsky.client import _types

        value = getattr(_types, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'patientsky.client' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
