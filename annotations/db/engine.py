"""The one place that knows how to open the store and how SQLite must be driven.

SQLite runs in WAL mode with a busy timeout, and every transaction starts with
BEGIN IMMEDIATE so that concurrent writers queue for the lock instead of
failing with "database is locked" when a reader upgrades to a writer.
PostgreSQL writers queue the same way, on transaction-scoped advisory locks,
so what a writer checked before writing (is this id, this code already
stored?) still holds when it writes, as on SQLite. A writer that changes one
seminar's annotations and replies (`transaction(seminar=...)`) holds the
store-wide lock shared and that seminar's lock alone, so classes in different
seminars write side by side; every other writer (accounts, texts, codebooks,
members) holds the store-wide lock alone and waits for them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from .. import config
from ..errors import InvalidInput

BUSY_TIMEOUT_MS = 60_000
_T = TypeVar("_T")


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


# The PostgreSQL advisory lock every writer transaction queues for ("anno"), and
# the namespace of the per-seminar locks (two-key form: its own key space).
PG_WRITE_LOCK = 0x616E6E6F
PG_SEMINAR_LOCKS = 0x616E6E73


def _postgres_setup(engine: Engine) -> None:
    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Without it, two imports of one file (or of one new code) both see "not
        # there yet", both insert, and the second dies on a unique violation.
        options = conn.get_execution_options()
        if options.get("readonly", False):
            return
        seminar = options.get("seminar")
        if seminar is None:
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({PG_WRITE_LOCK})")
            return
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock_shared({PG_WRITE_LOCK})")
        conn.exec_driver_sql(
            f"SELECT pg_advisory_xact_lock({PG_SEMINAR_LOCKS}, hashtext(%(slug)s))",
            {"slug": seminar})


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

    def __init__(self, engine: Engine, *, seminar_locks: bool = True) -> None:
        self.engine = engine
        # False: every writer takes the store-wide lock (how it was before; bench_load
        # measures the difference).
        self.seminar_locks = seminar_locks
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
    def transaction(self, *, seminar: str | None = None) -> Iterator[Session]:
        """One unit of work: committed whole or rolled back whole.

        `seminar`: the work reads global things (texts, codebooks, members) but
        writes only that seminar's annotations, replies and audit entries; on
        PostgreSQL it then waits only for writers of the same seminar.
        """
        bind = self.engine.execution_options(seminar=seminar) \
            if seminar is not None and self.seminar_locks else self.engine
        with self._sessions(bind=bind) as session, session.begin():
            yield session

    def write_in_seminar(self, seminar: str, work: Callable[[Session], _T]) -> _T:
        """`work` in `transaction(seminar=...)`; if a key another seminar wrote
        meanwhile collides (an id both chose), once more store-wide, where the
        checks see the other write and answer as they would have had it come first."""
        try:
            with self.transaction(seminar=seminar) as session:
                return work(session)
        except IntegrityError:
            if not self.seminar_locks or self.dialect != "postgresql":
                raise
        with self.transaction() as session:
            return work(session)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A consistent snapshot for reading; nothing is written."""
        with self._readers() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
