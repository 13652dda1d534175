"""Times: ISO 8601 UTC with a Z on the way out, any zone on the way in."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.errors import InvalidInput
from annotations.timeutil import format_time, now, parse_time


def test_format_milliseconds_and_z() -> None:
    assert format_time(datetime(2026, 11, 25, 14, 27, 24, 123000)) == "2026-11-25T14:27:24.123Z"
    assert format_time(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05.000Z"


def test_format_keeps_microseconds_when_needed() -> None:
    assert format_time(datetime(2026, 1, 2, 3, 4, 5, 123456)) == "2026-01-02T03:04:05.123456Z"


def test_format_pads_early_years() -> None:
    assert format_time(datetime(999, 1, 2, 3, 4, 5)) == "0999-01-02T03:04:05.000Z"


def test_now_is_naive_utc_milliseconds() -> None:
    t = now()
    assert t.tzinfo is None
    assert t.microsecond % 1000 == 0
    assert format_time(t).endswith("Z")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-25T14:27:24Z", datetime(2026, 11, 25, 14, 27, 24)),
        ("2026-11-25T14:27:24.5Z", datetime(2026, 11, 25, 14, 27, 24, 500000)),
        ("2026-11-25T16:27:24.123+02:00", datetime(2026, 11, 25, 14, 27, 24, 123000)),
        ("2026-11-25T00:30:00-01:00", datetime(2026, 11, 25, 1, 30)),
    ],
)
def test_parse_converts_to_naive_utc(value: str, expected: datetime) -> None:
    assert parse_time(value) == expected


@pytest.mark.parametrize(
    "value",
    ["", "2026-11-25", "2026-11-25T14:27:24", "2026-11-25 14:27:24Z", "yesterday",
     "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-11-25T14:27:24Z\n"],
)
def test_parse_rejects_bad_times(value: str) -> None:
    with pytest.raises(InvalidInput, match="time"):
        parse_time(value)


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
def test_parse_of_format_is_identity(t: datetime) -> None:
    text = format_time(t)
    assert text.endswith("Z")
    assert parse_time(text) == t
    assert format_time(parse_time(text)) == text


@given(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2100, 1, 1)),
       st.integers(min_value=-12 * 60, max_value=14 * 60))
def test_offsets_are_applied(t: datetime, minutes: int) -> None:
    sign = "+" if minutes >= 0 else "-"
    hh, mm = divmod(abs(minutes), 60)
    local = t + timedelta(minutes=minutes)
    text = local.strftime("%Y-%m-%dT%H:%M:%S") + f".{local.microsecond:06d}{sign}{hh:02d}:{mm:02d}"
    assert parse_time(text) == t
