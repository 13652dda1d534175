"""Backup and restore of one whole seminar as a single JSON file.

The file holds the seminar, its codebook (with structured fields), members
(with their argon2 password hashes, so they can sign in after a restore:
keep backups as private as the database), annotations, replies, links,
decisions on machine suggestions and the audit log. Texts are not copied:
annotations name their document and the SHA-256 of the exact text they are
on, and a restore refuses, listing them, documents the target store lacks.
Ids of annotations, replies and links are kept, so exports before and after
are identical. `format` and `version` let a later tool read old backups.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TextIO

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from . import audit, codebook
from . import seminar as seminars
from .db.engine import Store
from .db.models import (
    Annotation,
    AnnotationLink,
    AuditEntry,
    Code,
    CodeFields,
    DocumentVersion,
    Membership,
    Perspective,
    Reply,
    Seminar,
    SuggestionDecision,
    User,
)
from .errors import InvalidInput
from .timeutil import format_time, now, parse_time

FORMAT = "annotations-seminar-backup"
VERSION = 1
_T = format_time


@dataclass(frozen=True)
class RestoreReport:
    seminar: str
    annotations: int
    replies: int
    links: int
    members: int
    users_created: list[str]


def backup_seminar(store: Store, seminar: str) -> dict[str, Any]:
    """Everything of one seminar as plain JSON data, read from one snapshot."""
    with store.read() as session:
        sid = seminars.seminar_id(session, seminar)
        s = session.get(Seminar, sid)
        assert s is not None
        versions = dict(session.execute(
            select(DocumentVersion.id, DocumentVersion.document_id)).all())
        shas = dict(session.execute(
            select(DocumentVersion.id, DocumentVersion.sha256)).all())
        anns = list(session.scalars(select(Annotation).where(Annotation.seminar_id == sid)
                                    .order_by(Annotation.id)))
        ids = [a.id for a in anns]
        return {
            "format": FORMAT, "version": VERSION, "created_at": _T(now()),
            "seminar": {"slug": s.slug, "title": s.title, "join_code": s.join_code,
                        "revision": s.revision, "created_at": _T(s.created_at)},
            "documents": sorted(({"document_id": versions[v], "sha256": shas[v]}
                                 for v in {a.document_version_id for a in anns}
                                 | {a.previous_version_id for a in anns
                                    if a.previous_version_id is not None}),
                                key=lambda d: (d["document_id"], d["sha256"])),
            "perspectives": [{"name": p.name, "colour": p.colour, "description": p.description}
                             for p in codebook.perspectives(session, sid)],
            "codes": [{"name": c.name, "colour": c.colour, "definition": c.definition,
                       "example": c.example, "decision_rules": c.decision_rules,
                       "parent": c.parent, "fields": codebook.code_fields(session, c.id)}
                      for c in codebook.codes(session, sid)],
            "members": [{"username": u.username, "display_name": u.display_name,
                         "password_hash": u.password_hash, "role": m.role,
                         "joined_at": _T(m.created_at), "user_created_at": _T(u.created_at),
                         "password_changed_at": _T(u.password_changed_at)}
                        for u, m in session.execute(
                            select(User, Membership).join(Membership,
                                                          Membership.user_id == User.id)
                            .where(Membership.seminar_id == sid).order_by(User.username))],
            "annotations": [{
                "id": a.id, "document_id": versions[a.document_version_id],
                "document_sha256": shas[a.document_version_id], "start": a.start,
                "end": a.end, "quote": a.quote, "prefix": a.prefix, "suffix": a.suffix,
                "perspective": a.perspective, "codes": a.codes, "note": a.note,
                "annotator": a.annotator, "anchor_status": a.anchor_status,
                "source": a.source, "fields": a.fields or {}, "created_at": _T(a.created_at),
                "updated_at": _T(a.updated_at),
                # awaiting review after re-anchoring: where it came from
                "previous": None if a.previous_version_id is None else {
                    "document_sha256": shas[a.previous_version_id],
                    "start": a.previous_start, "end": a.previous_end},
                **({"deleted_at": _T(a.deleted_at)} if a.deleted_at else {})} for a in anns],
            "replies": [{"id": r.id, "annotation_id": r.annotation_id, "author": r.author,
                         "text": r.text, "created_at": _T(r.created_at),
                         "updated_at": _T(r.updated_at)}
                        for r in _chunked(session, Reply, Reply.annotation_id, ids)],
            "links": [{"id": k.id, "kind": k.kind, "from_annotation_id": k.from_annotation_id,
                       "to_annotation_id": k.to_annotation_id, "note": k.note,
                       "annotator": k.annotator, "created_at": _T(k.created_at)}
                      for k in session.scalars(select(AnnotationLink).where(
                          AnnotationLink.seminar_id == sid).order_by(AnnotationLink.id))],
            "suggestion_decisions": [
                {"annotator": d.annotator, "suggestion_key": d.suggestion_key,
                 "decision": d.decision, "annotation_id": d.annotation_id,
                 "created_at": _T(d.created_at)}
                for d in session.scalars(select(SuggestionDecision).where(
                    SuggestionDecision.seminar_id == sid).order_by(SuggestionDecision.id))],
            "audit": [{"actor": e.actor, "action": e.action, "target": e.target,
                       "detail": e.detail, "at": _T(e.at)}
                      for e in session.scalars(select(AuditEntry).where(
                          AuditEntry.seminar_id == sid).order_by(AuditEntry.id))],
        }


def _chunked(session: Session, model: type[Reply], column: Any, ids: list[str]) -> list[Reply]:
    out: list[Reply] = []
    for i in range(0, len(ids), 500):
        out += session.scalars(select(model).where(column.in_(ids[i:i + 500])))
    return sorted(out, key=lambda r: (r.annotation_id, r.created_at, r.id))


def write_backup(store: Store, seminar: str, out: TextIO) -> dict[str, int]:
    """Write the backup file; returns counts for the adapter to report."""
    data = backup_seminar(store, seminar)
    json.dump(data, out, ensure_ascii=False, indent=1, sort_keys=False)
    out.write("\n")
    return {k: len(data[k]) for k in ("annotations", "replies", "links", "members")}


def read_backup(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not a backup file: invalid JSON at line {exc.lineno}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidInput(f"not a seminar backup: expected \"format\": \"{FORMAT}\"")
    if data.get("version") != VERSION:
        raise InvalidInput(f"backup format version {data.get('version')!r} is not supported: "
                           f"this tool restores version {VERSION}")
    return data


def restore_seminar(store: Store, data: dict[str, Any], *, actor: str = "console"
                    ) -> RestoreReport:
    """Recreate a seminar from `read_backup` data, all or nothing.

    The store must have the same texts (same document_id and SHA-256) and must
    not already hold the seminar or any of its annotation ids.
    """
    try:
        return _restore(store, data, actor)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInput(f"the backup file is damaged or incomplete ({exc!r}): "
                           "use an unedited backup") from None


def _restore(store: Store, data: dict[str, Any], actor: str) -> RestoreReport:
    sem = data["seminar"]
    with store.transaction() as session:
        if session.scalar(select(Seminar.id).where(Seminar.slug == sem["slug"])) is not None:
            raise InvalidInput(f"seminar {sem['slug']!r} already exists in this store: restore "
                               "into a store without it (e.g. a new, empty database)")
        if session.scalar(select(Seminar.id).where(Seminar.join_code == sem["join_code"])):
            raise InvalidInput(f"join code {sem['join_code']!r} is used by another seminar here")
        versions = _versions(session, data["documents"])
        taken = [a["id"] for a in data["annotations"] if session.get(Annotation, a["id"])]
        if taken:
            raise InvalidInput(f"{len(taken)} annotation id(s) of the backup already exist in "
                               f"this store (e.g. {taken[0]}): restore into an empty database")
        s = Seminar(slug=sem["slug"], title=sem["title"], join_code=sem["join_code"],
                    revision=int(sem["revision"]), created_at=parse_time(sem["created_at"]))
        session.add(s)
        session.flush()
        _codebook(session, s.id, data)
        created = _members(session, s.id, data["members"])
        if data["annotations"]:
            session.execute(insert(Annotation), [{
                **{k: a[k] for k in ("id", "start", "end", "quote", "prefix", "suffix",
                                     "perspective", "codes", "note", "annotator",
                                     "anchor_status", "source")},
                "fields": a.get("fields", {}), "seminar_id": s.id,
                "document_version_id": versions[(a["document_id"], a["document_sha256"])],
                **_previous(versions, a),
                "created_at": parse_time(a["created_at"]),
                "updated_at": parse_time(a["updated_at"]),
                "deleted_at": parse_time(a["deleted_at"]) if a.get("deleted_at") else None,
            } for a in data["annotations"]])
        if data["replies"]:
            session.execute(insert(Reply), [{
                **{k: r[k] for k in ("id", "annotation_id", "author", "text")},
                "created_at": parse_time(r["created_at"]),
                "updated_at": parse_time(r["updated_at"])} for r in data["replies"]])
        if data["links"]:
            session.execute(insert(AnnotationLink), [{
                **{k: lk[k] for k in ("id", "kind", "from_annotation_id", "to_annotation_id",
                                      "note", "annotator")},
                "seminar_id": s.id, "created_at": parse_time(lk["created_at"])}
                for lk in data["links"]])
        for d in data.get("suggestion_decisions", []):
            session.add(SuggestionDecision(
                seminar_id=s.id, annotator=d["annotator"], suggestion_key=d["suggestion_key"],
                decision=d["decision"], annotation_id=d["annotation_id"],
                created_at=parse_time(d["created_at"])))
        for e in data.get("audit", []):
            session.add(AuditEntry(seminar_id=s.id, actor=e["actor"], action=e["action"],
                                   target=e["target"], detail=e["detail"],
                                   at=parse_time(e["at"])))
        session.flush()
        audit.record(session, actor, "seminar.restore", s.id, s.slug,
                     {"backup_created_at": data.get("created_at", ""),
                      "users_created": created})
        seminars.bump(session, s.id)
        return RestoreReport(s.slug, len(data["annotations"]), len(data["replies"]),
                             len(data["links"]), len(data["members"]), created)


def _previous(versions: dict[tuple[str, str], int], a: dict[str, Any]) -> dict[str, Any]:
    """The place a re-anchored annotation awaiting review came from (older backups: none)."""
    p = a.get("previous")
    if not p:
        return {"previous_version_id": None, "previous_start": None, "previous_end": None}
    return {"previous_version_id": versions[(a["document_id"], p["document_sha256"])],
            "previous_start": int(p["start"]), "previous_end": int(p["end"])}


def _versions(session: Session, documents: list[dict[str, str]]) -> dict[tuple[str, str], int]:
    found = {(d, h): v for v, d, h in session.execute(
        select(DocumentVersion.id, DocumentVersion.document_id, DocumentVersion.sha256))}
    missing = [f"{d['document_id']} (sha256 {d['sha256'][:12]}…)" for d in documents
               if (d["document_id"], d["sha256"]) not in found]
    if missing:
        raise InvalidInput(
            "the backup's annotations are on texts this store does not have: "
            f"{', '.join(missing)}; load the same texts first (`annotations init` or "
            "`annotations texts add`), then restore again")
    return found


def _codebook(session: Session, sid: int, data: dict[str, Any]) -> None:
    for i, p in enumerate(data["perspectives"]):
        session.add(Perspective(seminar_id=sid, name=p["name"], colour=p["colour"],
                                description=p["description"], position=i))
    for i, c in enumerate(data["codes"]):
        code = Code(seminar_id=sid, name=c["name"], colour=c["colour"],
                    definition=c["definition"], example=c["example"],
                    decision_rules=c["decision_rules"], parent=c["parent"], position=i)
        session.add(code)
        session.flush()
        if c.get("fields"):
            session.add(CodeFields(code_id=code.id, names=list(c["fields"])))


def _members(session: Session, sid: int, members: list[dict[str, str]]) -> list[str]:
    """Memberships; accounts missing from this store are created with their old hash."""
    created = []
    for m in members:
        user = session.scalar(select(User).where(User.username == m["username"]))
        if user is None:
            user = User(username=m["username"], display_name=m["display_name"],
                        password_hash=m["password_hash"],
                        created_at=parse_time(m["user_created_at"]),
                        password_changed_at=parse_time(m["password_changed_at"]))
            session.add(user)
            session.flush()
            created.append(user.username)
        session.add(Membership(user_id=user.id, seminar_id=sid, role=m["role"],
                               created_at=parse_time(m["joined_at"])))
    return created
