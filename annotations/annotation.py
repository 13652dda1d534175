"""Annotations and replies: the write service and the reads the UI and exports share.

Every write is one transaction, checks `text[start:end] == quote`, records
an audit entry, and bumps the seminar's change counter so classmates see it
live. Authorisation lives here, not in the pages: in a closed seminar the
acting username must be a member, students change only their own work and
instructors anyone's (`roles.require_writer`, `roles.may_change`); an id of
another seminar is "not found". Open seminars keep the pre-account rule: any
name writes, only the annotator changes an annotation.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Select, String, delete, literal, or_, select, type_coerce
from sqlalchemy.orm import Session

from . import audit, blind, codebook, roles
from .anchor import anchor_at, check_span
from .db.engine import Store
from .db.models import Annotation, AnnotationLink, Document, DocumentVersion, Reply, Seminar
from .errors import InvalidInput, NotFound, PermissionDenied
from .names import clean_name
from .seminar import bump, seminar_id
from .timeutil import now

MAX_NOTE = 20_000  # code points
UNDO_WINDOW = timedelta(minutes=10)  # how long a delete can be taken back
DELETED_NOTE = "[deleted by its author]"  # a tombstone's note in exports


@dataclass(frozen=True)
class ReplyView:
    id: str
    annotation_id: str
    author: str
    text: str
    created_at: datetime


@dataclass(frozen=True)
class AnnotationView:
    id: str
    seminar: str
    document_id: str
    document_title: str
    document_sha256: str
    start: int
    end: int
    quote: str
    prefix: str
    suffix: str
    perspective: str
    codes: list[str]
    note: str
    annotator: str
    created_at: datetime
    updated_at: datetime
    anchor_status: str = "anchored"
    replies: list[ReplyView] = field(default_factory=list)
    source: str = ""  # what suggested it, for an accepted machine suggestion
    # The codes' structured fields: {"factual error": {"correction": "...", "source": "..."}}
    fields: dict[str, dict[str, str]] = field(default_factory=dict)
    # Deleted by its author while it had replies: shown as a placeholder over its thread.
    deleted: bool = False


@dataclass(frozen=True)
class Filters:
    """Export and list filters; empty fields do not filter."""

    seminar: str = ""
    document: str = ""
    annotator: str = ""
    code: str = ""
    perspective: str = ""
    search: str = ""  # substring of quote or note, case-insensitive
    ids: tuple[str, ...] = ()  # only these annotations (a drawing updated from its last)


def check_name(name: str, what: str = "annotator") -> str:
    """A name work is written under: `names.clean_name` (NFKC, no invisible characters)."""
    return clean_name(name, what=f"{what} name", max_length=200)


_SUGGESTED = re.compile(r"^(.+) \[suggested by ([^\[\]\n]+)\]$", re.DOTALL)


def check_source(source: str) -> str:
    """A suggestion source such as "framing:hedges": one short line, no brackets."""
    if source and (len(source) > 120 or any(c in source for c in "[]\n\r")):
        raise InvalidInput(f"suggestion source {source!r} must be one line without brackets")
    return source


def annotator_label(annotator: str, source: str) -> str:
    """The `annotator` cell of exports: the student, plus what suggested it if anything."""
    return f"{annotator} [suggested by {source}]" if source else annotator


def split_annotator_label(label: str) -> tuple[str, str]:
    """Inverse of `annotator_label`: (annotator, source)."""
    m = _SUGGESTED.match(label)
    return (m.group(1), m.group(2)) if m else (label, "")


def check_note(note: str) -> str:
    if len(note) > MAX_NOTE:
        raise InvalidInput(f"note is {len(note):,} characters, over {MAX_NOTE:,}: shorten it")
    if "\x00" in note:
        # PostgreSQL cannot store NUL in text; refuse it on every backend alike.
        raise InvalidInput("the text contains a NUL character (\\x00): remove it")
    return note


def fresh_id() -> str:
    """A server-made id: random (UUID 4), never derived from anything a user can know."""
    return str(uuid.uuid4())


def check_id(value: str | None, what: str) -> str:
    """A caller-chosen UUID in canonical form, or a fresh one.

    A caller's id only makes a retried write idempotent: when it is taken by
    anything else, the write gets a fresh id instead of an error, so an answer
    never tells whether an id exists in another seminar or a blind round.
    """
    if not value:
        return fresh_id()
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise InvalidInput(f"{what} {value!r} is not a UUID") from None


def _check_tags(session: Session, sid: int, perspective: str, codes: list[str]) -> list[str]:
    if perspective and perspective not in codebook.perspective_names(session, sid):
        raise InvalidInput(
            f"perspective {perspective!r} is not in this seminar: pick one of "
            f"{', '.join(codebook.perspective_names(session, sid))}"
        )
    known = codebook.code_names(session, sid)
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidInput(
            f"code(s) {', '.join(map(repr, unknown))} are not in this seminar's codebook"
        )
    return list(dict.fromkeys(codes))


MAX_FIELD = 2_000  # code points per structured field value


def check_field_values(session: Session, seminar_id: int, codes: list[str],
                       values: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Only fields the codebook asks for, of codes the annotation has; empty values dropped."""
    return clean_field_values(codebook.fields_by_code(session, seminar_id), codes, values)


