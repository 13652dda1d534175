"""The one place that knows how to open the store and how SQLite must be driven.

SQLite runs in WAL mode with a busy timeout, and every transaction starts with
BEGIN IMMEDIATE so that concurrent writers queue for the lock instead of
failing with "database is locked" when a reader upgrades to a writer.
PostgreSQL writers queue the same way, on a transaction-scoped advisory lock,
so what a writer checked before writing (is this id, this code already
stored?) still holds when it writes, as on SQLite.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from .. import config
from ..errors import InvalidInput

BUSY_TIMEOUT_MS = 60_000


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let us issue BEGIN ourselves (pysqlite's own handling defers it).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        # LIKE as on PostgreSQL: the code filter must not match "Bias" for "bias".
        cur.execute("PRAGMA case_sensitive_like = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Readers take no write lock, so polling never waits behind an import.
        readonly = conn.get_execution_options().get("readonly", False)
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


# The PostgreSQL advisory lock every writer transaction queues for ("anno").
PG_WRITE_LOCK = 0x616E6E6F


def _postgres_setup(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Without it, two imports of one file (or of one new code) both see "not
        # there yet", both insert, and the second dies on a unique violation.
        if not conn.get_execution_options().get("readonly", False):
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")


def make_engine(url: str | None = None) -> Engine:
    """An engine for `url` (default: the configured store), folders created as needed."""
    url = url or config.database_url()
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise InvalidInput(
            f"{url!r} is not a database URL: set ANNOTATIONS_DATABASE_URL to e.g. "
            "sqlite:////path/file.db or postgresql+psycopg://user:pw@host/db"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        db = parsed.database
        if db and db != ":memory:" and not db.startswith("file:"):
            Path(db).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _sqlite_setup(engine)
        return engine
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "postgresql":
        _postgres_setup(engine)
    return engine


class Store:
    """An open store: the engine and a session factory whose sessions are transactions."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._readers = sessionmaker(
            engine.execution_options(readonly=True), expire_on_commit=False
        )

    @classmethod
    def open(cls, url: str | None = None, *, migrate: bool = True) -> Store:
        store = cls(make_engine(url))
        if migrate:
            from .migrate import upgrade

            upgrade(store.engine)
        return store

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed whole or rolled back whole."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A consistent snapshot for reading; nothing is written."""
        with self._readers() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
