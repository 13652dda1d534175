"""Benchmark: framing analysis and claims of the seed texts, cold and warm.

Cold: an empty DocBin cache, as a ratio to a bare `nlp.pipe` over the same
texts measured in this run (target: at most 1.5x). Warm: a fresh parser
(empty process cache) reading the DocBin files, and a fully in-process rerun,
in ms (target: under 100 ms). Run: python bench/bench_framing.py [--repeat N] [--quick]
(`--quick`: the shortest text, one run per figure: the smoke run CI makes).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import spacy  # noqa: E402

from annotations import config  # noqa: E402
from annotations.document import read_corpus  # noqa: E402
from annotations.framing import Parser, analyse_corpus, extract_corpus_claims  # noqa: E402
from annotations.framing.parsing import MODEL  # noqa: E402


def timed(fn, repeat: int = 3) -> float:  # type: ignore[no-untyped-def]
    """Best of `repeat` runs, in seconds: the least disturbed measurement."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per figure, best kept (3)")
    ap.add_argument("--quick", action="store_true",
                    help="smoke run: the shortest text, one run per figure")
    args = ap.parse_args()
    repeat = 1 if args.quick else args.repeat
    sources = read_corpus(config.texts_dir(), config.max_text_bytes())
    if args.quick:
        sources = sorted(sources, key=lambda s: len(s.text))[:1]
    texts = [s.text for s in sources]
    nlp = spacy.load(MODEL)
    list(nlp.pipe(texts))  # warm up the model's first-call costs for both sides
    bare = timed(lambda: list(nlp.pipe(texts)), repeat)

    def cold() -> None:
        with tempfile.TemporaryDirectory() as cache:
            parser = Parser(Path(cache))
            parser._nlp = nlp  # the same loaded pipeline: measure parsing + analysis, not loading
            analyse_corpus(sources, parser)
            extract_corpus_claims(sources, parser)

    cold_s = timed(cold, repeat)
    with tempfile.TemporaryDirectory() as cache:
        seeded = Parser(Path(cache))
        analyse_corpus(sources, seeded)

        def from_disk() -> None:  # a new process: results and DocBins on disk
            fresh = Parser(Path(cache))
            analyse_corpus(sources, fresh)
            extract_corpus_claims(sources, fresh)
            assert fresh.parses == 0

        disk_s = timed(from_disk, repeat)

        def in_process() -> None:
            analyse_corpus(sources, seeded)
            extract_corpus_claims(sources, seeded)

        memory_s = timed(in_process, repeat)

        def recompute() -> None:  # Docs in memory, results recomputed (matchers built)
            seeded.results.clear()
            for stale in Path(cache).glob("result-*.pickle"):
                stale.unlink()
            analyse_corpus(sources, seeded)
            extract_corpus_claims(sources, seeded)

        recompute_s = timed(recompute, repeat)
        assert seeded.parses == len(sources)

    chars = sum(len(t) for t in texts)
    print(f"texts: {len(texts)}, {chars:,} characters")
    print(f"bare nlp.pipe:                 {bare * 1000:8.1f} ms")
    print(f"cold analyse+claims:           {cold_s * 1000:8.1f} ms  = {cold_s / bare:.2f}x nlp.pipe"
          " (target <= 1.5x)")  # fmt: skip
    print(f"warm, new process, disk cache: {disk_s * 1000:8.1f} ms  (target < 100 ms)")
    print(f"warm, Docs in memory, recomputed:{recompute_s * 1000:6.1f} ms")
    print(f"warm, in-process cache:        {memory_s * 1000:8.1f} ms  (target < 100 ms)")


if __name__ == "__main__":
    main()
