"""
The rules of the portal: pure decisions over the models, with no I/O and no clock.

Every rule that allows or denies returns a :class:`~patientsky.rules.decision.Decision`
(allowed or not, a stable :class:`~patientsky.reasons.Reason` code, a message in
Norwegian bokmål and English); every rule that makes a new value returns an
:data:`~patientsky.rules.decision.Outcome` (:class:`~patientsky.rules.decision.Allowed`
with the value, or :class:`~patientsky.rules.decision.Denied`). Every rule that depends
on time takes ``at``, a timezone-aware datetime; dates are decided in Europe/Oslo.

The one access entry point is :func:`~patientsky.rules.access.decide`: may this person
do this action for this patient, now? The rule families:

- :mod:`~patientsky.rules.login`: which logins reach health data (L1).
- :mod:`~patientsky.rules.consent`: consent in force, given, withdrawn (C1-C3).
- :mod:`~patientsky.rules.access`: the access decision (L1, C1-C3, R1-R4).
- :mod:`~patientsky.rules.relations`: the permission matrix and the life of a relation (R1-R4).
- :mod:`~patientsky.rules.communication`: dialog types and the fee notice (M3, M4, M7).
- :mod:`~patientsky.rules.dialogs`: the dialog lifecycle, inbox and archive (M1, M2, M5, M6).
- :mod:`~patientsky.rules.payments`: the tabs of "My payments" and their totals (B1-B4).
- :mod:`~patientsky.rules.care`: start care and e-pharmacy (H1, H2, E1, K3).
- ``patientsky.rules.freetime`` and ``patientsky.rules.booking``: free time, booking and
  cancelling (K2, K3).
- :mod:`~patientsky.rules.tables`: the tables the docs show, generated from the rules.
"""

from patientsky.rules.access import (
    ALL_ACTIONS,
    AccessRequest,
    allowed_actions,
    decide,
    is_under_16,
    parent_access_ends_at,
    sixteenth_birthday,
)
from patientsky.rules.booking import Booking, appointment_id, book, booking_action, cancel
from patientsky.rules.care import (
    may_start_care,
    needs_clinic_search,
    request_prescription_renewal,
    startable_services,
)
from patientsky.rules.communication import (
    FeeNotice,
    action_for_type,
    fee_notice,
    may_start_dialog,
    startable_types,
)
from patientsky.rules.consent import (
    CONSENTING_KINDS,
    ConsentState,
    check_consent,
    consent_in_force,
    consent_state,
    give_consent,
    withdraw_consent,
)
from patientsky.rules.decision import Allowed, Decision, Denied, Outcome, Reason, require
from patientsky.rules.dialogs import (
    MAX_MESSAGES_PER_DIALOG,
    DialogRow,
    Folder,
    archive,
    close_dialog,
    folder_of,
    inbox,
    read_dialog,
    reply,
    start_dialog,
)
from patientsky.rules.freetime import (
    free_start_times,
    free_time,
    on_grid,
    parse_period,
    start_times,
)
from patientsky.rules.login import (
    HEALTH_DATA_ASSURANCE,
    HEALTH_DATA_METHODS,
    check_login,
    gives_health_data_access,
)
from patientsky.rules.payments import (
    PaymentOverview,
    PaymentRow,
    PaymentTab,
    RowKind,
    invoice_tabs,
    payment_overview,
    payment_tabs,
)
from patientsky.rules.relations import (
    DEFAULT_ACTIONS,
    PermissionMatrix,
    add_relation,
    change_relation_actions,
    remove_relation,
    switch_off,
    switch_on,
)
from patientsky.rules.tables import (
    PermissionRow,
    Table,
    login_methods_table,
    permission_matrix_rows,
    permission_matrix_table,
    reason_table,
)

__all__ = [
    "ALL_ACTIONS",
    "AccessRequest",
    "Allowed",
    "Booking",
    "CONSENTING_KINDS",
    "ConsentState",
    "DEFAULT_ACTIONS",
    "Decision",
    "Denied",
    "DialogRow",
    "FeeNotice",
    "Folder",
    "HEALTH_DATA_ASSURANCE",
    "HEALTH_DATA_METHODS",
    "MAX_MESSAGES_PER_DIALOG",
    "Outcome",
    "PaymentOverview",
    "PaymentRow",
    "PaymentTab",
    "PermissionMatrix",
    "PermissionRow",
    "Reason",
    "RowKind",
    "Table",
    "action_for_type",
    "add_relation",
    "allowed_actions",
    "appointment_id",
    "archive",
    "book",
    "booking_action",
    "cancel",
    "change_relation_actions",
    "check_consent",
    "check_login",
    "close_dialog",
    "consent_in_force",
    "consent_state",
    "decide",
    "fee_notice",
    "folder_of",
    "free_start_times",
    "free_time",
    "give_consent",
    "gives_health_data_access",
    "inbox",
    "invoice_tabs",
    "is_under_16",
    "login_methods_table",
    "may_start_care",
    "may_start_dialog",
    "needs_clinic_search",
    "on_grid",
    "parent_access_ends_at",
    "parse_period",
    "payment_overview",
    "payment_tabs",
    "permission_matrix_rows",
    "permission_matrix_table",
    "read_dialog",
    "reason_table",
    "remove_relation",
    "reply",
    "request_prescription_renewal",
    "require",
    "sixteenth_birthday",
    "start_dialog",
    "start_times",
    "startable_services",
    "startable_types",
    "switch_off",
    "switch_on",
    "withdraw_consent",
]
