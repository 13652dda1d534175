"""Links between annotations in different texts that treat the same event or claim.

"same claim", "contradicts", and "omits" (a passage in one text marks what
another leaves out). Links belong to a seminar and export as their own CSV.

Writes follow the annotations' rules (see annotation.py): members only in a
closed seminar, students delete only their own links, instructors any; both
ends must be annotations the linker can see; each write is audited.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from . import audit, blind, roles
from .annotation import check_name, check_note, fresh_id
from .csvsafe import restore, write_csv
from .db.engine import Store
from .db.models import Annotation, AnnotationLink, DocumentVersion, Seminar
from .errors import ImportRejected, InvalidInput, NotFound, PermissionDenied, RowError
from .seminar import bump, seminar_id
from .timeutil import format_time, now, parse_time

KINDS = ("same claim", "contradicts", "omits")
LINK_COLUMNS = (
    "link_id",
    "kind",
    "from_annotation_id",
    "to_annotation_id",
    "note",
    "annotator",
    "created_at",
)


@dataclass(frozen=True)
class LinkView:
    id: str
    kind: str
    from_annotation_id: str
    to_annotation_id: str
    note: str
    annotator: str
    created_at: datetime


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"link kind {kind!r} is unknown: use one of {', '.join(KINDS)}")
    return kind


def _document_of(session: Session, annotation_id: str, sid: int, viewer: str) -> str:
    """The annotation's document; NotFound outside the seminar or hidden by a blind round."""
    row = session.execute(
        select(Annotation.seminar_id, DocumentVersion.document_id, Annotation.annotator)
        .join(DocumentVersion, DocumentVersion.id == Annotation.document_version_id)
        .where(Annotation.id == annotation_id)
    ).first()
    if row is None or row[0] != sid or not blind.may_see(session, sid, viewer, row[2]):
        raise NotFound(f"no annotation {annotation_id} in this seminar")
    return str(row[1])


def _documents_differ(a: str, b: str) -> None:
    if a == b:
        raise InvalidInput("both annotations are in the same document: link passages across texts")


def _checked_ends(session: Session, sid: int, a: str, b: str) -> dict[str, str]:
    """The rules `create_link` applies to its two ends, for an imported row (console: no
    blind filter)."""
    if a == b:
        raise InvalidInput("a link needs two different annotations")
    docs = dict(session.execute(
        select(Annotation.id, DocumentVersion.document_id)
        .join(DocumentVersion, DocumentVersion.id == Annotation.document_version_id)
        .where(Annotation.id.in_((a, b)), Annotation.seminar_id == sid)).all())
    _documents_differ(docs[a], docs[b])
    return {"from_annotation_id": a, "to_annotation_id": b}


def create_link(
    store: Store,
    *,
    seminar: str,
    kind: str,
    from_annotation_id: str,
    to_annotation_id: str,
    annotator: str,
    note: str = "",
    link_id: str | None = None,
) -> LinkView:
    annotator = check_name(annotator)
    note = check_note(note)
    _check_kind(kind)
    lid = str(uuid.UUID(link_id)) if link_id else str(uuid.uuid4())
    with store.transaction() as session:
        sid = seminar_id(session, seminar)
        roles.require_writer(session, sid, annotator)
        if from_annotation_id == to_annotation_id:
            raise InvalidInput("a link needs two different annotations")
        _documents_differ(_document_of(session, from_annotation_id, sid, annotator),
                          _document_of(session, to_annotation_id, sid, annotator))
        existing = session.get(AnnotationLink, lid)
        if existing is not None:
            if (existing.seminar_id, existing.annotator, existing.kind,
                    existing.from_annotation_id, existing.to_annotation_id) == (
                    sid, annotator, kind, from_annotation_id, to_annotation_id):
                return _view(existing)  # the same write again
            lid = fresh_id()  # someone else's id: answer as for a new one (no oracle)
        t = now()
        link = AnnotationLink(
            id=lid,
            seminar_id=sid,
            kind=kind,
            from_annotation_id=from_annotation_id,
            to_annotation_id=to_annotation_id,
            note=note,
            annotator=annotator,
            created_at=t,
        )
        session.add(link)
        audit.record(session, annotator, "link.create", sid, lid,
                     {"kind": kind, "from": from_annotation_id, "to": to_annotation_id})
        bump(session, sid)
        return _view(link)


def _view(link: AnnotationLink) -> LinkView:
    return LinkView(
        link.id,
        link.kind,
        link.from_annotation_id,
        link.to_annotation_id,
        link.note,
        link.annotator,
        link.created_at,
    )


