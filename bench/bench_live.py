"""Benchmark live updates with real chromium sessions and the server's own CPU time.

Plain script: `python bench/bench_live.py [--quick] [--sessions N] [--seconds S]
[--samples K] [--save-every P] [--app-root DIR]`.

It starts `streamlit run app.py` on a temp SQLite store with 2,000 annotations
on one document, opens N guest sessions on that document, and reports:

- idle: the server process's CPU time (utime + stime from /proc, so other
  load on the machine does not count) per idle session, as % of one core,
  against the floor of the same server with no session over the same time;
- a classmate's change: a Quick-code selection in one session, timed from its
  pointer release until the saved highlight is drawn in each other session,
  against the floor of the saver's own round trip (release -> own highlight);
- optimistic: release -> the own highlight drawn before the server answers
  (the overlay painted, one animation frame), against a bare animation frame;
- a watcher's fetch: the server CPU of one `/live/<id>/highlights` answer
  (the whole drawing, and only what changed since the page's own), measured
  over HTTP against the running server, against the cheap revision poll;
- a Streamlit run: the server CPU of one run of a workspace page (each other
  session turning Quick code on), the price of every rerun below;
- a revision's drawing: the library's build of the next revision's highlights
  and side-panel list after one save, afresh (the whole list read) against
  from the previous revision's (only the changed annotations), in this process;
- annotating: every session saves a selection every P seconds for S seconds;
  CPU per annotating session, saves lost (sent but not stored), save -> visible
  in the other sessions (p50/p95), the saves sent to the save route (none when
  the app saves through a run of the saver's page), the fetches and Streamlit
  reruns the pages made, the CPU per save (the save itself, and the drawing of
  its revision) and per page, and the projection to 40 students on 2 cores
  from those measured costs, including the one rerun per page every 30 s at
  most for counts (a run shorter than 30 s does not see those).

`--app-root` runs another checkout's app.py (e.g. the code before push) with
the same harness. `--quick` is a smoke run: 2 sessions, a few seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "ui"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_ui import LOADED, fill, pctl, spans  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402
from ui_browser_kit import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    drag_select,
    free_port,
    join,
    make_texts_dir,
    open_document,
)

from annotations import blind, highlights, live  # noqa: E402
from annotations.annotation import Filters, create_annotation, list_annotations  # noqa: E402
from annotations.corpus import get_text, load_corpus  # noqa: E402
from annotations.db.engine import Store  # noqa: E402
from annotations.seminar import ensure_seminar, get_seminar  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")
# Shared with the server, so this script can mint a reader's token for the fetch phase.
SECRET = os.environ.setdefault("ANNOTATIONS_SECRET_KEY", "bench-live-" + os.urandom(8).hex())

# Every page records when each highlight id is first drawn as saved (epoch ms),
# when its pointer was last released, and when an optimistic overlay was painted.
_OBSERVE_JS = """
() => {
  if (window.__live) return;
  const w = window.__live = {seen: {}, up: 0, upPerf: 0, opt: {}, frame: []};
  const scan = () => {
    for (const s of document.querySelectorAll('.hl-root .hl-text .seg[data-ids]')) {
      for (const id of s.getAttribute('data-ids').split(' ')) {
        if (!(id in w.seen)) w.seen[id] = Date.now();
      }
    }
  };
  scan();
  new MutationObserver(scan).observe(document.body, {childList: true, subtree: true});
  document.addEventListener('pointerup', () => {
    w.up = Date.now(); w.upPerf = performance.now();
    const t = performance.now();
    requestAnimationFrame(() => w.frame.push(performance.now() - t));
  }, true);
  new MutationObserver(() => {
    const root = document.querySelector('.hl-root');
    const id = root && root.dataset.optimistic;
    if (id && !(id in w.opt)) {
      const up = w.upPerf;
      requestAnimationFrame(() => { w.opt[id] = performance.now() - up; });
    }
  }).observe(document.body, {attributes: true, attributeFilter: ['data-optimistic'],
                             subtree: true});
}
"""


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime


def start(app_root: Path, base: Path) -> tuple[subprocess.Popen[bytes], str, str]:
    """`streamlit run app.py` of `app_root` on a temp store, as the browser tests do."""
    port = free_port()
    db_url = f"sqlite:///{base / 'app.sqlite3'}"
    texts = make_texts_dir(base)
    store = Store.open(db_url)
    load_corpus(store, texts)
    ensure_seminar(store, "demo", "Demo seminar", "DEMO")
    store.dispose()
    env = {**os.environ, "ANNOTATIONS_DATABASE_URL": db_url, "ANNOTATIONS_TEXTS_DIR": str(texts),
           "PYTHONPATH": str(app_root), "ANNOTATIONS_SECRET_KEY": SECRET}
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(app_root / "app.py"),
         "--server.headless", "true", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=app_root, env=env, stdout=(base / "streamlit.log").open("wb"),
        stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1):
                return proc, url, db_url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("streamlit did not start")


def idle_cpu(pid: int, seconds: float) -> float:
    """Share of one core the server used over `seconds`."""
    c0, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    return (cpu_seconds(pid) - c0) / (time.monotonic() - t0)


def quick_code(page: Any) -> None:
    page.get_by_text("Quick code: save each selection at once").click()
    page.wait_for_selector(".hl-root .hl-status:has-text('Quick code on')", timeout=60_000)


def save_one(page: Any, span: tuple[int, int]) -> tuple[str, int]:
    """A Quick-code selection: (the id the page sent, its release time in epoch ms)."""
    page.evaluate("document.querySelector('.hl-root').dataset.lastSent = ''")
    drag_select(page, *span)
    page.wait_for_function("document.querySelector('.hl-root').dataset.lastSent",
                           timeout=60_000)
    sent = page.eval_on_selector(".hl-root", "e => e.dataset.lastSent")
    return sent, int(page.evaluate("window.__live.up"))


def seen(page: Any, ids: list[str]) -> dict[str, int]:
    return dict(page.evaluate("ids => Object.fromEntries(ids.filter(i => i in "
                              "window.__live.seen).map(i => [i, window.__live.seen[i]]))", ids))


def wait_seen(pages: list[Any], ids: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    for p in pages:
        while time.monotonic() < deadline and len(seen(p, ids)) < len(ids):
            time.sleep(0.1)


def fmt(xs: list[float]) -> str:
    if not xs:
        return "no samples"
    return f"median {statistics.median(xs):7.1f} ms  p95 {pctl(xs, 0.95):7.1f} ms  (n={len(xs)})"


def fetch_cost(pid: int, url: str, store: Store, k: int) -> dict[str, float] | None:
    """Server CPU seconds per answer of the highlights route (whole, or changed only) and of
    the revision poll, from `k` requests each; None if the app has no highlights route."""
    sid = get_seminar(store, "demo").id
    token = live.subscription(sid, None, guest="guest:bench", now=time.time())
    base = f"{url}/live/{sid}"
    q = f"t={token}&document={LOADED[0]}&colour_by=perspective&limit=25"

    def get(path: str) -> bytes:
        with urllib.request.urlopen(f"{base}{path}", timeout=30) as r:
            return bytes(r.read())

    try:
        now = json.loads(get(f"/highlights?{q}"))
    except (OSError, ValueError):  # an app without the route answers with its page
        return None
    # The pages fetched the drawing of the previous save's revision: still cached.
    older = now["revision"] - 1
    out = {"diff": float("since" in json.loads(get(f"/highlights?{q}&have={older}&seen_as=all")))}
    for name, path in (("whole", f"/highlights?{q}"),
                       ("changed", f"/highlights?{q}&have={older}&seen_as=all"),
                       ("poll", f"/revision?t={token}")):
        c0 = cpu_seconds(pid)
        size = sum(len(get(path)) for _ in range(k))
        out[name] = (cpu_seconds(pid) - c0) / k
        out[name + "_bytes"] = size / k
    return out


def run_cost(pid: int, pages: list[Any], idle: float) -> float:
    """Server CPU seconds of one Streamlit run of a workspace page: each page turning
    Quick code on (one run each), less the idle pages' share over the same time."""
    c0, t0 = cpu_seconds(pid), time.monotonic()
    for p in pages:
        quick_code(p)
    time.sleep(1)
    spent = cpu_seconds(pid) - c0 - idle * (time.monotonic() - t0)
    return max(0.0, spent) / max(1, len(pages))


