"""Imports of annotation CSVs (and W3C JSON-LD, parsed into the same rows).

All or nothing: every row is checked first; one bad row aborts the import,
nothing is written, and every offending row is reported with its number
(the header is row 1, as in a spreadsheet) and the reason. Annotations are
upserted by id, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import functools
import gc
import re
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import compress
from operator import itemgetter
from typing import ParamSpec, TypeVar

from sqlalchemy import DateTime, Table, func, insert, select, update
from sqlalchemy.orm import Session

from . import audit, codebook
from .anchor import CONTEXT, AnchorStatus, reanchor
from .annotation import (
    DELETED_NOTE,
    MAX_NOTE,
    check_name,
    check_note,
    check_source,
    clean_field_values,
    split_annotator_label,
)
from .codebook import CodeSpec, PerspectiveSpec
from .csvread import Columns, read_columns, records
from .db.engine import Store
from .db.models import Annotation, Document, DocumentVersion, Reply, Seminar
from .errors import AnnotationsError, ImportRejected, InvalidInput, RowError
from .export import COLUMNS, REPLY_COLUMNS
from .seminar import bump
from .timeutil import parse_time

BATCH = 5000  # ids per IN (...) lookup: well under every backend's parameter limit
_ANCHORED = AnchorStatus.ANCHORED.value

_P = ParamSpec("_P")
_R = TypeVar("_R")
_T = TypeVar("_T")
_K = TypeVar("_K")


def _gc_paused(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run `fn` with the cyclic garbage collector paused.

    An import builds a few objects per row that all live until it ends; the
    collector would walk them over and over (a third of the import's time) and
    never find a cycle to free.
    """

    @functools.wraps(fn)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return paused


@dataclass(slots=True)
class IncomingAnnotation:
    row: int
    annotation_id: str
    seminar: str
    document_id: str
    document_sha256: str
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    perspective: str
    codes: Sequence[str]  # a tuple from CSV (shared per distinct cell), a list from JSON-LD
    note: str
    annotator: str
    created_at: datetime
    updated_at: datetime
    # Structured field values when the file carries them (JSON-LD); None leaves them as stored.
    fields: dict[str, dict[str, str]] | None = None


@dataclass(slots=True)
class AnnotationColumns:
    """Incoming annotations a column at a time, in the fields' order of IncomingAnnotation.

    A file is checked column by column and per distinct value (seminars,
    documents, labels), not row object by row object: a file can hold 100,000 rows.
    """

    row: Sequence[int]
    annotation_id: Sequence[str]
    seminar: Sequence[str]
    document_id: Sequence[str]
    document_sha256: Sequence[str]
    start: list[int]
    end: list[int]
    quote: Sequence[str]
    prefix: Sequence[str]  # read only to find a moved quote again
    suffix: Sequence[str]
    perspective: Sequence[str]
    codes: list[Sequence[str]]
    note: Sequence[str]
    annotator: Sequence[str]
    created_at: list[datetime]
    updated_at: list[datetime]
    # created_at as SQLite stores it, when the file wrote every time in the form our
    # exports write: cut from the cells, cheaper than formatting 100,000 datetimes.
    sqlite_created: list[str] | None = None

    @classmethod
    def of(cls, items: list[IncomingAnnotation]) -> AnnotationColumns:
        if not items:
            return cls(*([] for _ in _COLUMN_FIELDS))
        return cls(*(list(c) for c in zip(*(
            [getattr(a, f) for f in _COLUMN_FIELDS] for a in items), strict=True)))

    def without(self, dropped: set[int]) -> AnnotationColumns:
        """These columns less the rows at the indices `dropped`."""
        keep = [i not in dropped for i in range(len(self.row))]
        return AnnotationColumns(*(list(compress(getattr(self, f), keep))
                                   for f in _COLUMN_FIELDS))


_COLUMN_FIELDS = tuple(AnnotationColumns.__dataclass_fields__)[:16]


@dataclass(slots=True)
class IncomingReply:
    row: int
    reply_id: str
    annotation_id: str
    author: str
    text: str
    created_at: datetime


@dataclass
class ImportReport:
    inserted: int = 0
    updated: int = 0
    replies: int = 0
    review: list[str] = field(default_factory=list)  # ids re-anchored by fuzzy match
    moved: list[str] = field(default_factory=list)  # ids whose offsets were corrected
    added_labels: list[str] = field(default_factory=list)  # codes/perspectives added


