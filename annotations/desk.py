"""The instructor's desk: who did how much (for grading), and which passages nobody read closely.

Student rows count work in one seminar: annotations and replies a user wrote
there, words written (notes plus replies, split on whitespace), documents
covered, codes used, and the time of their last write. Annotators are matched
to accounts by username (annotations.annotator holds the username); names
with no account (e.g. imported from a CSV) still get a row, with role "".

Heat strips count, per paragraph or per fixed-width bucket of code points,
how many of the seminar's annotations on the document's current text overlap
it. A paragraph is a line with text in it: the corpus keeps one paragraph per
line and separates sections with blank lines.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import TextIO

from sqlalchemy import select

from . import codebook, roles
from . import seminar as seminars
from .csvsafe import write_csv
from .db.engine import Store
from .db.models import Annotation, Document, DocumentVersion, Membership, Reply, User
from .errors import InvalidInput, NotFound, PermissionDenied
from .roles import INSTRUCTOR
from .timeutil import format_time

DESK_COLUMNS = ("seminar", "username", "display_name", "role", "annotations", "replies",
                "words", "documents", "distinct_codes", "codes_used", "last_activity")
_LINE = re.compile(r"[^\n]*\S[^\n]*")


@dataclass(frozen=True)
class StudentRow:
    seminar: str
    username: str
    display_name: str
    role: str  # "student", "instructor", or "" for a name with no membership
    annotations: int
    replies: int
    words: int
    documents: int
    distinct_codes: int
    codes_used: str  # "hedging (3); omission (1)", most used first
    last_activity: datetime | None


@dataclass(frozen=True)
class Stretch:
    """A paragraph or bucket of a document, and how many annotations overlap it."""

    index: int
    start: int
    end: int
    count: int
    text: str = ""  # the paragraph's text (empty for buckets)
    paratext: str = ""  # kind of paratext the paragraph lies in ("image caption"), if any


@dataclass
class _Tally:
    annotations: int = 0
    replies: int = 0
    words: int = 0
    documents: set[str] = field(default_factory=set)
    codes: Counter[str] = field(default_factory=Counter)
    last: datetime | None = None

    def touch(self, t: datetime) -> None:
        self.last = t if self.last is None or t > self.last else self.last


def _words(text: str) -> int:
    return len(text.split())


def students(store: Store, seminar: str, *, include_instructors: bool = False
             ) -> list[StudentRow]:
    """One row per student (and per annotator without an account), by username."""
    with store.read() as session:
        sid = seminars.seminar_id(session, seminar)
        people = {u: (d, r) for u, d, r in session.execute(
            select(User.username, User.display_name, Membership.role)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.seminar_id == sid))}
        notes = session.execute(
            select(Annotation.annotator, Annotation.note, Annotation.codes,
                   DocumentVersion.document_id, Annotation.updated_at)
            .join(DocumentVersion, DocumentVersion.id == Annotation.document_version_id)
            .where(Annotation.seminar_id == sid, Annotation.deleted_at.is_(None))).all()
        replies = session.execute(
            select(Reply.author, Reply.text, Reply.updated_at)
            .join(Annotation, Annotation.id == Reply.annotation_id)
            .where(Annotation.seminar_id == sid)).all()
    tallies: dict[str, _Tally] = {}
    for who, note, codes, doc, t in notes:
        tally = tallies.setdefault(who, _Tally())
        tally.annotations += 1
        tally.words += _words(note)
        tally.documents.add(doc)
        tally.codes.update(codebook.split_codes(codes))
        tally.touch(t)
    for who, text, t in replies:
        tally = tallies.setdefault(who, _Tally())
        tally.replies += 1
        tally.words += _words(text)
        tally.touch(t)
    for name in people:
        tallies.setdefault(name, _Tally())
    rows = []
    for name, tally in sorted(tallies.items()):
        display, role = people.get(name, (name, ""))
        if role == INSTRUCTOR and not include_instructors:
            continue
        ranked = sorted(tally.codes.items(), key=lambda kv: (-kv[1], kv[0]))
        rows.append(StudentRow(
            seminar, name, display, role, tally.annotations, tally.replies, tally.words,
            len(tally.documents), len(tally.codes),
            "; ".join(f"{c} ({n})" for c, n in ranked), tally.last))
    return rows


def export_students_csv(store: Store, out: TextIO, seminar: str, *,
                        include_instructors: bool = False) -> int:
    """The grading sheet: DESK_COLUMNS, one row per student."""
    rows = students(store, seminar, include_instructors=include_instructors)
    write_csv(out, DESK_COLUMNS, [
        (r.seminar, r.username, r.display_name, r.role, r.annotations, r.replies, r.words,
         r.documents, r.distinct_codes, r.codes_used,
         format_time(r.last_activity) if r.last_activity else "") for r in rows])
    return len(rows)


def _document(store: Store, seminar: str, document_id: str
              ) -> tuple[str, list[dict[str, object]], list[tuple[int, int]]]:
    """The current text, its paratext, and the seminar's annotation spans on it."""
    with store.read() as session:
        sid = seminars.seminar_id(session, seminar)
        doc = session.get(Document, document_id)
        if doc is None or doc.current_version_id is None:
            raise NotFound(f"no document {document_id!r}: see `annotations texts list`")
        version = session.get(DocumentVersion, doc.current_version_id)
        assert version is not None
        spans = [(s, e) for s, e in session.execute(
            select(Annotation.start, Annotation.end).where(
                Annotation.seminar_id == sid, Annotation.document_version_id == version.id,
                Annotation.deleted_at.is_(None)))]
        return version.text, list(version.paratext), spans


