"""Score the framing analysis against the development set's gold (tests/data/devset).

With --seeds it scores the three seed texts (texts/) against their gold (tests/data/seeds,
same format, made for this project by reading the texts) by the same functions.

Scoring follows tests/data/devset/README.md ("Scoring against the gold"): a
system span matches a gold row when it overlaps the gold needle in the same
document, one-to-one, largest overlap first. Claims: value within 1 % of the
gold bound(s), bound label, `counted` containing any `counted_any` keyword,
period (both years, or none when gold has none), `attributed_to` by
case-insensitive surname (gold "nobody" wants an empty cell). Voices: overlap,
then kind, then speaker. Hedges: overlap, only those given to the author.
Alignment: over pairs of matched figures in different texts, recall is the gold pairs
(same `theme`) the system puts in one group, precision the system's grouped pairs that
share a gold theme; no group may hold a figure of a compared country (devset: Russia;
seeds: China and Germany, White's tables) beside one of the text's own country.

Run: python bench/score_devset.py [--seeds] [--quick] [-v]   (--seeds scores the seed
texts; --quick scores one text; -v lists each miss with its gold and its system value)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotations.document import SourceText, read_corpus  # noqa: E402
from annotations.framing import (  # noqa: E402
    Parser,
    analyse_corpus,
    extract_corpus_claims,
    extract_corpus_voices,
)
from annotations.framing.alignment import align  # noqa: E402
from annotations.framing.models import Claim  # noqa: E402
from annotations.framing.voices import Voice  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT / "tests" / "data" / "devset"
SEEDS = ROOT / "tests" / "data" / "seeds"
SEED_TEXTS = ROOT / "texts"
HELDOUT = ROOT / "tests" / "data" / "heldout"
BLIND = ROOT / "tests" / "data" / "blind"
BLIND2 = ROOT / "tests" / "data" / "blind2"
QUICK_DOC = "terror-polemic"
QUICK_SEED = "steel-and-sacrifice"
# Places of the figures a text compares with its own country's: never one group with those.
DEVSET_FOREIGN, DEVSET_MIXING = frozenset({"Russia"}), "Russia with France"
SEEDS_FOREIGN, SEEDS_MIXING = frozenset({"China", "Germany"}), "China or Germany with the USSR"
HELDOUT_FOREIGN = frozenset({"Bengal", "Finland", "British colonies", "Choctaw Nation"})
HELDOUT_MIXING = "Bengal, Finland, the colonies or the Choctaw with Ireland"
BLIND_FOREIGN, BLIND_MIXING = frozenset({"Europe", "England"}), "Europe or England with Germany"
BLIND2_FOREIGN = frozenset({"Spain", "Soviet Union"})
BLIND2_MIXING = "Spain or the Soviet Union with Russia in 1812"
CLAIM_FIELDS = ("value", "bound", "counted", "period", "attributed_to")


@dataclass
class Tally:
    """Found / gold / system counts for one table, with per-field correctness of matches."""

    gold: int = 0
    system: int = 0
    matched: int = 0
    fields: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.matched / self.system if self.system else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.gold if self.gold else 1.0

    def add(self, other: Tally) -> None:
        self.gold += other.gold
        self.system += other.system
        self.matched += other.matched
        for k, v in other.fields.items():
            self.fields[k] = self.fields.get(k, 0) + v
        self.errors.extend(other.errors)


def gold_span(text: str, needle: str) -> tuple[int, int]:
    start = text.find(needle)
    if start < 0 or text.count(needle) != 1:
        raise ValueError(f"gold needle {needle!r} must occur exactly once")
    return start, start + len(needle)


def match(gold: list[tuple[int, int]], system: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(gold index, system index) pairs, one-to-one, largest overlap first."""
    pairs = []
    for gi, (gs, ge) in enumerate(gold):
        for si, (ss, se) in enumerate(system):
            overlap = min(ge, se) - max(gs, ss)
            if overlap > 0:
                pairs.append((overlap, gi, si))
    used_g: set[int] = set()
    used_s: set[int] = set()
    out = []
    for _, gi, si in sorted(pairs, key=lambda p: -p[0]):
        if gi not in used_g and si not in used_s:
            used_g.add(gi)
            used_s.add(si)
            out.append((gi, si))
    return out


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 0.01 * max(abs(b), 1e-9)


def value_right(g: dict[str, Any], c: Claim) -> bool:
    if g["bound"] == "lower":
        return _close(c.value_low, g["low"]) and c.value_high is None
    if g["bound"] == "upper":
        return _close(c.value_high, g["high"]) and c.value_low is None
    return _close(c.value_low, g["low"]) and _close(c.value_high, g["high"])


