"""Benchmark the workspace in chromium: selection to highlight, peer save to highlight, render.

Plain script: `python bench/bench_ui.py [--samples N] [--annotations N] [--quick]`
(`--quick`: 3 samples on 100 annotations, the smoke run CI makes).

It starts `streamlit run app.py` on a temp SQLite store, fills one document
with N annotations (default 2,000) through the library and leaves another
empty as the floor measured in the same run, then reports medians and p95 of:

- selection -> saved highlight drawn: a real mouse drag in quick-code mode,
  timed in the page from pointer release until the segment carrying the new
  annotation's id is in the DOM (round trip through Streamlit and the store);
- peer save -> highlight drawn: `create_annotation` from this process, timed
  until the id appears in the page (pushed by the live stream, then a rerun);
- render: the component's own rebuild time (data-render-ms) for the document.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "ui"))

from playwright.sync_api import sync_playwright  # noqa: E402
from ui_browser_kit import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    drag_select,
    join,
    open_document,
    start_app,
    stop_app,
)

from annotations.annotation import create_annotation  # noqa: E402
from annotations.corpus import get_text  # noqa: E402
from annotations.db.engine import Store  # noqa: E402

LOADED = ("stalinism-inner-truth", "Stalinism")  # the longest text gets the load
EMPTY = ("steel-and-sacrifice", "Steel and Sacrifice")

# Times the arrival of a highlight whose id is known now, or is the next one
# the component sends (lastSent), against the last pointer release.
_WATCH_JS = """
(id) => {
  const root = document.querySelector('.hl-root');
  window.__bench = {t0: null, t1: null};
  document.addEventListener('pointerup', () => { window.__bench.t0 = performance.now(); },
                            {capture: true, once: true});
  const want = () => id || root.dataset.lastSent;
  const seen = () => want() && root.querySelector(`.seg[data-ids~="${want()}"]`);
  const obs = new MutationObserver(() => {
    if (window.__bench.t1 === null && seen()) {
      window.__bench.t1 = performance.now();
      window.__bench.wall = Date.now();
      obs.disconnect();
    }
  });
  obs.observe(root.querySelector('.hl-text'), {childList: true, subtree: true});
}
"""


def spans(text: str, n: int, rng: random.Random) -> list[tuple[int, int]]:
    """Random single-line spans that start and end on a non-space character."""
    out: list[tuple[int, int]] = []
    while len(out) < n:
        s = rng.randrange(0, len(text) - 60)
        e = s + rng.randrange(8, 50)
        quote = text[s:e]
        if "\n" in quote or quote != quote.strip() or not quote.strip():
            continue
        out.append((s, e))
    return out


def fill(store: Store, document_id: str, n: int, rng: random.Random) -> None:
    text = get_text(store, document_id).text
    codes = ["loaded language", "hedging", "boosting", "attribution"]
    for i, (s, e) in enumerate(spans(text, n, rng)):
        create_annotation(store, seminar="demo", document_id=document_id, start=s, end=e,
                          quote=text[s:e], annotator=f"student{i % 25:02d}",
                          perspective="textbook", codes=[codes[i % 4]], note=f"note {i}")


def pctl(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))]


def summary(label: str, xs: list[float]) -> str:
    return (f"  {label:<38} median {statistics.median(xs):8.1f} ms   "
            f"p95 {pctl(xs, 0.95):8.1f} ms   (n={len(xs)})")


def measure_selection(page: Any, text: str, samples: int, rng: random.Random) -> list[float]:
    out = []
    for s, e in spans(text, samples, rng):
        page.evaluate(_WATCH_JS, None)
        drag_select(page, s, e)
        page.wait_for_function("window.__bench.t1 !== null", timeout=30_000)
        b = page.evaluate("window.__bench")
        out.append(b["t1"] - b["t0"])
    return out


def measure_peer(page: Any, store: Store, document_id: str, samples: int,
                 rng: random.Random) -> list[float]:
    text = get_text(store, document_id).text
    out = []
    for s, e in spans(text, samples, rng):
        aid = str(uuid.uuid4())
        page.evaluate(_WATCH_JS, aid)
        time.sleep(rng.uniform(0, 1.0))  # saves come at any moment, not in step with the page
        t0 = time.time() * 1000
        create_annotation(store, seminar="demo", document_id=document_id, start=s, end=e,
                          quote=text[s:e], annotator="peer", annotation_id=aid)
        page.wait_for_function("window.__bench.t1 !== null", timeout=30_000)
        out.append(page.evaluate("window.__bench.wall") - t0)
    return out


def toggle_colour_mode(page: Any) -> None:
    """Pick the colour mode that is not on now.

    The mode is session state and outlives a change of document, so after an
    odd number of toggles the next document starts in "code": read the radio
    instead of assuming the mode from the loop counter.
    """
    sidebar = page.locator("section[data-testid='stSidebar']")
    on_code = sidebar.get_by_role("radio", name="code", exact=True).is_checked()
    sidebar.get_by_text("perspective" if on_code else "code", exact=True).click()


def measure_render(page: Any, samples: int) -> list[float]:
    """Rebuild times: switching the colour mode changes the render key and redraws."""
    out = []
    for _ in range(samples):
        key = page.eval_on_selector(".hl-root", "e => e.dataset.renderKey")
        toggle_colour_mode(page)
        page.wait_for_function(
            "k => document.querySelector('.hl-root').dataset.renderKey !== k", arg=key,
            timeout=30_000)
        out.append(float(page.eval_on_selector(".hl-root", "e => e.dataset.renderMs")))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--annotations", type=int, default=2000)
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: 3 samples (an odd number of toggles) on 100 annotations")
    args = ap.parse_args()
    if args.quick:
        args.samples, args.annotations = 3, 100
    render_samples = args.samples if args.quick else max(6, args.samples // 2)
    if not CHROMIUM.exists():
        sys.exit(f"{CHROMIUM} is missing")
    rng = random.Random(7)
    base = Path(tempfile.mkdtemp(prefix="bench-ui-"))
    app = start_app(base)
    store = Store.open(app.db_url)
    try:
        t = time.perf_counter()
        fill(store, LOADED[0], args.annotations, rng)
        print(f"seeded {args.annotations} annotations on {LOADED[0]} in "
              f"{time.perf_counter() - t:.1f} s")
        results: dict[str, dict[str, list[float]]] = {}
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            join(page, app.url, "bencher")
            page.get_by_text("Quick code: save each selection at once").click()
            page.wait_for_selector(".hl-root .hl-status:has-text('Quick code on')")
            for doc, title in (EMPTY, LOADED):
                open_document(page, title)
                n_before = int(page.eval_on_selector(".hl-root", "e => e.dataset.highlights"))
                text = get_text(store, doc).text
                results[doc] = {
                    "render": measure_render(page, render_samples),
                    "selection": measure_selection(page, text, args.samples, rng),
                    "peer": measure_peer(page, store, doc, args.samples, rng),
                }
                results[doc]["highlights"] = [float(n_before)]
            browser.close()
        print(f"\nchromium {1366}x768, {args.samples} samples each; live updates pushed\n")
        for doc, _title in (EMPTY, LOADED):
            r = results[doc]
            print(f"{doc} ({int(r['highlights'][0])} highlights at start)")
            print(summary("render (component rebuild)", r["render"]))
            print(summary("selection -> saved highlight drawn", r["selection"]))
            print(summary("peer save -> highlight drawn", r["peer"]))
    finally:
        store.dispose()
        stop_app(app)


if __name__ == "__main__":
    main()
