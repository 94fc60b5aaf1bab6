"""R1-R4: the permission matrix and the life of a relation."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from patientsky.errors import InvalidInput
from patientsky.models import Action, Clinic, LoginMethod, Relation, RelationKind, Unrecognized
from patientsky.rules import (
    DEFAULT_ACTIONS,
    AccessRequest,
    Allowed,
    Denied,
    PermissionMatrix,
    Reason,
    add_relation,
    allowed_actions,
    change_relation_actions,
    decide,
    remove_relation,
    switch_off,
    switch_on,
)
from tests.strategies_rules import (
    CLINIC_ID,
    aware_datetimes,
    make_patient,
    make_relation,
    make_request,
    make_session,
    oslo,
)

NOW = oslo(2026, 3, 2, 10, 0)
CLINIC = Clinic(CLINIC_ID, "Byklinikken")
OTHER_CLINIC = Clinic("clinic-9", "Fjordklinikken")
ADULT = make_patient("patient", dt.date(1940, 5, 17))
CHILD = make_patient("patient", dt.date(2015, 5, 17))


def _manage(actor: str, relations: list[Relation], patient: object = ADULT) -> AccessRequest:
    return make_request(
        actor=actor,
        patient=patient,  # type: ignore[arg-type]
        at=NOW,
        action=Action.MANAGE_RELATIONS,
        relations=relations,
    )


# --- The matrix -----------------------------------------------------------------------


def test_parents_and_guardians_are_granted_every_action_by_default() -> None:
    assert DEFAULT_ACTIONS[RelationKind.PARENT] == frozenset(Action)
    assert DEFAULT_ACTIONS[RelationKind.GUARDIAN] == frozenset(Action)


def test_family_caregivers_get_everything_but_managing_relations_by_default() -> None:
    assert DEFAULT_ACTIONS[RelationKind.FAMILY_CAREGIVER] == frozenset(Action) - {
        Action.MANAGE_RELATIONS
    }
    assert not DEFAULT_ACTIONS.grants(RelationKind.FAMILY_CAREGIVER, Action.MANAGE_RELATIONS)


def test_the_matrix_covers_every_kind_and_is_read_only() -> None:
    assert set(DEFAULT_ACTIONS) == set(RelationKind)
    assert len(DEFAULT_ACTIONS) == len(RelationKind)
    assert "FAMILY_CAREGIVER" in repr(DEFAULT_ACTIONS)
    with pytest.raises(TypeError):
        DEFAULT_ACTIONS[RelationKind.PARENT] = frozenset()  # type: ignore[index]


def test_a_matrix_needs_every_kind_and_only_actions() -> None:
    with pytest.raises(InvalidInput, match=r"^grants\[guardian\]: "):
        PermissionMatrix({RelationKind.PARENT: [], RelationKind.FAMILY_CAREGIVER: []})
    with pytest.raises(InvalidInput, match=r"^grants\[parent\]: "):
        PermissionMatrix(
            {
                RelationKind.PARENT: ["view_profile"],  # type: ignore[list-item]
                RelationKind.GUARDIAN: [],
                RelationKind.FAMILY_CAREGIVER: [],
            }
        )


# --- Adding ---------------------------------------------------------------------------


def test_a_clinic_adds_a_relation_with_the_kinds_default_actions() -> None:
    outcome = add_relation(
        CLINIC,
        relation_id="r1",
        patient=ADULT,
        representative_id="daughter",
        kind=RelationKind.FAMILY_CAREGIVER,
        at=NOW,
    )
    assert isinstance(outcome, Allowed)
    relation = outcome.value
    assert set(relation.actions) == DEFAULT_ACTIONS[RelationKind.FAMILY_CAREGIVER]
    assert (relation.principal_id, relation.representative_id) == ("patient", "daughter")
    assert (relation.added_by_clinic_id, relation.valid_from, relation.enabled) == (
        CLINIC_ID,
        NOW,
        True,
    )


def test_a_clinic_adds_a_relation_with_chosen_actions_and_window() -> None:
    outcome = add_relation(
        CLINIC,
        relation_id="r1",
        patient=ADULT,
        representative_id="guardian",
        kind=RelationKind.GUARDIAN,
        at=NOW,
        actions=[Action.VIEW_PAYMENTS],
        valid_from=oslo(2026, 4, 1),
        valid_until=oslo(2027, 4, 1),
    )
    assert isinstance(outcome, Allowed)
    assert outcome.value.actions == (Action.VIEW_PAYMENTS,)
    assert outcome.value.valid_until == oslo(2027, 4, 1)


@given(st.sampled_from(RelationKind), st.sets(st.sampled_from(Action)))
def test_a_clinic_may_grant_any_action_of_r4_to_any_kind(
    kind: RelationKind, actions: set[Action]
) -> None:
    patient = make_patient("patient", dt.date(2015, 5, 17))
    relation = add_relation(
        CLINIC,
        relation_id="r1",
        patient=patient,
        representative_id="helper",
        kind=kind,
        at=NOW,
        actions=actions,
    ).unwrap()
    assert set(relation.actions) == actions
    request = make_request(actor="helper", patient=patient, at=NOW, relations=[relation])
    assert allowed_actions(request) == actions


@given(st.sampled_from(LoginMethod), st.sampled_from(RelationKind), aware_datetimes())
def test_only_clinics_add_relations(
    method: LoginMethod, kind: RelationKind, at: dt.datetime
) -> None:
    for person in ("patient", "daughter", "stranger"):
        outcome = add_relation(
            make_session(person, at, method),
            relation_id="r1",
            patient=ADULT,
            representative_id="daughter",
            kind=kind,
            at=at,
        )
        assert isinstance(outcome, Denied)
        assert outcome.reason is Reason.ONLY_CLINIC_ADDS_RELATIONS


def test_a_clinic_adds_relations_only_for_its_own_patients() -> None:
    outcome = add_relation(
        OTHER_CLINIC,
        relation_id="r1",
        patient=ADULT,
        representative_id="daughter",
        kind=RelationKind.FAMILY_CAREGIVER,
        at=NOW,
    )
    assert outcome.decision.reason is Reason.PATIENT_NOT_CONNECTED_TO_CLINIC


def test_a_parent_relation_is_not_added_for_someone_who_is_16() -> None:
    teen = make_patient("patient", dt.date(2010, 3, 2))
    outcome = add_relation(
        CLINIC,
        relation_id="r1",
        patient=teen,
        representative_id="mother",
        kind=RelationKind.PARENT,
        at=oslo(2026, 3, 2),
    )
    assert outcome.decision.reason is Reason.CHILD_TURNED_16
    day_before = add_relation(
        CLINIC,
        relation_id="r1",
        patient=teen,
        representative_id="mother",
        kind=RelationKind.PARENT,
        at=oslo(2026, 3, 1, 23, 59, 59),
    )
    assert day_before


def test_nothing_unknown_is_added() -> None:
    unknown_kind = add_relation(
        CLINIC,
        relation_id="r1",
        patient=ADULT,
        representative_id="x",
        kind=Unrecognized("neighbour"),
        at=NOW,
    )
    assert unknown_kind.decision.reason is Reason.UNKNOWN_RELATION_KIND
    unknown_action = add_relation(
        CLINIC,
        relation_id="r1",
        patient=ADULT,
        representative_id="x",
        kind=RelationKind.GUARDIAN,
        at=NOW,
        actions=[Unrecognized("teleport")],
    )
    assert unknown_action.decision.reason is Reason.UNKNOWN_ACTION


def test_adding_a_relation_refuses_bad_input() -> None:
    with pytest.raises(InvalidInput, match=r"^representative_id: "):
        add_relation(
            CLINIC,
            relation_id="r1",
            patient=ADULT,
            representative_id="patient",
            kind=RelationKind.GUARDIAN,
            at=NOW,
        )
    with pytest.raises(InvalidInput, match=r"^by: "):
        add_relation(
            "clinic-1",  # type: ignore[arg-type]
            relation_id="r1",
            patient=ADULT,
            representative_id="x",
            kind=RelationKind.GUARDIAN,
            at=NOW,
        )
    with pytest.raises(InvalidInput, match=r"^actions: "):
        add_relation(
            CLINIC,
            relation_id="r1",
            patient=ADULT,
            representative_id="x",
            kind=RelationKind.GUARDIAN,
            at=NOW,
            actions=Action.VIEW_PROFILE,  # type: ignore[arg-type]
        )


# --- Changing, switching, removing ----------------------------------------------------


def test_the_patient_changes_what_a_relation_may_do() -> None:
    relation = make_relation("patient", "daughter", RelationKind.FAMILY_CAREGIVER)
    outcome = change_relation_actions(
        _manage("patient", [relation]), relation, [Action.READ_MESSAGES, Action.VIEW_PAYMENTS]
    )
    assert isinstance(outcome, Allowed)
    assert set(outcome.value.actions) == {Action.READ_MESSAGES, Action.VIEW_PAYMENTS}


def test_the_patient_switches_a_relation_off_and_on_without_deleting_it() -> None:
    relation = make_relation("patient", "daughter", RelationKind.FAMILY_CAREGIVER)
    off = switch_off(_manage("patient", [relation]), relation).unwrap()
    assert not off.enabled
    assert off == attrs.evolve(relation, enabled=False)
    on = switch_on(_manage("patient", [off]), off).unwrap()
    assert on == relation


def test_the_patient_removes_a_relation() -> None:
    relation = make_relation("patient", "daughter", RelationKind.FAMILY_CAREGIVER)
    assert remove_relation(_manage("patient", [relation]), relation) == Allowed(relation)


def test_a_relation_with_manage_relations_changes_another_relation() -> None:
    manager = make_relation("patient", "guardian", RelationKind.GUARDIAN, relation_id="g")
    other = make_relation(
        "patient", "son", RelationKind.FAMILY_CAREGIVER, actions=[Action.VIEW_PROFILE]
    )
    request = _manage("guardian", [manager, other])
    changed = change_relation_actions(request, other, [Action.VIEW_PROFILE, Action.VIEW_PAYMENTS])
    assert isinstance(changed, Allowed)
    assert switch_off(request, other)
    assert remove_relation(request, other)


def test_a_relation_without_manage_relations_changes_nothing() -> None:
    helper = make_relation(
        "patient",
        "son",
        RelationKind.FAMILY_CAREGIVER,
        actions=list(DEFAULT_ACTIONS[RelationKind.FAMILY_CAREGIVER]),
        relation_id="s",
    )
    other = make_relation("patient", "daughter", RelationKind.FAMILY_CAREGIVER, relation_id="d")
    request = _manage("son", [helper, other])
    for outcome in (
        change_relation_actions(request, other, []),
        switch_off(request, other),
        switch_on(request, other),
        remove_relation(request, other),
    ):
        assert outcome.decision.reason is Reason.ACTION_NOT_GRANTED


def test_a_stranger_changes_no_relation() -> None:
    relation = make_relation("patient", "son", RelationKind.FAMILY_CAREGIVER)
    assert switch_off(_manage("stranger", [relation]), relation).decision.reason is (
        Reason.NO_RELATION
    )


def test_a_representative_never_grants_more_than_they_hold() -> None:
    manager = make_relation(
        "patient",
        "guardian",
        RelationKind.GUARDIAN,
        actions=[Action.MANAGE_RELATIONS, Action.VIEW_PROFILE],
        relation_id="g",
    )
    other = make_relation("patient", "son", RelationKind.FAMILY_CAREGIVER, actions=[])
    request = _manage("guardian", [manager, other])
    too_much = change_relation_actions(request, other, [Action.VIEW_PAYMENTS])
    assert too_much.decision.reason is Reason.GRANT_EXCEEDS_PATIENT
    within = change_relation_actions(request, other, [Action.VIEW_PROFILE])
    assert within


def test_a_representative_cannot_widen_their_own_relation() -> None:
    manager = make_relation(
        "patient", "guardian", RelationKind.GUARDIAN, actions=[Action.MANAGE_RELATIONS]
    )
    request = _manage("guardian", [manager])
    wider = change_relation_actions(
        request, manager, [Action.MANAGE_RELATIONS, Action.VIEW_PAYMENTS]
    )
    assert wider.decision.reason is Reason.GRANT_EXCEEDS_PATIENT
    assert change_relation_actions(request, manager, [])  # narrowing is fine


def test_a_representative_keeps_what_others_already_hold_when_narrowing() -> None:
    manager = make_relation(
        "patient",
        "guardian",
        RelationKind.GUARDIAN,
        actions=[Action.MANAGE_RELATIONS],
        relation_id="g",
    )
    other = make_relation("patient", "son", RelationKind.FAMILY_CAREGIVER)
    outcome = change_relation_actions(
        _manage("guardian", [manager, other]), other, [Action.VIEW_PAYMENTS]
    )
    assert outcome  # VIEW_PAYMENTS was already the son's: nothing is added


def test_switching_on_by_a_representative_grants_only_what_they_hold() -> None:
    manager = make_relation(
        "patient",
        "guardian",
        RelationKind.GUARDIAN,
        actions=[Action.MANAGE_RELATIONS],
        relation_id="g",
    )
    off = make_relation("patient", "son", RelationKind.FAMILY_CAREGIVER, enabled=False)
    request = _manage("guardian", [manager, off])
    assert switch_on(request, off).decision.reason is Reason.GRANT_EXCEEDS_PATIENT
    narrow = attrs.evolve(off, actions=(Action.MANAGE_RELATIONS,))
    assert switch_on(request, narrow)


def test_nothing_unknown_is_granted_or_switched_on_but_it_can_be_switched_off() -> None:
    odd = make_relation("patient", "x", Unrecognized("neighbour"), relation_id="x")
    request = _manage("patient", [odd])
    assert change_relation_actions(request, odd, []).decision.reason is (
        Reason.UNKNOWN_RELATION_KIND
    )
    assert switch_on(request, odd).decision.reason is Reason.UNKNOWN_RELATION_KIND
    assert switch_off(request, odd)
    assert remove_relation(request, odd)
    plain = make_relation("patient", "y", RelationKind.GUARDIAN, relation_id="y")
    assert change_relation_actions(request, plain, [Unrecognized("a")]).decision.reason is (
        Reason.UNKNOWN_ACTION
    )
    unknown_action = attrs.evolve(plain, actions=(Unrecognized("a"),))
    assert switch_on(request, unknown_action).decision.reason is Reason.UNKNOWN_ACTION


def test_managing_relations_needs_the_manage_relations_request_and_the_patients_relation() -> None:
    relation = make_relation("patient", "son", RelationKind.FAMILY_CAREGIVER)
    wrong_action = _manage("patient", [relation]).with_action(Action.VIEW_PROFILE)
    with pytest.raises(InvalidInput, match=r"^request.action: "):
        switch_off(wrong_action, relation)
    elsewhere = make_relation("someone-else", "son", RelationKind.FAMILY_CAREGIVER)
    with pytest.raises(InvalidInput, match=r"^relation.principal_id: "):
        switch_off(_manage("patient", [relation]), elsewhere)
    with pytest.raises(InvalidInput, match=r"^relation: "):
        switch_off(_manage("patient", [relation]), "rel-1")  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=r"^actions: "):
        change_relation_actions(
            _manage("patient", [relation]),
            relation,
            "view_profile",  # type: ignore[arg-type]
        )


def test_a_parent_manages_the_childs_relations_until_the_16th_birthday() -> None:
    mother = make_relation("patient", "mother", relation_id="m")
    father = make_relation("patient", "father", relation_id="f")
    assert switch_off(_manage("mother", [mother, father], CHILD), father)


# --- Properties -----------------------------------------------------------------------


@given(
    st.frozensets(st.sampled_from(Action)),
    st.frozensets(st.sampled_from(Action)),
    st.frozensets(st.sampled_from(Action)),
)
def test_a_representative_never_adds_an_action_outside_their_own(
    own: frozenset[Action], before: frozenset[Action], after: frozenset[Action]
) -> None:
    manager = make_relation(
        "patient", "guardian", RelationKind.GUARDIAN, actions=list(own), relation_id="g"
    )
    other = make_relation("patient", "son", RelationKind.FAMILY_CAREGIVER, actions=list(before))
    request = _manage("guardian", [manager, other])
    outcome = change_relation_actions(request, other, after)
    if Action.MANAGE_RELATIONS not in own:
        assert not outcome
    elif isinstance(outcome, Allowed):
        assert set(outcome.value.actions) - before <= allowed_actions(request)
    else:
        assert outcome.reason is Reason.GRANT_EXCEEDS_PATIENT
        assert not after - before <= own


@given(st.frozensets(st.sampled_from(Action)), st.booleans())
def test_the_patient_may_set_any_actions_and_switch_any_relation(
    after: frozenset[Action], enabled: bool
) -> None:
    relation = make_relation("patient", "son", RelationKind.FAMILY_CAREGIVER, enabled=enabled)
    request = _manage("patient", [relation])
    assert set(change_relation_actions(request, relation, after).unwrap().actions) == after
    assert switch_on(request, relation).unwrap().enabled
    assert not switch_off(request, relation).unwrap().enabled


@given(aware_datetimes())
def test_a_switched_off_relation_lets_its_representative_do_nothing(at: dt.datetime) -> None:
    relation = make_relation("patient", "son", RelationKind.FAMILY_CAREGIVER)
    off = switch_off(_manage("patient", [relation]), relation).unwrap()
    request = make_request(actor="son", patient=ADULT, at=at, relations=[off])
    assert allowed_actions(request) == frozenset()
    for action in Action:
        assert decide(request.with_action(action)).reason is Reason.RELATION_DISABLED