def counted_right(g: dict[str, Any], c: Claim) -> bool:
    return any(k.lower() in c.counted.lower() for k in g["counted_any"])


def period_right(g: dict[str, Any], c: Claim) -> bool:
    return (c.period_start, c.period_end) == (g.get("period_start"), g.get("period_end"))


def attribution_right(g: dict[str, Any], c: Claim) -> bool:
    who = g["attributed_to"].lower()
    mine = c.attributed_to.strip().lower()
    if who == "nobody":
        return mine in ("", "nobody")
    return who in mine


CHECKS: dict[str, Callable[[dict[str, Any], Claim], bool]] = {
    "value": value_right,
    "bound": lambda g, c: g["bound"] == c.bound,
    "counted": counted_right,
    "period": period_right,
    "attributed_to": attribution_right,
}


def score_claims(
    gold: dict[str, Any], texts: dict[str, str], claims: list[Claim], docs: Iterable[str]
) -> tuple[Tally, int]:
    """The claims tally and how many system claims overlap a non-claim."""
    total = Tally()
    non_claim_hits = 0
    for doc in docs:
        text = texts[doc]
        rows = [r for r in gold["claim"] if r["doc"] == f"{doc}.txt"]
        mine = [c for c in claims if c.document_id == doc]
        t = Tally(gold=len(rows), system=len(mine))
        pairs = match(
            [gold_span(text, r["needle"]) for r in rows], [(c.start, c.end) for c in mine]
        )
        t.matched = len(pairs)
        matched_s = {si for _, si in pairs}
        for gi, si in pairs:
            g, c = rows[gi], mine[si]
            for name, check in CHECKS.items():
                ok = check(g, c)
                t.fields[name] = t.fields.get(name, 0) + ok
                if not ok:
                    t.errors.append(
                        f"{doc}: {name} wrong for {g['needle']!r}: gold {_gold(g, name)}, "
                        f"system {_show(c)}"
                    )
        for gi, r in enumerate(rows):
            if gi not in {g for g, _ in pairs}:
                t.errors.append(f"{doc}: claim missed: {r['needle']!r}")
        non = [gold_span(text, r["needle"]) for r in gold["non_claim"] if r["doc"] == f"{doc}.txt"]
        for si, c in enumerate(mine):
            if si in matched_s:
                continue
            t.errors.append(f"{doc}: false claim {c.quote!r} at {c.start}")
            if any(s < c.end and c.start < e for s, e in non):
                non_claim_hits += 1
        total.add(t)
    return total, non_claim_hits


def _gold(g: dict[str, Any], name: str) -> str:
    """The gold value of one field, as the scorer compares it."""
    if name == "value":
        return f"low={g.get('low')} high={g.get('high')}"
    if name == "counted":
        return f"counted={g['counted']!r} (any of {g['counted_any']})"
    if name == "period":
        return f"period={g.get('period_start')}-{g.get('period_end')}"
    return f"{name}={g[name]!r}"


def _show(c: Claim) -> str:
    return (
        f"{c.quote!r} low={c.value_low} high={c.value_high} bound={c.bound} "
        f"counted={c.counted!r} period={c.period_start}-{c.period_end} "
        f"by={c.attributed_to[:60]!r}"
    )


def score_voices(
    gold: dict[str, Any], texts: dict[str, str], voices: list[Voice], docs: Iterable[str]
) -> Tally:
    total = Tally()
    for doc in docs:
        text = texts[doc]
        rows = [r for r in gold["voice"] if r["doc"] == f"{doc}.txt"]
        mine = [v for v in voices if v.document_id == doc and v.kind != "author"]
        t = Tally(gold=len(rows), system=len(mine))
        pairs = match(
            [gold_span(text, r["needle"]) for r in rows], [(v.start, v.end) for v in mine]
        )
        t.matched = len(pairs)
        for gi, si in pairs:
            g, v = rows[gi], mine[si]
            kind_ok = g["kind"] == v.kind
            speaker_ok = kind_ok and (
                g["kind"] == "paratext" or g["speaker"].lower() in v.speaker.lower()
            )
            t.fields["kind"] = t.fields.get("kind", 0) + kind_ok
            t.fields["speaker"] = t.fields.get("speaker", 0) + speaker_ok
            if not speaker_ok:
                t.errors.append(f"{doc}: voice {g['needle'][:40]!r}: {v.kind} {v.speaker!r}")
        for gi, r in enumerate(rows):
            if gi not in {g for g, _ in pairs}:
                t.errors.append(f"{doc}: voice missed: {r['needle'][:50]!r}")
        for si, v in enumerate(mine):
            if si not in {s for _, s in pairs}:
                words = text[v.start : v.end][:50]
                t.errors.append(f"{doc}: voice not in gold: {words!r}: {v.kind} {v.speaker!r}")
        total.add(t)
    return total