def list_links(store: Store, seminar: str, annotation_id: str = "", *,
               viewer: str | None = None) -> list[LinkView]:
    """The seminar's links; for `viewer` only those whose two ends they can see."""
    with store.read() as session:
        sid = seminar_id(session, seminar)
        q = select(AnnotationLink).where(AnnotationLink.seminar_id == sid)
        rule = blind.visibility(session, sid, viewer)
        if not rule.sees_all:
            own = select(Annotation.id).where(Annotation.seminar_id == sid,
                                              Annotation.annotator == rule.own)
            q = q.where(AnnotationLink.from_annotation_id.in_(own),
                        AnnotationLink.to_annotation_id.in_(own))
        if annotation_id:
            q = q.where(
                (AnnotationLink.from_annotation_id == annotation_id)
                | (AnnotationLink.to_annotation_id == annotation_id)
            )
        q = q.order_by(AnnotationLink.created_at, AnnotationLink.id)
        return [_view(link) for link in session.scalars(q)]


def delete_link(store: Store, link_id: str, *, seminar: str, actor: str) -> None:
    """The linker may delete a link; in a closed seminar an instructor too."""
    with store.transaction() as session:
        sid = seminar_id(session, seminar)
        link = session.get(AnnotationLink, link_id)
        if link is None or link.seminar_id != sid:
            raise NotFound(f"no link {link_id} in seminar {seminar!r}")
        if not roles.may_change(session, sid, actor, link.annotator):
            who = f"{link.annotator} or an instructor" if roles.is_closed(session, sid) \
                else link.annotator
            raise PermissionDenied(f"only {who} can delete this link")
        audit.record(session, actor, "link.delete", sid, link_id,
                     {"annotator": link.annotator, "kind": link.kind,
                      "from": link.from_annotation_id, "to": link.to_annotation_id})
        session.execute(delete(AnnotationLink).where(AnnotationLink.id == link_id))
        bump(session, sid)


def export_links(store: Store, out: TextIO, seminar: str = "", *, raw: bool = False) -> int:
    q = select(AnnotationLink).join(Seminar, Seminar.id == AnnotationLink.seminar_id)
    if seminar:
        q = q.where(Seminar.slug == seminar)
    q = q.order_by(Seminar.slug, AnnotationLink.created_at, AnnotationLink.id)
    with store.read() as session:
        rows = [(link.id, link.kind, link.from_annotation_id, link.to_annotation_id, link.note,
                 link.annotator, format_time(link.created_at)) for link in session.scalars(q)]
    write_csv(out, LINK_COLUMNS, rows, raw=raw)
    return len(rows)


def import_links(store: Store, text: str, *, raw: bool = False) -> int:
    """All or nothing, like annotation imports; upsert by link_id."""
    clean = (lambda c: c) if raw else restore
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    header = next(reader, None)
    if header is None or tuple(header) != LINK_COLUMNS:
        raise ImportRejected([RowError(1, f"the header must be {', '.join(LINK_COLUMNS)}")])
    errors: list[RowError] = []
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    with store.transaction() as session:
        for n, cells in enumerate(reader, start=2):
            try:
                if len(cells) != len(LINK_COLUMNS):
                    raise InvalidInput(
                        f"has {len(cells)} cells, the header has {len(LINK_COLUMNS)}"
                    )
                rec = dict(zip(LINK_COLUMNS, (clean(c) for c in cells), strict=True))
                ends = [
                    session.get(Annotation, rec[k])
                    for k in ("from_annotation_id", "to_annotation_id")
                ]
                if None in ends:
                    raise InvalidInput(
                        "links an annotation that is not in the store: import the annotations first"
                    )
                sid = ends[0].seminar_id  # type: ignore[union-attr]
                if ends[1].seminar_id != sid:  # type: ignore[union-attr]
                    raise InvalidInput("the two annotations are in different seminars")
                lid = str(uuid.UUID(rec["link_id"]))
                if lid in seen:
                    raise InvalidInput(f"link id {lid} appears twice in the file")
                seen.add(lid)
                held = session.scalar(select(AnnotationLink.seminar_id)
                                      .where(AnnotationLink.id == lid))
                if held is not None and held != sid:
                    raise InvalidInput(f"link id {lid} is a link of another seminar: an "
                                       "import never moves a link between seminars")
                rows.append(dict(
                    id=lid, seminar_id=sid, kind=_check_kind(rec["kind"]),
                    **_checked_ends(session, sid, rec["from_annotation_id"],
                                    rec["to_annotation_id"]),
                    note=check_note(rec["note"]), annotator=check_name(rec["annotator"]),
                    created_at=parse_time(rec["created_at"])))
            except (InvalidInput, ValueError) as exc:
                errors.append(RowError(n, str(exc)))
        if errors:
            raise ImportRejected(errors)
        ids = [r["id"] for r in rows]
        session.execute(delete(AnnotationLink).where(AnnotationLink.id.in_(ids)))
        if rows:
            session.execute(insert(AnnotationLink), rows)
        for sid in {r["seminar_id"] for r in rows}:
            bump(session, int(sid))  # type: ignore[call-overload]
    return len(rows)