_Z_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z")
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _uuid(value: str, what: str) -> str:
    if _CANONICAL_UUID.fullmatch(value):
        return value  # already what str(uuid.UUID(value)) would give, at a fraction of the cost
    if not value:
        return str(uuid.uuid4())
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidInput(f"{what} {value!r} is not a UUID") from None


def _int(value: str, what: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"{what} {value!r} is not a whole number") from None


def _time(value: str) -> datetime:
    """`parse_time`, with the form our exports write read without the general parser."""
    try:
        return datetime.fromisoformat(value[:-1]) if _Z_TIME.fullmatch(value) else parse_time(value)
    except ValueError:  # a date that does not exist: parse_time words the error
        return parse_time(value)


def _each(column: Sequence[str], convert: Callable[[str], _T], bad: dict[int, str]) -> list[_T]:
    """`convert` of each cell; a cell it refuses records its row's first error in `bad`."""
    out: list[_T] = []
    for i, value in enumerate(column):
        try:
            out.append(convert(value))
        except AnnotationsError as exc:
            bad.setdefault(i, str(exc))
            out.append(None)  # type: ignore[arg-type]  # the row is dropped
    return out


def _times(read: Columns, index: int, bad: dict[int, str]
           ) -> tuple[list[datetime], list[str] | None]:
    """The column's times, and as SQLite stores them when all are in our exports' form."""
    column = read.cells[index]
    if read.all_match(index, _Z_TIME):
        try:  # the form our exports write, a column at once
            return [datetime.fromisoformat(v[:-1]) for v in column], _sqlite_z_times(column)
        except ValueError:
            pass  # a date that does not exist: the cell by cell path words it
    return _each(column, _time, bad), None


def _sqlite_z_times(cells: Sequence[str]) -> list[str]:
    """`_sqlite_datetime` of times written as `_Z_TIME` (and real dates), from their text:
    `2026-11-25T14:27:24.12Z` is stored as `2026-11-25 14:27:24.120000`."""
    return [f"{v[:10]} {v[11:19]}.{v[20:-1]:0<6}" for v in cells]


def _ints(read: Columns, index: int, what: str, bad: dict[int, str]) -> list[int]:
    column = read.cells[index]
    ints = read.naturals(index)
    if ints is not None:
        return ints
    if all(map(str.isdecimal, column)):
        return list(map(int, column))
    return _each(column, lambda v: _int(v, what), bad)


# Columns whose few distinct values are looked up once each.
_REPEATED = ("seminar", "document_id", "document_sha256", "perspective", "codes", "annotator")
_AT = {c: i for i, c in enumerate(COLUMNS)}


def parse_annotations_csv(source: str | bytes, *, raw: bool = False, name: str = "the file"
                          ) -> tuple[AnnotationColumns, list[RowError]]:
    """The file's rows as typed columns; rows that do not parse are reported and left out.

    Column by column, each rule once per column or per distinct value: per-row
    work is what a 100,000-row import spends its time on.
    """
    read = read_columns(source, COLUMNS, raw=raw, repeated=_REPEATED,
                        rare=("document_title", "start", "end", "prefix", "suffix", "updated_at"),
                        name=name)
    errors = read.errors
    (aid, seminar, document_id, _title, sha, start, end, quote, prefix, suffix,
     perspective, codes, note, annotator, created_at, updated_at) = read.cells
    bad: dict[int, str] = {}  # column index -> the row's first error
    created, sqlite_created = _times(read, _AT["created_at"], bad)
    ids = aid if read.all_match(_AT["annotation_id"], _CANONICAL_UUID) else _each(
        aid, lambda v: _uuid(v, "annotation_id"), bad)
    starts, ends = _ints(read, _AT["start"], "start", bad), _ints(read, _AT["end"], "end", bad)
    # Most rows were never edited: the same cell, the same datetime object.
    updated: list[datetime | None] = created  # type: ignore[assignment]
    if not read.same(_AT["created_at"], _AT["updated_at"]):
        updated = [c if not u or u == t else None
                   for t, u, c in zip(created_at, updated_at, created, strict=True)]
        for i, value in enumerate(updated):
            if value is None:
                try:
                    updated[i] = _time(updated_at[i])
                except AnnotationsError as exc:
                    bad.setdefault(i, str(exc))
    split = {c: tuple(codebook.split_codes(c)) for c in dict.fromkeys(codes)}
    columns = AnnotationColumns(
        read.rows, ids, seminar, document_id, sha, starts, ends, quote, prefix, suffix,
        perspective, [split[c] for c in codes], note, list(map(str.strip, annotator)),
        created, updated, sqlite_created)  # type: ignore[arg-type]  # None: rows dropped below
    if bad:
        errors = errors + [RowError(read.rows[i], reason) for i, reason in bad.items()]
        columns = columns.without(set(bad))
    return columns, errors