def score_hedges(
    gold: dict[str, Any],
    texts: dict[str, str],
    hedges: dict[str, list[tuple[int, int]]],
    docs: Iterable[str],
) -> Tally:
    total = Tally()
    for doc in docs:
        text = texts[doc]
        rows = [r for r in gold["hedge"] if r["doc"] == f"{doc}.txt"]
        mine = hedges.get(doc, [])
        t = Tally(gold=len(rows), system=len(mine))
        pairs = match([gold_span(text, r["needle"]) for r in rows], mine)
        t.matched = len(pairs)
        hit = {si for _, si in pairs}
        t.errors.extend(
            f"{doc}: hedge not in gold: {text[s:e]!r} at {s}"
            for si, (s, e) in enumerate(mine)
            if si not in hit
        )
        total.add(t)
    return total


@dataclass
class Alignment:
    pairs: int = 0  # pairs of gold claims in different texts that share a theme
    aligned: int = 0  # of those, how many the system puts in one group (recall)
    grouped: int = 0  # pairs of gold claims in different texts the system puts in one group
    right: int = 0  # of those, how many share a gold theme (precision)
    wrong: list[str] = field(default_factory=list)  # grouped pairs of different gold themes
    mixed_places: list[str] = field(default_factory=list)  # groups mixing compared countries

    @property
    def recall(self) -> float:
        return self.aligned / self.pairs if self.pairs else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.grouped if self.grouped else 1.0


def score_alignment(
    gold: dict[str, Any],
    texts: dict[str, str],
    claims: list[Claim],
    docs: Iterable[str],
    foreign: frozenset[str] = DEVSET_FOREIGN,
) -> Alignment:
    """Pairs of claims in different texts: gold pairs (same theme) the system groups
    (recall), system-grouped pairs that share a gold theme (precision), and no group
    holding figures of two countries, a `foreign` place or the texts' own (every other
    place). Pairs within one text are left out: the gold says which figures of different
    texts describe the same quantity."""
    theme_of: dict[str, dict[str, Any]] = {}
    for doc in docs:
        rows = [r for r in gold["claim"] if r["doc"] == f"{doc}.txt"]
        mine = [c for c in claims if c.document_id == doc]
        pairs = match([gold_span(texts[doc], r["needle"]) for r in rows],
                      [(c.start, c.end) for c in mine])  # fmt: skip
        theme_of.update({mine[si].claim_id: rows[gi] for gi, si in pairs})
    groups = align(claims)
    group_of = {c.claim_id: i for i, g in enumerate(groups) for c in g.claims}
    out = Alignment()
    ids = sorted(theme_of)
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            ga, gb = theme_of[a], theme_of[b]
            if ga["doc"] == gb["doc"]:
                continue
            together = a in group_of and group_of.get(a) == group_of.get(b)
            if ga["theme"] == gb["theme"]:
                out.pairs += 1
                out.aligned += together
            if together:
                out.grouped += 1
                out.right += ga["theme"] == gb["theme"]
                if ga["theme"] != gb["theme"]:
                    out.wrong.append(
                        f"grouped {ga['needle']!r} ({ga['theme']}) with {gb['needle']!r} "
                        f"({gb['theme']})"
                    )
    for i, g in enumerate(groups):
        places = {
            p if (p := theme_of[c.claim_id]["place"]) in foreign else ""
            for c in g.claims
            if c.claim_id in theme_of
        }
        if len(places) > 1:
            out.mixed_places.append(f"group {i}: {[c.quote for c in g.claims]}")
    return out


@dataclass
class Report:
    claims: Tally
    non_claims: int
    voices: Tally
    hedges: Tally
    alignment: Alignment = field(default_factory=Alignment)
    mixing: str = DEVSET_MIXING  # the countries no aligned group may mix, as printed

    def lines(self, verbose: bool = False) -> list[str]:
        c = self.claims
        out = [
            f"claims: precision {c.precision:.0%} ({c.matched}/{c.system}), "
            f"recall {c.recall:.0%} ({c.matched}/{c.gold}); non-claims taken: {self.non_claims}",
        ]
        for name in CLAIM_FIELDS:
            right = c.fields.get(name, 0)
            out.append(f"  {name}: {right}/{c.matched} ({right / max(c.matched, 1):.0%})")
        v = self.voices
        kind, speaker = v.fields.get("kind", 0), v.fields.get("speaker", 0)
        out.append(
            f"voices: precision {v.precision:.0%} ({v.matched}/{v.system}), "
            f"recall {v.recall:.0%} ({v.matched}/{v.gold}); with kind "
            f"{kind}/{v.gold}, with speaker {speaker}/{v.gold}"
        )
        h = self.hedges
        out.append(
            f"hedges (author's voice): precision {h.precision:.0%} ({h.matched}/{h.system}), "
            f"recall {h.recall:.0%} ({h.matched}/{h.gold})"
        )
        al = self.alignment
        out.append(
            f"alignment (pairs of figures in different texts): recall {al.recall:.0%} "
            f"({al.aligned}/{al.pairs} pairs of a shared gold theme in one group), precision "
            f"{al.precision:.0%} ({al.right}/{al.grouped} grouped pairs share a gold theme); "
            f"groups mixing {self.mixing}: {len(al.mixed_places)}"
        )
        if verbose:
            errors = c.errors + v.errors + h.errors + al.wrong + al.mixed_places
            out.extend("  - " + e for e in errors)
        return out