def step_cost(store: Store, text: str, k: int, rng: random.Random) -> tuple[list[float],
                                                                            list[float]]:
    """Build times (ms) of the drawing after one save: afresh, and from the previous one."""
    sid = get_seminar(store, "demo").id

    def draw() -> float:
        t = time.perf_counter()
        highlights.drawing(store, "demo", sid, LOADED[0], blind.EVERYTHING,
                           "perspective").panel(25, "")
        return (time.perf_counter() - t) * 1000

    draw()
    afresh, stepped = [], []
    for i, (a, b) in enumerate(spans(text, 2 * k, rng)):
        create_annotation(store, seminar="demo", document_id=LOADED[0], start=a, end=b,
                          quote=text[a:b], annotator="bench-step")
        if i % 2:
            highlights.forget()
            afresh.append(draw())
        else:
            stepped.append(draw())
    return afresh, stepped


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smoke run: 2 sessions, a few seconds")
    ap.add_argument("--sessions", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--save-every", type=float, default=10.0,
                    help="seconds between one student's saves in the annotating phase")
    ap.add_argument("--annotations", type=int, default=2000)
    ap.add_argument("--app-root", type=Path, default=ROOT)
    args = ap.parse_args()
    if args.quick:
        args.sessions, args.seconds, args.samples, args.annotations = 2, 3.0, 2, 200
        args.save_every = 2.0
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing")
    rng = random.Random(16)
    base = Path(tempfile.mkdtemp(prefix="bench-live-"))
    proc, url, db_url = start(args.app_root.resolve(), base)
    store = Store.open(db_url)
    try:
        fill(store, LOADED[0], args.annotations, rng)
        text = get_text(store, LOADED[0]).text
        run(args, proc.pid, url, store, text, rng)
    finally:
        store.dispose()
        proc.terminate()
        proc.wait(10)


