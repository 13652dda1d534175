"""Fixtures of the attack suite: a cheap hasher and the world of `sec_world`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sec_world import World, build_world

from annotations import accounts
from annotations.db.engine import Store


@pytest.fixture(autouse=True)
def fast_hasher() -> Iterator[None]:
    previous = accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    yield
    accounts.use_hasher(previous)


@pytest.fixture
def world(store: Store) -> World:
    return build_world(store)


@pytest.fixture
def any_world(any_store: Store) -> World:
    return build_world(any_store)