def clean_field_values(asked: dict[str, list[str]], codes: Sequence[str],
                       values: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """`check_field_values` with the codebook's fields (`codebook.fields_by_code`) given."""
    clean: dict[str, dict[str, str]] = {}
    for code, given in values.items():
        if code not in codes:
            continue  # the code was removed from the annotation: its values go with it
        for name, value in given.items():
            if name not in asked.get(code, []):
                raise InvalidInput(
                    f"code {code!r} has no field {name!r}: use "
                    f"{', '.join(map(repr, asked.get(code, []))) or 'no fields'}")
            value = str(value).strip()
            if len(value) > MAX_FIELD or "\x00" in value:
                raise InvalidInput(f"{code} / {name}: at most {MAX_FIELD:,} characters, no NUL")
            if value:
                clean.setdefault(code, {})[name] = value
    return clean


def _current_version(session: Session, document_id: str, sid: int) -> DocumentVersion:
    """The current text of a document the seminar may use (built-in, or its own)."""
    doc = session.get(Document, document_id)
    if doc is None or doc.current_version_id is None or doc.seminar_id not in (None, sid):
        raise NotFound(f"no document {document_id!r}: see `annotations texts list`")
    version = session.get(DocumentVersion, doc.current_version_id)
    assert version is not None
    return version


def create_annotation(
    store: Store,
    *,
    seminar: str,
    document_id: str,
    start: int,
    end: int,
    quote: str,
    annotator: str,
    perspective: str = "",
    codes: list[str] | None = None,
    note: str = "",
    annotation_id: str | None = None,
    source: str = "",
    fields: dict[str, dict[str, str]] | None = None,
) -> AnnotationView:
    """Save a new annotation on the document's current version.

    A repeated `annotation_id` (a double click, a rerun) returns the saved
    annotation instead of saving it twice.
    """
    annotator = check_name(annotator)
    note = check_note(note)
    aid = check_id(annotation_id, "annotation id")
    source = check_source(source)
    return store.write_in_seminar(seminar, lambda session: create_annotation_in(
        session, seminar=seminar, document_id=document_id, start=start, end=end,
        quote=quote, annotator=annotator, perspective=perspective, codes=codes or [],
        note=note, annotation_id=aid, source=source, fields=fields or {}))


def create_annotation_in(
    session: Session,
    *,
    seminar: str,
    document_id: str,
    start: int,
    end: int,
    quote: str,
    annotator: str,
    perspective: str,
    codes: list[str],
    note: str,
    annotation_id: str,
    source: str,
    fields: dict[str, dict[str, str]] | None = None,
) -> AnnotationView:
    """`create_annotation` inside the caller's transaction, on checked input.

    For services that must save an annotation together with another row
    (an accepted suggestion and its decision) or not at all.
    """
    sid = seminar_id(session, seminar)
    roles.require_writer(session, sid, annotator)
    version = _current_version(session, document_id, sid)
    existing = session.get(Annotation, annotation_id)
    if existing is not None:
        same = (existing.seminar_id, existing.annotator, existing.start, existing.end)
        if same == (sid, annotator, start, end) and session.scalar(
                select(DocumentVersion.document_id).where(
                    DocumentVersion.id == existing.document_version_id)) == document_id:
            return _view(session, existing)  # the same write again (a rerun, a double click)
        annotation_id = fresh_id()  # answer exactly as for a new id: no oracle
    check_span(version.text, start, end, quote)
    tags = _check_tags(session, sid, perspective, codes)
    values = check_field_values(session, sid, tags, fields or {})
    anchor = anchor_at(version.text, start, end)
    t = now()
    row = Annotation(
        id=annotation_id, seminar_id=sid, document_version_id=version.id, start=start,
        end=end, quote=anchor.quote, prefix=anchor.prefix, suffix=anchor.suffix,
        perspective=perspective, codes=codebook.join_codes(tags), note=note,
        annotator=annotator, anchor_status="anchored", source=source, fields=values,
        created_at=t, updated_at=t,
    )
    session.add(row)
    audit.record(session, annotator, "annotation.create", sid, annotation_id,
                 {"document": document_id, "start": start, "end": end,
                  "perspective": perspective, "codes": tags, "source": source})
    bump(session, sid, [annotation_id])
    session.flush()
    return _view(session, row)


def _owned(session: Session, annotation_id: str, seminar: str, actor: str) -> Annotation:
    """The annotation `actor` may change; NotFound first, so another seminar's id stays unknown."""
    row = session.get(Annotation, annotation_id)
    sid = seminar_id(session, seminar)
    if row is None or row.seminar_id != sid:
        raise NotFound(f"no annotation {annotation_id} in seminar {seminar!r}")
    if not roles.may_change(session, sid, actor, row.annotator):
        who = f"{row.annotator} or an instructor" if roles.is_closed(session, sid) \
            else row.annotator
        raise PermissionDenied(f"only {who} can change this annotation; reply to it instead")
    return row


def update_annotation(
    store: Store,
    annotation_id: str,
    *,
    seminar: str,
    actor: str,
    perspective: str | None = None,
    codes: list[str] | None = None,
    note: str | None = None,
    fields: dict[str, dict[str, str]] | None = None,
) -> AnnotationView:
    """Change tags, note or field values; an instructor's change of a student's work is
    audited as theirs. Values of codes the annotation no longer has are dropped."""
    with store.transaction(seminar=seminar) as session:
        row = _owned(session, annotation_id, seminar, actor)
        if row.deleted_at is not None:
            raise InvalidInput("this annotation was deleted: undo the delete to change it")
        new_perspective = row.perspective if perspective is None else perspective
        new_codes = codebook.split_codes(row.codes) if codes is None else codes
        tags = _check_tags(session, row.seminar_id, new_perspective, new_codes)
        detail: dict[str, object] = {"annotator": row.annotator}
        if new_perspective != row.perspective:
            detail["perspective"] = new_perspective
        if codebook.join_codes(tags) != row.codes:
            detail["codes"] = tags
        values = check_field_values(session, row.seminar_id, tags,
                                    dict(row.fields or {}) if fields is None else fields)
        if values != (row.fields or {}):
            detail["fields"] = sorted(values)
        row.perspective = new_perspective
        row.codes = codebook.join_codes(tags)
        row.fields = values
        if note is not None:
            note = check_note(note)
            if note != row.note:
                detail["note_chars"] = len(note)
            row.note = note
        row.updated_at = now()
        audit.record(session, actor, "annotation.update", row.seminar_id, row.id, detail)
        bump(session, row.seminar_id, [row.id])
        session.flush()
        return _view(session, row)


@dataclass(frozen=True)
class Deleted:
    """What a delete took away, enough to put it back with `undo_delete` for a while."""

    annotation: dict[str, object]  # the row's columns as they were
    links: tuple[dict[str, object], ...]  # links that went with it (a hard delete only)
    seminar: str
    deleted_at: datetime
    tombstone: bool  # kept as a placeholder because it had replies


_KEPT = ("id", "seminar_id", "document_version_id", "start", "end", "quote", "prefix",
         "suffix", "perspective", "codes", "note", "annotator", "anchor_status", "source",
         "fields", "created_at", "updated_at")
_LINK = ("id", "seminar_id", "kind", "from_annotation_id", "to_annotation_id", "note",
         "annotator", "created_at")


def delete_annotation(store: Store, annotation_id: str, *, seminar: str, actor: str,
                      at: datetime | None = None) -> Deleted:
    """Delete an annotation; classmates' replies are never deleted with it.

    With replies, it becomes a tombstone: its place in the text and its thread
    stay, under a "deleted by its author" placeholder, with its perspective,
    codes, note and fields emptied (they are the author's to withdraw). Without
    replies, the row and its links go. Either way the audit keeps the quote and
    `undo_delete` can restore it within `UNDO_WINDOW`.
    """
    at = at or now()
    with store.transaction(seminar=seminar) as session:
        row = _owned(session, annotation_id, seminar, actor)
        if row.deleted_at is not None:
            raise NotFound(f"annotation {annotation_id} is already deleted")
        sid = row.seminar_id
        kept = {k: getattr(row, k) for k in _KEPT}
        version = session.get(DocumentVersion, row.document_version_id)
        has_replies = session.scalar(
            select(Reply.id).where(Reply.annotation_id == row.id).limit(1)) is not None
        audit.record(session, actor, "annotation.delete", sid, row.id,
                     {"annotator": row.annotator,
                      "document": version.document_id if version else "",
                      "start": row.start, "end": row.end, "quote": row.quote[:200],
                      "kept_for_replies": has_replies})
        links: tuple[dict[str, object], ...] = ()
        if has_replies:
            row.perspective, row.codes, row.note, row.fields = "", "", "", {}
            row.deleted_at = row.updated_at = at
        else:
            links = tuple({k: getattr(lk, k) for k in _LINK} for lk in session.scalars(
                select(AnnotationLink).where(or_(
                    AnnotationLink.from_annotation_id == row.id,
                    AnnotationLink.to_annotation_id == row.id))))
            session.execute(delete(AnnotationLink).where(or_(
                AnnotationLink.from_annotation_id == row.id,
                AnnotationLink.to_annotation_id == row.id)))
            session.delete(row)
        bump(session, sid, [annotation_id])
    return Deleted(kept, links, seminar, at, has_replies)


def undo_delete(store: Store, deleted: Deleted, *, actor: str,
                at: datetime | None = None) -> AnnotationView:
    """Put a deleted annotation back as it was, within `UNDO_WINDOW` of the delete."""
    at = at or now()
    if at - deleted.deleted_at > UNDO_WINDOW:
        raise InvalidInput(f"the delete is older than {int(UNDO_WINDOW.total_seconds() // 60)} "
                           "minutes and can no longer be undone: annotate the passage again")
    values = deleted.annotation
    with store.transaction(seminar=deleted.seminar) as session:
        sid = seminar_id(session, deleted.seminar)
        if sid != values["seminar_id"] or not roles.may_change(
                session, sid, actor, str(values["annotator"])):
            raise PermissionDenied("only whoever deleted it can undo this delete")
        row = session.get(Annotation, values["id"])
        if row is None:
            row = Annotation(**values, deleted_at=None)
            session.add(row)
            session.flush()
            for link in deleted.links:
                ends = (link["from_annotation_id"], link["to_annotation_id"])
                if all(session.get(Annotation, e) is not None for e in ends) and \
                        session.get(AnnotationLink, link["id"]) is None:
                    session.add(AnnotationLink(**link))
        elif row.deleted_at is not None:
            for k in ("perspective", "codes", "note", "fields", "updated_at"):
                setattr(row, k, values[k])
            row.deleted_at = None
        else:
            raise InvalidInput("this annotation is not deleted: nothing to undo")
        audit.record(session, actor, "annotation.restore", sid, row.id, {})
        bump(session, sid, [row.id])
        session.flush()
        return _view(session, row)


def add_reply(
    store: Store, annotation_id: str, *, seminar: str, author: str, text: str,
    reply_id: str | None = None,
) -> ReplyView:
    """Any member (any name, in an open seminar) may reply to an annotation they can see."""
    author = check_name(author, "author")
    if not text.strip():
        raise InvalidInput("reply is empty: write something first")
    text = check_note(text)
    asked = check_id(reply_id, "reply id")

    def work(session: Session) -> ReplyView:
        rid = asked
        sid = seminar_id(session, seminar)
        roles.require_writer(session, sid, author)
        parent = session.get(Annotation, annotation_id)
        if (parent is None or parent.seminar_id != sid
                or not blind.may_see(session, sid, author, parent.annotator)):
            raise NotFound(f"no annotation {annotation_id} in seminar {seminar!r}")
        existing = session.get(Reply, rid)
        if existing is not None:
            if (existing.annotation_id, existing.author, existing.text) == (
                    annotation_id, author, text):
                return ReplyView(existing.id, existing.annotation_id, existing.author,
                                 existing.text, existing.created_at)
            rid = fresh_id()  # someone else's id: answer as for a new one
        t = now()
        reply = Reply(id=rid, annotation_id=annotation_id, author=author, text=text,
                      created_at=t, updated_at=t)
        session.add(reply)
        audit.record(session, author, "reply.create", sid, rid,
                     {"annotation": annotation_id, "annotator": parent.annotator})
        bump(session, sid, [annotation_id])
        return ReplyView(rid, annotation_id, author, text, t)

    return store.write_in_seminar(seminar, work)


def annotation_select(filters: Filters, *, with_fields: bool = True,
                      stored_times: bool = False) -> Select:  # type: ignore[type-arg]
    """The one query behind lists and exports, in document then text order.

    The CSV export leaves out the structured fields (not a CSV column) and, on
    SQLite, reads times as the stored text: decoding JSON and parsing 200,000
    times would cost more than writing the file.
    """
    fields = (Annotation.fields,) if with_fields else ()
    created, updated = (
        (type_coerce(Annotation.created_at, String), type_coerce(Annotation.updated_at, String))
        if stored_times else (Annotation.created_at, Annotation.updated_at))
    q = (
        select(
            Annotation.id, Seminar.slug, Document.document_id, Document.title,
            DocumentVersion.sha256, Annotation.start, Annotation.end, Annotation.quote,
            Annotation.prefix, Annotation.suffix, Annotation.perspective, Annotation.codes,
            Annotation.note, Annotation.annotator, created, updated,
            Annotation.anchor_status, Annotation.source, Annotation.deleted_at, *fields,
        )
        .join(Seminar, Seminar.id == Annotation.seminar_id)
        .join(DocumentVersion, DocumentVersion.id == Annotation.document_version_id)
        .join(Document, Document.document_id == DocumentVersion.document_id)
        .order_by(Seminar.slug, Document.document_id, Annotation.start, Annotation.end,
                  Annotation.created_at, Annotation.id)
    )
    if filters.seminar:
        q = q.where(Seminar.slug == filters.seminar)
    if filters.document:
        q = q.where(Document.document_id == filters.document)
    if filters.annotator:
        q = q.where(Annotation.annotator == filters.annotator)
    if filters.perspective:
        q = q.where(Annotation.perspective == filters.perspective)
    if filters.code:
        padded = literal("; ") + Annotation.codes + literal("; ")
        q = q.where(padded.contains(f"; {filters.code}; ", autoescape=True))
    if filters.ids:
        q = q.where(Annotation.id.in_(filters.ids))
    if filters.search:
        q = q.where(or_(Annotation.quote.icontains(filters.search, autoescape=True),
                        Annotation.note.icontains(filters.search, autoescape=True)))
    return q


def _visible_select(session: Session, filters: Filters, viewer: str) -> Select:  # type: ignore[type-arg]
    """`annotation_select` narrowed to what `viewer` may see (closed seminars, blind rounds).

    With a seminar filter an outsider of a closed seminar is refused (the page
    should not render at all); across seminars their closed ones are left out.
    """
    q = annotation_select(filters)
    if filters.seminar:
        sid = session.scalar(select(Seminar.id).where(Seminar.slug == filters.seminar))
        if sid is None:
            return q  # matches nothing, as for a trusted caller
        rule = blind.visibility(session, sid, viewer)
        return q if rule.sees_all else q.where(Annotation.annotator == rule.own)
    rules = blind.visibility_by_seminar(session, viewer)
    hidden = [sid for sid, rule in rules.items() if rule is None]
    own_only = [sid for sid, rule in rules.items() if rule is not None and not rule.sees_all]
    if hidden:
        q = q.where(Annotation.seminar_id.not_in(hidden))
    if own_only:
        q = q.where(or_(Annotation.seminar_id.not_in(own_only), Annotation.annotator == viewer))
    return q


def seminar_visibility(store: Store, seminar: str, viewer: str) -> blind.Visibility:
    """`viewer`'s rule in `seminar` (PermissionDenied for an outsider of a closed one).

    For callers that read one trusted list per revision and share it among
    all viewers (the workspace): each viewer's share is `rule.sees(annotator)`.
    """
    with store.read() as session:
        return blind.visibility(session, seminar_id(session, seminar), viewer)


def list_annotations(store: Store, filters: Filters, *, with_replies: bool = True,
                     viewer: str | None = None) -> list[AnnotationView]:
    """Annotations in text order; `viewer` (a username or guest name) applies visibility.

    `viewer=None` is a trusted caller (CLI, exports, tests) and sees everything.
    """
    with store.read() as session:
        q = annotation_select(filters) if viewer is None else \
            _visible_select(session, filters, viewer)
        rows = session.execute(q).all()
        replies: dict[str, list[ReplyView]] = {}
        if with_replies and rows:
            ids = [r[0] for r in rows]
            for i in range(0, len(ids), 500):
                for rep in session.scalars(
                    select(Reply).where(Reply.annotation_id.in_(ids[i : i + 500]))
                    .order_by(Reply.created_at, Reply.id)
                ):
                    replies.setdefault(rep.annotation_id, []).append(
                        ReplyView(rep.id, rep.annotation_id, rep.author, rep.text,
                                  rep.created_at))
        return [_row_view(r, replies.get(r[0], [])) for r in rows]


def _row_view(r: tuple, replies: list[ReplyView]) -> AnnotationView:  # type: ignore[type-arg]
    return AnnotationView(
        id=r[0], seminar=r[1], document_id=r[2], document_title=r[3], document_sha256=r[4],
        start=r[5], end=r[6], quote=r[7], prefix=r[8], suffix=r[9], perspective=r[10],
        codes=codebook.split_codes(r[11]), note=r[12], annotator=r[13], created_at=r[14],
        updated_at=r[15], anchor_status=r[16], replies=replies, source=r[17],
        fields=dict(r[19] or {}), deleted=r[18] is not None,
    )


def _view(session: Session, row: Annotation) -> AnnotationView:
    r = session.execute(
        annotation_select(Filters()).where(Annotation.id == row.id)
    ).one()
    replies = [
        ReplyView(x.id, x.annotation_id, x.author, x.text, x.created_at)
        for x in session.scalars(
            select(Reply).where(Reply.annotation_id == row.id).order_by(Reply.created_at)
        )
    ]
    return _row_view(tuple(r), replies)


def get_annotation(store: Store, annotation_id: str, seminar: str, *,
                   viewer: str | None = None) -> AnnotationView:
    """One annotation; hidden from `viewer` (blind round) reads as not found."""
    with store.read() as session:
        sid = seminar_id(session, seminar)
        row = session.get(Annotation, annotation_id)
        if (row is None or row.seminar_id != sid
                or not blind.visibility(session, sid, viewer).sees(row.annotator)):
            raise NotFound(f"no annotation {annotation_id} in seminar {seminar!r}")
        return _view(session, row)
