"""Imports of annotation CSVs (and W3C JSON-LD, parsed into the same rows).

All or nothing: every row is checked first; one bad row aborts the import,
nothing is written, and every offending row is reported with its number
(the header is row 1, as in a spreadsheet) and the reason. Annotations are
upserted by id, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import csv
import functools
import gc
import io
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
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
from .csvsafe import restore
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


def _check_header(header: list[str] | None, expected: tuple[str, ...]) -> None:
    if header is None:
        raise ImportRejected([RowError(1, "the file is empty: it needs a header row")])
    unknown = [h for h in header if h not in expected]
    missing = [c for c in expected if c not in header]
    problems = []
    if unknown:
        problems.append(f"unknown column(s) {', '.join(map(repr, unknown))}")
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if len(set(header)) != len(header):
        problems.append("a column appears twice")
    if problems:
        raise ImportRejected([RowError(1, "; ".join(problems) +
                                       f": the header must be {', '.join(expected)}")])


def _records(text: str, expected: tuple[str, ...], raw: bool
             ) -> Iterable[tuple[int, list[str] | str]]:
    """Data rows as cell lists in `expected` column order, or an error text for the row.

    Lists, not dicts: a 100,000-row import is dominated by per-row overhead.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        _check_header(header, expected)
        assert header is not None
        width = len(header)
        order = [header.index(c) for c in expected]
        reorder = itemgetter(*order) if order != list(range(width)) else None
        for n, cells in enumerate(reader, start=2):
            if len(cells) != width:
                yield n, f"has {len(cells)} cells, the header has {width}"
                continue
            # Only a cell that starts with an apostrophe can carry a guard to remove;
            # one join and search finds whether any does, cheaper than a look at each.
            if not raw and (cells[0][:1] == "'" or "\x1f'" in "\x1f".join(cells)):
                cells = [restore(c) for c in cells]
            yield n, list(reorder(cells)) if reorder else cells
    except csv.Error as exc:
        raise ImportRejected([RowError(reader.line_num, f"not valid CSV: {exc}")]) from None


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


@functools.lru_cache(maxsize=4096)
def _split_codes(cell: str) -> tuple[str, ...]:
    """Codes cells repeat across a file: split each distinct one once."""
    return tuple(codebook.split_codes(cell))


def parse_annotations_csv(text: str, *, raw: bool = False
                          ) -> tuple[list[IncomingAnnotation], list[RowError]]:
    items: list[IncomingAnnotation] = []
    errors: list[RowError] = []
    # Bound once: this loop runs once per row of files of 100,000 rows.
    append, canonical, z_time, iso = (items.append, _CANONICAL_UUID.fullmatch,
                                      _Z_TIME.fullmatch, datetime.fromisoformat)
    for n, rec in _records(text, COLUMNS, raw):
        if isinstance(rec, str):
            errors.append(RowError(n, rec))
            continue
        (aid, seminar, document_id, _title, sha, start, end, quote, prefix, suffix,
         perspective, codes, note, annotator, created_at, updated_at) = rec
        try:
            try:  # the form our exports write, read without the general parser
                created = iso(created_at[:-1]) if z_time(created_at) else parse_time(created_at)
            except ValueError:  # a date that does not exist: parse_time words the error
                created = parse_time(created_at)
            append(IncomingAnnotation(
                n, aid if canonical(aid) else _uuid(aid, "annotation_id"),
                seminar, document_id, sha,
                int(start) if start.isdecimal() else _int(start, "start"),
                int(end) if end.isdecimal() else _int(end, "end"), quote,
                prefix, suffix, perspective,
                _split_codes(codes) if codes else (), note, annotator.strip(), created,
                created if not updated_at or updated_at == created_at
                else parse_time(updated_at),
            ))
        except AnnotationsError as exc:
            errors.append(RowError(n, str(exc)))
    return items, errors


def parse_replies_csv(text: str, *, raw: bool = False
                      ) -> tuple[list[IncomingReply], list[RowError]]:
    items: list[IncomingReply] = []
    errors: list[RowError] = []
    for n, rec in _records(text, REPLY_COLUMNS, raw):
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