def run(args: argparse.Namespace, pid: int, url: str, store: Store, text: str,
        rng: random.Random) -> None:
    n = args.sessions
    time.sleep(2)
    floor = idle_cpu(pid, args.seconds)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        pages = []
        for i in range(n):
            page = browser.new_context(viewport={"width": 1366, "height": 800}).new_page()
            join(page, url, f"student{i:02d}")
            open_document(page, LOADED[1])
            page.evaluate(_OBSERVE_JS)
            pages.append(page)
        time.sleep(3)
        busy = idle_cpu(pid, args.seconds)
        per_idle = (busy - floor) / n
        print(f"app: {args.app_root}  sessions: {n}  {args.annotations} highlights on "
              f"{LOADED[0]}  (2 cores, shared with other work: CPU is the server's own)\n")
        print(f"idle: server {busy * 100:.1f}% of a core with {n} sessions, floor "
              f"{floor * 100:.1f}% with none over {args.seconds:.0f} s")
        print(f"  per idle session {per_idle * 100:.2f}% of a core; 40 idle students "
              f"{40 * per_idle * 100:.0f}% of a core  (goal: <= 1% each, < 50% for 40)")

        saver, others = pages[0], pages[1:]
        quick_code(saver)
        peer, own, optimistic = [], [], []
        released: dict[str, int] = {}
        missed = 0
        for span in spans(text, args.samples, rng):
            sent, up = save_one(saver, span)
            released[sent] = up
            wait_seen(pages, [sent], 30)
            mine = seen(saver, [sent])
            if sent in mine:  # not drawn within the wait: counted below, not timed
                own.append(mine[sent] - up)
            peer += [seen(p, [sent])[sent] - up for p in others if sent in seen(p, [sent])]
            missed += sum(1 for p in others if sent not in seen(p, [sent]))
            opt = saver.evaluate("id => window.__live.opt[id]", sent)
            if opt is not None:
                optimistic.append(float(opt))
            time.sleep(rng.uniform(0.2, 0.6))
        frames = [float(x) for x in saver.evaluate("window.__live.frame")]
        print("\na classmate's change (Quick-code save -> drawn in each other session):")
        print(f"  classmate  {fmt(peer)}; not drawn within 30 s: {missed}")
        print(f"  floor: own round trip  {fmt(own)}")
        made = {a.id: a.created_at for a in list_annotations(
            store, Filters(seminar="demo", document=LOADED[0])) if a.id in released}
        stored = [a.replace(tzinfo=UTC).timestamp() * 1000 - released[i]  # stored naive UTC
                  for i, a in made.items()]
        print(f"  of which release -> stored  {fmt(stored)}")
        if own and peer and statistics.median(own) > 0:
            print(f"  ratio {statistics.median(peer) / statistics.median(own):.2f}x  "
                  f"(goal: median <= 250 ms, p95 <= 500 ms)")
        print("optimistic own highlight (release -> painted):")
        print(f"  overlay  {fmt(optimistic)}")
        print(f"  floor: bare animation frame  {fmt(frames)}")
        if optimistic and frames:
            print(f"  ratio {statistics.median(optimistic) / statistics.median(frames):.2f}x  "
                  "(goal: median <= 100 ms)")

        costs = fetch_cost(pid, url, store, 50 if not args.quick else 5)
        if costs is None:
            print("\na watcher's fetch: this app has no highlights route (every change reruns)")
        else:
            print("\na watcher's fetch (server CPU per answer of the highlights route):")
            print(f"  whole drawing  {costs['whole'] * 1000:6.2f} ms  "
                  f"({costs['whole_bytes'] / 1000:.0f} kB)")
            print(f"  changed only   {costs['changed'] * 1000:6.2f} ms  "
                  f"({costs['changed_bytes'] / 1000:.1f} kB"
                  f"{'' if costs['diff'] else ', the older drawing was gone: whole'})")
            print(f"  floor: revision poll  {costs['poll'] * 1000:6.2f} ms  "
                  f"ratio {costs['changed'] / max(1e-9, costs['poll']):.2f}x")
        run = run_cost(pid, others, busy)
        print(f"\na Streamlit run of a workspace page (Quick code on): {run * 1000:.1f} ms "
              "of server CPU")
        time.sleep(2)
        annotate(args, pid, pages, store, text, rng, per_idle, busy, costs, run)
        browser.close()
    afresh, stepped = step_cost(store, text, 3 if args.quick else 15, rng)
    print(f"\na revision's drawing after one save ({args.annotations} highlights; the "
          "library in this process):")
    print(f"  from the previous revision's  {fmt(stepped)}")
    print(f"  floor: afresh (the whole list read)  {fmt(afresh)}")
    print(f"  ratio {statistics.median(afresh) / max(1e-9, statistics.median(stepped)):.1f}x "
          "faster")


