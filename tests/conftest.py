"""Shared fixtures: real stores (temp-file SQLite and a throwaway PostgreSQL cluster).

The PostgreSQL cluster is started once per test session by `pg_server`: initdb
as the unprivileged `postgres` user into a temp folder, listening on a unix
socket and a free loopback port. Outside CI a missing server skips the
PostgreSQL tests; in CI (CI=true) it fails them.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from annotations import corpus
from annotations.db.engine import Store
from annotations.seminar import create_seminar

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
ROOT = Path(__file__).resolve().parent.parent
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_postgres(args: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


class PgServer:
    def __init__(self, base: Path, port: int) -> None:
        self.base, self.port = base, port

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        subprocess.run(
            [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
             "-d", "postgres", "-qc", f"CREATE DATABASE {name}"],
            check=True, capture_output=True,
        )
        return self.url(name)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    if not (PG_BIN / "initdb").exists():
        message = f"PostgreSQL server binaries not found in {PG_BIN}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    base = Path(tempfile.mkdtemp(prefix="annotations-pg-"))
    os.chmod(base, 0o777)
    data = base / "data"
    if os.geteuid() == 0:
        shutil.chown(base, "postgres")
    subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres",
                                 "--auth=trust", "-E", "UTF8", "--no-instructions"]),
                   check=True, capture_output=True)
    port = _free_port()
    log = base / "pg.log"
    subprocess.run(_as_postgres([
        str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(log), "-w", "-t", "60", "-o",
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c max_connections=200",
        "start"]), check=True, capture_output=True)
    try:
        yield PgServer(base, port)
    finally:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate",
                                     "stop"]), capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


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
