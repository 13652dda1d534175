"""The corpus in the store: loading `texts/`, adding texts, new versions, re-anchoring.

Loading is idempotent: a text whose bytes are already stored changes nothing;
changed bytes become a new version, and annotations on the old version stay
where they are until `reanchor_document` moves them.

Texts have a scope. The built-in corpus (`documents.seminar_id` NULL) is shared
by every seminar and changes only through the console or a site admin. A text
an instructor uploads belongs to their seminar: its id starts with the
seminar's slug, only that seminar's members see it, and replacing it touches
only that seminar's annotations. A document outside the caller's scope is
"not found", exactly like one that does not exist.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from . import audit, config, roles, sources
from . import seminar as seminars
from .anchor import AnchorStatus, EditMap, diff_versions, reanchor, relocate
from .db.engine import Store
from .db.models import Annotation, Document, DocumentVersion, SourceFile
from .document import (
    DocumentMeta,
    Paratext,
    SourceText,
    check_slug,
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
    own: bool = False  # uploaded by a seminar (not the built-in corpus)
    original: str = ""  # name of the file the current text was extracted from, if not text


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
class Original:
    """The file a version was made from, byte for byte (plain text: the text itself)."""

    name: str
    media_type: str
    sha256: str
    data: bytes


@dataclass(frozen=True)
class LoadResult:
    added: list[str]
    new_versions: list[str]
    unchanged: list[str]
    warnings: list[str]


def store_text(session: Session, source: SourceText, seminar_id: int | None = None) -> str:
    """Insert or update one document; returns "added", "new version" or "unchanged"."""
    meta = source.meta
    doc = session.get(Document, meta.document_id)
    if doc is not None and doc.seminar_id != seminar_id:
        raise InvalidInput(f"document {meta.document_id!r} belongs to another scope: "
                           "choose another document id")
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
        doc = Document(document_id=meta.document_id, created_at=now(), seminar_id=seminar_id,
                       **fields)
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


def load_missing(store: Store, folder: Path | None = None) -> list[str]:
    """Add the documents of a corpus folder that the store lacks; stored ones stay as they are.

    Cheap when nothing is missing: one read, no write lock.
    """
    sources = read_corpus(folder or config.texts_dir(), config.max_text_bytes())
    with store.read() as session:
        stored = set(session.scalars(select(Document.document_id)))
    if all(s.meta.document_id in stored for s in sources):
        return []
    added = []
    with store.transaction() as session:
        stored = set(session.scalars(select(Document.document_id)))  # another process may have won
        for source in sources:
            if source.meta.document_id not in stored:
                store_text(session, source)
                added.append(source.meta.document_id)
    return added


def add_text(
    store: Store,
    data: bytes,
    *,
    name: str,
    title: str,
    perspective: str,
    actor: roles.Actor,
    seminar: str = "",
    document_id: str = "",
    source_kind: str = "",
    author: str = "",
    publisher: str = "",
    date: str = "",
    licence: str = "",
) -> tuple[str, str, tuple[str, ...]]:
    """Add a text (or a new version of one): returns (document_id, outcome, warnings).

    The file may be any format `sources.extract` reads; its extracted text is
    the document, and a file that is not plain text is kept beside the version.
    Without `seminar`, into the built-in corpus (console and site admins only);
    with it, into that seminar (its instructors): the id gets the seminar's slug
    in front, and an id another scope holds gets a random ending instead of an
    error, so an upload tells nothing about other seminars' texts.
    """
    extraction = prepare_text(data, name=name, title=title, perspective=perspective)
    doc_id = check_slug(document_id or slugify(title) or slugify(Path(name).stem), "document_id")
    with store.transaction() as session:
        sid = seminars.seminar_id(session, seminar) if seminar else None
        roles.require(session, actor, roles.Action.UPLOAD_TEXT if sid else
                      roles.Action.EDIT_CORPUS, sid)
        if sid is not None:
            doc_id = _seminar_document_id(session, seminar, sid, doc_id)
        meta = DocumentMeta(doc_id, title.strip(), perspective.strip(), source_kind, author,
                            publisher, date, licence, paratext=extraction.paratext)
        outcome = _store_extraction(session, meta, extraction, data, sid)
        audit.record(session, actor.name, "text.add", sid, doc_id,
                     {"file": name, "sha256": sha256_hex(data), "outcome": outcome,
                      "format": extraction.format})
        if sid is not None:
            bump(session, sid)
    return doc_id, outcome, extraction.warnings


def prepare_text(data: bytes, *, name: str, title: str, perspective: str
                 ) -> sources.Extraction:
    """What adding the file would store, checked but not stored: the desk's preview."""
    extraction = sources.extract(data, name)
    if not title.strip():
        raise InvalidInput("a title is required: give the text a title")
    if not perspective.strip():
        raise InvalidInput("a perspective is required: say whose perspective the text has")
    return extraction


