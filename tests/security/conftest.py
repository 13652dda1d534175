"""Fixtures of the attack suite: a cheap hasher and the world of `sec_world`."""

from __future__ import annotations

import pytest
from sec_world import World, build_world

from annotations.db.engine import Store


@pytest.fixture(autouse=True)
def _cheap_hashing(fast_hasher: None) -> None:
    """Every test here hashes with cheap argon2 costs (tests/conftest.py's fast_hasher)."""


@pytest.fixture
def world(store: Store) -> World:
    return build_world(store)


@pytest.fixture
def any_world(any_store: Store) -> World:
    return build_world(any_store)