def parse_replies_csv(text: str, *, raw: bool = False
                      ) -> tuple[list[IncomingReply], list[RowError]]:
    items: list[IncomingReply] = []
    errors: list[RowError] = []
    for n, rec in records(text, REPLY_COLUMNS, raw):
        if isinstance(rec, str):
            errors.append(RowError(n, rec))
            continue
        reply_id, annotation_id, author, body, created_at = rec
        try:
            items.append(IncomingReply(
                n, _uuid(reply_id, "reply_id"), _uuid(annotation_id or "-", "annotation_id"),
                author.strip(), body, parse_time(created_at),
            ))
        except AnnotationsError as exc:
            errors.append(RowError(n, str(exc)))
    return items, errors


@dataclass
class _Texts:
    """What validation needs from the store, read once per import."""

    seminars: dict[str, int]
    current: dict[str, int]  # document_id -> current version id
    by_sha: dict[tuple[str, str], int]  # (document_id, sha256) -> version id
    texts: dict[int, str]  # version id -> text
    labels: dict[int, tuple[set[str], set[str]]]  # seminar -> (perspectives, codes)


def _load(session: Session) -> _Texts:
    seminars = dict(session.execute(select(Seminar.slug, Seminar.id)).all())
    current = {d: v for d, v in session.execute(
        select(Document.document_id, Document.current_version_id)).all() if v is not None}
    by_sha: dict[tuple[str, str], int] = {}
    texts: dict[int, str] = {}
    for vid, doc, sha, text in session.execute(select(
            DocumentVersion.id, DocumentVersion.document_id, DocumentVersion.sha256,
            DocumentVersion.text)):
        by_sha[(doc, sha)] = vid
        texts[vid] = text
    labels = {sid: (set(codebook.perspective_names(session, sid)),
                    set(codebook.code_names(session, sid))) for sid in seminars.values()}
    return _Texts(seminars, current, by_sha, texts, labels)


def _existing(session: Session, model: type[Annotation] | type[Reply], ids: Sequence[str],
              column: str) -> dict[str, object]:
    """`column` of the rows among `ids` that are already stored.

    When the table is not much larger than the file (a first import, a re-import),
    one scan beats thousands of bound parameters in IN (...) lists.
    """
    found: dict[str, object] = {}
    if not ids:
        return found
    id_col = model.id
    other = getattr(model, column)
    stored = session.scalar(select(func.count()).select_from(model)) or 0
    if stored <= 4 * len(ids):
        wanted = set(ids)
        found.update((k, v) for k, v in session.execute(select(id_col, other)) if k in wanted)
        return found
    for i in range(0, len(ids), BATCH):
        found.update(session.execute(
            select(id_col, other).where(id_col.in_(ids[i : i + BATCH]))).all())
    return found