def _store_extraction(session: Session, meta: DocumentMeta, extraction: sources.Extraction,
                      data: bytes, seminar_id: int | None) -> str:
    """Store the extracted text as a version, and the file beside it unless it is the text.

    The version's sha256 is the text's (UTF-8), as for every version; a version
    that already has an original keeps the first one (the same text again).
    """
    text = extraction.text
    source = SourceText(meta, text, sha256_hex(text.encode("utf-8")), extraction.warnings)
    outcome = store_text(session, source, seminar_id)
    doc = session.get(Document, meta.document_id)
    assert doc is not None and doc.current_version_id is not None
    if not extraction.is_plain_text and session.get(SourceFile, doc.current_version_id) is None:
        session.add(SourceFile(document_version_id=doc.current_version_id,
                               name=Path(extraction.name).name[:200],
                               media_type=extraction.media_type, sha256=sha256_hex(data),
                               data=data, created_at=now()))
        session.flush()
    return outcome


def _seminar_document_id(session: Session, seminar: str, sid: int, wanted: str) -> str:
    """`<seminar>-<wanted>`, or with a random ending when another scope holds that id."""
    base = wanted if wanted.startswith(f"{seminar}-") else f"{seminar}-{wanted}"
    base = base[:70].rstrip("-")
    candidate = base
    while True:
        owner = session.scalar(select(Document.seminar_id).where(
            Document.document_id == candidate))
        exists = session.scalar(select(Document.document_id).where(
            Document.document_id == candidate)) is not None
        if not exists or owner == sid:
            return candidate
        candidate = f"{base}-{secrets.token_hex(3)}"


def in_scope(session: Session, document_id: str, seminar_id: int | None) -> Document | None:
    """The document if the seminar (None: nobody's, the built-in corpus) may see it."""
    doc = session.get(Document, document_id)
    if doc is None or (doc.seminar_id is not None and doc.seminar_id != seminar_id):
        return None
    return doc


def list_texts(store: Store, seminar: str = "", *, every_scope: bool = False
               ) -> list[TextInfo]:
    """The built-in corpus, plus `seminar`'s own texts; `every_scope` (the console) all."""
    with store.read() as session:
        sid = seminars.seminar_id(session, seminar) if seminar else None
        scope = (Document.seminar_id.is_(None) | (Document.seminar_id == sid)) if sid \
            else Document.seminar_id.is_(None)
        counts = dict(
            session.execute(
                select(DocumentVersion.document_id, func.count()).group_by(
                    DocumentVersion.document_id
                )
            ).all()
        )
        rows = session.execute(
            select(Document, DocumentVersion, SourceFile.name)
            .join(DocumentVersion, DocumentVersion.id == Document.current_version_id)
            .outerjoin(SourceFile, SourceFile.document_version_id == DocumentVersion.id)
            .where(true() if every_scope else scope)
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
                d.seminar_id is not None,
                original or "",
            )
            for d, v, original in rows
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


