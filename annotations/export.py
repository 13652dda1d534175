"""CSV exports: the contract researchers load into pandas or R.

Columns and their order are fixed (see README). RFC 4180: UTF-8, header,
CRLF row ends, quotes only where needed. Text cells a spreadsheet would run as
a formula are neutralised unless `raw` (see `csvsafe`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    String,
    and_,
    case,
    func,
    not_,
    or_,
    select,
    type_coerce,
)

from .annotation import DELETED_NOTE, Filters, annotation_select, annotator_label
from .csvsafe import BLANKS, TRIGGERS, CsvWriter
from .db.engine import Store
from .db.models import Annotation, Document, DocumentVersion, Reply, Seminar
from .timeutil import format_time

COLUMNS = (
    "annotation_id", "seminar", "document_id", "document_title", "document_sha256",
    "start", "end", "quote", "prefix", "suffix", "perspective", "codes", "note",
    "annotator", "created_at", "updated_at",
)
REPLY_COLUMNS = ("reply_id", "annotation_id", "author", "text", "created_at")


def stored_time(value: str) -> str:
    """SQLite's stored `2026-11-25 14:27:24.123000` as the CSV's `2026-11-25T14:27:24.123Z`.

    The same text `format_time` gives, without building a datetime per cell.
    """
    if len(value) == 26 and value[10] == " " and value[19] == ".":
        fraction = value[20:23] if value.endswith("000") else value[20:26]
        return f"{value[:10]}T{value[11:19]}.{fraction}Z"
    return format_time(datetime.fromisoformat(value))


def _cells(r: Sequence[Any], time: Callable[[Any], str]) -> tuple[object, ...]:
    """One row of `annotation_select` as the CSV's cells (before the guard)."""
    return (r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11],
            r[12] if r[18] is None else DELETED_NOTE,
            annotator_label(r[13], r[17]) if r[17] else r[13], time(r[14]), time(r[15]))


def export_annotations(store: Store, out: TextIO, filters: Filters | None = None,
                       *, raw: bool = False) -> int:
    """Write the annotations CSV; returns the number of rows."""
    filters = filters or Filters()
    writer = CsvWriter(out, raw=raw)
    writer.writerow(COLUMNS)
    n = 0
    with store.read() as session:
        conn = session.connection()
        if conn.dialect.name == "sqlite":
            return _export_sqlite(conn, writer, filters)
        # Core, not ORM, execution: plain rows, without per-row ORM bookkeeping.
        result = conn.execute(annotation_select(filters, with_fields=False))
        for batch in result.partitions(5000):
            writer.writerows([_cells(r, format_time) for r in batch])
            n += len(batch)
    return n


# --- SQLite: the CSV's cells computed by the database -------------------------------------
#
# A 100,000-row export is dominated by Python work per row and cell. On SQLite the
# query itself gives the exported text (annotator label, times in the CSV's form),
# and one more query names the few rows that need a look in Python: a text cell
# the formula guard may act on (it starts with an apostrophe or a trigger, or with
# blanks and then a trigger), or a time not in the stored form. Every other row
# goes to the C csv writer as the database gave it.

_TEXT_CELLS = (Document.title, Annotation.quote, Annotation.prefix, Annotation.suffix,
               Annotation.perspective, Annotation.codes, Annotation.note, Annotation.annotator)


def _stored(column: Any) -> ColumnElement[str]:
    return type_coerce(column, String)


def _well_formed(x: ColumnElement[str]) -> ColumnElement[bool]:
    """The stored form `stored_time` reads: `2026-11-25 14:27:24.123000`."""
    return and_(func.length(x) == 26, func.substr(x, 11, 1) == " ",
                func.substr(x, 20, 1) == ".")


def _csv_time(x: ColumnElement[str]) -> ColumnElement[str]:
    """`stored_time` in SQL, for well-formed stored times."""
    fraction = case((func.substr(x, 24, 3) == "000", func.substr(x, 21, 3)),
                    else_=func.substr(x, 21, 6))
    return (func.substr(x, 1, 10) + "T" + func.substr(x, 12, 8) + "." + fraction + "Z")


def _csv_select(q: Select[Any]) -> Select:  # type: ignore[type-arg]
    label = case((Annotation.source != "",
                  Annotation.annotator + " [suggested by " + Annotation.source + "]"),
                 else_=Annotation.annotator)
    return q.with_only_columns(
        Annotation.id, Seminar.slug, Document.document_id, Document.title,
        DocumentVersion.sha256, Annotation.start, Annotation.end, Annotation.quote,
        Annotation.prefix, Annotation.suffix, Annotation.perspective, Annotation.codes,
        case((Annotation.deleted_at.is_not(None), DELETED_NOTE), else_=Annotation.note),
        label, _csv_time(_stored(Annotation.created_at)),
        _csv_time(_stored(Annotation.updated_at)), maintain_column_froms=False)


def _special_select(q: Select[Any], guard: bool) -> Select[Any]:
    times = [not_(_well_formed(_stored(Annotation.created_at))),
             not_(_well_formed(_stored(Annotation.updated_at)))]
    # A tab is a blank and a trigger: strip the other blanks, then a tab still counts.
    blanks, first = BLANKS.replace("\t", ""), [*TRIGGERS, "'"]
    # Most cells start with a letter: look past blanks only in cells that start with one.
    risky = [case((func.substr(c, 1, 1).in_(first), True),
                  (func.substr(c, 1, 1).in_(list(blanks)),
                   func.substr(func.ltrim(c, blanks), 1, 1).in_(list(TRIGGERS))),
                  else_=False)
             for c in _TEXT_CELLS] if guard else []
    return q.with_only_columns(Annotation.id, maintain_column_froms=False).where(
        or_(*times, *risky)).order_by(None)


def _export_sqlite(conn: Connection, writer: CsvWriter, filters: Filters) -> int:
    q = annotation_select(filters, with_fields=False, stored_times=True)
    special = set(conn.execute(_special_select(q, not writer.raw)).scalars())
    fixed: dict[str, Sequence[object]] = {}
    if special:
        # The exact cells of those rows, through the guard, as any other writer gives them.
        few = len(special) <= 5000  # bound parameters; beyond that one scan is cheaper
        rows = conn.execute(q.where(Annotation.id.in_(special)) if few else q)
        fixed = {r[0]: _cells(r, stored_time) for r in rows if r[0] in special}
    # The driver's cursor, not SQLAlchemy's result: its tuples go to the C writer as they come.
    compiled = _csv_select(q).compile(dialect=conn.dialect)
    params = [compiled.params[k] for k in compiled.positiontup or ()]
    cursor = conn.connection.driver_connection.execute(str(compiled), params)  # type: ignore[union-attr]
    n = 0
    while batch := cursor.fetchmany(5000):
        if fixed:
            batch = [r if r[0] not in fixed else writer.guarded(fixed[r[0]]) for r in batch]
        writer.writerows_checked(batch)
        n += len(batch)
    return n


def export_replies(store: Store, out: TextIO, filters: Filters | None = None,
                   *, raw: bool = False) -> int:
    """Write the replies CSV for the annotations the same filters select."""
    filters = filters or Filters()
    writer = CsvWriter(out, raw=raw)
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
            writer.writerow((r[0], r[1], r[2], r[3], format_time(r[4])))
            n += 1
    return n
