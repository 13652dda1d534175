"""Reliability of the one write path under real processes: concurrent imports, kill -9.

Every writer is a real `annotations import FILE` process, as a seminar would
run it, against one SQLite file or one PostgreSQL database. The checks are on
the database afterwards, never on timings: all rows there, no "database is
locked", and a writer killed with SIGKILL leaves either its whole import or
nothing, in a store that still passes its integrity checks and takes writes.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import func, select, text

from annotations import codebook
from annotations.db.engine import Store
from annotations.db.models import Annotation, Seminar

ROOT = Path(__file__).resolve().parent.parent
SEMINAR = "reliability"
WRITERS, ROWS_PER_WRITER = 8, 10_000
BIG_IMPORT = 200_000  # rows: parsing and writing them takes seconds, a wide window to kill in
BASE_ROWS = 100  # already in the store before the killed import

pytestmark = pytest.mark.slow


def _load_factory() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_factory", ROOT / "bench" / "factory.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


factory = _load_factory()


def _annotations_cmd() -> list[str]:
    script = Path(sys.executable).with_name("annotations")
    if script.exists():
        return [str(script)]
    found = shutil.which("annotations")
    assert found, "the `annotations` console script is not installed"
    return [found]


def _env(url: str) -> dict[str, str]:
    return dict(os.environ, ANNOTATIONS_DATABASE_URL=url,
                ANNOTATIONS_TEXTS_DIR=str(ROOT / "texts"))


def _cli(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*_annotations_cmd(), *args], env=_env(url), capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, f"annotations {' '.join(args)}: {done.stdout}{done.stderr}"
    return done


def _start_import(url: str, csv_file: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([*_annotations_cmd(), "import", str(csv_file)], env=_env(url),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _prepare(url: str, tmp: Path, base_rows: int = 0) -> None:
    """A store as an instructor sets it up: init, a seminar, maybe some annotations."""
    _cli(url, "init")
    _cli(url, "seminar", "create", SEMINAR, "--title", "Reliability")
    if base_rows:
        base = tmp / "base.csv"
        base.write_text(factory.annotations_csv(base_rows, seminar=SEMINAR, batch=999),
                        encoding="utf-8", newline="")
        _cli(url, "import", str(base))


def _counts(url: str) -> tuple[int, int]:
    """(annotations, seminar revision), read through our own store."""
    store = Store.open(url, migrate=False)
    try:
        with store.read() as session:
            n = session.scalar(select(func.count()).select_from(Annotation)) or 0
            rev = session.scalar(select(Seminar.revision).where(Seminar.slug == SEMINAR)) or 0
            return n, rev
    finally:
        store.dispose()


def _count_batch(url: str, batch: int, rows: int) -> int:
    """How many of the ids of factory batch `batch` are in the store."""
    lo, hi = factory.annotation_id(batch, 0), factory.annotation_id(batch, rows - 1)
    store = Store.open(url, migrate=False)
    try:
        with store.read() as session:
            return session.scalar(select(func.count()).select_from(Annotation)
                                  .where(Annotation.id.between(lo, hi))) or 0
    finally:
        store.dispose()


def _wait_until(predicate: Callable[[], bool], proc: subprocess.Popen[str],
                timeout: float = 120.0) -> bool:
    """Poll `predicate` while `proc` runs; False if it ended or the time ran out first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        if predicate():
            return True
        time.sleep(0.02)
    return False


def _kill(proc: subprocess.Popen[str]) -> int:
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    return proc.returncode


# -- eight writers at once ---------------------------------------------------------------


def _url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite3'}"
    return request.getfixturevalue("pg_server").create_database()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres",
                                                            marks=pytest.mark.postgres)])
def test_eight_processes_import_at_once(backend: str, tmp_path: Path,
                                        request: pytest.FixtureRequest) -> None:
    url = _url(backend, tmp_path, request)
    _prepare(url, tmp_path)
    _, revision_before = _counts(url)
    texts = factory.corpus_texts(ROOT / "texts")
    files = []
    for batch in range(WRITERS):
        f = tmp_path / f"writer-{batch}.csv"
        f.write_text(factory.annotations_csv(ROWS_PER_WRITER, seminar=SEMINAR, batch=batch,
                                             texts=texts), encoding="utf-8", newline="")
        files.append(f)

    procs = [_start_import(url, f) for f in files]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]

    for code, out, err in results:
        assert "locked" not in (out + err).lower()
        assert code == 0, err
        assert err == ""
        assert out.startswith(f"imported: {ROWS_PER_WRITER} new, 0 updated"), out
    count, revision = _counts(url)
    assert count == WRITERS * ROWS_PER_WRITER
    for batch in range(WRITERS):
        assert _count_batch(url, batch, ROWS_PER_WRITER) == ROWS_PER_WRITER
    # Every import bumped the seminar's change counter once: no update was lost.
    assert revision == revision_before + WRITERS


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres",
                                                            marks=pytest.mark.postgres)])
def test_same_file_imported_by_four_processes_at_once(backend: str, tmp_path: Path,
                                                      request: pytest.FixtureRequest) -> None:
    """Upsert by id holds under concurrency: one process inserts, the others update."""
    url = _url(backend, tmp_path, request)
    _prepare(url, tmp_path)
    rows = 2_000
    table = list(csv.reader(io.StringIO(
        factory.annotations_csv(rows, seminar=SEMINAR, batch=50), newline="")))
    # A code the seminar's codebook does not have yet: every process wants to add it.
    table[1][table[0].index("codes")] = "newly coined code"
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(table)
    f = tmp_path / "shared.csv"
    f.write_text(out.getvalue(), encoding="utf-8", newline="")

    procs = [_start_import(url, f) for _ in range(4)]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]

    assert [code for code, _, _ in results] == [0] * 4, [err for _, _, err in results]
    outs = sorted(out for _, out, _ in results)
    assert outs[0].startswith(f"imported: 0 new, {rows} updated"), outs
    assert outs[-1].startswith(f"imported: {rows} new, 0 updated"), outs
    assert sum(out.startswith(f"imported: {rows} new") for out in outs) == 1
    assert _counts(url)[0] == rows
    store = Store.open(url, migrate=False)
    try:
        with store.read() as session:
            sid = session.scalar(select(Seminar.id).where(Seminar.slug == SEMINAR))
            assert sid is not None
            assert codebook.code_names(session, sid).count("newly coined code") == 1
    finally:
        store.dispose()


