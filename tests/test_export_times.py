"""The export's fast path for SQLite's stored times writes exactly what format_time writes."""

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from annotations.export import stored_time
from annotations.timeutil import format_time


@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
def test_stored_text_and_datetime_give_the_same_cell(t: datetime) -> None:
    assert stored_time(t.isoformat(" ", "microseconds")) == format_time(t)


def test_other_stored_forms_are_still_read() -> None:
    assert stored_time("2026-11-25 14:27:24") == "2026-11-25T14:27:24.000Z"