@_gc_paused
def import_rows(store: Store, annotations: list[IncomingAnnotation] | AnnotationColumns,
                replies: list[IncomingReply] | None = None,
                errors: list[RowError] | None = None, *, replies_label: str = "replies"
                ) -> ImportReport:
    """Check every row, then write them all in one transaction, or nothing."""
    if isinstance(annotations, AnnotationColumns):
        columns, carried = annotations, []
    else:  # the items may carry structured field values (JSON-LD)
        columns, carried = AnnotationColumns.of(annotations), annotations
    errors = list(errors or [])
    replies = replies or []
    report = ImportReport()
    with store.transaction() as session:
        ctx = _load(session)
        existing = _existing(session, Annotation, columns.annotation_id, "seminar_id")
        new_labels: dict[tuple[int, str, str], None] = {}
        labels = _Labels(ctx, new_labels)
        sqlite = session.connection().dialect.name == "sqlite"
        inserts, updates = _resolve_all(columns, ctx, existing, labels, report, sqlite,
                                        errors)
        reply_rows, reply_updates = _resolve_replies(
            session, replies, set(columns.annotation_id), errors, replies_label)
        field_rows = _checked_fields(session, carried, ctx.seminars, errors)
        if errors:
            raise ImportRejected(sorted(errors, key=lambda e: (e.row, e.reason)))
        for sid, kind, name in new_labels:
            if kind == "code":
                codebook.add_code(session, sid, CodeSpec(name))
            else:
                codebook.add_perspective(session, sid, PerspectiveSpec(name))
            session.flush()
            report.added_labels.append(f"{kind} {name!r}")
        if inserts:
            _insert_annotations(session, inserts)
        if updates:
            session.execute(update(Annotation), [
                dict(zip(ROW_ATTRS, _as_datetimes(r) if sqlite else r, strict=True))
                for r in updates])
        if field_rows:
            session.execute(update(Annotation), field_rows)
        if reply_rows:
            _insert_many(session, Reply.__table__, reply_rows)  # type: ignore[arg-type]
        if reply_updates:
            session.execute(update(Reply), reply_updates)
        report.inserted, report.updated = len(inserts), len(updates)
        report.replies = len(reply_rows) + len(reply_updates)
        per_seminar: Counter[int] = Counter()
        for slug, count in Counter(columns.seminar).items():
            per_seminar[ctx.seminars[slug]] += count
        for sid in set(per_seminar) | _reply_seminars(session, replies):
            bump(session, sid)
            # One entry per import and seminar: imports run from the console.
            audit.record(session, "console", "annotations.import", sid, "",
                         {"annotations": per_seminar.get(sid, 0), "file_replies": len(replies),
                          "moved": len(report.moved), "review": len(report.review)})
    return report


# The order of the tuples `_resolve` builds: Annotation attribute names.
ROW_ATTRS = (
    "id", "seminar_id", "document_version_id", "start", "end", "quote", "prefix", "suffix",
    "perspective", "codes", "note", "annotator", "anchor_status", "source", "created_at",
    "updated_at", "deleted_at",
)  # fmt: skip