def get_text(store: Store, document_id: str, sha256: str | None = None,
             seminar: str = "") -> VersionText:
    """The current version of a document, or the version with `sha256`, if it is in the
    built-in corpus or belongs to `seminar`."""
    with store.read() as session:
        sid = seminars.seminar_id(session, seminar) if seminar else None
        doc = in_scope(session, document_id, sid)
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


def original_file(store: Store, document_id: str, *, actor: roles.Actor, seminar: str = "",
                  sha256: str = "") -> Original:
    """The file the current version (or the version with `sha256`) was made from.

    The seminar's instructors may download it, for its own texts and the
    built-in ones; the console any document's (without `seminar`: every scope).
    A version read from plain text gives its text, UTF-8, as `<document_id>.txt`.
    """
    check_slug(document_id, "document_id")
    with store.read() as session:
        sid = seminars.seminar_id(session, seminar) if seminar else None
        doc = session.get(Document, document_id) if actor.is_console and not seminar \
            else in_scope(session, document_id, sid)
        if doc is None:
            raise NotFound(f"no document {document_id!r}: see `annotations texts list`")
        roles.require(session, actor, roles.Action.DOWNLOAD_ORIGINAL,
                      doc.seminar_id if doc.seminar_id is not None else sid)
        version = session.get(DocumentVersion, doc.current_version_id) if not sha256 else \
            session.scalar(select(DocumentVersion).where(
                DocumentVersion.document_id == document_id, DocumentVersion.sha256 == sha256))
        if version is None:
            raise NotFound(f"document {document_id!r} has no version with sha256 {sha256}")
        kept = session.get(SourceFile, version.id)
        if kept is None:
            data = version.text.encode("utf-8")
            return Original(f"{document_id}.txt", sources.FORMATS["text"].media_type,
                            sha256_hex(data), data)
        return Original(kept.name, kept.media_type, kept.sha256, bytes(kept.data))


def current_texts(store: Store, document_id: str | None = None) -> list[VersionText]:
    """The current version of every stored document (or of one), by id: what analysis reads.

    Every document counts: the built-in corpus, `texts add` and instructors' uploads.
    """
    query = (
        select(Document, DocumentVersion)
        .join(DocumentVersion, DocumentVersion.id == Document.current_version_id)
        .order_by(Document.document_id)
    )
    if document_id is not None:
        query = query.where(Document.document_id == document_id)
    with store.read() as session:
        found = [_version_text(d, v) for d, v in session.execute(query).all()]
        if document_id is not None and not found:
            known = ", ".join(session.scalars(select(Document.document_id).order_by(
                Document.document_id))) or "none"
            raise NotFound(f"no document {document_id!r} in the store; known ids: {known}")
    return found


@dataclass(frozen=True)
class ReanchorReport:
    moved: int
    review: list[str]  # annotation ids placed but not proven by the diff: check them
    orphans: list[str]  # annotation ids whose words were deleted: still on the old version


