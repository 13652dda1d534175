"""Load test: many annotators writing and reading at once, nothing lost, no errors.

    python bench/bench_load.py                       # 40 annotators, 300 s, 5 browsers
    python bench/bench_load.py --annotators 8 --seconds 15 --browsers 1
    python bench/bench_load.py --quick             # 6 annotators, 10 s, 1 browser (CI)
    python bench/bench_load.py --processes 4 --browsers 0
    python bench/bench_load.py --url postgresql+psycopg://user@host/db --browsers 0
    python bench/bench_load.py --department        # 200 annotators, 10 seminars, 3 processes,
                                                   # a throwaway PostgreSQL, 300 s
    python bench/bench_load.py --department --store-wide-lock   # the same, as before

Why threads: the app is one Streamlit server process, and every browser tab is
a session inside it sharing one `Store` (a `st.cache_resource`). So the
faithful model of a classroom is N threads in ONE process sharing one Store,
which is the default. `--processes P` splits the annotators over P spawned
processes, each with its own Store, as P app instances behind a proxy would be.

Each simulated annotator loops for the duration like a student in the live
workspace: look at its seminar's revision as its process knows it every
second (the app pushes it to the page: PostgreSQL's NOTIFY reaches one LISTEN
per process; on SQLite one query per process every 0.5 s) and, when it
moved, list the annotations of the document it is reading; every 2-6 s
(think time) act: create an annotation on a random valid span of a random
document, or edit or delete one of its own, or reply to a classmate's, or
switch document. At ~4 s per action, 5 minutes of one simulated annotator
is about as many actions as 90 minutes of a real one.

Meanwhile `--browsers` chromium contexts join the same seminar through the
real app (same SQLite file) in quick-code mode and, in rounds, each make a
mouse selection (timed from pointer release to its own highlight drawn) and
watch for an annotation this process writes through the library (timed from
the write to the highlight drawn; pushed by the live stream).

At the end the store is checked against what every call returned: each
created annotation is there with its span and quote and its owner's last
note, each deleted one is gone, reply counts match, nothing extra exists;
every browser selection was saved with the span dragged. Any exception is an
error; the only refusal counted apart is a reply to an annotation its owner
deleted meanwhile (checked to be really deleted). Exit status 1 when
anything is lost or any error occurred: that is correctness, not timing.

A department: `--seminars K` spreads the annotators over K seminars (the
demo and K-1 more), `--postgres` starts a throwaway PostgreSQL cluster for the
run, and `--store-wide-lock` makes every writer take the one store-wide lock
(how PostgreSQL writers queued before per-seminar locks), to compare.

Latency floor: each operation by a single annotator on the idle store, before
the load and again after it (same data volume as at the end). Ratios are p50
under load over the p50 of the floor after the load. Nothing about timing is
asserted.
"""

from __future__ import annotations

import argparse
import random
import signal
import statistics
import sys
import tempfile
import threading
import time
import traceback
import uuid
from collections import Counter, defaultdict
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "ui"))
sys.path.insert(0, str(ROOT / "tests"))

import pgcluster  # noqa: E402
from bench_ui import _WATCH_JS, spans  # noqa: E402
from sqlalchemy import func, select  # noqa: E402
from ui_browser_kit import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    drag_select,
    join,
    open_document,
    start_app,
    stop_app,
)

from annotations import guests, live  # noqa: E402
from annotations.annotation import (  # noqa: E402
    Filters,
    add_reply,
    create_annotation,
    delete_annotation,
    list_annotations,
    update_annotation,
)
from annotations.corpus import get_text, list_texts, load_corpus  # noqa: E402
from annotations.db.engine import Store  # noqa: E402
from annotations.db.models import Annotation, DocumentVersion, Reply, Seminar  # noqa: E402
from annotations.errors import NotFound  # noqa: E402
from annotations.seminar import ensure_seminar, get_seminar, revision  # noqa: E402

