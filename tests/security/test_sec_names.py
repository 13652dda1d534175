"""Finding 8: look-alike names next to `stuy1` (invisible characters, Cyrillic letters)."""

from __future__ import annotations

import pytest

from annotations import accounts
from annotations.annotation import check_name
from annotations.db.engine import Store
from annotations.errors import InvalidInput
from annotations.names import InvisibleCharacter

PW = "correct horse battery"


def test_zero_width_username_is_refused(store: Store) -> None:
    accounts.create_user(store, "stuy1", "Stu", PW)
    with pytest.raises(InvisibleCharacter, match="U\\+200B ZERO WIDTH SPACE"):
        accounts.create_user(store, "stuy1\u200b", "Stu", PW)


def test_lookalike_username_is_refused(store: Store) -> None:
    accounts.create_user(store, "stuy1", "Stu", PW)
    with pytest.raises(InvalidInput, match="looks like the existing account 'stuy1'"):
        accounts.create_user(store, "STUYL", "Stu", PW)  # 1/l and case


@pytest.mark.parametrize("guest", ["stuy1\u200b", "stu\u04431", "ｓｔｕｙ１", "Stuy1"])
def test_guest_cannot_take_a_lookalike_of_an_account(store: Store, guest: str) -> None:
    """The demo's guests write under a display name: it must not pass for an account."""
    accounts.create_user(store, "stuy1", "Stu", PW)
    try:
        name = check_name(guest, "display")
    except InvisibleCharacter:
        return  # refused outright
    assert accounts.username_taken(store, name)


def test_display_name_with_bidi_override_is_refused(store: Store) -> None:
    with pytest.raises(InvisibleCharacter, match="display name"):
        accounts.create_user(store, "mallory", "\u202eadmin", PW)
