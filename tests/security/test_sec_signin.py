"""Finding 4: sign-in limits were per username only, locked the real user out, and
SSO-only accounts answered much faster than the others (found by timing)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Literal

import pytest
from argon2 import PasswordHasher
from sec_world import PW, World

from annotations import accounts, permissions
from annotations.accounts import AuthenticationFailed, TooManyAttempts
from annotations.errors import PermissionDenied
from annotations.timeutil import now


def test_password_spray_over_many_usernames_is_held_per_address(world: World) -> None:
    """2 passwords over 30 usernames from one address: refused long before the end."""
    t0 = now()
    names = [f"user{i}" for i in range(30)] + ["ada"]
    refused = 0
    for password in ("Winter2026!", PW):
        for i, name in enumerate(names):
            try:
                accounts.verify_password(world.store, name, password,
                                         at=t0 + timedelta(milliseconds=i), client="10.0.0.66")
            except TooManyAttempts:
                refused += 1
            except AuthenticationFailed:
                pass
            else:
                pytest.fail(f"the spray cracked {name}")
    assert refused >= len(names) * 2 - accounts.MAX_ADDRESS_FAILURES


def test_wrong_passwords_do_not_lock_out_a_recognised_device(world: World) -> None:
    signed = accounts.sign_in(world.store, "teacher", PW, client="10.0.0.1")
    t0 = now()
    for i in range(12):  # an attacker elsewhere holds the account
        with pytest.raises(AuthenticationFailed):
            accounts.verify_password(world.store, "teacher", "guess", client="10.9.9.9",
                                     at=t0 + timedelta(seconds=i))
    later = t0 + timedelta(seconds=20)
    with pytest.raises(TooManyAttempts):
        accounts.verify_password(world.store, "teacher", PW, at=later, client="10.0.0.2")
    again = accounts.sign_in(world.store, "teacher", PW, at=later, client="10.0.0.1",
                             device=signed.device)
    assert again.user.username == "teacher" and again.device == signed.device


def test_a_device_token_of_another_account_does_not_help(world: World) -> None:
    mine = accounts.sign_in(world.store, "eve", PW)
    t0 = now()
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(AuthenticationFailed):
            accounts.verify_password(world.store, "teacher", "guess", at=t0)
    with pytest.raises(TooManyAttempts):
        accounts.verify_password(world.store, "teacher", PW, at=t0, device=mine.device)


class CountingHasher(PasswordHasher):
    """The cheap test hasher, remembering what each verification was against."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=8, parallelism=1)
        self.calls: list[str] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.calls.append(str(hash)[:8])
        return super().verify(hash, password)


@pytest.fixture
def counting() -> Iterator[CountingHasher]:
    hasher = CountingHasher()
    previous = accounts.use_hasher(hasher)
    yield hasher
    accounts.use_hasher(previous)


def test_every_failure_path_runs_one_argon2_verification(
        world: World, counting: CountingHasher) -> None:
    accounts.sso_sign_in(world.store, "https://idp.example", "sub-1", preferred_username="sso")
    for name in ("sso", "nobody", "ada"):
        counting.calls.clear()
        with pytest.raises(AuthenticationFailed):
            accounts.verify_password(world.store, name, "wrong password")
        assert counting.calls == ["$argon2i"], (name, counting.calls)


def test_a_held_attempt_also_costs_one_verification(
        world: World, counting: CountingHasher) -> None:
    t0 = now()
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(AuthenticationFailed):
            accounts.verify_password(world.store, "ada", "wrong", at=t0)
    counting.calls.clear()
    with pytest.raises(TooManyAttempts):
        accounts.verify_password(world.store, "ada", PW, at=t0)
    assert counting.calls == ["$argon2i"]


def test_an_instructor_lifts_a_hold_on_their_student_only(world: World) -> None:
    t0 = now()
    for name in ("ada", "oscar"):
        for _ in range(accounts.MAX_FAILURES):
            with pytest.raises(AuthenticationFailed):
                accounts.verify_password(world.store, name, "wrong", at=t0)
    assert accounts.lift_hold(world.store, world.actor("teacher"), "ada") == 5
    assert accounts.verify_password(world.store, "ada", PW, at=t0).username == "ada"
    with pytest.raises(PermissionDenied):
        accounts.lift_hold(world.store, world.actor("teacher"), "oscar")
    with pytest.raises(PermissionDenied):
        accounts.lift_hold(world.store, world.actor("bob"), "ada")
    assert accounts.lift_hold(world.store, permissions.Actor.console(), "oscar") == 5