SEMINAR = "demo"  # the seminar the app offers under join code DEMO
OPS = ("poll", "list", "create", "edit", "delete", "reply")
CODES = ["loaded language", "hedging", "boosting", "attribution"]
WAIT_MS = 60_000  # ceiling for a browser wait, never an assertion

# Times pointer release -> the page's OWN next save drawn. Unlike bench_ui's
# watcher it ignores the id sent before (live re-renders from the load redraw
# it all the time) and anything before the release.
_SELECTION_JS = """
() => {
  const root = document.querySelector('.hl-root');
  const before = root.dataset.lastSent || '';
  const b = window.__bench = {t0: null, t1: null, id: null};
  document.addEventListener('pointerup', () => { b.t0 = performance.now(); },
                            {capture: true, once: true});
  const obs = new MutationObserver(() => {
    const id = root.dataset.lastSent;
    if (b.t1 === null && b.t0 !== null && id && id !== before &&
        root.querySelector(`.seg[data-ids~="${id}"]`)) {
      b.t1 = performance.now();
      b.id = id;
      obs.disconnect();
    }
  });
  obs.observe(root.querySelector('.hl-text'), {childList: true, subtree: true});
}
"""


@dataclass
class Made:
    """What one annotator's calls returned, to check the store against."""

    created: dict[str, tuple[str, int, int, str, str]] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)  # last note its owner set
    deleted: set[str] = field(default_factory=set)
    replies: Counter[str] = field(default_factory=Counter)  # annotation id -> replies made
    refused: set[str] = field(default_factory=set)  # replied to, found deleted meanwhile

    def merge(self, other: Made) -> None:
        self.created.update(other.created)
        self.notes.update(other.notes)
        self.deleted |= other.deleted
        self.replies.update(other.replies)
        self.refused |= other.refused


@dataclass
class Result:
    made: Made = field(default_factory=Made)
    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)

    def merge(self, other: Result) -> None:
        self.made.merge(other.made)
        for op, xs in other.latency.items():
            self.latency[op].extend(xs)
        self.errors.extend(other.errors)


def _texts(store: Store) -> dict[str, str]:
    return {t.document_id: get_text(store, t.document_id).text for t in list_texts(store)}


