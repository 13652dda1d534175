"""Anchors: offsets in code points, and the re-anchoring ladder.

Position first, then the exact quote (prefix and suffix decide between
repeats), then a fuzzy match that is always REVIEW, else ORPHAN.
"""

from __future__ import annotations

import pytest

from annotations.anchor import CONTEXT, AnchorStatus, anchor_at, check_span, context, reanchor
from annotations.errors import InvalidInput

TEXT = (
    "In 1929 alone, 5 million kulaks were forcibly removed.\n"
    "The regime said “the plan” was fulfilled; the plan was not fulfilled.\n"
    "Peasants 🙂 who resisted were labelled enemies\u00a0of the state.\n"
)


def test_anchor_at_takes_quote_and_context_from_the_text() -> None:
    start = TEXT.index("5 million")
    a = anchor_at(TEXT, start, start + 9)
    assert a.quote == "5 million"
    assert a.prefix == TEXT[max(0, start - CONTEXT):start]
    assert a.suffix == TEXT[start + 9:start + 9 + CONTEXT]
    assert len(a.suffix) == CONTEXT == 32
    assert a.status is AnchorStatus.ANCHORED


def test_offsets_count_code_points_not_bytes_or_utf16_units() -> None:
    start = TEXT.index("🙂")
    a = anchor_at(TEXT, start, start + 1)
    assert a.quote == "🙂"


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (3, 3), (5, 2), (0, len(TEXT) + 1)])
def test_bad_spans_are_rejected(start: int, end: int) -> None:
    with pytest.raises(InvalidInput, match="out of range"):
        anchor_at(TEXT, start, end)


def test_check_span_rejects_a_wrong_quote() -> None:
    with pytest.raises(InvalidInput, match="does not match"):
        check_span(TEXT, 0, 2, "XX")
    check_span(TEXT, 0, 2, "In")


def test_context_is_clipped_at_the_edges() -> None:
    assert context("abc", 0, 1) == ("", "bc")
    assert context("abc", 2, 3) == ("ab", "")


def test_position_is_trusted_first() -> None:
    second = TEXT.index("the plan", TEXT.index("the plan") + 1)
    a = reanchor(TEXT, "the plan", "", "", hint=second)
    assert (a.start, a.status) == (second, AnchorStatus.ANCHORED)


def test_prefix_and_suffix_choose_between_repeats() -> None:
    first = TEXT.index("plan")
    second = TEXT.index("plan", first + 1)
    p1, s1 = context(TEXT, first, first + 4)
    p2, s2 = context(TEXT, second, second + 4)
    moved = "Added at the top.\n" + TEXT
    shift = len("Added at the top.\n")
    assert reanchor(moved, "plan", p1, s1, hint=first).start == first + shift
    assert reanchor(moved, "plan", p2, s2, hint=second).start == second + shift
    # Without a usable position the context alone decides.
    assert reanchor(moved, "plan", p2, s2).start == second + shift
    assert reanchor(moved, "plan", p1, s1).start == first + shift


def test_negative_position_is_ignored_not_an_error() -> None:
    start = TEXT.index("kulaks")
    a = reanchor(TEXT, "kulaks", hint=-len(TEXT) + start)
    assert (a.start, a.end, a.status) == (start, start + 6, AnchorStatus.ANCHORED)


def test_fuzzy_match_is_review_never_anchored() -> None:
    edited = TEXT.replace("forcibly removed", "forcibly  removed")
    a = reanchor(edited, "were forcibly removed.", hint=TEXT.index("were forcibly"))
    assert a.status is AnchorStatus.REVIEW
    assert a.score < 100
    assert edited[a.start:a.end] == a.quote
    assert "forcibly" in a.quote


def test_short_quotes_are_not_matched_fuzzily() -> None:
    a = reanchor(TEXT, "kulakz")
    assert a.status is AnchorStatus.ORPHAN


def test_lost_quote_is_an_orphan_with_its_data() -> None:
    a = reanchor(TEXT, "Trotsky was exiled to Alma-Ata in 1928", "pre", "suf", hint=10)
    assert a.status is AnchorStatus.ORPHAN
    assert (a.quote, a.prefix, a.suffix) == ("Trotsky was exiled to Alma-Ata in 1928", "pre", "suf")


def test_empty_quote_is_an_orphan() -> None:
    assert reanchor(TEXT, "").status is AnchorStatus.ORPHAN
