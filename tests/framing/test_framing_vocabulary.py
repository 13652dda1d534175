"""Fightin' Words: hand-checked log-odds, and real distinctive words with their spans."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

from annotations.document import read_corpus
from annotations.framing import Parser, distinctive_vocabulary
from annotations.framing.vocabulary import log_odds_z

ROOT = Path(__file__).resolve().parents[2]


def test_log_odds_matches_the_formula_by_hand() -> None:
    target, rest = Counter({"a": 3, "b": 1}), Counter({"a": 1, "b": 3})
    prior = target + rest  # a: 4, b: 4, n = 8
    z = log_odds_z(target, rest, prior, prior_weight=8.0)
    a_w = 8.0 * 4 / 8  # 4.0 for both words
    delta = math.log((3 + a_w) / (4 + 8 - 3 - a_w)) - math.log((1 + a_w) / (4 + 8 - 1 - a_w))
    assert z["a"] == delta / math.sqrt(1 / (3 + a_w) + 1 / (1 + a_w))
    assert z["a"] > 0 > z["b"] and math.isclose(z["a"], -z["b"])


def test_each_text_gets_distinctive_words_with_exact_spans(tmp_path: Path) -> None:
    sources = read_corpus(ROOT / "texts", 10**7)
    found = distinctive_vocabulary(sources, Parser(tmp_path))
    texts = {s.meta.document_id: s.text for s in sources}
    assert set(found) == set(texts)
    # British and American spellings of the same process tell the texts apart.
    assert "collectivization" in [w.word for w in found["allied-powers-ussr"]]
    assert "collectivisation" in [w.word for w in found["steel-and-sacrifice"]]
    assert "mao" in [w.word for w in found["stalinism-inner-truth"]]
    for doc, words in found.items():
        assert all(w.z > 0 for w in words)
        for w in words:
            assert len(w.evidence) == w.count
            assert all(texts[doc][s:e] == t for s, e, t in w.evidence)