class Annotator:
    """One simulated student: reads like the live view, writes with think time."""

    def __init__(
        self,
        store: Store,
        seminar: str,
        sid: int,
        name: str,
        texts: dict[str, str],
        result: Result,
        lock: threading.Lock,
        seed: int,
    ) -> None:
        self.store, self.seminar, self.sid = store, seminar, sid
        self.name, self.texts = name, texts
        self.result, self.lock = result, lock
        self.rng = random.Random(seed)
        self.doc = self.rng.choice(sorted(texts))
        self.mine: list[str] = []
        self.others: list[str] = []
        self.made = Made()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []

    def timed(self, op: str, fn: Any, *args: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        out = fn(*args, **kw)
        self.latency[op].append((time.perf_counter() - t0) * 1000)
        return out

    def poll(self, last: int | None) -> int:
        rev: int = self.timed("poll", self._revision)
        if rev != last:
            rows = self.timed(
                "list", list_annotations, self.store,
                Filters(seminar=self.seminar, document=self.doc)
            )
            self.others = [a.id for a in rows if a.annotator != self.name]
        return rev

    def _revision(self) -> int:
        known = live.HUB.latest(self.sid)
        if known is None:  # first look: the stored number, as a page's first run reads it
            known = revision(self.store, self.sid)
            live.HUB.publish(self.sid, known, stored=True)
        return known

    def create(self) -> None:
        doc = self.rng.choice(sorted(self.texts))
        text = self.texts[doc]
        [(s, e)] = spans(text, 1, self.rng)
        note = f"{self.name} note {self.rng.randrange(10**6)}"
        a = self.timed(
            "create",
            create_annotation,
            self.store,
            seminar=self.seminar,
            document_id=doc,
            start=s,
            end=e,
            quote=text[s:e],
            annotator=self.name,
            perspective="",
            codes=[self.rng.choice(CODES)],
            note=note,
        )
        self.made.created[a.id] = (doc, s, e, text[s:e], self.name)
        self.made.notes[a.id] = note
        self.mine.append(a.id)

    def edit(self) -> None:
        aid = self.rng.choice(self.mine)
        note = f"{self.name} edit {self.rng.randrange(10**6)}"
        self.timed(
            "edit",
            update_annotation,
            self.store,
            aid,
            seminar=self.seminar,
            actor=self.name,
            note=note,
            codes=[self.rng.choice(CODES)],
        )
        self.made.notes[aid] = note

    def delete(self) -> None:
        aid = self.mine.pop(self.rng.randrange(len(self.mine)))
        self.timed("delete", delete_annotation, self.store, aid, seminar=self.seminar,
                   actor=self.name)
        self.made.deleted.add(aid)

    def reply(self) -> None:
        aid = self.rng.choice(self.others)
        try:
            self.timed(
                "reply",
                add_reply,
                self.store,
                aid,
                seminar=self.seminar,
                author=self.name,
                text=f"reply from {self.name}",
            )
        except NotFound:
            self.made.refused.add(aid)  # its owner deleted it after our last list
            return
        self.made.replies[aid] += 1

    def act(self) -> None:
        r = self.rng.random()
        if r < 0.10:
            self.doc = self.rng.choice(sorted(self.texts))
        elif r < 0.25 and self.mine:
            self.edit()
        elif r < 0.33 and self.mine:
            self.delete()
        elif r < 0.50 and self.others:
            self.reply()
        else:
            self.create()

    def run(self, start_at: float, seconds: float) -> None:
        deadline = start_at + seconds
        time.sleep(max(0.0, start_at - time.time()))
        next_poll = time.time() + self.rng.uniform(0, 1)
        next_act = time.time() + self.rng.uniform(0, 4)
        last: int | None = None
        while True:
            now = time.time()
            wake = min(next_poll, next_act)
            if wake >= deadline:
                break
            if wake > now:
                time.sleep(wake - now)
            try:
                if time.time() >= next_poll:
                    next_poll = max(next_poll + 1.0, time.time())
                    last = self.poll(last)
                if time.time() >= next_act:
                    next_act = time.time() + self.rng.uniform(2.0, 6.0)
                    self.act()
            except Exception as exc:  # every exception is an error: count, go on
                self.errors.append(f"{self.name}: {type(exc).__name__}: {exc}"[:300])
                if len(self.errors) == 1:
                    traceback.print_exc()
        with self.lock:
            self.result.made.merge(self.made)
            for op, xs in self.latency.items():
                self.result.latency[op].extend(xs)
            self.result.errors.extend(self.errors)


def run_group(url: str, names: list[tuple[str, str]], start_at: float, seconds: float,
              seed: int, store_wide_lock: bool = False) -> Result:
    """Threads sharing one Store, as sessions in one app process; picklable result.
    `names`: (annotator, seminar) pairs."""
    store = Store.open(url, migrate=False)
    store.seminar_locks = not store_wide_lock
    try:
        sids = {slug: get_seminar(store, slug).id for slug in {sem for _, sem in names}}
        texts = _texts(store)
        stop = _follow_other_processes(store, list(sids.values()))
        result, lock = Result(), threading.Lock()
        workers = [
            Annotator(store, sem, sids[sem], n, texts, result, lock, seed + i)
            for i, (n, sem) in enumerate(names)
        ]
        threads = [
            threading.Thread(target=w.run, args=(start_at, seconds), daemon=True) for w in workers
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        stop.set()
        result.latency = dict(result.latency)  # type: ignore[assignment]
        return result
    finally:
        store.dispose()


def _follow_other_processes(store: Store, sids: list[int]) -> threading.Event:
    """How the app hears other processes' writes: LISTEN on PostgreSQL, else one query
    per process every 0.5 s. Returns the event that stops the SQLite watcher."""
    stop = threading.Event()
    if store.dialect == "postgresql":
        live.ensure_listener(store)
        return stop

    def watch() -> None:
        while not stop.wait(0.5):
            for sid, rev in live.current_revisions(store, sids).items():
                live.HUB.publish(sid, rev, stored=True)

    threading.Thread(target=watch, daemon=True).start()
    return stop


def measure_floor(
    store: Store, sid: int, texts: dict[str, str], n: int, seed: int
) -> dict[str, list[float]]:
    """Each operation by one annotator on the idle store; leaves only tombstones behind
    (each of its annotations gets a reply before it is deleted, so its thread stays)."""
    a = Annotator(store, SEMINAR, sid, f"floor-{seed}", texts, Result(), threading.Lock(), seed)
    for _ in range(n):
        a.poll(None)
        a.create()
    for aid in list(a.mine):
        a.mine = [aid]
        a.edit()
        a.others = [aid]
        a.reply()
        a.delete()
    return a.latency


def pctl(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))]


