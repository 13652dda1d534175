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
    """`2026-11-25T14:27:24.123Z`; six fraction digits only when they are needed."""
    # Not strftime: its %Y does not pad years before 1000, which parse_time rejects.
    base = (f"{t.year:04d}-{t.month:02d}-{t.day:02d}"
            f"T{t.hour:02d}:{t.minute:02d}:{t.second:02d}")
    if t.microsecond % 1000:
        return f"{base}.{t.microsecond:06d}Z"
    return f"{base}.{t.microsecond // 1000:03d}Z"


def parse_time(value: str) -> datetime:
    """Parse an ISO 8601 time with a `Z` or numeric offset into naive UTC."""
    if not _ISO.match(value):
        raise InvalidInput(
            f"time {value!r} is not ISO 8601 with a zone: write it like 2026-11-25T14:27:24.123Z"
        )
    try:
        t = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"time {value!r} is not a real date and time") from None
    return t.astimezone(UTC).replace(tzinfo=None)
