"""Import and export speed as a user meets them: end to end through the CLI.

    python bench/bench_store.py            # 100,000 annotations, best of 3
    python bench/bench_store.py --quick    # 2,000 annotations, 1 sample (CI smoke)

Import: `annotations import FILE` of a 100,000-row CSV file in a new process,
into a fresh copy of a prepared SQLite store (corpus, seminar), against a bare
stdlib `sqlite3` executemany of the same rows, already built, into the same
schema (made by our migration) with the same pragmas, in one transaction.
Target: at most 2x.

Export: `annotations export -o FILE` of those rows in a new process, against
`pandas.DataFrame.to_csv` of the same rows (the DataFrame is built beforehand
and not timed). Target: at most 1.5x.

The CLI's fixed start-up (interpreter, imports, opening the store) is measured
the same way on a 10-row file and store and subtracted. Every figure is the
best of its runs, in wall-clock seconds and in CPU seconds (this process plus
the CLI's); on a machine shared with other work the CPU ratio is the steadier.
Ratios, not seconds, are what to compare between machines. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pandas as pd
from factory import annotation_rows, annotations_csv, corpus_texts

from annotations import corpus, startup
from annotations.annotation import Filters, annotation_select
from annotations.db.engine import Store
from annotations.export import COLUMNS
from annotations.importer import import_csv
from annotations.seminar import create_seminar

ROOT = Path(__file__).resolve().parent.parent
SEMINAR = "bench"
STARTUP_ROWS = 10
IMPORT_TARGET, EXPORT_TARGET = 2.0, 1.5
FLOOR_COLUMNS = (
    "id", "seminar_id", "document_version_id", "start_offset", "end_offset", "quote",
    "prefix", "suffix", "perspective", "codes", "note", "annotator", "anchor_status",
    "source", "created_at", "updated_at",
)


Seconds = tuple[float, float]  # (wall clock, CPU of this process and its children)


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _best_time(runs: int, prepare: Callable[[], object], work: Callable[[object], object]
               ) -> Seconds:
    """Best (wall, CPU) seconds of `work(prepare())` over `runs` runs; `prepare` is not timed."""
    wall = cpu = float("inf")
    for _ in range(runs):
        state = prepare()
        t0, c0 = time.perf_counter(), _cpu()
        work(state)
        wall, cpu = min(wall, time.perf_counter() - t0), min(cpu, _cpu() - c0)
    return wall, cpu


def _template(folder: Path) -> Path:
    """A prepared store file with the corpus and the seminar, to copy for every run."""
    path = folder / "template.sqlite3"
    store = startup.open_store(f"sqlite:///{path}", ROOT / "texts")
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


def _cli(store: Path, *args: str) -> None:
    """One `annotations` command in a new process, as a user runs it, on `store`."""
    env = {**os.environ, "ANNOTATIONS_DATABASE_URL": f"sqlite:///{store}",
           "ANNOTATIONS_TEXTS_DIR": str(ROOT / "texts"),
           "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))}
    done = subprocess.run([sys.executable, "-m", "annotations.cli", *args], env=env,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"annotations {' '.join(args)} failed:\n{done.stderr}")


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


def _csv_file(folder: Path, rows: int) -> Path:
    path = folder / f"annotations-{rows}.csv"
    text = annotations_csv(rows, seminar=SEMINAR, texts=corpus_texts(ROOT / "texts"))
    path.write_bytes(text.encode("utf-8"))
    return path


def bench_import(folder: Path, template: Path, rows: int, runs: int
                 ) -> tuple[Seconds, Seconds, Seconds]:
    """(CLI import of `rows`, CLI import of STARTUP_ROWS, the executemany floor) in seconds."""
    big, small = _csv_file(folder, rows), _csv_file(folder, STARTUP_ROWS)
    floor_rows = _floor_rows(template, rows)
    insert = (f"INSERT INTO annotations ({', '.join(FLOOR_COLUMNS)}) "
              f"VALUES ({', '.join('?' * len(FLOOR_COLUMNS))})")

    def fresh_store() -> Path:
        return _copy(template, folder / "ours.sqlite3")

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

    ours = _best_time(runs, fresh_store, lambda store: _cli(store, "import", str(big)))  # type: ignore[arg-type]
    start = _best_time(runs, fresh_store, lambda store: _cli(store, "import", str(small)))  # type: ignore[arg-type]
    return ours, start, _best_time(runs, fresh_floor, floor)


def _filled(folder: Path, template: Path, rows: int) -> Path:
    path = _copy(template, folder / f"export-{rows}.sqlite3")
    store = Store.open(f"sqlite:///{path}", migrate=False)
    import_csv(store, annotations_csv(rows, seminar=SEMINAR, texts=corpus_texts(ROOT / "texts")))
    store.dispose()
    return path


def bench_export(folder: Path, template: Path, rows: int, runs: int
                 ) -> tuple[Seconds, Seconds, Seconds]:
    """(CLI export of `rows`, CLI export of STARTUP_ROWS, pandas to_csv) in seconds."""
    big, small = _filled(folder, template, rows), _filled(folder, template, STARTUP_ROWS)
    store = Store.open(f"sqlite:///{big}", migrate=False)
    with store.read() as session:
        data = [tuple(r)[:16] for r in session.execute(annotation_select(Filters()))]
    store.dispose()
    frame = pd.DataFrame(data, columns=list(COLUMNS))
    out_ours, out_floor = folder / "ours.csv", folder / "floor.csv"

    def floor(_: object) -> None:
        frame.to_csv(out_floor, index=False, lineterminator="\r\n")

    ours = _best_time(runs, lambda: None, lambda _: _cli(big, "export", "-o", str(out_ours)))
    start = _best_time(runs, lambda: None, lambda _: _cli(small, "export", "-o", str(out_ours)))
    return ours, start, _best_time(runs, lambda: None, floor)


def _report(what: str, rows: int, runs: int, figures: tuple[Seconds, Seconds, Seconds],
            floor_name: str, target: float) -> None:
    for i, kind in ((0, "wall"), (1, "CPU")):
        total, start, floor = (f[i] for f in figures)
        ours = total - start
        ratio = ours / floor
        verdict = "meets" if ratio <= target else "MISSES"
        print(f"{what} {rows} rows through the CLI, {kind} (best of {runs}): {total:.3f} s, "
              f"minus start-up {start:.3f} s ({STARTUP_ROWS} rows) = {ours:.3f} s; "
              f"{floor_name} {floor:.3f} s")
        print(f"{what} {kind} ratio {ratio:.2f}x (target <= {target:g}x: {verdict})",
              flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="annotations (100000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure, best taken (3)")
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: 2,000 rows, one run per figure")
    parser.add_argument("--only", choices=("import", "export"), help="run one benchmark")
    args = parser.parse_args()
    rows, runs = (2_000, 1) if args.quick else (args.rows, args.repeat)
    with tempfile.TemporaryDirectory(prefix="annotations-bench-") as tmp:
        folder = Path(tmp)
        template = _template(folder)
        if args.only in (None, "import"):
            _report("import", rows, runs, bench_import(folder, template, rows, runs),
                    "sqlite3 executemany", IMPORT_TARGET)
        if args.only in (None, "export"):
            _report("export", rows, runs, bench_export(folder, template, rows, runs),
                    "pandas to_csv", EXPORT_TARGET)


if __name__ == "__main__":
    main()
