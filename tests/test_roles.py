"""Seminar roles, authorisation checks, and isolation between seminars."""

from __future__ import annotations

import pytest

from annotations import accounts, corpus, roles
from annotations.annotation import create_annotation
from annotations.db.engine import Store
from annotations.errors import InvalidInput, NotFound, PermissionDenied
from annotations.roles import INSTRUCTOR, STUDENT, Actor
from annotations.seminar import find_by_join_code

PW = "correct horse battery"
DOC = "steel-and-sacrifice"


# Seminars here are created by ordinary accounts (tests/security covers who may).
pytestmark = pytest.mark.usefixtures("open_signup", "fast_hasher")


def annotate(store: Store, seminar: str, who: str, start: int = 0, end: int = 5) -> str:
    text = corpus.get_text(store, DOC).text
    return create_annotation(store, seminar=seminar, document_id=DOC, start=start, end=end,
                             quote=text[start:end], annotator=who).id


@pytest.fixture
def two_seminars(any_store: Store) -> dict[str, int]:
    """ada teaches `alpha` and sits in `beta`; bob teaches `beta`; cy is ada's student."""
    ids = {u: accounts.create_user(any_store, u, u.title(), PW).id for u in ("ada", "bob", "cy")}
    roles.create_seminar_as(any_store, ids["ada"], "alpha", join_code="ALPHA1")
    roles.create_seminar_as(any_store, ids["bob"], "beta", join_code="BETA22")
    roles.join_seminar(any_store, ids["ada"], "beta22")
    roles.join_seminar(any_store, ids["cy"], "ALPHA1")
    return ids


def test_roles_are_per_seminar(any_store: Store, two_seminars: dict[str, int]) -> None:
    alpha = find_by_join_code(any_store, "ALPHA1").id
    beta = find_by_join_code(any_store, "BETA22").id
    with any_store.read() as s:
        assert roles.role_in(s, two_seminars["ada"], alpha) == INSTRUCTOR
        assert roles.role_in(s, two_seminars["ada"], beta) == STUDENT
        assert roles.role_in(s, two_seminars["cy"], beta) is None
        assert [(m.seminar, m.role) for m in roles.memberships(s, two_seminars["ada"])] == [
            ("alpha", INSTRUCTOR), ("beta", STUDENT)]
        assert [(m.username, m.role) for m in roles.members(s, alpha)] == [
            ("ada", INSTRUCTOR), ("cy", STUDENT)]


def test_joining_again_keeps_the_instructor(store: Store) -> None:
    ada = accounts.create_user(store, "ada", "Ada", PW).id
    roles.create_seminar_as(store, ada, "alpha", join_code="ALPHA1")
    assert roles.join_seminar(store, ada, "ALPHA1").role == INSTRUCTOR
    with pytest.raises(NotFound, match="check it with your instructor"):
        roles.join_seminar(store, ada, "NOPE99")


def test_require_checks(any_store: Store, two_seminars: dict[str, int]) -> None:
    alpha = find_by_join_code(any_store, "ALPHA1").id
    beta = find_by_join_code(any_store, "BETA22").id
    with any_store.read() as s:
        roles.require_instructor(s, two_seminars["ada"], alpha)
        assert roles.require_member(s, two_seminars["ada"], beta) == STUDENT
        with pytest.raises(PermissionDenied, match="only the seminar's instructors"):
            roles.require_instructor(s, two_seminars["ada"], beta)
        with pytest.raises(PermissionDenied, match="not a member"):
            roles.require_member(s, two_seminars["cy"], beta)
        roles.require_instructor(s, Actor.console(), beta)


def test_can_edit_annotation(any_store: Store, two_seminars: dict[str, int]) -> None:
    alpha = find_by_join_code(any_store, "ALPHA1").id
    beta = find_by_join_code(any_store, "BETA22").id
    cy_note = annotate(any_store, "alpha", "cy")
    ada_in_beta = annotate(any_store, "beta", "ada")
    bob_in_beta = annotate(any_store, "beta", "bob", 6, 9)
    ada, bob, cy = two_seminars["ada"], two_seminars["bob"], two_seminars["cy"]
    with any_store.read() as s:
        assert roles.can_edit_annotation(s, cy, alpha, cy_note)  # own
        assert roles.can_edit_annotation(s, ada, alpha, cy_note)  # instructor
        assert roles.can_edit_annotation(s, ada, beta, ada_in_beta)  # own, as student
        assert not roles.can_edit_annotation(s, ada, beta, bob_in_beta)  # student, not own
        assert roles.can_edit_annotation(s, bob, beta, ada_in_beta)
        assert not roles.can_edit_annotation(s, bob, alpha, cy_note)  # not a member
        with pytest.raises(PermissionDenied, match="only bob or an instructor"):
            roles.require_can_edit_annotation(s, ada, beta, bob_in_beta)


def test_other_seminars_ids_are_not_found(any_store: Store, two_seminars: dict[str, int]
                                          ) -> None:
    """ada teaches alpha and is in beta: beta's annotation asked for via alpha is unknown."""
    alpha = find_by_join_code(any_store, "ALPHA1").id
    bob_in_beta = annotate(any_store, "beta", "bob")
    with any_store.read() as s:
        assert not roles.can_edit_annotation(s, two_seminars["ada"], alpha, bob_in_beta)
        assert not roles.can_edit_annotation(s, Actor.console(), alpha, bob_in_beta)
        with pytest.raises(NotFound, match="in this seminar"):
            roles.require_can_edit_annotation(s, two_seminars["ada"], alpha, bob_in_beta)


def test_membership_changes(any_store: Store, two_seminars: dict[str, int]) -> None:
    alpha = find_by_join_code(any_store, "ALPHA1").id
    ada, cy = two_seminars["ada"], two_seminars["cy"]
    with any_store.transaction() as s:
        with pytest.raises(PermissionDenied):
            roles.add_member(s, Actor.of_user(s, cy), alpha, two_seminars["bob"], STUDENT)
        with pytest.raises(InvalidInput, match="role 'owner'"):
            roles.add_member(s, Actor.of_user(s, ada), alpha, cy, "owner")
        with pytest.raises(InvalidInput, match="at least one instructor"):
            roles.remove_member(s, Actor.of_user(s, ada), alpha, ada)
        roles.add_member(s, Actor.of_user(s, ada), alpha, cy, INSTRUCTOR)
        roles.add_member(s, Actor.of_user(s, cy), alpha, ada, STUDENT)
    with any_store.read() as s:
        assert roles.role_in(s, ada, alpha) == STUDENT
        assert roles.role_in(s, cy, alpha) == INSTRUCTOR
