"""Import and export speed against a floor measured in the same run.

    python bench/bench_store.py            # 100,000 annotations, median of 5 runs
    python bench/bench_store.py --rows 2000 --repeat 1
    python bench/bench_store.py --quick    # the same small run, the smoke run CI makes

Import: `importer.import_csv` of a CSV (parse, check every row, write in one
transaction) into a fresh migrated SQLite store with the corpus and a seminar,
against a bare stdlib `sqlite3` executemany of the same rows, already built,
into the same schema (made by our migration) with the same pragmas, in one
transaction. Target: at most 3x.

Export: `export.export_annotations` to a file against `pandas.DataFrame.to_csv`
of the same rows (the DataFrame is built beforehand and not timed). Target:
at most 2x.

Ratios, not seconds, are what to compare between machines. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pandas as pd
from factory import annotation_rows, annotations_csv, corpus_texts

from annotations import corpus, export, importer
from annotations.annotation import Filters, annotation_select
from annotations.db.engine import Store
from annotations.seminar import create_seminar

ROOT = Path(__file__).resolve().parent.parent
SEMINAR = "bench"
IMPORT_TARGET, EXPORT_TARGET = 3.0, 2.0
FLOOR_COLUMNS = (
    "id", "seminar_id", "document_version_id", "start_offset", "end_offset", "quote",
    "prefix", "suffix", "perspective", "codes", "note", "annotator", "anchor_status",
    "source", "created_at", "updated_at",
)


def _median_time(runs: int, prepare: Callable[[], object], work: Callable[[object], object]
                 ) -> float:
    """Median seconds of `work(prepare())` over `runs` runs; `prepare` is not timed."""
    times = []
    for _ in range(runs):
        state = prepare()
        t0 = time.perf_counter()
        work(state)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _template(folder: Path) -> Path:
    """A migrated store file with the corpus and the seminar, to copy for every run."""
    path = folder / "template.sqlite3"
    store = Store.open(f"sqlite:///{path}")
    corpus.load_corpus(store, ROOT / "texts")
    create_seminar(store, SEMINAR, "Benchmark", "BENCH1")
    store.dispose()
    return path


def _copy(template: Path, path: Path) -> Path:
    path.unlink(missing_ok=True)
    for extra in ("-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    with sqlite3.connect(template) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return path


def _sql_time(t: datetime) -> str:
    """A datetime as SQLAlchemy's SQLite dialect stores it."""
    return t.strftime("%Y-%m-%d %H:%M:%S.%f")


def _floor_rows(template: Path, rows: int) -> list[tuple[object, ...]]:
    """The rows our import writes, as plain tuples for executemany."""
    con = sqlite3.connect(template)
    sid = con.execute("SELECT id FROM seminars WHERE slug = ?", (SEMINAR,)).fetchone()[0]
    versions = dict(con.execute("SELECT document_id, current_version_id FROM documents"))
    con.close()
    out = []
    for r in annotation_rows(rows, seminar=SEMINAR, texts=corpus_texts(ROOT / "texts")):
        stamp = _sql_time(datetime.fromisoformat(str(r[14]).replace("Z", "")))
        out.append((r[0], sid, versions[r[2]], r[5], r[6], r[7], r[8], r[9], r[10], r[11],
                    r[12], r[13], "anchored", "", stamp, stamp))
    return out


def bench_import(folder: Path, template: Path, rows: int, runs: int) -> tuple[float, float]:
    text = annotations_csv(rows, seminar=SEMINAR, texts=corpus_texts(ROOT / "texts"))
    floor_rows = _floor_rows(template, rows)
    insert = (f"INSERT INTO annotations ({', '.join(FLOOR_COLUMNS)}) "
              f"VALUES ({', '.join('?' * len(FLOOR_COLUMNS))})")

    def fresh_store() -> Store:
        return Store.open(f"sqlite:///{_copy(template, folder / 'ours.sqlite3')}",
                          migrate=False)

    def ours(store: object) -> None:
        assert isinstance(store, Store)
        report = importer.import_csv(store, text)
        assert report.inserted == rows, report
        store.dispose()

    def fresh_floor() -> sqlite3.Connection:
        con = sqlite3.connect(_copy(template, folder / "floor.sqlite3"), isolation_level=None)
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = NORMAL")
        con.execute("PRAGMA foreign_keys = ON")
        return con

    def floor(con: object) -> None:
        assert isinstance(con, sqlite3.Connection)
        con.execute("BEGIN IMMEDIATE")
        con.executemany(insert, floor_rows)
        con.execute("COMMIT")
        con.close()

    return _median_time(runs, fresh_store, ours), _median_time(runs, fresh_floor, floor)


def bench_export(folder: Path, template: Path, rows: int, runs: int) -> tuple[float, float]:
    path = _copy(template, folder / "export.sqlite3")
    store = Store.open(f"sqlite:///{path}", migrate=False)
    importer.import_csv(store, annotations_csv(rows, seminar=SEMINAR,
                                               texts=corpus_texts(ROOT / "texts")))
    with store.read() as session:
        query = annotation_select(Filters())
        data = [tuple(r)[:16] for r in session.execute(query)]
    frame = pd.DataFrame(data, columns=list(export.COLUMNS))
    out_ours, out_floor = folder / "ours.csv", folder / "floor.csv"

    def ours(_: object) -> None:
        with out_ours.open("w", encoding="utf-8", newline="") as f:
            n = export.export_annotations(store, f)
        assert n == rows, n

    def floor(_: object) -> None:
        frame.to_csv(out_floor, index=False, lineterminator="\r\n")

    try:
        return _median_time(runs, lambda: None, ours), _median_time(runs, lambda: None, floor)
    finally:
        store.dispose()


def _report(what: str, rows: int, runs: int, ours: float, floor_name: str, floor: float,
            target: float) -> None:
    ratio = ours / floor
    verdict = "meets" if ratio <= target else "MISSES"
    print(f"{what} {rows} rows (median of {runs}): ours {ours:.3f} s, "
          f"{floor_name} {floor:.3f} s")
    print(f"{what} ratio {ratio:.2f}x (target <= {target:g}x: {verdict})", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="annotations (100000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (5)")
    parser.add_argument("--only", choices=("import", "export"), help="run one benchmark")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2000 rows, one run")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.repeat = 2000, 1
    with tempfile.TemporaryDirectory(prefix="annotations-bench-") as tmp:
        folder = Path(tmp)
        template = _template(folder)
        if args.only in (None, "import"):
            ours, floor = bench_import(folder, template, args.rows, args.repeat)
            _report("import", args.rows, args.repeat, ours, "sqlite3 executemany", floor,
                    IMPORT_TARGET)
        if args.only in (None, "export"):
            ours, floor = bench_export(folder, template, args.rows, args.repeat)
            _report("export", args.rows, args.repeat, ours, "pandas to_csv", floor,
                    EXPORT_TARGET)


if __name__ == "__main__":
    main()
