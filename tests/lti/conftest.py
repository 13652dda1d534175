"""Fixtures of the LTI tests: the world (lti_world.py) on SQLite, or on both backends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from lti_world import World, make_world

from annotations.db.engine import Store
from annotations.lti import services


@pytest.fixture(autouse=True)
def _cheap_hashing(fast_hasher: None) -> None:
    """Every test here hashes with cheap argon2 costs (tests/conftest.py's fast_hasher)."""


@pytest.fixture(autouse=True)
def fresh_caches() -> Iterator[None]:
    """Each test's platform has its own keys and tokens on reused loopback ports."""
    services._jwks.clear()
    services._tokens.clear()
    yield


@pytest.fixture
def world(store: Store, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """A seeded SQLite store, the tool's routes on it, and a registered LMS."""
    yield from make_world(store, sqlite_url, monkeypatch)


@pytest.fixture
def pg_world(any_store: Store, any_url: str, monkeypatch: pytest.MonkeyPatch
             ) -> Iterator[World]:
    """`world` on SQLite and on PostgreSQL."""
    yield from make_world(any_store, any_url, monkeypatch)
