"""The number parser: examples from the seed texts and round-trip properties."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from annotations.framing.numbers import find_quantities, find_years, parse_number, parse_range

DASHES = ["-", "–", "—", "‒", "−"]
UNITS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()  # noqa: E501
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def words(n: int) -> str:
    """English words for 0 <= n < 10**12, written independently of the parser."""
    if n < 20:
        return UNITS[n]
    if n < 100:
        return TENS[n // 10] + ("" if n % 10 == 0 else "-" + UNITS[n % 10])
    if n < 1000:
        rest = n % 100
        return UNITS[n // 100] + " hundred" + ("" if rest == 0 else " and " + words(rest))
    for scale, name in ((10**9, "billion"), (10**6, "million"), (1000, "thousand")):
        if n >= scale:
            rest = n % scale
            return words(n // scale) + f" {name}" + ("" if rest == 0 else " " + words(rest))
    raise AssertionError(n)


@pytest.mark.parametrize(
    ("written", "low", "high"),
    [
        ("2.5 million", 2_500_000, 2_500_000),
        ("3–4 million", 3_000_000, 4_000_000),
        ("between two and three thousand", 2_000, 3_000),
        ("a dozen", 12, 12),
        ("40M", 40_000_000, 40_000_000),
        ("40Million", 40_000_000, 40_000_000),
        ("12.5%", 12.5, 12.5),
        ("1,000", 1_000, 1_000),
        ("12-15 million", 12_000_000, 15_000_000),
        ("12—15 million", 12_000_000, 15_000_000),
        ("3.5 to 5 million", 3_500_000, 5_000_000),
        ("between six and seven million", 6_000_000, 7_000_000),
        ("33.2 million", 33_200_000, 33_200_000),
    ],
)
def test_examples_parse_to_their_values(written: str, low: float, high: float) -> None:
    found = find_quantities(f"about {written} people")
    assert [(q.text, q.low, q.high) for q in found] == [(written, low, high)]


def test_years_ranges_and_decades() -> None:
    text = "between 1930-37, in 1929, in 1937 and 1938, during the 1930s"
    assert [(y.first, y.last) for y in find_years(text)] == [
        (1930, 1937), (1929, 1929), (1937, 1938), (1930, 1939),
    ]  # fmt: skip


def test_section_numbers_and_ordinals_are_not_single_numbers() -> None:
    assert [q.text for q in find_quantities("31.2.1: The USSR in the 20th century")] == ["31.2"]


def test_a_year_then_a_scaled_number_is_not_a_range() -> None:
    found = find_quantities("from 33.2 million in 1928 to 24.6 million by 1950")
    assert [q.text for q in found] == ["33.2 million", "1928", "24.6 million", "1950"]


@given(st.integers(min_value=0, max_value=10**12))
def test_thousands_separators_round_trip(n: int) -> None:
    assert parse_number(f"{n:,}") == n


@given(st.integers(min_value=0, max_value=10**12 - 1))
@example(106_927_000)  # a scale inside the words before the last one: a sum, not a product
def test_number_words_round_trip(n: int) -> None:
    assert parse_number(words(n)) == n


@given(st.integers(min_value=1, max_value=999), st.sampled_from(["thousand", "million", "billion"]))
def test_scaled_words_round_trip(n: int, scale: str) -> None:
    factor = {"thousand": 10**3, "million": 10**6, "billion": 10**9}[scale]
    assert parse_number(f"{n} {scale}") == n * factor
    assert parse_number(f"{words(n)} {scale}") == n * factor


@given(
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from(DASHES + [" to ", " – "]),
    st.sampled_from(["", " million", " thousand"]),
)
def test_ranges_with_any_dash_are_ordered_and_share_a_scale(
    a: int, b: int, sep: str, scale: str
) -> None:
    low, high = sorted((a, b))
    found = find_quantities(f"some {low:,}{sep}{high:,}{scale} deaths")
    factor = {"": 1, " million": 10**6, " thousand": 10**3}[scale]
    assert len(found) == 1
    q = found[0]
    assert q.low <= q.high
    assert (q.low, q.high) == (low * factor, high * factor)
    assert q.is_range


@given(st.integers(min_value=1, max_value=10**6), st.integers(min_value=1, max_value=10**6))
def test_parse_range_never_runs_backwards(a: int, b: int) -> None:
    try:
        low, high = parse_range(str(a), str(b))
    except ValueError:
        assert a > b
    else:
        assert low <= high


@given(st.text(max_size=60))
def test_found_spans_match_the_text(text: str) -> None:
    for q in find_quantities(text):
        assert text[q.start : q.end] == q.text
        assert q.low <= q.high


@pytest.mark.parametrize(
    ("written", "value", "base"),
    [
        ("Mortality reached 30 per 1,000 in 1847.", 30, 1000),
        ("a death rate of 15 per thousand", 15, 1000),
        ("12 in every 10,000 inhabitants", 12, 10000),
        ("2.5 per 100 births", 2.5, 100),
    ],
)
def test_a_rate_per_a_round_base_is_one_figure(written: str, value: float, base: int) -> None:
    rates = [q for q in find_quantities(written) if q.per is not None]
    assert [(q.low, q.per) for q in rates] == [(value, base)]
    assert not any(q.low == base and q.per is None for q in find_quantities(written))


def test_per_a_number_that_is_no_round_base_is_two_figures() -> None:
    found = find_quantities("He paid 5 per 3 acres and 7 per cent.")
    assert [(q.text, q.per) for q in found] == [("5", None), ("3", None), ("7 per cent", None)]
