"""Guests: server-made ids, labels that cannot imitate a member or another guest, sessions."""

from __future__ import annotations

from datetime import timedelta

import pytest

from annotations import accounts, guests, roles
from annotations.accounts import SessionExpired, SessionInvalid
from annotations.annotation import create_annotation
from annotations.db.engine import Store
from annotations.errors import InvalidInput, PermissionDenied
from annotations.seminar import get_seminar, seminar_id, set_closed
from annotations.timeutil import now

PW = "correct horse battery"


pytestmark = pytest.mark.usefixtures("fast_hasher")  # cheap argon2 (conftest)


def test_two_guests_are_two_principals(any_store: Store) -> None:
    demo = get_seminar(any_store, "demo")
    ana = guests.join(any_store, demo, "Ana")
    other = guests.join(any_store, demo, "Ben")
    assert ana.guest.id != other.guest.id
    assert ana.guest.id.startswith(guests.PREFIX) and ana.guest.display_name == "Ana"
    assert guests.validate(any_store, ana.token) == ana.guest
    assert ana.token not in ana.guest.id  # the id is not the secret


@pytest.mark.parametrize("taken", ["ana", "ANA", "Аna", " Ana ", "A\u200bna"])
def test_a_guest_label_may_not_look_like_another_guests(store: Store, taken: str) -> None:
    demo = get_seminar(store, "demo")
    guests.join(store, demo, "Ana")
    with pytest.raises(InvalidInput):  # taken, or an invisible character
        guests.join(store, demo, taken)


@pytest.mark.parametrize("label", ["Ines Ortega", "INES ORTEGA", "Іnes Ortega", "ines", "ІNES"])
def test_a_guest_may_not_take_a_members_name(store: Store, label: str) -> None:
    ines = accounts.create_user(store, "ines", "Ines Ortega", PW)
    demo = get_seminar(store, "demo")
    with store.transaction() as s:
        roles.add_member(s, roles.Actor.console(), seminar_id(s, "demo"), ines.id, roles.STUDENT)
    with pytest.raises(guests.NameTaken, match="looks like the name of a member"):
        guests.join(store, demo, label)


def test_a_guest_named_like_a_later_account_never_acts_for_it(store: Store) -> None:
    demo = get_seminar(store, "demo")
    zoe = guests.join(store, demo, "zoe").guest
    a = create_annotation(store, seminar="demo", document_id="allied-powers-ussr", start=4,
                          end=12, quote="Allied P", annotator=zoe.id)
    accounts.create_user(store, "zoe", "Zoe", PW)
    with store.read() as s:
        sid = seminar_id(s, "demo")
        assert not roles.may_change(s, sid, "zoe", a.annotator)
        assert roles.may_change(s, sid, zoe.id, a.annotator)


def test_guest_sessions_end_and_expire(store: Store) -> None:
    demo = get_seminar(store, "demo")
    signed = guests.join(store, demo, "Ana", at=now() - timedelta(hours=13))
    with pytest.raises(SessionExpired):
        guests.validate(store, signed.token)
    again = guests.join(store, demo, "Ana")  # an expired guest's label is free again
    guests.leave(store, again.token)
    with pytest.raises(SessionInvalid):
        guests.validate(store, again.token)
    assert guests.labels(store, demo.id) == {signed.guest.id: "Ana", again.guest.id: "Ana"}


def test_closed_seminars_take_no_guests(store: Store) -> None:
    set_closed(store, "demo", roles.Actor.console(), True)
    with pytest.raises(PermissionDenied):
        guests.join(store, get_seminar(store, "demo"), "Ana")
