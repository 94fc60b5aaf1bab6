"""An access-log entry built from a kept text is the entry the rules build, text and errors."""

from __future__ import annotations

import datetime as dt

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.models import Action, LoggedOperation
from patientsky.rules.access import AccessRequest
from patientsky.rules.access_log import LOG_RULES, record
from patientsky.sandbox._access_entries import entry_json, entry_text
from patientsky.sandbox._memo import Decoded
from patientsky.wire import make_converter
from tests.strategies import aware_datetimes, ids, texts
from tests.strategies_rules import access_requests

CONVERTER = make_converter(synthetic_national_ids_only=True)
PERSON_OPERATIONS = [op for op, rule in LOG_RULES.items() if not rule.clinic_side]

# Any text, valid ids, ids holding an identity number, text a validator refuses.
entry_ids = st.one_of(
    ids(),
    texts(max_size=210),
    st.text(max_size=8),
    st.text("ae\u0301\u212b-", min_size=1, max_size=6),  # not in NFC: the model normalises
    st.builds(lambda n: f"al-{n:011d}", st.integers(0, 10**11 - 1)),
)
optional_ids = st.none() | entry_ids


def _by_rules(entry_id: str, request: AccessRequest, **given: object) -> object:
    """What the rules give: (id, patient, text), or the error's field and message."""
    try:
        entry = record(entry_id=entry_id, request=request, **given)  # type: ignore[arg-type]
    except InvalidInput as exc:
        return ("error", exc.field, exc.message)
    return entry.id, entry.patient_id, entry_json(CONVERTER, entry)


def _kept(memo: Decoded, entry_id: str, request: AccessRequest, **given: object) -> object:
    try:
        return entry_text(CONVERTER, memo, entry_id=entry_id, request=request, **given)  # type: ignore[arg-type]
    except InvalidInput as exc:
        return ("error", exc.field, exc.message)


@settings(max_examples=120)
@given(
    # Mostly the patient acting (the entries that are kept), and any request.
    request=access_requests().filter(lambda r: r.for_self) | access_requests(),
    operation=st.sampled_from(PERSON_OPERATIONS) | st.sampled_from(list(LoggedOperation)),
    clinic_id=st.none() | ids() | optional_ids,
    resource_id=st.none() | ids() | optional_ids,
    action=st.none() | st.sampled_from(list(Action)),
    first_id=ids() | entry_ids,
    later=st.lists(st.tuples(entry_ids, aware_datetimes()), min_size=1, max_size=4),
)
def test_a_kept_entry_is_the_entry_the_rules_build(
    request: AccessRequest,
    operation: LoggedOperation,
    clinic_id: str | None,
    resource_id: str | None,
    action: Action | None,
    first_id: str,
    later: list[tuple[str, dt.datetime]],
) -> None:
    memo = Decoded(CONVERTER)
    given_ = {
        "operation": operation,
        "clinic_id": clinic_id,
        "resource_id": resource_id,
        "action": action,
    }
    assert _kept(memo, first_id, request, **given_) == _by_rules(first_id, request, **given_)
    # The next entries of the same operation, patient, actor, clinic and resource: a new
    # id and time each, built from the kept text if the first one was kept.
    for entry_id, at in later:
        now = attrs.evolve(request, at=at)
        assert _kept(memo, entry_id, now, **given_) == _by_rules(entry_id, now, **given_)