# ---------------------------------------------------------------- browsers


@dataclass
class Browsers:
    selection: list[float] = field(default_factory=list)
    peer: list[float] = field(default_factory=list)
    made: dict[str, tuple[str, int, int, str]] = field(default_factory=dict)  # id -> span
    peers: Made = field(default_factory=Made)
    errors: list[str] = field(default_factory=list)


def run_browsers(app_url: str, store: Store, n: int, deadline: float, seed: int) -> Browsers:
    """`n` contexts live at once; in rounds each selects, then each watches a peer write."""
    from playwright.sync_api import sync_playwright

    out = Browsers()
    rng = random.Random(seed)
    texts = _texts(store)
    titles = {t.document_id: t.title for t in list_texts(store)}
    docs = sorted(texts)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        pages: list[tuple[Any, str, str]] = []
        for i in range(n):
            page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
            name, doc = f"browser{i + 1}", docs[i % len(docs)]
            join(page, app_url, name)
            page.get_by_text("Quick code: save each selection at once").click()
            page.wait_for_selector(".hl-root .hl-status:has-text('Quick code on')", timeout=WAIT_MS)
            open_document(page, titles[doc])
            pages.append((page, name, doc))
        while time.time() < deadline - 5:
            try:
                _round(pages, store, texts, rng, out)
            except Exception as exc:
                out.errors.append(f"browser round: {type(exc).__name__}: {exc}"[:300])
                traceback.print_exc()
            time.sleep(rng.uniform(1.0, 3.0))
        browser.close()
    return out


def _round(
    pages: list[tuple[Any, str, str]],
    store: Store,
    texts: dict[str, str],
    rng: random.Random,
    out: Browsers,
) -> None:
    # Every page drags before any is awaited, so the saves are in flight together;
    # times are taken inside each page, so awaiting them one by one costs nothing.
    dragged = []
    for page, name, doc in pages:
        [(s, e)] = spans(texts[doc], 1, rng)
        page.evaluate(_SELECTION_JS)
        drag_select(page, s, e)
        dragged.append((page, name, doc, s, e))
    for page, name, doc, s, e in dragged:
        page.wait_for_function("window.__bench.t1 !== null", timeout=WAIT_MS)
        b = page.evaluate("window.__bench")
        out.selection.append(b["t1"] - b["t0"])
        out.made[b["id"]] = (doc, s, e, name)
    watched = []
    for page, _name, doc in pages:
        aid = str(uuid.uuid4())
        page.evaluate(_WATCH_JS, aid)
        watched.append((page, doc, aid))
    time.sleep(rng.uniform(0, 1.0))  # saves come at any moment
    sent: list[float] = []
    for _page, doc, aid in watched:
        [(s, e)] = spans(texts[doc], 1, rng)
        t0 = time.time() * 1000
        create_annotation(
            store,
            seminar=SEMINAR,
            document_id=doc,
            start=s,
            end=e,
            quote=texts[doc][s:e],
            annotator="peer",
            annotation_id=aid,
        )
        out.peers.created[aid] = (doc, s, e, texts[doc][s:e], "peer")
        out.peers.notes[aid] = ""
        sent.append(t0)
    for (page, _doc, _aid), t0 in zip(watched, sent, strict=True):
        page.wait_for_function("window.__bench.t1 !== null", timeout=WAIT_MS)
        out.peer.append(page.evaluate("window.__bench.wall") - t0)