def devset_sources() -> list[SourceText]:
    return read_corpus(DEVSET / "texts", 10_000_000)


def seed_sources() -> list[SourceText]:
    return read_corpus(SEED_TEXTS, 10_000_000)


def heldout_sources() -> list[SourceText]:
    return read_corpus(HELDOUT / "texts", 10_000_000)


def blind_sources() -> list[SourceText]:
    return read_corpus(BLIND / "texts", 10_000_000)


def blind2_sources() -> list[SourceText]:
    return read_corpus(BLIND2 / "texts", 10_000_000)


def score(
    sources: list[SourceText],
    gold: dict[str, Any],
    parser: Parser,
    foreign: frozenset[str] = DEVSET_FOREIGN,
    mixing: str = DEVSET_MIXING,
) -> Report:
    """Run the analysis on `sources` and score it against `gold`; `foreign` and `mixing`
    name the compared countries (the development set's by default)."""
    texts = {s.meta.document_id: s.text for s in sources}
    docs = list(texts)
    claims = extract_corpus_claims(sources, parser)
    analyses = {a.document_id: a for a in analyse_corpus(sources, parser)}
    voices = extract_corpus_voices(sources, parser)
    hedges = {d: [(s, e) for s, e, _ in a.metric("hedges").evidence] for d, a in analyses.items()}
    claim_tally, non = score_claims(gold, texts, claims, docs)
    return Report(
        claim_tally,
        non,
        score_voices(gold, texts, voices, docs),
        score_hedges(gold, texts, hedges, docs),
        score_alignment(gold, texts, claims, docs, foreign),
        mixing,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--seeds", action="store_true", help="score the seed texts (texts/, tests/data/seeds)"
    )
    ap.add_argument(
        "--heldout",
        action="store_true",
        help="score the held-out Irish famine texts (tests/data/heldout), written blind",
    )
    ap.add_argument(
        "--blind",
        action="store_true",
        help="score the Thirty Years' War texts (tests/data/blind), written blind; its errors "
        "have since been read (-v lists them)",
    )
    ap.add_argument(
        "--blind2",
        action="store_true",
        help="score the 1812 texts (tests/data/blind2): totals only, so that its errors stay "
        "unread and it keeps measuring texts the rules were not built on",
    )
    ap.add_argument(
        "--quick", action="store_true", help=f"score one text ({QUICK_DOC}; {QUICK_SEED})"
    )
    ap.add_argument("-v", "--verbose", action="store_true", help="list every error")
    args = ap.parse_args()
    if args.seeds:
        name, folder, sources, quick = "seed texts", SEEDS, seed_sources(), QUICK_SEED
        foreign, mixing = SEEDS_FOREIGN, SEEDS_MIXING
    elif args.heldout:
        name, folder, sources, quick = "held-out set", HELDOUT, heldout_sources(), ""
        foreign, mixing = HELDOUT_FOREIGN, HELDOUT_MIXING
    elif args.blind:
        name, folder, sources, quick = "blind set", BLIND, blind_sources(), ""
        foreign, mixing = BLIND_FOREIGN, BLIND_MIXING
    elif args.blind2:
        name, folder, sources, quick = "second blind set", BLIND2, blind2_sources(), ""
        foreign, mixing = BLIND2_FOREIGN, BLIND2_MIXING
        args.verbose = False
    else:
        name, folder, sources, quick = "development set", DEVSET, devset_sources(), QUICK_DOC
        foreign, mixing = DEVSET_FOREIGN, DEVSET_MIXING
    gold = tomllib.loads((folder / "gold.toml").read_text(encoding="utf-8"))
    if args.quick:
        sources = [s for s in sources if s.meta.document_id == quick]
    with tempfile.TemporaryDirectory() as cache:
        report = score(sources, gold, Parser(Path(cache)), foreign, mixing)
    print(f"{name} ({', '.join(s.meta.document_id for s in sources)})")
    print("\n".join(report.lines(args.verbose)))


if __name__ == "__main__":
    main()
