"""Each text's distinctive vocabulary: Fightin' Words (Monroe et al. 2008).

Log-odds ratios with an informative Dirichlet prior, one text against the
others, counted on lowercase lemmas of content words. Every word keeps the
spans where the text uses it, so the comparison can light them up.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from spacy.tokens import Doc

from .datafiles import load

Evidence = tuple[int, int, str]


@dataclass(frozen=True)
class DistinctiveWord:
    word: str  # lowercase lemma
    z: float  # positive: this text uses it more than the others do
    count: int  # uses in this text
    others: int  # uses in the other texts
    evidence: list[Evidence] = field(default_factory=list)


def _settings() -> dict[str, object]:
    return dict(load("vocabulary.toml")["settings"])


def lemma_counts(doc: Doc) -> tuple[Counter[str], dict[str, list[Evidence]]]:
    """Counted lemmas of one parsed text, with the spans behind each."""
    cfg = _settings()
    pos = set(cfg["pos"])  # type: ignore[call-overload]
    min_length = int(cfg["min_length"])  # type: ignore[call-overload]
    counts: Counter[str] = Counter()
    spans: dict[str, list[Evidence]] = {}
    for tok in doc:
        if tok.pos_ not in pos or tok.is_stop or not tok.is_alpha:
            continue
        lemma = tok.lemma_.lower()
        if len(lemma) < min_length:
            continue
        counts[lemma] += 1
        spans.setdefault(lemma, []).append((tok.idx, tok.idx + len(tok.text), tok.text))
    return counts, spans


def log_odds_z(target: Counter[str], rest: Counter[str], prior: Counter[str],
               prior_weight: float) -> dict[str, float]:
    """z-scores of the log-odds ratio target vs rest with a Dirichlet prior (eq. 22, 24)."""
    n_t, n_r, n_p = sum(target.values()), sum(rest.values()), sum(prior.values())
    if not (n_t and n_r and n_p):
        return {}
    a0 = prior_weight
    scores: dict[str, float] = {}
    for w in set(target) | set(rest):
        a_w = a0 * prior[w] / n_p
        if a_w <= 0:
            continue
        y_t, y_r = target[w], rest[w]
        delta = (math.log((y_t + a_w) / (n_t + a0 - y_t - a_w))
                 - math.log((y_r + a_w) / (n_r + a0 - y_r - a_w)))
        variance = 1 / (y_t + a_w) + 1 / (y_r + a_w)
        scores[w] = delta / math.sqrt(variance)
    return scores


def distinctive_words(docs: dict[str, Doc]) -> dict[str, list[DistinctiveWord]]:
    """For each document id, its most over-used words against the other documents."""
    cfg = _settings()
    top = int(cfg["top"])  # type: ignore[call-overload]
    weight = float(cfg["prior_weight"])  # type: ignore[arg-type]
    counted = {d: lemma_counts(doc) for d, doc in docs.items()}
    total: Counter[str] = Counter()
    for counts, _ in counted.values():
        total.update(counts)
    result: dict[str, list[DistinctiveWord]] = {}
    for d, (counts, spans) in counted.items():
        rest = total - counts
        z = log_odds_z(counts, rest, total, weight)
        best = sorted((w for w in counts if w in z), key=lambda w: (-z[w], w))[:top]
        result[d] = [DistinctiveWord(w, round(z[w], 3), counts[w], rest[w], spans[w])
                     for w in best if z[w] > 0]
    return result
