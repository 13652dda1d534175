"""The instructor's review of re-anchored annotations: accept, move or orphan each one.

Re-anchoring (`corpus.reanchor_document`) places unproven matches on the new
text flagged for review and keeps orphans on their old version. Here a person
decides: accept the proposed place, move it onto the right words, or send it
back to its old text as an orphan. Every decision is audited and bumps the
seminar's revision so classmates see it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, roles
from . import seminar as seminars
from .anchor import AnchorStatus, anchor_at, context
from .db.engine import Store
from .db.models import Annotation, Document, DocumentVersion
from .errors import InvalidInput, NotFound
from .timeutil import now


@dataclass(frozen=True)
class Side:
    """One text's view of an annotation: the words and the context around them."""

    prefix: str
    quote: str
    suffix: str
    start: int
    end: int


@dataclass(frozen=True)
class Pending:
    """An annotation awaiting a decision, with its old and (for a review) new place."""

    annotation_id: str
    annotator: str
    document_id: str
    status: str  # "review" or "orphan"
    old: Side  # where it was, on the version it was made on
    new: Side | None  # the proposed place on the current version; None for an orphan
    returnable: bool = False  # a review that knows its old place, so it can be orphaned


def _side(text: str, start: int, end: int) -> Side:
    prefix, suffix = context(text, start, end)
    return Side(prefix, text[start:end], suffix, start, end)


def pending(store: Store, seminar: str, document_id: str | None = None) -> list[Pending]:
    """The seminar's annotations flagged for review or orphaned, oldest place first."""
    with store.read() as session:
        sid = seminars.seminar_id(session, seminar)
        query = (select(Annotation, DocumentVersion)
                 .join(DocumentVersion, DocumentVersion.id == Annotation.document_version_id)
                 .where(Annotation.seminar_id == sid,
                        Annotation.anchor_status.in_([AnchorStatus.REVIEW, AnchorStatus.ORPHAN]))
                 .order_by(DocumentVersion.document_id, Annotation.start, Annotation.id))
        if document_id:
            query = query.where(DocumentVersion.document_id == document_id)
        found = []
        for a, version in session.execute(query).all():
            new: Side | None = None
            old = _side(version.text, a.start, a.end)
            returnable = False
            if a.anchor_status == AnchorStatus.REVIEW:
                new = old  # an import's review has no older place: the same text both sides
                previous = (session.get(DocumentVersion, a.previous_version_id)
                            if a.previous_version_id is not None else None)
                if previous is not None and a.previous_start is not None \
                        and a.previous_end is not None:
                    old = _side(previous.text, a.previous_start, a.previous_end)
                    returnable = True
            found.append(Pending(a.id, a.annotator, version.document_id, a.anchor_status,
                                 old, new, returnable))
        return found


def occurrences(store: Store, document_id: str, words: str, limit: int = 20) -> list[Side]:
    """Where `words` occur in the document's current text, to move an annotation onto."""
    if not words:
        return []
    with store.read() as session:
        doc = session.get(Document, document_id)
        current = session.get(DocumentVersion, doc.current_version_id) if doc else None
        if current is None:
            raise NotFound(f"no document {document_id!r}: see `annotations texts list`")
        text, i = current.text, current.text.find(words)
        found: list[Side] = []
        while i != -1 and len(found) < limit:
            found.append(_side(text, i, i + len(words)))
            i = text.find(words, i + 1)
        return found


def _annotation(session: Session, seminar: str, annotation_id: str, actor: roles.Actor
                ) -> tuple[int, Annotation]:
    sid = seminars.seminar_id(session, seminar)
    roles.require_instructor(session, actor, sid)
    a = session.get(Annotation, annotation_id)
    if a is None or a.seminar_id != sid:
        raise NotFound(f"no annotation {annotation_id} in seminar {seminar!r}")
    return sid, a


def _place(a: Annotation, version: DocumentVersion, start: int, end: int, status: str) -> None:
    found = anchor_at(version.text, start, end)
    a.document_version_id = version.id
    a.start, a.end, a.quote = found.start, found.end, found.quote
    a.prefix, a.suffix = found.prefix, found.suffix
    a.anchor_status = status
    a.previous_version_id = a.previous_start = a.previous_end = None
    a.updated_at = now()


def _done(session: Session, sid: int, actor: roles.Actor, action: str, a: Annotation,
          detail: dict[str, object]) -> None:
    audit.record(session, actor.name, action, sid, a.id, detail)
    seminars.bump(session, sid)


def accept(store: Store, seminar: str, annotation_id: str, actor: roles.Actor) -> None:
    """The proposed place is right: the annotation counts as anchored there."""
    with store.transaction() as session:
        sid, a = _annotation(session, seminar, annotation_id, actor)
        if a.anchor_status != AnchorStatus.REVIEW:
            raise InvalidInput(f"annotation {annotation_id} is {a.anchor_status}, not awaiting "
                               "review: only a proposed place can be accepted; move it instead")
        a.anchor_status = AnchorStatus.ANCHORED
        a.previous_version_id = a.previous_start = a.previous_end = None
        a.updated_at = now()
        _done(session, sid, actor, "anchor.accept", a, {"start": a.start, "end": a.end})


def move(store: Store, seminar: str, annotation_id: str, start: int, end: int,
         actor: roles.Actor) -> None:
    """Put the annotation on the words [start, end) of its document's current text."""
    with store.transaction() as session:
        sid, a = _annotation(session, seminar, annotation_id, actor)
        version = session.get(DocumentVersion, a.document_version_id)
        assert version is not None
        doc = session.get(Document, version.document_id)
        current = session.get(DocumentVersion, doc.current_version_id) if doc else None
        if current is None:
            raise NotFound(f"document {version.document_id!r} has no current text")
        before = {"status": a.anchor_status, "quote": a.quote}
        _place(a, current, start, end, AnchorStatus.ANCHORED)
        _done(session, sid, actor, "anchor.move", a,
              {**before, "start": a.start, "end": a.end, "new_quote": a.quote})


def orphan(store: Store, seminar: str, annotation_id: str, actor: roles.Actor) -> None:
    """The words are gone: back to the old text, as an orphan its author still sees."""
    with store.transaction() as session:
        sid, a = _annotation(session, seminar, annotation_id, actor)
        if a.anchor_status != AnchorStatus.REVIEW or a.previous_version_id is None \
                or a.previous_start is None or a.previous_end is None:
            raise InvalidInput(f"annotation {annotation_id} has no earlier place to go back to "
                               f"(it is {a.anchor_status})")
        previous = session.get(DocumentVersion, a.previous_version_id)
        assert previous is not None
        proposed = a.quote
        _place(a, previous, a.previous_start, a.previous_end, AnchorStatus.ORPHAN)
        _done(session, sid, actor, "anchor.orphan", a,
              {"proposed_quote": proposed, "version": previous.sha256})