def reanchor_document(store: Store, document_id: str, *, actor: roles.Actor,
                      seminar: str = "") -> ReanchorReport:
    """Move annotations on older versions of a document onto its current version.

    Each is carried through the diff of its version and the current one
    (`anchor.relocate`): proven placements are anchored, the rest are placed
    for review (remembering where they came from) or stay behind as orphans.
    A seminar's own text: its instructors, and only its annotations move. A
    built-in text: the console or a site admin, for every seminar.
    """
    check_slug(document_id, "document_id")
    with store.transaction() as session:
        sid = seminars.seminar_id(session, seminar) if seminar else None
        doc = in_scope(session, document_id, sid)
        if doc is None:
            raise NotFound(f"no document {document_id!r}: see `annotations texts list`")
        roles.require(session, actor, roles.Action.REPLACE_TEXT if doc.seminar_id else
                      roles.Action.EDIT_CORPUS, doc.seminar_id)
        current = session.get(DocumentVersion, doc.current_version_id)
        assert current is not None
        stale = session.scalars(
            select(Annotation)
            .join(DocumentVersion, DocumentVersion.id == Annotation.document_version_id)
            .where(
                DocumentVersion.document_id == document_id,
                Annotation.document_version_id != current.id,
                true() if doc.seminar_id is None else Annotation.seminar_id == doc.seminar_id,
            )
            .order_by(Annotation.document_version_id, Annotation.start, Annotation.id)
        ).all()
        moved, review, orphans, touched = 0, [], [], set()
        edits: dict[int, tuple[str, EditMap]] = {}
        for a in stale:
            if a.document_version_id not in edits:
                old = session.get(DocumentVersion, a.document_version_id)
                assert old is not None
                edits[a.document_version_id] = (old.text, diff_versions(old.text, current.text))
            old_text, edit = edits[a.document_version_id]
            if old_text[a.start : a.end] == a.quote:
                found = relocate(old_text, current.text, a.start, a.end, a.prefix, a.suffix,
                                 edit)
            else:  # a row that no longer matches its own text: search, never trust offsets
                found = reanchor(current.text, a.quote, a.prefix, a.suffix)
                if found.status is AnchorStatus.ANCHORED:
                    found = replace(found, status=AnchorStatus.REVIEW)
            if found.status is AnchorStatus.ORPHAN:
                if a.anchor_status != AnchorStatus.ORPHAN:
                    a.anchor_status = AnchorStatus.ORPHAN
                    touched.add(a.seminar_id)  # a visible change: classmates must see it
                orphans.append(a.id)
                continue
            if found.status is AnchorStatus.REVIEW:
                a.previous_version_id, a.previous_start, a.previous_end = (
                    a.document_version_id, a.start, a.end)
                review.append(a.id)
            else:
                a.previous_version_id = a.previous_start = a.previous_end = None
            a.document_version_id = current.id
            a.start, a.end, a.quote = found.start, found.end, found.quote
            a.prefix, a.suffix = found.prefix, found.suffix
            a.anchor_status = found.status
            a.updated_at = now()
            touched.add(a.seminar_id)
            moved += 1
        for t in touched:
            bump(session, t)
        return ReanchorReport(moved, review, orphans)


@dataclass(frozen=True)
class ReplaceResult:
    document_id: str
    outcome: str  # "new version" (also an older text made current again), or "unchanged"
    warnings: tuple[str, ...]
    report: ReanchorReport


def replace_text(store: Store, document_id: str, data: bytes, *, name: str,
                 actor: roles.Actor, seminar: str) -> ReplaceResult:
    """Make `data` the current text of an existing document, then re-anchor onto it.

    The document keeps its metadata. A seminar's own text: its instructors may,
    and only its annotations move. A built-in text is shared by every seminar:
    only the console or a site admin may replace it (logged in `seminar`).
    """
    extraction = sources.extract(data, name)
    check_slug(document_id, "document_id")
    with store.transaction() as session:
        sid = seminars.seminar_id(session, seminar)
        doc = in_scope(session, document_id, sid)
        if doc is None:
            raise NotFound(f"no document {document_id!r}: add it as a new text instead")
        roles.require(session, actor, roles.Action.REPLACE_TEXT if doc.seminar_id else
                      roles.Action.EDIT_CORPUS, doc.seminar_id)
        meta = DocumentMeta(doc.document_id, doc.title, doc.perspective, doc.source_kind,
                            doc.author, doc.publisher, doc.date, doc.licence, doc.notes,
                            extraction.paratext)
        before = doc.current_version_id
        _store_extraction(session, meta, extraction, data, doc.seminar_id)
        outcome = "unchanged" if doc.current_version_id == before else "new version"
        audit.record(session, actor.name, "text.replace", sid, document_id,
                     {"file": name, "sha256": sha256_hex(data), "outcome": outcome})
        bump(session, sid)
    report = reanchor_document(store, document_id, actor=actor, seminar=seminar)
    return ReplaceResult(document_id, outcome, extraction.warnings, report)
