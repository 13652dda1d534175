"""Readability from word, sentence and syllable counts, computed here.

textstat and NLTK fetch data at run time, which fails offline; a vowel-group
heuristic is within a syllable or so per word of a dictionary and is enough
to compare a textbook with a polemic. Coefficients are in data/readability.toml.
"""

from __future__ import annotations

import re

from .datafiles import load

_VOWEL_GROUP = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """Estimated syllables: vowel groups, less a silent final e, at least one."""
    w = re.sub(r"[^a-z]", "", word.lower())
    if not w:
        return 0
    count = len(_VOWEL_GROUP.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    return max(count, 1)


def scores(words: list[str], sentences: int) -> dict[str, float]:
    """Flesch reading ease and Flesch-Kincaid grade for these words in `sentences` sentences."""
    if not words or sentences <= 0:
        return {"flesch_reading_ease": 0.0, "flesch_kincaid_grade": 0.0}
    wps = len(words) / sentences
    spw = sum(syllables(w) for w in words) / len(words)
    out: dict[str, float] = {}
    for name in ("flesch_reading_ease", "flesch_kincaid_grade"):
        c = load("readability.toml")[name]
        out[name] = round(
            c["base"] + c["words_per_sentence"] * wps + c["syllables_per_word"] * spw, 2
        )
    return out
