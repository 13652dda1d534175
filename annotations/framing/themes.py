"""Themes: which shared events (collectivisation, famine, Gulag...) a stretch is about.

Keyword sets live in data/themes.toml so a seminar can add words as it
reads; matching is the same lowercase-or-lemma rule as the other lexicons.
"""

from __future__ import annotations

from collections import Counter

from spacy.tokens import Span

from .datafiles import load


def theme_labels() -> dict[str, str]:
    """Theme id -> readable label, in the order of the data file."""
    return {k: v["label"] for k, v in load("themes.toml")["theme"].items()}


def count_themes(spans: list[Span], start: int = 0, end: int | None = None) -> dict[str, int]:
    """Mentions per theme among keyword matches inside [start, end), most mentioned first."""
    counts = Counter(
        s.label_ for s in spans if s.start_char >= start and (end is None or s.end_char <= end)
    )
    order = list(theme_labels())
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], order.index(kv[0]))))


def nearest_theme(spans: list[Span], start: int, end: int, lo: int, hi: int) -> str:
    """The theme whose keyword lies nearest to [start, end) within [lo, hi), or ""."""
    best: tuple[int, str] | None = None
    for s in spans:
        if s.start_char < lo or s.end_char > hi:
            continue
        distance = max(s.start_char - end, start - s.end_char, 0)
        if best is None or distance < best[0]:
            best = (distance, s.label_)
    return best[1] if best else ""
