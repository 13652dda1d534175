"""PostgreSQL writers of different seminars do not queue behind one another (issue 13).

A writer of one seminar's annotations holds the store-wide advisory lock shared
and its seminar's lock; everything else holds the store-wide lock alone. Waits
are shown with PostgreSQL's own `lock_timeout`: a writer that must wait fails
with a lock timeout while the other transaction is open, one that need not wait
succeeds. No timing is asserted: a lock that is held cannot be taken in any time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from annotations import corpus
from annotations.annotation import (
    Filters,
    create_annotation,
    create_annotation_in,
    list_annotations,
)
from annotations.db.engine import Store, make_engine
from annotations.seminar import create_seminar

pytestmark = pytest.mark.postgres

DOC = "allied-powers-ussr"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def pg_store(pg_server: Any) -> Iterator[tuple[Store, str]]:
    url = pg_server.create_database()
    store = Store.open(url)
    corpus.load_corpus(store, ROOT / "texts")
    create_seminar(store, "east", "East", "EAST01")
    create_seminar(store, "west", "West", "WEST01")
    yield store, url
    store.dispose()


def impatient(url: str) -> Store:
    """A store whose writers give up after 300 ms of waiting for a lock."""
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _impatient(dbapi_conn: Any, _record: Any) -> None:
        with dbapi_conn.cursor() as cur:
            cur.execute("SET lock_timeout = 300")
        dbapi_conn.commit()

    return Store(engine)


def save(store: Store, seminar: str, who: str, annotation_id: str | None = None) -> str:
    text_ = corpus.get_text(store, DOC).text
    return create_annotation(store, seminar=seminar, document_id=DOC, start=0, end=10,
                             quote=text_[:10], annotator=who, annotation_id=annotation_id).id


def test_another_seminar_writes_while_one_seminar_is_writing(pg_store: tuple[Store, str]) -> None:
    store, url = pg_store
    other = impatient(url)
    try:
        with store.transaction(seminar="east") as session:
            session.execute(text("SELECT 1"))
            assert save(other, "west", "Wes")  # does not wait for east
            with pytest.raises(OperationalError, match="lock timeout"):
                save(other, "east", "Eve")  # the same seminar waits
            with pytest.raises(OperationalError, match="lock timeout"):
                create_seminar(other, "north", "North", "NORTH1")  # a store-wide write waits
        assert save(other, "east", "Eve")  # and goes once east committed
    finally:
        other.dispose()


def test_the_old_store_wide_lock_makes_every_seminar_wait(pg_store: tuple[Store, str]) -> None:
    store, url = pg_store
    other = impatient(url)
    other.seminar_locks = False
    try:
        with store.transaction() as session:
            session.execute(text("SELECT 1"))
            with pytest.raises(OperationalError, match="lock timeout"):
                save(other, "west", "Wes")
    finally:
        other.dispose()


def test_an_id_two_seminars_choose_at_once_is_answered_as_a_fresh_one(
        pg_store: tuple[Store, str]) -> None:
    """East holds id X uncommitted; west asks for X: its insert waits on the key,
    fails when east commits, and is done again store-wide, where it sees X."""
    store, _ = pg_store
    aid = "6f1e0c1e-8a3b-4c2d-9e4f-0a1b2c3d4e5f"
    text_ = corpus.get_text(store, DOC).text
    got: dict[str, object] = {}

    def west() -> None:
        try:
            got["id"] = save(store, "west", "Wes", aid)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            got["error"] = exc

    with store.transaction(seminar="east") as session:
        create_annotation_in(session, seminar="east", document_id=DOC, start=0, end=10,
                             quote=text_[:10], annotator="Eve", perspective="", codes=[],
                             note="", annotation_id=aid, source="")
        session.flush()
        thread = threading.Thread(target=west)
        thread.start()
        _until_a_lock_is_awaited(store)
    thread.join(timeout=60)
    assert "error" not in got, got
    assert got["id"] != aid
    east = list_annotations(store, Filters(seminar="east"))
    west_ = list_annotations(store, Filters(seminar="west"))
    assert [a.id for a in east] == [aid] and [a.id for a in west_] == [got["id"]]


def _until_a_lock_is_awaited(store: Store) -> None:
    """Wait (a condition, not a duration) until some backend waits for a lock."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with store.read() as conn:
            if conn.execute(text("SELECT count(*) FROM pg_locks WHERE NOT granted")).scalar():
                return
        time.sleep(0.05)
    raise AssertionError("the second writer never waited for the first")


def test_app_processes_starting_together_migrate_a_new_database_once(pg_server: Any) -> None:
    """Three app processes of a department start at once on an empty database: the
    migration runs under the store-wide lock, so one migrates and the others find it done."""
    url = pg_server.create_database()
    code = "import sys; from annotations.db.engine import Store; Store.open(sys.argv[1]).dispose()"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", code, url], env=env,
                              stderr=subprocess.PIPE, text=True) for _ in range(3)]
    failed = [p.communicate(timeout=180)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], failed
