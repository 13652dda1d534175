"""Anchors: where a quote sits in a text, and finding it again when the text changes.

Offsets are Unicode code points (Python string indices), 0-based, end
exclusive. A silently wrong re-attachment is worse than an orphan, so every
placement that is not proven is flagged for review. With both versions of a
text (`relocate`) the order is:

1. the edit: the diff of the two versions (diff-match-patch's Myers diff over
   words, white space and signs) maps the span; if the diff keeps the quote's
   own characters, it lands exactly where they went, however far they moved
   (anchored);
2. the exact quote where the diff says text was inserted and no kept word
   lies (a moved passage): placed, flagged for review;
3. the quote's characters partly kept (words edited in place): the edited
   span, flagged for review;
4. a fuzzy match in inserted text, flagged for review;
5. otherwise its words were deleted: an orphan, even when the same words occur
   elsewhere (those are other words, e.g. another paragraph's "labour camps").

Without the old text (`reanchor`, for imports whose offsets do not hold the
quote): the stated position, then the exact quote (prefix and suffix decide
between repeats; anchored only when they agree by CONTEXT_MIN_SCORE percent,
else review), then fuzzy (review), else orphan.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from enum import StrEnum

from diff_match_patch import diff_match_patch  # type: ignore[import-untyped]
from rapidfuzz import fuzz

from .errors import InvalidInput

CONTEXT = 32  # code points of prefix and suffix kept with every annotation
FUZZY_MIN_SCORE = 85.0  # rapidfuzz partial_ratio, 0..100
FUZZY_MIN_QUOTE = 8  # shorter quotes are too ambiguous to match fuzzily
# Percent of the stored prefix and suffix (similarity weighted by length) that must
# agree for a quote found by search to count as the same words without review.
CONTEXT_MIN_SCORE = 75.0
EDITED_MIN_SCORE = 50.0  # rapidfuzz ratio: an edited span this unlike the quote is deleted
DIFF_TIMEOUT = 5.0  # seconds diff-match-patch may spend; past it the diff is coarser, not wrong


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


def context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> float:
    """How far the stored context agrees with the text around [start, end), 0..100.

    Each side is compared with as many code points of the text as were stored,
    read outward from the quote; the two similarities are weighted by length.
    """
    if not prefix and not suffix:
        return 100.0
    before = text[max(0, start - len(prefix)) : start]
    after = text[end : end + len(suffix)]
    total = fuzz.ratio(prefix, before) * len(prefix) + fuzz.ratio(suffix, after) * len(suffix)
    return round(total / (len(prefix) + len(suffix)), 1)


def _occurrences(text: str, quote: str) -> list[int]:
    found: list[int] = []
    i = text.find(quote)
    while i != -1:
        found.append(i)
        i = text.find(quote, i + 1)
    return found


def _placed(text: str, start: int, end: int, status: AnchorStatus, score: float) -> Anchor:
    a = anchor_at(text, start, end)
    return Anchor(a.start, a.end, a.quote, a.prefix, a.suffix, status, score)


def _orphan(quote: str, prefix: str, suffix: str) -> Anchor:
    return Anchor(0, 0, quote, prefix, suffix, AnchorStatus.ORPHAN, 0.0)


def _fuzzy(text: str, quote: str, lo: int = 0, hi: int | None = None) -> Anchor | None:
    """The best fuzzy match of `quote` inside text[lo:hi], always for review."""
    hi = len(text) if hi is None else hi
    # partial_ratio aligns the shorter string inside the longer: a stretch shorter
    # than the quote would "match" any piece of it.
    if len(quote) < FUZZY_MIN_QUOTE or hi - lo < len(quote):
        return None
    found = fuzz.partial_ratio_alignment(quote, text[lo:hi], score_cutoff=FUZZY_MIN_SCORE)
    if found is None or found.dest_end <= found.dest_start:
        return None
    return _placed(text, lo + found.dest_start, lo + found.dest_end, AnchorStatus.REVIEW,
                   round(found.score, 1))


def reanchor(
    text: str, quote: str, prefix: str = "", suffix: str = "", hint: int | None = None
) -> Anchor:
    """Find `quote` in `text` again without the old text; ORPHAN when it cannot be found."""
    if not quote:
        return _orphan(quote, prefix, suffix)
    if hint is not None and hint >= 0 and text[hint : hint + len(quote)] == quote:
        return anchor_at(text, hint, hint + len(quote))
    starts = _occurrences(text, quote)
    if starts:
        scored = [(context_score(text, s, s + len(quote), prefix, suffix), s) for s in starts]
        score, best = max(scored, key=lambda c: (c[0], -abs(c[1] - hint) if hint is not None
                                                 else 0))
        status = AnchorStatus.ANCHORED if score >= CONTEXT_MIN_SCORE else AnchorStatus.REVIEW
        return _placed(text, best, best + len(quote), status,
                       100.0 if status is AnchorStatus.ANCHORED else score)
    return _fuzzy(text, quote) or _orphan(quote, prefix, suffix)


@dataclass(frozen=True)
class EditMap:
    """The diff between two versions of a text, as its unchanged stretches (code points).

    `equal` holds (old start, new start, length) in order; every other stretch
    of the new text is `inserted` (new or moved text).
    """

    equal: tuple[tuple[int, int, int], ...]
    inserted: tuple[tuple[int, int], ...]
    old_length: int
    new_length: int

    def kept(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """(old start, new start, length) of the parts of old [start, end) the edit kept."""
        found = []
        i = max(0, bisect_right(self.equal, start, key=lambda e: e[0]) - 1)
        for old, new, length in self.equal[i:]:
            if old >= end:
                break
            lo, hi = max(old, start), min(old + length, end)
            if lo < hi:
                found.append((lo, new + lo - old, hi - lo))
        return found

    def keeps_words(self, new_text: str, start: int, end: int) -> bool:
        """Whether new [start, end) holds letters or digits the edit kept from the old
        text (white space and signs align anywhere, so they do not count)."""
        i = max(0, bisect_right(self.equal, start, key=lambda e: e[1]) - 1)
        for _, new, length in self.equal[i:]:
            if new >= end:
                break
            lo, hi = max(new, start), min(new + length, end)
            if lo < hi and any(c.isalnum() for c in new_text[lo:hi]):
                return True
        return False

    def new_position(self, old: int, *, at_end: bool) -> int:
        """Where old position `old` is in the new text; inside a change, that change's
        start in the new text (or its end, for the end of a span)."""
        i = bisect_right(self.equal, old, key=lambda e: e[0]) - 1
        if i >= 0:
            o, n, length = self.equal[i]
            if old < o + length or (at_end and old == o + length):
                return n + old - o
            gap_start = n + length
        else:
            gap_start = 0
        if not at_end:
            return gap_start
        return self.equal[i + 1][1] if i + 1 < len(self.equal) else self.new_length


_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)


def _tokens(text: str, codes: dict[str, str]) -> tuple[list[str], str]:
    """The text's words, runs of white space and single signs, and the same sequence as
    one character per distinct token (the word mode of diff-match-patch's line mode)."""
    tokens = _TOKEN.findall(text)
    for t in tokens:
        if t not in codes:
            n = len(codes) + 0x100
            codes[t] = chr(n + 0x800 if n >= 0xD800 else n)  # never a surrogate
    return tokens, "".join(codes[t] for t in tokens)


def diff_versions(old: str, new: str) -> EditMap:
    """The edit from `old` to `new`: Myers' diff (diff-match-patch) over words, so a
    word is kept or changed as a whole and no stray letter aligns two different words."""
    codes: dict[str, str] = {}
    old_tokens, old_coded = _tokens(old, codes)
    new_tokens, new_coded = _tokens(new, codes)
    dmp = diff_match_patch()
    dmp.Diff_Timeout = DIFF_TIMEOUT
    equal: list[tuple[int, int, int]] = []
    inserted: list[tuple[int, int]] = []
    o = n = 0  # code points
    i = j = 0  # tokens
    diffs = dmp.diff_main(old_coded, new_coded, checklines=False)
    # A lone space or comma kept between two changes is a coincidence, not the same words.
    dmp.diff_cleanupSemantic(diffs)
    for op, chunk in diffs:
        count = len(chunk)
        if op <= 0:
            size = sum(map(len, old_tokens[i : i + count]))
        else:
            size = sum(map(len, new_tokens[j : j + count]))
        if op == 0:
            equal.append((o, n, size))
            o, n, i, j = o + size, n + size, i + count, j + count
        elif op < 0:
            o, i = o + size, i + count
        else:
            inserted.append((n, n + size))
            n, j = n + size, j + count
    return EditMap(tuple(equal), tuple(inserted), len(old), len(new))


def relocate(old_text: str, new_text: str, start: int, end: int, prefix: str = "",
             suffix: str = "", edits: EditMap | None = None) -> Anchor:
    """Carry the span [start, end) of `old_text` over to `new_text` (see the module doc).

    `edits` is `diff_versions(old_text, new_text)`, passed in when many spans share it.
    """
    quote = old_text[start:end]
    if not quote:
        return _orphan(quote, prefix, suffix)
    edits = edits or diff_versions(old_text, new_text)
    kept = edits.kept(start, end)
    if len(kept) == 1 and kept[0][2] == end - start:
        new_start = kept[0][1]
        return anchor_at(new_text, new_start, new_start + len(quote))
    starts = _occurrences(new_text, quote)
    # An exact copy holding some of the quote's own characters in their place: the
    # same words (a diff may align repeated letters either way round).
    own = {new - (old - start) for old, new, _ in kept}
    for s in starts:
        if s in own:
            return anchor_at(new_text, s, s + len(quote))
    moved = [s for s in starts if not edits.keeps_words(new_text, s, s + len(quote))]
    if moved:
        hint = edits.new_position(start, at_end=False)
        best = max(moved, key=lambda s: (context_score(new_text, s, s + len(quote), prefix,
                                                       suffix), -abs(s - hint)))
        return _placed(new_text, best, best + len(quote), AnchorStatus.REVIEW,
                       context_score(new_text, best, best + len(quote), prefix, suffix))
    if kept:
        lo = edits.new_position(start, at_end=False)
        hi = edits.new_position(end, at_end=True)
        if lo < hi:
            score = round(fuzz.ratio(quote, new_text[lo:hi]), 1)
            if score >= EDITED_MIN_SCORE:
                return _placed(new_text, lo, hi, AnchorStatus.REVIEW, score)
    fuzzy = [f for lo, hi in edits.inserted if (f := _fuzzy(new_text, quote, lo, hi))]
    if fuzzy:
        return max(fuzzy, key=lambda f: f.score)
    return _orphan(quote, prefix, suffix)