def _existing(session: Session, model: type[Annotation] | type[Reply], ids: list[str],
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
def import_rows(store: Store, annotations: list[IncomingAnnotation],
                replies: list[IncomingReply] | None = None,
                errors: list[RowError] | None = None, *, replies_label: str = "replies"
                ) -> ImportReport:
    """Check every row, then write them all in one transaction, or nothing."""
    errors = list(errors or [])
    replies = replies or []
    report = ImportReport()
    with store.transaction() as session:
        ctx = _load(session)
        existing = _existing(session, Annotation, [a.annotation_id for a in annotations],
                             "seminar_id")
        new_labels: dict[tuple[int, str, str], None] = {}
        labels = _LabelCache(ctx, new_labels)
        sqlite = session.connection().dialect.name == "sqlite"
        # On SQLite rows are written as the driver takes them (see _insert_annotations).
        bind_time: Callable[[datetime], object] = _sqlite_datetime if sqlite else _same
        inserts, updates = _resolve_all(annotations, ctx, existing, labels, report,
                                        bind_time, errors)
        file_ids = {a.annotation_id: a for a in annotations}
        reply_rows, reply_updates = _resolve_replies(session, replies, file_ids, errors,
                                                     replies_label)
        field_rows = _checked_fields(session, annotations, ctx.seminars, errors)
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
        per_seminar = Counter(ctx.seminars[a.seminar] for a in annotations)
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


def _same(value: datetime) -> object:
    return value


def _as_datetimes(r: tuple[object, ...]) -> tuple[object, ...]:
    """A SQLite-ready row back to datetimes, for SQLAlchemy's UPDATE."""
    return (*r[:14], datetime.fromisoformat(str(r[14])), datetime.fromisoformat(str(r[15])),
            None if r[16] is None else datetime.fromisoformat(str(r[16])))


def _sqlite_datetime(value: datetime | None) -> str | None:
    """SQLAlchemy's SQLite DATETIME storage format, written in C: `2026-11-25 14:27:24.123000`."""
    return None if value is None else value.isoformat(" ", "microseconds")


class _LabelCache:
    """Checks each distinct perspective and codes cell once per import, not once per row."""

    def __init__(self, ctx: _Texts, new_labels: dict[tuple[int, str, str], None]) -> None:
        self.ctx, self.new_labels = ctx, new_labels
        self._perspectives: dict[tuple[int, str], str] = {}
        self._codes: dict[tuple[int, tuple[str, ...]], str] = {}
        self._annotators: dict[str, tuple[str, str]] = {}

    def annotator(self, label: str) -> tuple[str, str]:
        """(annotator, suggestion source) of an annotator cell, checked once per name."""
        if label not in self._annotators:
            annotator, source = split_annotator_label(label)
            self._annotators[label] = (check_name(annotator), check_source(source))
        return self._annotators[label]

    def perspective(self, sid: int, raw: str) -> str:
        key = (sid, raw)
        if key not in self._perspectives:
            # Stored as check_label cleans it, so " textbook" is the known "textbook".
            clean = codebook.check_label(raw, "perspective") if raw else ""
            if clean and clean not in self.ctx.labels[sid][0]:
                self.new_labels[(sid, "perspective", clean)] = None
            self._perspectives[key] = clean
        return self._perspectives[key]

    def codes(self, sid: int, names: Sequence[str]) -> str:
        key = (sid, tuple(names))
        if key not in self._codes:
            known = self.ctx.labels[sid][1]
            for c in names:
                if c not in known:
                    self.new_labels[(sid, "code", codebook.check_label(c, "code"))] = None
            self._codes[key] = codebook.join_codes(list(dict.fromkeys(names)))
        return self._codes[key]


def _resolve_all(annotations: list[IncomingAnnotation], ctx: _Texts,
                 existing: dict[str, object], labels: _LabelCache, report: ImportReport,
                 bind_time: Callable[[datetime], object], errors: list[RowError]
                 ) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Check every row against the store: the rows to insert and to update, in ROW_ATTRS
    order; a bad row records its first error instead.

    One loop with the lookups bound to locals: in a 100,000-row import a
    function call per row is a measurable share of the time.
    """
    inserts: list[tuple[object, ...]] = []
    updates: list[tuple[object, ...]] = []
    seen: set[str] = set()
    seminars, documents, by_sha, texts = ctx.seminars, ctx.current, ctx.by_sha, ctx.texts
    annotators, perspectives, codes_cache = labels._annotators, labels._perspectives, labels._codes
    for a in annotations:
        try:
            aid = a.annotation_id
            if aid in seen:
                raise InvalidInput(f"annotation_id {aid} appears twice in the file")
            seen.add(aid)
            sid = seminars.get(a.seminar)
            if sid is None:
                raise InvalidInput(f"unknown seminar {a.seminar!r}: create it first with "
                                   f"`annotations seminar create {a.seminar or 'SLUG'}`")
            if aid in existing and existing[aid] != sid:
                raise InvalidInput(f"annotation {aid} belongs to another seminar")
            current = documents.get(a.document_id)
            if current is None:
                raise InvalidInput(f"unknown document {a.document_id!r}: add the text first "
                                   "(`annotations texts add`) or check document_id")
            who = annotators.get(a.annotator) or labels.annotator(a.annotator)
            note = a.note
            if len(note) > MAX_NOTE or "\x00" in note:
                check_note(note)
            vid = by_sha.get((a.document_id, a.document_sha256), current)
            text = texts[vid]
            status = _ANCHORED
            start, end, quote = a.start, a.end, a.quote
            if not (0 <= start < end <= len(text) and text[start:end] == quote):
                start, end, quote, status = _moved(a, text, report)
            perspective = perspectives.get((sid, a.perspective))
            if perspective is None:
                perspective = labels.perspective(sid, a.perspective)
            codes = codes_cache.get((sid, a.codes)) if type(a.codes) is tuple else None
            if codes is None:
                codes = labels.codes(sid, a.codes)
        except AnnotationsError as exc:
            errors.append(RowError(a.row, str(exc)))
            continue
        created = bind_time(a.created_at)
        updated = created if a.updated_at is a.created_at else bind_time(a.updated_at)
        # An exported tombstone (see annotation.DELETED_NOTE) comes back as one.
        tombstone = note == DELETED_NOTE and not perspective and not codes
        (updates if aid in existing else inserts).append((
            aid, sid, vid, start, end, quote, text[max(0, start - CONTEXT):start],
            text[end:end + CONTEXT], perspective, codes, "" if tombstone else note, who[0],
            status, who[1], created, updated, updated if tombstone else None,
        ))
    return inserts, updates


def _moved(a: IncomingAnnotation, text: str, report: ImportReport
           ) -> tuple[int, int, str, str]:
    """Offsets that do not hold the quote: find it again, or say why it cannot be."""
    start, end, quote = a.start, a.end, a.quote
    found = reanchor(text, quote, a.prefix, a.suffix, start)
    if found.status is AnchorStatus.ORPHAN:
        where = ("out of range" if not 0 <= start < end <= len(text)
                 else "do not hold the quote")
        raise InvalidInput(
            f"offsets [{start}, {end}) {where} and the quote {quote[:40]!r} was not "
            f"found in {a.document_id}: correct start/end or the quote")
    (report.review if found.status is AnchorStatus.REVIEW else report.moved).append(
        a.annotation_id)
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
                     file_ids: dict[str, IncomingAnnotation], errors: list[RowError],
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
def import_csv(store: Store, text: str, replies_text: str | None = None, *,
               raw: bool = False) -> ImportReport:
    items, errors = parse_annotations_csv(text, raw=raw)
    replies: list[IncomingReply] = []
    if replies_text is not None:
        replies, reply_errors = parse_replies_csv(replies_text, raw=raw)
        errors += [RowError(e.row, f"replies: {e.reason}") for e in reply_errors]
    return import_rows(store, items, replies, errors)
