"""Times: stored as naive UTC, written as ISO 8601 ending in `Z`.

New times are kept to the millisecond; imported times keep whatever precision
they came with, so an export of an import is byte-identical.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from .errors import InvalidInput

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$")


def now() -> datetime:
    t = datetime.now(UTC).replace(tzinfo=None)
    return t.replace(microsecond=t.microsecond // 1000 * 1000)


def format_time(t: datetime) -> str:
    """`2026-11-25T14:27:24.123Z`; six fraction digits only when they are needed.

    isoformat, not strftime: it is written in C and pads years before 1000.
    """
    spec = "milliseconds" if t.microsecond % 1000 == 0 else "microseconds"
    return t.isoformat("T", spec) + "Z"


def parse_time(value: str) -> datetime:
    """Parse an ISO 8601 time with a `Z` or numeric offset into naive UTC."""
    if not _ISO.match(value):
        raise InvalidInput(
            f"time {value!r} is not ISO 8601 with a zone: write it like 2026-11-25T14:27:24.123Z"
        )
    try:
        if value[-1] == "Z":  # the form we write: already UTC, no conversion needed
            return datetime.fromisoformat(value[:-1])
        t = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"time {value!r} is not a real date and time") from None
    return t.astimezone(UTC).replace(tzinfo=None)