def annotate(args: argparse.Namespace, pid: int, pages: list[Any], store: Store, text: str,
             rng: random.Random, per_idle: float, idle_total: float,
             costs: dict[str, float] | None, run_s: float) -> None:
    n = len(pages)
    step = args.save_every / n
    sent: dict[str, tuple[int, int]] = {}  # id -> (saver index, release epoch ms)
    fetches = [0]
    posts = [0]
    for p in pages:
        p.on("request", lambda r: fetches.__setitem__(0, fetches[0] + ("/highlights?" in r.url)))
        p.on("request", lambda r: posts.__setitem__(0, posts[0] + (
            r.method == "POST" and r.url.endswith("/annotations"))))
    reruns0 = sum(int(p.evaluate("document.documentElement.dataset.liveReruns || 0"))
                  for p in pages)
    todo = spans(text, int(args.seconds / step) + n, rng)
    c0, t0 = cpu_seconds(pid), time.monotonic()
    k = 0
    while time.monotonic() - t0 < args.seconds and k < len(todo):
        tick = time.monotonic()
        aid, up = save_one(pages[k % n], todo[k])
        sent[aid] = (k % n, up)
        k += 1
        time.sleep(max(0.0, step - (time.monotonic() - tick)))
    elapsed = time.monotonic() - t0
    cpu = (cpu_seconds(pid) - c0) / elapsed
    fetched = fetches[0]
    reruns = sum(int(p.evaluate("document.documentElement.dataset.liveReruns || 0"))
                 for p in pages) - reruns0
    ids = list(sent)
    wait_seen(pages, ids, 30)
    stored = {a.id for a in list_annotations(store, Filters(seminar="demo", document=LOADED[0]))}
    lost = [i for i in ids if i not in stored]
    lat = []
    for j, p in enumerate(pages):
        got = seen(p, ids)
        lat += [got[i] - up for i, (who, up) in sent.items() if who != j and i in got]
    missing = sum(1 for j, p in enumerate(pages) for i in ids
                  if sent[i][0] != j and i not in seen(p, [i]))
    saves_per_s = len(ids) / elapsed
    per_session = cpu / n
    saves = max(1, len(ids))
    excess = max(0.0, cpu - idle_total) * elapsed  # CPU seconds the saves caused
    # The saves caused: each save (through the save route, or a run of the saver's page;
    # with the drawing of its revision), the pages' fetches and their live reruns, each
    # rerun priced as the Streamlit run measured above.
    fetch = costs["changed"] if costs else 0.0
    per_save = max(0.0, excess - fetched * fetch - reruns * run_s) / saves
    per_page = (fetched * fetch + reruns * run_s) / (saves * n)
    print(f"\nannotating: {n} sessions, one save each every {args.save_every:.0f} s "
          f"({saves_per_s:.2f} saves/s) for {elapsed:.0f} s")
    print(f"  server {cpu * 100:.1f}% of a core; per annotating session "
          f"{per_session * 100:.2f}%; per save and page {excess / saves / n * 1000:.1f} ms "
          "of CPU")
    how = (f"{posts[0]} through the save route" if posts[0]
           else "through a Streamlit run of the saver's page")
    print(f"  saves sent {len(ids)} ({how}), lost {len(lost)}; not drawn in a classmate's "
          f"page {missing}")
    print(f"  pages: {fetched} in-place fetches and {reruns} live reruns for {saves} saves "
          f"in {n} pages; CPU per save {per_save * 1000:.1f} ms, per save and page "
          f"{per_page * 1000:.1f} ms")
    print(f"  save -> visible in the other sessions  {fmt([float(x) for x in lat])}  "
          "(goal: p95 < 1500 ms)")
    # 40 students, each saving every P s: each save costs what it cost here, plus in each
    # of the 40 pages what a page paid here per save (fetches, reruns), plus one rerun
    # per page every LAZY s at most for the counts (a run shorter than that sees none).
    students, cores, lazy = 40, 2, 30.0
    rate = students / args.save_every
    projected = (students * per_idle + rate * (per_save + students * per_page)
                 + students / lazy * run_s)
    print(f"  projection: {students} students saving every {args.save_every:.0f} s: "
          f"{projected * 100:.0f}% of a core ({projected / cores * 100:.0f}% of {cores} cores;"
          f" of which counts' reruns {students / lazy * run_s * 100:.0f}% of a core)")


if __name__ == "__main__":
    main()
