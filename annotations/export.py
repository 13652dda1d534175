"""CSV exports: the contract researchers load into pandas or R.

Columns and their order are fixed (see README). RFC 4180: UTF-8, header,
CRLF row ends, quotes only where needed. Text cells a spreadsheet would run as
a formula are neutralised unless `raw` (see `csvsafe`).
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import select

from .annotation import DELETED_NOTE, Filters, annotation_select, annotator_label
from .csvsafe import neutralise
from .db.engine import Store
from .db.models import Reply
from .timeutil import format_time

COLUMNS = (
    "annotation_id", "seminar", "document_id", "document_title", "document_sha256",
    "start", "end", "quote", "prefix", "suffix", "perspective", "codes", "note",
    "annotator", "created_at", "updated_at",
)
REPLY_COLUMNS = ("reply_id", "annotation_id", "author", "text", "created_at")


def _writer(out: TextIO) -> csv.Writer:  # type: ignore[name-defined]
    return csv.writer(out, lineterminator="\r\n")


def stored_time(value: str) -> str:
    """SQLite's stored `2026-11-25 14:27:24.123000` as the CSV's `2026-11-25T14:27:24.123Z`.

    The same text `format_time` gives, without building a datetime per cell.
    """
    if len(value) == 26 and value[10] == " " and value[19] == ".":
        fraction = value[20:23] if value.endswith("000") else value[20:26]
        return f"{value[:10]}T{value[11:19]}.{fraction}Z"
    return format_time(datetime.fromisoformat(value))


def _identity(cell: str) -> str:
    return cell


def export_annotations(store: Store, out: TextIO, filters: Filters | None = None,
                       *, raw: bool = False) -> int:
    """Write the annotations CSV; returns the number of rows."""
    filters = filters or Filters()
    safe: Callable[[str], str] = _identity if raw else neutralise
    writer = _writer(out)
    writer.writerow(COLUMNS)
    n = 0
    with store.read() as session:
        conn = session.connection()
        stored = conn.dialect.name == "sqlite"
        time: Callable[[Any], str] = stored_time if stored else format_time
        # Core, not ORM, execution: plain rows, without per-row ORM bookkeeping.
        result = conn.execute(annotation_select(filters, with_fields=False, stored_times=stored))
        for batch in result.partitions(5000):
            # Ids, slugs and the sha256 are validated and cannot start a formula.
            writer.writerows(
                (
                    r[0], r[1], r[2], safe(r[3]), r[4], r[5], r[6],
                    safe(r[7]), safe(r[8]), safe(r[9]), safe(r[10]), safe(r[11]),
                    safe(r[12]) if r[18] is None else DELETED_NOTE,
                    safe(annotator_label(r[13], r[17]) if r[17] else r[13]),
                    time(r[14]), time(r[15]),
                )
                for r in batch
            )
            n += len(batch)
    return n


def export_replies(store: Store, out: TextIO, filters: Filters | None = None,
                   *, raw: bool = False) -> int:
    """Write the replies CSV for the annotations the same filters select."""
    filters = filters or Filters()
    safe: Callable[[str], str] = _identity if raw else neutralise
    writer = _writer(out)
    writer.writerow(REPLY_COLUMNS)
    selected = annotation_select(filters, with_fields=False)
    ids = selected.with_only_columns(selected.selected_columns[0])
    q = (
        select(Reply.id, Reply.annotation_id, Reply.author, Reply.text, Reply.created_at)
        .where(Reply.annotation_id.in_(ids.order_by(None)))
        .order_by(Reply.annotation_id, Reply.created_at, Reply.id)
    )
    n = 0
    with store.read() as session:
        for r in session.execute(q):
            writer.writerow((safe(r[0]), safe(r[1]), safe(r[2]), safe(r[3]),
                             format_time(r[4])))
            n += 1
    return n
