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
- :mod:`~patientsky.rules.attachments`: what a message may carry, checked by content (M8).
- :mod:`~patientsky.rules.payments`: the tabs of "My payments" and their totals, and
  invoices issued, settled and refunded (B1-B5).
- :mod:`~patientsky.rules.care`: start care, the connection to a clinic, and the
  e-pharmacy renewal lifecycle (H1, H2, E1, E2, K3).
- :mod:`~patientsky.rules.consultations`: upcoming and past, completed and not
  attended (K1, K4).
- :mod:`~patientsky.rules.access_log`: what the access log records, and who lists it (AL1).
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
from patientsky.rules.access_log import (
    ACCESS_LOG_ACTION,
    LOG_RULES,
    LogRule,
    access_log,
    may_list_access_log,
    record,
    record_for_clinic,
)
from patientsky.rules.booking import (
    Booking,
    CancellationNotice,
    appointment_id,
    book,
    booking_action,
    cancel,
    cancellation_fee_invoice,
    cancellation_notice,
)
from patientsky.rules.care import (
    RENEWAL_ACTION,
    approve_renewal,
    change_clinic_offer,
    connect_patient,
    connection,
    may_start_care,
    needs_clinic_search,
    reject_renewal,
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
from patientsky.rules.consultations import Timing, mark_consultation, past, timing, upcoming
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
    Settlement,
    invoice_tabs,
    issue_invoice,
    make_kid,
    payment_overview,
    payment_tabs,
    refund_payment,
    settle_invoice,
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
    access_log_table,
    login_methods_table,
    permission_matrix_rows,
    permission_matrix_table,
    reason_table,
)

__all__ = [
    "ACCESS_LOG_ACTION",
    "ALL_ACTIONS",
    "AccessRequest",
    "Allowed",
    "Booking",
    "CONSENTING_KINDS",
    "CancellationNotice",
    "ConsentState",
    "DEFAULT_ACTIONS",
    "Decision",
    "Denied",
    "DialogRow",
    "FeeNotice",
    "Folder",
    "HEALTH_DATA_ASSURANCE",
    "HEALTH_DATA_METHODS",
    "LOG_RULES",
    "LogRule",
    "MAX_MESSAGES_PER_DIALOG",
    "Outcome",
    "PaymentOverview",
    "PaymentRow",
    "PaymentTab",
    "PermissionMatrix",
    "PermissionRow",
    "RENEWAL_ACTION",
    "Reason",
    "RowKind",
    "Settlement",
    "Table",
    "Timing",
    "access_log",
    "access_log_table",
    "action_for_type",
    "add_relation",
    "allowed_actions",
    "appointment_id",
    "approve_renewal",
    "archive",
    "book",
    "booking_action",
    "cancel",
    "cancellation_fee_invoice",
    "cancellation_notice",
    "change_clinic_offer",
    "change_relation_actions",
    "check_consent",
    "check_login",
    "close_dialog",
    "connect_patient",
    "connection",
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
    "issue_invoice",
    "login_methods_table",
    "make_kid",
    "mark_consultation",
    "may_list_access_log",
    "may_start_care",
    "may_start_dialog",
    "needs_clinic_search",
    "on_grid",
    "parent_access_ends_at",
    "parse_period",
    "past",
    "payment_overview",
    "payment_tabs",
    "permission_matrix_rows",
    "permission_matrix_table",
    "read_dialog",
    "reason_table",
    "record",
    "record_for_clinic",
    "refund_payment",
    "reject_renewal",
    "remove_relation",
    "reply",
    "request_prescription_renewal",
    "require",
    "settle_invoice",
    "sixteenth_birthday",
    "start_dialog",
    "start_times",
    "startable_services",
    "startable_types",
    "switch_off",
    "switch_on",
    "timing",
    "upcoming",
    "withdraw_consent",
]
