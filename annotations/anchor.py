"""Anchors: where a quote sits in a text, and finding it again when the text moves.

Offsets are Unicode code points (Python string indices), 0-based, end
exclusive. Re-anchoring follows Hypothesis: trust the stored position if the
quote is still there, else look for the exact quote (prefix and suffix decide
between repeats), else a fuzzy match that is always flagged for review,
because a silently wrong re-attachment is worse than an orphan.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from rapidfuzz import fuzz

from .errors import InvalidInput

CONTEXT = 32  # code points of prefix and suffix kept with every annotation
FUZZY_MIN_SCORE = 85.0  # rapidfuzz partial_ratio, 0..100
FUZZY_MIN_QUOTE = 8  # shorter quotes are too ambiguous to match fuzzily


class AnchorStatus(StrEnum):
    ANCHORED = "anchored"  # exactly where the offsets say
    REVIEW = "review"  # found by fuzzy matching: a person must confirm it
    ORPHAN = "orphan"  # not found in the text


@dataclass(frozen=True)
class Anchor:
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    status: AnchorStatus = AnchorStatus.ANCHORED
    score: float = 100.0


def context(text: str, start: int, end: int, size: int = CONTEXT) -> tuple[str, str]:
    """The prefix and suffix around [start, end), at most `size` code points each."""
    return text[max(0, start - size) : start], text[end : end + size]


def check_span(text: str, start: int, end: int, quote: str | None = None) -> None:
    """Raise unless [start, end) is a non-empty span of `text` (and holds `quote`)."""
    if not (0 <= start < end <= len(text)):
        raise InvalidInput(
            f"offsets [{start}, {end}) are out of range for a text of {len(text)} code points: "
            "start must be >= 0 and less than end, end at most the text length"
        )
    if quote is not None and text[start:end] != quote:
        raise InvalidInput(
            f"quote does not match the text at [{start}, {end}): the text there is "
            f"{text[start:end][:60]!r}, the quote is {quote[:60]!r}"
        )


def anchor_at(text: str, start: int, end: int) -> Anchor:
    """An anchor for a fresh selection, with its quote and context taken from the text."""
    check_span(text, start, end)
    prefix, suffix = context(text, start, end)
    return Anchor(start, end, text[start:end], prefix, suffix)


def _context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """How many code points of the stored context agree, read outward from the quote."""
    before, after = context(text, start, end, max(len(prefix), len(suffix), 1))
    score = 0
    for a, b in zip(reversed(before), reversed(prefix), strict=False):
        if a != b:
            break
        score += 1
    for a, b in zip(after, suffix, strict=False):
        if a != b:
            break
        score += 1
    return score


def _occurrences(text: str, quote: str) -> list[int]:
    found: list[int] = []
    i = text.find(quote)
    while i != -1:
        found.append(i)
        i = text.find(quote, i + 1)
    return found


def reanchor(
    text: str, quote: str, prefix: str = "", suffix: str = "", hint: int | None = None
) -> Anchor:
    """Find `quote` in `text` again; ORPHAN status when it cannot be found."""
    if not quote:
        return Anchor(0, 0, quote, prefix, suffix, AnchorStatus.ORPHAN, 0.0)
    if hint is not None and hint >= 0 and text[hint : hint + len(quote)] == quote:
        return anchor_at(text, hint, hint + len(quote))
    starts = _occurrences(text, quote)
    if starts:
        best = max(
            starts,
            key=lambda s: (
                _context_score(text, s, s + len(quote), prefix, suffix),
                -abs(s - hint) if hint is not None else 0,
            ),
        )
        return anchor_at(text, best, best + len(quote))
    if len(quote) >= FUZZY_MIN_QUOTE:
        found = fuzz.partial_ratio_alignment(quote, text, score_cutoff=FUZZY_MIN_SCORE)
        if found is not None and found.dest_end > found.dest_start:
            a = anchor_at(text, found.dest_start, found.dest_end)
            return Anchor(a.start, a.end, a.quote, a.prefix, a.suffix, AnchorStatus.REVIEW,
                          round(found.score, 1))
    return Anchor(0, 0, quote, prefix, suffix, AnchorStatus.ORPHAN, 0.0)