def _insert_annotations(session: Session, rows: list[tuple[object, ...]]) -> None:
    """One executemany of plain tuples on SQLite (times already text); SQLAlchemy's insert
    elsewhere."""
    conn = session.connection()
    if conn.dialect.name != "sqlite":
        session.execute(insert(Annotation), [dict(zip(ROW_ATTRS, r, strict=True))
                                             for r in rows])
        return
    table = Annotation.__table__
    mapper = Annotation.__mapper__
    columns = [mapper.attrs[a].columns[0].name for a in ROW_ATTRS]  # type: ignore[attr-defined]
    prep = conn.dialect.identifier_preparer
    sql = (f"INSERT INTO {prep.format_table(table)} "  # type: ignore[arg-type]
           f"({', '.join(prep.quote(c) for c in columns)}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    conn.exec_driver_sql(sql, rows)


def _insert_many(session: Session, table: Table, rows: list[dict[str, object]]) -> None:
    """INSERT `rows` (dicts keyed by column, all with the same keys) in one executemany.

    On SQLite, SQLAlchemy's per-row parameter handling (in the ORM and in Core)
    costs several times what SQLite spends storing the row, so there the driver
    gets plain tuples, converted by the columns' own bind processors, and the
    columns left out get their scalar defaults, as SQLAlchemy would give them.
    """
    conn = session.connection()
    dialect = conn.dialect
    given = list(rows[0])
    missing = [c for c in table.columns if c.key not in rows[0]]
    if dialect.name != "sqlite" or dialect.paramstyle != "qmark" or any(
            c.default is None or not c.default.is_scalar for c in missing):
        session.execute(insert(table), rows)
        return
    processors = [(k, _sqlite_datetime if isinstance(table.c[k].type, DateTime)
                   else table.c[k].type.dialect_impl(dialect).bind_processor(dialect))
                  for k in given]
    plain = [k for k, p in processors if p is None]
    converted = [(k, p) for k, p in processors if p is not None]
    defaults = tuple(c.default.arg for c in missing)  # type: ignore[union-attr]
    names = plain + [k for k, _ in converted] + [c.key for c in missing]
    prep = dialect.identifier_preparer
    sql = (f"INSERT INTO {prep.format_table(table)} "
           f"({', '.join(prep.format_column(table.c[k]) for k in names)}) "
           f"VALUES ({', '.join('?' * len(names))})")
    get_plain = itemgetter(*plain) if len(plain) > 1 else (lambda r: (r[plain[0]],))
    conn.exec_driver_sql(sql, [
        get_plain(r) + tuple([p(r[k]) for k, p in converted]) + defaults  # type: ignore[arg-type,operator]
        for r in rows])


def _same(values: list[datetime]) -> Sequence[object]:
    return values  # PostgreSQL's driver takes datetimes


def _as_datetimes(r: tuple[object, ...]) -> tuple[object, ...]:
    """A SQLite-ready row back to datetimes, for SQLAlchemy's UPDATE."""
    return (*r[:14], datetime.fromisoformat(str(r[14])), datetime.fromisoformat(str(r[15])),
            None if r[16] is None else datetime.fromisoformat(str(r[16])))


def _sqlite_datetime(value: datetime | None) -> str | None:
    """SQLAlchemy's SQLite DATETIME storage format, written in C: `2026-11-25 14:27:24.123000`."""
    return None if value is None else value.isoformat(" ", "microseconds")


def _sqlite_datetimes(values: list[datetime]) -> list[str]:
    """`_sqlite_datetime` of a column, without a call per value."""
    return [v.isoformat(" ", "microseconds") for v in values]


class _Labels:
    """The label checks of an import; new perspectives and codes are noted in `new_labels`
    to be added to the seminar's codebook when the whole file is good."""

    def __init__(self, ctx: _Texts, new_labels: dict[tuple[int, str, str], None]) -> None:
        self.ctx, self.new_labels = ctx, new_labels

    def annotator(self, label: str) -> tuple[str, str]:
        """(annotator, suggestion source) of an annotator cell."""
        annotator, source = split_annotator_label(label)
        return check_name(annotator), check_source(source)

    def perspective(self, sid: int | None, raw: str) -> str:
        if sid is None:
            return ""  # an unknown seminar, reported already
        # Stored as check_label cleans it, so " textbook" is the known "textbook".
        clean = codebook.check_label(raw, "perspective") if raw else ""
        if clean and clean not in self.ctx.labels[sid][0]:
            self.new_labels[(sid, "perspective", clean)] = None
        return clean

    def codes(self, sid: int | None, names: Sequence[str]) -> str:
        if sid is None:
            return ""  # an unknown seminar, reported already
        known = self.ctx.labels[sid][1]
        for c in names:
            if c not in known:
                self.new_labels[(sid, "code", codebook.check_label(c, "code"))] = None
        return codebook.join_codes(list(dict.fromkeys(names)))


def _resolve_all(c: AnnotationColumns, ctx: _Texts, existing: dict[str, object],
                 labels: _Labels, report: ImportReport,
                 sqlite: bool, errors: list[RowError]
                 ) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Check every row against the store: the rows to insert and to update, in ROW_ATTRS
    order; a bad row records its first error instead, in the order the checks run.

    Column by column: a check that depends on a value (seminar, document,
    annotator, perspective, codes) runs once per distinct value, and what is per
    row runs in comprehensions, so a 100,000-row file costs little beyond its insert.
    """
    n = len(c.row)
    bad: dict[int, str] = {}  # column index -> the row's first error
    ids = c.annotation_id
    if len(set(ids)) != n:
        first: set[str] = set()
        for i, aid in enumerate(ids):
            if aid in first:
                bad.setdefault(i, f"annotation_id {aid} appears twice in the file")
            first.add(aid)
    sid_of = {s: ctx.seminars.get(s) for s in dict.fromkeys(c.seminar)}
    sids = [sid_of[s] for s in c.seminar]
    if None in sid_of.values():
        for i, s in enumerate(c.seminar):
            if sid_of[s] is None:
                bad.setdefault(i, f"unknown seminar {s!r}: create it first with "
                                  f"`annotations seminar create {s or 'SLUG'}`")
    if existing:
        for i, aid in enumerate(ids):
            if aid in existing and existing[aid] != sids[i]:
                bad.setdefault(i, f"annotation {aid} belongs to another seminar")
    version_of: dict[tuple[str, str], int] = {}
    for doc, sha in dict.fromkeys(zip(c.document_id, c.document_sha256, strict=True)):
        current = ctx.current.get(doc)
        if current is not None:
            version_of[(doc, sha)] = ctx.by_sha.get((doc, sha), current)
    vids = [version_of.get(k, 0) for k in zip(c.document_id, c.document_sha256, strict=True)]
    if any(doc not in ctx.current for doc in dict.fromkeys(c.document_id)):
        for i, doc in enumerate(c.document_id):
            if doc not in ctx.current:
                bad.setdefault(i, f"unknown document {doc!r}: add the text first "
                                  "(`annotations texts add`) or check document_id")
    who = _per_value(c.annotator, labels.annotator, bad)
    for i, note in enumerate(c.note):
        if len(note) > MAX_NOTE or "\x00" in note:
            try:
                check_note(note)
            except AnnotationsError as exc:
                bad.setdefault(i, str(exc))
    texts = [ctx.texts.get(v, "") for v in vids]
    starts, ends, quotes = list(c.start), list(c.end), list(c.quote)
    status = [_ANCHORED] * n
    held = [0 <= s < e <= len(t) and t[s:e] == q
            for t, s, e, q in zip(texts, starts, ends, quotes, strict=True)]
    if not all(held):
        for i in [i for i, ok in enumerate(held) if not ok and i not in bad]:
            try:
                starts[i], ends[i], quotes[i], status[i] = _moved(c, i, texts[i], report)
            except AnnotationsError as exc:
                bad[i] = str(exc)
    if len(sid_of) == 1:  # one seminar, as in most files: the cell alone is the key
        sid = sids[0] if sids else None
        perspectives = _per_value(c.perspective, lambda p: labels.perspective(sid, p), bad)
        codes = _per_value(list(map(tuple, c.codes)), lambda k: labels.codes(sid, k), bad)
    else:
        perspectives = _per_value(list(zip(sids, c.perspective, strict=True)),
                                  lambda k: labels.perspective(k[0], k[1]), bad)
        codes = _per_value(list(zip(sids, map(tuple, c.codes), strict=True)),
                           lambda k: labels.codes(k[0], k[1]), bad)
    if bad:
        errors.extend(RowError(c.row[i], reason) for i, reason in bad.items())
        return [], []
    # On SQLite rows are written as the driver takes them (see _insert_annotations).
    bind_times: Callable[[list[datetime]], Sequence[object]] = (
        _sqlite_datetimes if sqlite else _same)
    created: Sequence[object] = (c.sqlite_created if sqlite and c.sqlite_created is not None
                                 else bind_times(c.created_at))
    # Most rows were never edited: the same datetime object, bound once.
    edited = [i for i, (t, u) in enumerate(zip(c.created_at, c.updated_at, strict=True))
              if u is not t]
    updated: Sequence[object] = created
    if edited:
        updated = list(created)
        for i, value in zip(edited, bind_times([c.updated_at[i] for i in edited]),
                            strict=True):
            updated[i] = value
    # An exported tombstone (see annotation.DELETED_NOTE) comes back as one.
    notes = c.note
    deleted: list[object] = [None] * n
    tombstones = [i for i, note in enumerate(c.note)
                  if note == DELETED_NOTE and not perspectives[i] and not codes[i]]
    if tombstones:
        notes = cleared = list(c.note)
        for i in tombstones:
            cleared[i], deleted[i] = "", updated[i]
    rows = list(zip(
        ids, sids, vids, starts, ends, quotes,
        [t[s - CONTEXT if s > CONTEXT else 0:s] for t, s in zip(texts, starts, strict=True)],
        [t[e:e + CONTEXT] for t, e in zip(texts, ends, strict=True)],
        perspectives, codes, notes, [w[0] for w in who], status, [w[1] for w in who],
        created, updated, deleted, strict=True))
    if not existing:
        return rows, []
    inserts = [r for r in rows if r[0] not in existing]
    return inserts, [r for r in rows if r[0] in existing]


def _per_value(keys: Sequence[_K], check: Callable[[_K], _T], bad: dict[int, str]) -> list[_T]:
    """`check` of each row's key, run once per distinct key; a key it refuses records
    the error for each row that has it (unless the row has an earlier error)."""
    done: dict[_K, _T] = {}
    refused: dict[_K, str] = {}
    for k in dict.fromkeys(keys):
        try:
            done[k] = check(k)
        except AnnotationsError as exc:
            refused[k] = str(exc)
    if refused:
        for i, k in enumerate(keys):
            if k in refused:
                bad.setdefault(i, refused[k])
    return [done.get(k) for k in keys]  # type: ignore[misc]  # None only in refused rows


def _moved(c: AnnotationColumns, i: int, text: str, report: ImportReport
           ) -> tuple[int, int, str, str]:
    """Offsets that do not hold the quote: find it again, or say why it cannot be."""
    start, end, quote = c.start[i], c.end[i], c.quote[i]
    found = reanchor(text, quote, c.prefix[i], c.suffix[i], start)
    if found.status is AnchorStatus.ORPHAN:
        where = ("out of range" if not 0 <= start < end <= len(text)
                 else "do not hold the quote")
        raise InvalidInput(
            f"offsets [{start}, {end}) {where} and the quote {quote[:40]!r} was not "
            f"found in {c.document_id[i]}: correct start/end or the quote")
    (report.review if found.status is AnchorStatus.REVIEW else report.moved).append(
        c.annotation_id[i])
    return found.start, found.end, found.quote, found.status.value


def _checked_fields(session: Session, annotations: list[IncomingAnnotation],
                    seminars: dict[str, int], errors: list[RowError]
                    ) -> list[dict[str, object]]:
    """Updates of the structured field values a file carries, checked against each
    seminar's codebook (a file cannot invent fields)."""
    asked: dict[int, dict[str, list[str]]] = {}
    rows: list[dict[str, object]] = []
    for a in annotations:
        sid = seminars.get(a.seminar)
        if a.fields is None or sid is None:
            continue  # nothing carried, or the unknown seminar is reported already
        if sid not in asked:
            asked[sid] = codebook.fields_by_code(session, sid)
        try:
            values = clean_field_values(asked[sid], a.codes, a.fields)
        except AnnotationsError as exc:
            errors.append(RowError(a.row, f"structured fields: {exc}"))
            continue
        rows.append({"id": a.annotation_id, "fields": values})
    return rows


def _resolve_replies(session: Session, replies: list[IncomingReply],
                     file_ids: set[str], errors: list[RowError],
                     label: str) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    known = _existing(session, Annotation,
                      [r.annotation_id for r in replies if r.annotation_id not in file_ids],
                      "seminar_id")
    existing = _existing(session, Reply, [r.reply_id for r in replies], "annotation_id")
    inserts: list[dict[str, object]] = []
    updates: list[dict[str, object]] = []
    seen: set[str] = set()
    for r in replies:
        problem = ""
        if r.reply_id in seen:
            problem = f"reply_id {r.reply_id} appears twice in the file"
        elif r.annotation_id not in file_ids and r.annotation_id not in known:
            problem = f"reply to unknown annotation {r.annotation_id}"
        elif r.reply_id in existing and existing[r.reply_id] != r.annotation_id:
            problem = f"reply {r.reply_id} belongs to another annotation"
        elif not r.text.strip():
            problem = "reply text is empty"
        else:
            try:
                check_name(r.author, "author")
                check_note(r.text)
            except AnnotationsError as exc:
                problem = str(exc)
        if problem:
            errors.append(RowError(r.row, f"{label}: {problem}"))
            continue
        seen.add(r.reply_id)
        row = dict(id=r.reply_id, annotation_id=r.annotation_id, author=r.author, text=r.text,
                   created_at=r.created_at, updated_at=r.created_at)
        (updates if r.reply_id in existing else inserts).append(row)
    return inserts, updates


def _reply_seminars(session: Session, replies: list[IncomingReply]) -> set[int]:
    ids = list({r.annotation_id for r in replies})
    return {int(v) for v in _existing(session, Annotation, ids, "seminar_id").values()}  # type: ignore[call-overload]


@_gc_paused
def import_csv(store: Store, text: str | bytes, replies_text: str | None = None, *,
               raw: bool = False, name: str = "the file") -> ImportReport:
    """Import an annotations CSV: its text, or its UTF-8 bytes as read from file `name`
    (bytes skip a decoding a large file does not need)."""
    items, errors = parse_annotations_csv(text, raw=raw, name=name)
    replies: list[IncomingReply] = []
    if replies_text is not None:
        replies, reply_errors = parse_replies_csv(replies_text, raw=raw)
        errors += [RowError(e.row, f"replies: {e.reason}") for e in reply_errors]
    return import_rows(store, items, replies, errors)
