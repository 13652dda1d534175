"""The corpus in the store: loading `texts/`, adding texts, new versions, re-anchoring.

Loading is idempotent: a text whose bytes are already stored changes nothing;
changed bytes become a new version, and annotations on the old version stay
where they are until `reanchor_document` moves them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from . import audit, config, roles
from . import seminar as seminars
from .anchor import AnchorStatus, reanchor
from .db.engine import Store
from .db.models import Annotation, Document, DocumentVersion
from .document import (
    DocumentMeta,
    Paratext,
    SourceText,
    check_slug,
    decode_text,
    read_corpus,
    sha256_hex,
    slugify,
)
from .errors import InvalidInput, NotFound
from .seminar import bump
from .timeutil import now


@dataclass(frozen=True)
class TextInfo:
    document_id: str
    title: str
    perspective: str
    sha256: str
    characters: int
    source_kind: str
    author: str
    versions: int


@dataclass(frozen=True)
class VersionText:
    """One stored version of a document with what the UI and services need."""

    document_id: str
    version_id: int
    title: str
    perspective: str
    sha256: str
    text: str
    paratext: tuple[Paratext, ...]
    is_current: bool


@dataclass(frozen=True)
class LoadResult:
    added: list[str]
    new_versions: list[str]
    unchanged: list[str]
    warnings: list[str]


def store_text(session: Session, source: SourceText) -> str:
    """Insert or update one document; returns "added", "new version" or "unchanged"."""
    meta = source.meta
    doc = session.get(Document, meta.document_id)
    paratext = [{"kind": p.kind, "start": p.start, "end": p.end} for p in meta.paratext]
    fields = dict(
        title=meta.title,
        perspective=meta.perspective,
        source_kind=meta.source_kind,
        author=meta.author,
        publisher=meta.publisher,
        date=meta.date,
        licence=meta.licence,
        notes=meta.notes,
    )
    if doc is None:
        doc = Document(document_id=meta.document_id, created_at=now(), **fields)
        session.add(doc)
        outcome = "added"
    else:
        for k, v in fields.items():
            setattr(doc, k, v)
        outcome = "unchanged"
    version = session.scalar(
        select(DocumentVersion).where(
            DocumentVersion.document_id == meta.document_id,
            DocumentVersion.sha256 == source.sha256,
        )
    )
    if version is None:
        version = DocumentVersion(
            document_id=meta.document_id,
            sha256=source.sha256,
            text=source.text,
            paratext=paratext,
            created_at=now(),
        )
        session.add(version)
        session.flush()
        if outcome == "unchanged":
            outcome = "new version"
    else:
        version.paratext = paratext
    doc.current_version_id = version.id
    session.flush()
    return outcome


def load_corpus(store: Store, folder: Path | None = None) -> LoadResult:
    """Load every document of a corpus folder in one transaction."""
    sources = read_corpus(folder or config.texts_dir(), config.max_text_bytes())
    result = LoadResult([], [], [], [])
    with store.transaction() as session:
        for source in sources:
            outcome = store_text(session, source)
            {
                "added": result.added,
                "new version": result.new_versions,
                "unchanged": result.unchanged,
            }[outcome].append(source.meta.document_id)
            result.warnings.extend(source.warnings)
    return result


def add_text(
    store: Store,
    data: bytes,
    *,
    name: str,
    title: str,
    perspective: str,
    document_id: str = "",
    source_kind: str = "",
    author: str = "",
    publisher: str = "",
    date: str = "",
    licence: str = "",
) -> tuple[str, str, tuple[str, ...]]:
    """Add a text (or a new version of one): returns (document_id, outcome, warnings)."""
    text, warnings = decode_text(data, name, config.max_text_bytes())
    if not title.strip():
        raise InvalidInput("a title is required: pass --title")
    if not perspective.strip():
        raise InvalidInput("a perspective is required: pass --perspective")
    doc_id = check_slug(document_id or slugify(title) or slugify(Path(name).stem), "document_id")
    meta = DocumentMeta(
        doc_id, title.strip(), perspective.strip(), source_kind, author, publisher, date, licence
    )
    with store.transaction() as session:
        outcome = store_text(session, SourceText(meta, text, sha256_hex(data), warnings))
    return doc_id, outcome, warnings


def list_texts(store: Store) -> list[TextInfo]:
    with store.read() as session:
        counts = dict(
            session.execute(
                select(DocumentVersion.document_id, func.count()).group_by(
                    DocumentVersion.document_id
                )
            ).all()
        )
        rows = session.execute(
            select(Document, DocumentVersion)
            .join(DocumentVersion, DocumentVersion.id == Document.current_version_id)
            .order_by(Document.document_id)
        ).all()
        return [
            TextInfo(
                d.document_id,
                d.title,
                d.perspective,
                v.sha256,
                len(v.text),
                d.source_kind,
                d.author,
                counts.get(d.document_id, 1),
            )
            for d, v in rows
        ]


def _version_text(doc: Document, v: DocumentVersion) -> VersionText:
    return VersionText(
        doc.document_id,
        v.id,
        doc.title,
        doc.perspective,
        v.sha256,
        v.text,
        tuple(Paratext(str(p["kind"]), int(p["start"]), int(p["end"])) for p in v.paratext),  # type: ignore[call-overload]
        v.id == doc.current_version_id,
    )


def get_text(store: Store, document_id: str, sha256: str | None = None) -> VersionText:
    """The current version of a document, or the version with `sha256`."""
    with store.read() as session:
        doc = session.get(Document, document_id)
        if doc is None:
            raise NotFound(f"no document {document_id!r}: see `annotations texts list`")
        if sha256:
            v = session.scalar(
                select(DocumentVersion).where(
                    DocumentVersion.document_id == document_id, DocumentVersion.sha256 == sha256
                )
            )
        else:
            v = session.get(DocumentVersion, doc.current_version_id)
        if v is None:
            raise NotFound(f"document {document_id!r} has no version with sha256 {sha256}")
        return _version_text(doc, v)


@dataclass(frozen=True)
class ReanchorReport:
    moved: int
    review: list[str]  # annotation ids re-attached by fuzzy match: check them
    orphans: list[str]  # annotation ids whose quote was not found: still on the old version


def reanchor_document(store: Store, document_id: str) -> ReanchorReport:
    """Move annotations on older versions of a document onto its current version."""
    check_slug(document_id, "document_id")
    with store.transaction() as session:
        doc = session.get(Document, document_id)
        if doc is None:
            raise NotFound(f"no document {document_id!r}: see `annotations texts list`")
        current = session.get(DocumentVersion, doc.current_version_id)
        assert current is not None
        stale = session.scalars(
            select(Annotation)
            .join(DocumentVersion, DocumentVersion.id == Annotation.document_version_id)
            .where(
                DocumentVersion.document_id == document_id,
                Annotation.document_version_id != current.id,
            )
        ).all()
        moved, review, orphans, seminars = 0, [], [], set()
        for a in stale:
            found = reanchor(current.text, a.quote, a.prefix, a.suffix, a.start)
            if found.status is AnchorStatus.ORPHAN:
                if a.anchor_status != AnchorStatus.ORPHAN:
                    a.anchor_status = AnchorStatus.ORPHAN
                    seminars.add(a.seminar_id)  # a visible change: classmates must see it
                orphans.append(a.id)
                continue
            a.document_version_id = current.id
            a.start, a.end, a.quote = found.start, found.end, found.quote
            a.prefix, a.suffix = found.prefix, found.suffix
            a.anchor_status = found.status
            a.updated_at = now()
            seminars.add(a.seminar_id)
            moved += 1
            if found.status is AnchorStatus.REVIEW:
                review.append(a.id)
        for s in seminars:
            bump(session, s)
        return ReanchorReport(moved, review, orphans)


def confirm_anchor(session: Session, annotation_id: str) -> None:
    """A person checked a fuzzy re-anchor: it counts as anchored again."""
    session.execute(
        update(Annotation)
        .where(Annotation.id == annotation_id)
        .values(anchor_status=AnchorStatus.ANCHORED)
    )


@dataclass(frozen=True)
class ReplaceResult:
    document_id: str
    outcome: str  # "new version" (also an older text made current again), or "unchanged"
    warnings: tuple[str, ...]
    report: ReanchorReport


def replace_text(store: Store, document_id: str, data: bytes, *, name: str,
                 actor: roles.Actor, seminar: str) -> ReplaceResult:
    """Make `data` the current text of an existing document, then re-anchor onto it.

    The document keeps its metadata. Texts are shared by every seminar, so the
    actor must teach `seminar` (the console may always), and the change is
    logged there; annotations of every seminar are re-anchored.
    """
    text, warnings = decode_text(data, name, config.max_text_bytes())
    check_slug(document_id, "document_id")
    with store.transaction() as session:
        sid = seminars.seminar_id(session, seminar)
        roles.require_instructor(session, actor, sid, roles.Action.REPLACE_TEXT)
        doc = session.get(Document, document_id)
        if doc is None:
            raise NotFound(f"no document {document_id!r}: add it as a new text instead")
        meta = DocumentMeta(doc.document_id, doc.title, doc.perspective, doc.source_kind,
                            doc.author, doc.publisher, doc.date, doc.licence, doc.notes)
        before = doc.current_version_id
        store_text(session, SourceText(meta, text, sha256_hex(data), warnings))
        outcome = "unchanged" if doc.current_version_id == before else "new version"
        audit.record(session, actor.name, "text.replace", sid, document_id,
                     {"file": name, "sha256": sha256_hex(data), "outcome": outcome})
        bump(session, sid)
    report = reanchor_document(store, document_id)
    return ReplaceResult(document_id, outcome, warnings, report)