# ---------------------------------------------------------------- checking


def verify(store: Store, made: Made, browsers: Browsers | None,
           seminars: list[str]) -> list[str]:
    """Everything the calls returned is in the store as returned; nothing else is."""
    lost: list[str] = []
    with store.read() as session:
        sids = list(session.scalars(select(Seminar.id).where(Seminar.slug.in_(seminars))))
        rows = {
            a.id: a for a in session.scalars(
                select(Annotation).where(Annotation.seminar_id.in_(sids)))
        }
        reply_counts = dict(
            session.execute(
                select(Reply.annotation_id, func.count()).group_by(Reply.annotation_id)
            ).all()
        )
    with store.read() as session:
        version_doc = dict(
            session.execute(select(DocumentVersion.id, DocumentVersion.document_id)).all()
        )
    expected = {k: v for k, v in made.created.items() if k not in made.deleted}
    if browsers is not None:
        # A browser joins as a guest: its annotations are stored under the guest's id,
        # whose label is the name it joined with.
        named = {gid: label for sid in sids for gid, label in guests.labels(store, sid).items()}
        for aid, (doc, s, e, name) in browsers.made.items():
            row = rows.get(aid)
            if row is None:
                lost.append(f"browser annotation {aid} by {name} is missing")
            elif (version_doc[row.document_version_id], row.start, row.end,
                  named.get(row.annotator, row.annotator)) != (doc, s, e, name):
                lost.append(
                    f"browser annotation {aid}: stored {row.start}-{row.end} by "
                    f"{row.annotator}, dragged {s}-{e} by {name}"
                )
    for aid, (doc, s, e, quote, who) in expected.items():
        row = rows.get(aid)
        if row is None:
            lost.append(f"annotation {aid} by {who} is missing")
            continue
        got = (
            version_doc[row.document_version_id],
            row.start,
            row.end,
            row.quote,
            row.annotator,
            row.note,
        )
        if got != (doc, s, e, quote, who, made.notes[aid]):
            lost.append(
                f"annotation {aid}: stored {got}, expected "
                f"{(doc, s, e, quote, who, made.notes[aid])}"
            )
    for aid in made.deleted:
        # A deleted annotation with replies stays as a tombstone, keeping its thread.
        if aid in rows and rows[aid].deleted_at is None:
            lost.append(f"deleted annotation {aid} is still there")
    for aid in made.refused - made.deleted:
        lost.append(f"reply to {aid} was refused but nobody deleted it")
    # Deleted ones may stay as tombstones (checked above), so they are known too.
    known = set(expected) | made.deleted | (set(browsers.made) if browsers else set())
    for aid in set(rows) - known:
        if not rows[aid].annotator.startswith("floor-"):
            lost.append(f"unexpected annotation {aid} by {rows[aid].annotator}")
    for aid in rows:
        if rows[aid].annotator.startswith("floor-"):
            continue  # the floor's own tombstones and replies, not part of the load
        if reply_counts.get(aid, 0) != made.replies.get(aid, 0):
            lost.append(
                f"annotation {aid}: {reply_counts.get(aid, 0)} replies stored, "
                f"{made.replies.get(aid, 0)} made"
            )
    return lost