# -- a writer killed with SIGKILL --------------------------------------------------------


@pytest.fixture(scope="module")
def big_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    f = tmp_path_factory.mktemp("big") / "big.csv"
    f.write_text(factory.annotations_csv(BIG_IMPORT, seminar=SEMINAR, batch=100),
                 encoding="utf-8", newline="")
    return f


def _sqlite_write_locked(db: Path) -> bool:
    """True while another connection holds the write lock (a writer is in its transaction)."""
    probe = sqlite3.connect(db, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        assert "locked" in str(exc) or "busy" in str(exc), exc
        return True
    else:
        probe.execute("ROLLBACK")
        return False
    finally:
        probe.close()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _check_sqlite_consistent(db: Path) -> None:
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        con.close()


# When to kill, counted from the moment the writer is seen holding the write lock:
# right away, once rows are being written out to the WAL, and later on.
SQLITE_KILLS = [("in transaction", 0.0), ("writing to WAL", 0.0), ("in transaction", 1.0),
                ("writing to WAL", 1.5)]


def test_sigkill_mid_import_leaves_sqlite_consistent(tmp_path: Path, big_csv: Path) -> None:
    template = tmp_path / "template.sqlite3"
    _prepare(f"sqlite:///{template}", tmp_path, BASE_ROWS)
    outcomes = []
    for i, (moment, delay) in enumerate(SQLITE_KILLS):
        db = tmp_path / f"round-{i}.sqlite3"
        with sqlite3.connect(template) as src, sqlite3.connect(db) as dst:
            src.backup(dst)
        url = f"sqlite:///{db}"
        before, revision_before = _counts(url)
        assert before == BASE_ROWS
        wal = db.with_name(db.name + "-wal")

        proc = _start_import(url, big_csv)
        # Held on two probes in a row: the import's transaction, not the brief
        # migration check at start-up.
        assert _wait_until(lambda db=db: _sqlite_write_locked(db)
                           and _sqlite_write_locked(db), proc), proc.communicate()
        if moment == "writing to WAL":
            start = _size(wal)
            _wait_until(lambda wal=wal, start=start: _size(wal) > start + (4 << 20), proc)
        time.sleep(delay)
        code = _kill(proc)

        _check_sqlite_consistent(db)
        after, revision = _counts(url)
        assert after in (before, before + BIG_IMPORT), (moment, delay, after)
        committed = after == before + BIG_IMPORT
        assert _count_batch(url, 100, BIG_IMPORT) == (BIG_IMPORT if committed else 0)
        assert revision == revision_before + committed
        if not committed:
            assert code == -signal.SIGKILL
        outcomes.append(committed)

        # The store still takes writes: no lock or half transaction was left behind.
        more = tmp_path / f"more-{i}.csv"
        more.write_text(factory.annotations_csv(50, seminar=SEMINAR, batch=200 + i),
                        encoding="utf-8", newline="")
        _cli(url, "import", str(more))
        assert _counts(url)[0] == after + 50
        _check_sqlite_consistent(db)
    # The kill right after the lock was taken is certain to land before the commit.
    assert outcomes[0] is False


def _pg_writing(admin: Store, dbname: str) -> bool:
    """True once a session on `dbname` has written in its open transaction (has an xid)."""
    with admin.read() as session:
        return bool(session.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = :d "
            "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"), {"d": dbname}))


def _pg_sessions(admin: Store, dbname: str) -> int:
    with admin.read() as session:
        return session.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = :d "
            "AND pid <> pg_backend_pid()"), {"d": dbname}) or 0


@pytest.mark.postgres
def test_sigkill_mid_import_leaves_postgres_consistent(pg_server, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                       big_csv: Path) -> None:
    admin = Store.open(pg_server.url("postgres"), migrate=False)
    try:
        for i, delay in enumerate((0.0, 1.0)):
            url = pg_server.create_database()
            dbname = url.rsplit("/", 1)[1]
            _prepare(url, tmp_path, BASE_ROWS)
            before, revision_before = _counts(url)
            assert before == BASE_ROWS

            proc = _start_import(url, big_csv)
            assert _wait_until(lambda dbname=dbname: _pg_writing(admin, dbname), proc), \
                proc.communicate()
            time.sleep(delay)
            code = _kill(proc)
            # The server notices the dead client and rolls its transaction back.
            assert _wait_until_true(lambda dbname=dbname: _pg_sessions(admin, dbname) == 0)

            after, revision = _counts(url)
            assert after in (before, before + BIG_IMPORT), (delay, after)
            committed = after == before + BIG_IMPORT
            assert _count_batch(url, 100, BIG_IMPORT) == (BIG_IMPORT if committed else 0)
            assert revision == revision_before + committed
            if i == 0:
                assert not committed and code == -signal.SIGKILL

            more = tmp_path / f"more-{i}.csv"
            more.write_text(factory.annotations_csv(50, seminar=SEMINAR, batch=200 + i),
                            encoding="utf-8", newline="")
            _cli(url, "import", str(more))
            assert _counts(url)[0] == after + 50
    finally:
        admin.dispose()


def _wait_until_true(predicate: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
