"""Accounts: hashing, sign-in rate limiting shared through the database, session tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from annotations import accounts
from annotations.accounts import (
    AuthenticationFailed,
    SessionExpired,
    SessionInvalid,
    TooManyAttempts,
)
from annotations.db.engine import Store
from annotations.db.models import AuditEntry, User, UserSession
from annotations.errors import InvalidInput
from annotations.timeutil import now

PW = "correct horse battery"


pytestmark = pytest.mark.usefixtures("fast_hasher")  # cheap argon2 (conftest)


def test_create_and_verify(any_store: Store) -> None:
    ada = accounts.create_user(any_store, "Ada", "Ada Lovelace", PW)
    assert ada.username == "ada" and ada.display_name == "Ada Lovelace"
    assert accounts.verify_password(any_store, " ADA ", PW) == ada
    with any_store.read() as s:
        stored = s.scalar(select(User.password_hash))
        assert stored.startswith("$argon2id$") and PW not in stored
        entry = s.scalar(select(AuditEntry))
        assert (entry.action, entry.target, entry.seminar_id) == ("user.create", "ada", None)


def test_default_hasher_is_argon2id() -> None:
    previous = accounts.use_hasher(PasswordHasher())
    accounts.use_hasher(previous)
    assert previous.type.name == "ID"  # the production default (restored by the fixture)


def test_username_taken_case_insensitively(store: Store) -> None:
    accounts.create_user(store, "ada", "Ada", PW)
    with pytest.raises(InvalidInput, match="taken"):
        accounts.create_user(store, "ADA", "Other Ada", PW)


@pytest.mark.parametrize("username, password, message", [
    ("a", PW, "not allowed"),
    ("has space", PW, "not allowed"),
    ("ada", "short", "too short"),
    ("adalovelace", "AdaLovelace", "must not be the username"),
])
def test_bad_account_input(store: Store, username: str, password: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        accounts.create_user(store, username, "Ada", password)


def test_wrong_password_and_unknown_user_say_the_same(store: Store) -> None:
    accounts.create_user(store, "ada", "Ada", PW)
    with pytest.raises(AuthenticationFailed) as wrong:
        accounts.verify_password(store, "ada", "not the password")
    with pytest.raises(AuthenticationFailed) as unknown:
        accounts.verify_password(store, "nobody", "not the password")
    assert str(wrong.value) == str(unknown.value)
    assert "ada" not in str(wrong.value)


def test_throttle_backs_off_exponentially(any_store: Store) -> None:
    accounts.create_user(any_store, "ada", "Ada", PW)
    t0 = now()
    for i in range(accounts.MAX_FAILURES):
        with pytest.raises(AuthenticationFailed) as e:
            accounts.verify_password(any_store, "ada", "wrong password", at=t0 + timedelta(
                seconds=i))
        assert not isinstance(e.value, TooManyAttempts)
    # The fifth failure (at t0+4s) holds the account for one minute, even the right password.
    with pytest.raises(TooManyAttempts, match="wait 35 second") as held:
        accounts.verify_password(any_store, "ada", PW, at=t0 + timedelta(seconds=30))
    assert "Z)" not in str(held.value)  # no raw UTC timestamp (issue 11)
    # A sixth failure after the hold doubles it.
    with pytest.raises(AuthenticationFailed):
        accounts.verify_password(any_store, "ada", "wrong", at=t0 + timedelta(seconds=70))
    with pytest.raises(TooManyAttempts, match="wait 2 minute"):
        accounts.verify_password(any_store, "ada", PW, at=t0 + timedelta(seconds=80))
    assert accounts.verify_password(any_store, "ada", PW, at=t0 + timedelta(seconds=191)) \
        .username == "ada"
    # A success clears the count: one more failure does not hold again.
    with pytest.raises(AuthenticationFailed) as exc:
        accounts.verify_password(any_store, "ada", "wrong", at=t0 + timedelta(seconds=200))
    assert not isinstance(exc.value, TooManyAttempts)


def test_rate_limit_is_shared_between_processes_and_hides_existence(sqlite_url: str) -> None:
    one, two = Store.open(sqlite_url), Store.open(sqlite_url)
    accounts.create_user(one, "ada", "Ada", PW)
    t0 = now()
    for name in ("ada", "ghost"):
        for _ in range(3):
            with pytest.raises(AuthenticationFailed):
                accounts.verify_password(one, name, "wrong password", at=t0)
        for _ in range(2):
            with pytest.raises(AuthenticationFailed):
                accounts.verify_password(two, name, "wrong password", at=t0)
    with pytest.raises(TooManyAttempts) as real:
        accounts.verify_password(two, "ada", PW, at=t0)
    with pytest.raises(TooManyAttempts) as ghost:
        accounts.verify_password(one, "ghost", PW, at=t0)
    assert str(real.value) == str(ghost.value)
    one.dispose()
    two.dispose()


def test_sessions_expire_and_revoke(any_store: Store) -> None:
    accounts.create_user(any_store, "ada", "Ada", PW)
    t0 = now()
    signed = accounts.sign_in(any_store, "ada", PW, at=t0, lifetime=timedelta(hours=1))
    assert signed.expires_at == t0 + timedelta(hours=1)
    assert accounts.validate_session(any_store, signed.token, at=t0).username == "ada"
    with pytest.raises(SessionExpired, match="expired at .*sign in again"):
        accounts.validate_session(any_store, signed.token, at=t0 + timedelta(hours=1))
    other = accounts.sign_in(any_store, "ada", PW, at=t0)
    accounts.sign_out(any_store, other.token)
    accounts.sign_out(any_store, other.token)
    with pytest.raises(SessionInvalid, match="sign in again"):
        accounts.validate_session(any_store, other.token, at=t0)
    with pytest.raises(SessionInvalid):
        accounts.validate_session(any_store, "made-up-token")
    with any_store.read() as s:  # only digests are stored
        assert signed.token not in s.scalars(select(UserSession.token_sha256)).all()


def test_change_password_signs_out_everywhere(any_store: Store) -> None:
    accounts.create_user(any_store, "ada", "Ada", PW)
    session = accounts.sign_in(any_store, "ada", PW)
    with pytest.raises(InvalidInput, match="is the old one"):
        accounts.change_password(any_store, "ada", PW, PW)
    accounts.change_password(any_store, "ada", PW, "a brand new secret")
    with pytest.raises(SessionInvalid):
        accounts.validate_session(any_store, session.token)
    with pytest.raises(AuthenticationFailed):
        accounts.verify_password(any_store, "ada", PW)
    assert accounts.verify_password(any_store, "ada", "a brand new secret").username == "ada"


def test_sign_in_upgrades_weak_hash_costs(store: Store) -> None:
    accounts.create_user(store, "ada", "Ada", PW)
    with store.read() as s:
        before = s.scalar(select(User.password_hash))
    accounts.use_hasher(PasswordHasher(time_cost=2, memory_cost=8, parallelism=1))
    accounts.verify_password(store, "ada", PW)
    with store.read() as s:
        after = s.scalar(select(User.password_hash))
    assert before != after and "t=2" in after


def test_purge_removes_dead_sessions(store: Store) -> None:
    accounts.create_user(store, "ada", "Ada", PW)
    t0 = now()
    accounts.sign_in(store, "ada", PW, at=t0, lifetime=timedelta(minutes=1))
    live = accounts.sign_in(store, "ada", PW, at=t0)
    assert accounts.purge(store, at=t0 + timedelta(minutes=2)) == (1, 0)
    assert accounts.validate_session(store, live.token, at=t0).username == "ada"