# ---------------------------------------------------------------- main


def _print_table(
    latency: dict[str, list[float]],
    before: dict[str, list[float]],
    after: dict[str, list[float]],
    seconds: float,
) -> None:
    print(
        f"\n{'operation':<8} {'n':>7} {'ops/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8} | {'floor p50 before/after':>23} {'p50 ratio':>9}"
    )
    for op in OPS:
        xs = latency.get(op, [])
        if not xs:
            print(f"{op:<8} {0:>7}")
            continue
        fb = statistics.median(before[op]) if before.get(op) else float("nan")
        fa = statistics.median(after[op]) if after.get(op) else float("nan")
        print(
            f"{op:<8} {len(xs):>7} {len(xs) / seconds:>7.1f} {pctl(xs, 0.5):>8.1f} "
            f"{pctl(xs, 0.95):>8.1f} {pctl(xs, 0.99):>8.1f} {max(xs):>8.1f} | "
            f"{fb:>10.1f} / {fa:>10.1f} {pctl(xs, 0.5) / fa:>8.2f}x"
        )


def _browser_line(label: str, xs: list[float]) -> str:
    if not xs:
        return f"  {label:<38} no samples"
    return (
        f"  {label:<38} median {statistics.median(xs):8.1f} ms   "
        f"p95 {pctl(xs, 0.95):8.1f} ms   max {max(xs):8.1f} ms   (n={len(xs)})"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--annotators", type=int, default=40, help="simulated annotators (40)")
    ap.add_argument("--seconds", type=float, default=300, help="duration of the load (300)")
    ap.add_argument("--browsers", type=int, default=5, help="chromium contexts (5; 0: none)")
    ap.add_argument(
        "--processes",
        type=int,
        default=1,
        help="spread the annotators over this many processes (1: one app)",
    )
    ap.add_argument(
        "--url",
        default="",
        help="SQLAlchemy URL of a store to use instead of "
        "a fresh temp SQLite file (browsers need the temp file)",
    )
    ap.add_argument("--seminars", type=int, default=1,
                    help="spread the annotators over this many seminars (1: the demo)")
    ap.add_argument("--postgres", action="store_true",
                    help="run on a throwaway PostgreSQL cluster started for the run")
    ap.add_argument("--store-wide-lock", action="store_true",
                    help="every writer takes the store-wide lock (PostgreSQL, as before)")
    ap.add_argument("--department", action="store_true",
                    help="200 annotators in 10 seminars over 3 processes on PostgreSQL, 300 s")
    ap.add_argument("--floor", type=int, default=30, help="floor repetitions per op (30)")
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 6 annotators for 10 s, 1 browser, floor of 5")
    args = ap.parse_args()
    if args.department:
        args.annotators, args.seminars, args.processes, args.postgres = 200, 10, 3, True
        args.browsers = 0
    if args.quick:
        args.annotators, args.seconds, args.floor = 6, 10.0, 5
        args.browsers = min(args.browsers, 1)
    if args.browsers and (args.url or args.postgres):
        print("--browsers runs the app on its own temp SQLite store: ignored with a URL")
        args.browsers = 0
    # A stopped run (SIGTERM) still stops the cluster it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with ExitStack() as stack:
        if args.postgres:
            if not pgcluster.available():
                sys.exit(f"no PostgreSQL server binaries in {pgcluster.PG_BIN}")
            args.url = stack.enter_context(pgcluster.cluster(max_connections=300)).create_database()
        return run(args)


def run(args: argparse.Namespace) -> int:
    if args.browsers and not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing: run with --browsers 0")

    base = Path(tempfile.mkdtemp(prefix="bench-load-"))
    app = None
    if args.browsers:
        app = start_app(base, extra_texts=False)  # loads the corpus, makes seminar "demo"
        url = app.db_url
    else:
        url = args.url or f"sqlite:///{base / 'load.sqlite3'}"
        s = Store.open(url)
        load_corpus(s, ROOT / "texts")
        ensure_seminar(s, SEMINAR, "Demo seminar", "DEMO")
        s.dispose()
    seminars = [SEMINAR] + [f"load-{k}" for k in range(2, args.seminars + 1)]
    store = Store.open(url, migrate=False)
    try:
        for k, slug in enumerate(seminars[1:], start=2):
            ensure_seminar(store, slug, f"Load seminar {k}", f"LOAD{k:02d}")
        sid = get_seminar(store, SEMINAR).id
        texts = _texts(store)
        lock = "store-wide lock" if args.store_wide_lock else "per-seminar locks"
        print(
            f"store {url.split('@')[-1]}; {len(texts)} documents; {args.annotators} annotators "
            f"in {len(seminars)} seminar(s) over {args.processes} process(es) ({lock}); "
            f"{args.browsers} browser(s); {args.seconds:g} s",
            flush=True,
        )
        before = measure_floor(store, sid, texts, args.floor, args.seed)

        names = [(f"student{i:02d}", seminars[i % len(seminars)])
                 for i in range(args.annotators)]
        groups = [names[i :: args.processes] for i in range(args.processes)]
        start_at = time.time() + (5 if args.processes > 1 else 1)
        pool: ThreadPoolExecutor | ProcessPoolExecutor
        if args.processes == 1:
            pool = ThreadPoolExecutor(1)
        else:
            pool = ProcessPoolExecutor(args.processes, mp_context=get_context("spawn"))
        with pool:
            futures: list[Future[Result]] = [
                pool.submit(run_group, url, g, start_at, args.seconds,
                            args.seed * 1000 + 100 * i, args.store_wide_lock)
                for i, g in enumerate(groups)
            ]
            browsers = None
            if app is not None:
                browsers = run_browsers(
                    app.url, store, args.browsers, start_at + args.seconds, args.seed
                )
            result = Result()
            for f in futures:
                result.merge(f.result())
        elapsed = max(args.seconds, time.time() - start_at)

        after = measure_floor(store, sid, texts, args.floor, args.seed + 1)
        made = Made()
        made.merge(result.made)
        if browsers is not None:
            made.merge(browsers.peers)
        lost = verify(store, made, browsers, seminars)
        errors = result.errors + (browsers.errors if browsers else [])

        writes = sum(
            len(result.latency.get(op, [])) for op in ("create", "edit", "delete", "reply")
        )
        reads = sum(len(result.latency.get(op, [])) for op in ("poll", "list"))
        print(
            f"\n{args.annotators} annotators, {args.seconds:g} s: {writes} writes "
            f"({writes / args.seconds:.1f}/s), {reads} reads ({reads / args.seconds:.1f}/s); "
            f"{len(made.created) - len(made.deleted)} annotations kept, "
            f"{len(made.deleted)} deleted, {sum(made.replies.values())} replies, "
            f"{len(made.refused)} replies refused (parent deleted meanwhile)"
        )
        _print_table(result.latency, before, after, args.seconds)
        print(
            "(floor: one annotator on the idle store, before and after the load; "
            "ratio: p50 over the floor after)"
        )
        if browsers is not None:
            print(f"\n{args.browsers} chromium contexts in the app, live during the load:")
            print(_browser_line("selection -> own highlight drawn", browsers.selection))
            print(_browser_line("library write -> highlight drawn", browsers.peer))
            print(f"  browser annotations checked in the store: {len(browsers.made)}")
        print(f"\nelapsed {elapsed:.0f} s")
        for line in errors[:10] + lost[:10]:
            print(f"  ! {line}")
        print(f"errors: {len(errors)}")
        print(f"lost: {len(lost)}")
        return 1 if errors or lost else 0
    finally:
        store.dispose()
        if app is not None:
            stop_app(app)


if __name__ == "__main__":
    sys.exit(main())
