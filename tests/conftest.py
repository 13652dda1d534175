"""Shared fixtures: real stores (temp-file SQLite and a throwaway PostgreSQL cluster).

The PostgreSQL cluster (tests/pgcluster.py, shared with bench/) is started once
per test session by `pg_server`. Outside CI a missing server skips the
PostgreSQL tests; in CI (CI=true) it fails them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pgcluster
import pytest
from argon2 import PasswordHasher
from pgcluster import PgServer

from annotations import accounts, corpus
from annotations.db.engine import Store
from annotations.seminar import create_seminar

ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    if not pgcluster.available():
        message = f"PostgreSQL server binaries not found in {pgcluster.PG_BIN}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    with pgcluster.cluster() as server:
        yield server


@pytest.fixture
def fast_hasher() -> Iterator[None]:
    """Cheap argon2 costs, for tests whose rules do not depend on them (use it by name or
    with `pytest.mark.usefixtures`)."""
    previous = accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    yield
    accounts.use_hasher(previous)


@pytest.fixture
def open_signup(monkeypatch: pytest.MonkeyPatch) -> None:
    """For tests about what happens in a seminar, not who may create one
    (tests/security covers that): every account may create seminars."""
    monkeypatch.setenv("ANNOTATIONS_OPEN_SIGNUP", "1")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite3'}"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh empty store URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    server: PgServer = request.getfixturevalue("pg_server")
    return server.create_database()


def _seeded(url: str) -> Store:
    """A migrated store with the corpus loaded and a seminar `demo` (join code DEMO01)."""
    s = Store.open(url)
    corpus.load_corpus(s, ROOT / "texts")
    create_seminar(s, "demo", "Demo seminar", "DEMO01")
    return s


@pytest.fixture
def store(sqlite_url: str) -> Iterator[Store]:
    """A seeded SQLite store."""
    s = _seeded(sqlite_url)
    yield s
    s.dispose()


@pytest.fixture
def any_store(any_url: str) -> Iterator[Store]:
    """Like `store`, on SQLite and on PostgreSQL."""
    s = _seeded(any_url)
    yield s
    s.dispose()


@pytest.fixture
def env_store(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the CLI's ANNOTATIONS_DATABASE_URL at a fresh SQLite file."""
    monkeypatch.setenv("ANNOTATIONS_DATABASE_URL", sqlite_url)
    monkeypatch.setenv("ANNOTATIONS_TEXTS_DIR", str(ROOT / "texts"))
    return sqlite_url


def wait_for(predicate, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