def _count(spans: list[tuple[int, int]], start: int, end: int) -> int:
    return sum(1 for s, e in spans if s < end and start < e)


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Each line with text, trimmed of surrounding spaces, as [start, end)."""
    out = []
    for m in _LINE.finditer(text):
        line = m.group()
        start = m.start() + len(line) - len(line.lstrip())
        out.append((start, m.start() + len(line.rstrip())))
    return out


def heat_strip(store: Store, seminar: str, document_id: str, *, bucket: int = 0
               ) -> list[Stretch]:
    """Coverage per paragraph (bucket=0) or per `bucket` code points."""
    text, paratext, spans = _document(store, seminar, document_id)
    if bucket < 0:
        raise InvalidInput("bucket width must be a positive number of characters")
    if bucket:
        return [Stretch(i, s, min(s + bucket, len(text)), _count(spans, s, s + bucket))
                for i, s in enumerate(range(0, len(text), bucket))]
    out = []
    for i, (s, e) in enumerate(paragraphs(text)):
        kind = next((str(p["kind"]) for p in paratext
                     if int(p["start"]) <= s and e <= int(p["end"])), "")  # type: ignore[call-overload]
        out.append(Stretch(i, s, e, _count(spans, s, e), text[s:e], kind))
    return out


def untouched(store: Store, seminar: str, document_id: str, *, include_paratext: bool = True
              ) -> list[Stretch]:
    """Paragraphs no annotation of the seminar overlaps: what nobody looked at closely."""
    return [p for p in heat_strip(store, seminar, document_id)
            if p.count == 0 and (include_paratext or not p.paratext)]


def check_instructor(store: Store, seminar: str, user_id: int | None) -> None:
    """The desk shows grades, password hashes (backups) and the audit log: instructors only.

    Unlike the library's `Actor`, a missing user id is not the console here: the
    desk is a web page, and someone without an account never teaches.
    """
    if user_id is None:
        raise PermissionDenied("the instructor's desk needs a signed-in instructor: sign in")
    with store.read() as session:
        roles.require_instructor(session, user_id, seminars.seminar_id(session, seminar))
