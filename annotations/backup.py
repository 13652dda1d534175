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
from dataclasses import dataclass, field
from typing import Any, TextIO

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from . import accounts, audit, backup_schema, codebook, config
from . import seminar as seminars
from .db.engine import Store
from .db.models import (
    Annotation,
    AnnotationLink,
    AuditEntry,
    Code,
    CodeFields,
    Document,
    DocumentVersion,
    Membership,
    Perspective,
    Reply,
    Seminar,
    SuggestionDecision,
    User,
)
from .errors import InvalidInput
from .names import name_key
from .permissions import Action, Actor, Principal, principal_in, require
from .roles import INSTRUCTOR
from .timeutil import format_time, now

FORMAT = backup_schema.FORMAT
VERSION = backup_schema.VERSION
_T = format_time


@dataclass(frozen=True)
class RestoreReport:
    seminar: str
    annotations: int
    replies: int
    links: int
    members: int
    users_created: list[str]
    members_left_out: list[str] = field(default_factory=list)  # see _accounts


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
                        "revision": s.revision, "created_at": _T(s.created_at),
                        "closed": bool(s.closed), "blind": bool(s.blind),
                        "revealed": bool(s.revealed)},
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
                         "submitted_at": _T(m.submitted_at) if m.submitted_at else None,
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


def read_backup(data: bytes | str) -> dict[str, Any]:
    """Parse a backup file with limits (size first): see `backup_schema.parse`."""
    return backup_schema.parse(data)


def restore_seminar(store: Store, data: dict[str, Any], *, actor: Actor | str = "console",
                    into: str = "") -> RestoreReport:
    """Recreate a seminar from `read_backup` data: checked in full before anything is written.

    Into a new seminar (the backup's slug; the actor must be allowed to create
    seminars), or `into` an existing seminar the actor instructs that has no
    work in it yet. Members must be existing accounts: only the console creates
    the missing ones (with their argon2 hashes). Rows are written in batches of
    BATCH per transaction, so other seminars' writers wait milliseconds, not the
    whole restore; if a batch fails, everything restored so far is removed.
    """
    checked = backup_schema.check(data)
    with store.read() as session:
        who = actor if isinstance(actor, Actor) else (
            Actor.console(actor) if actor == "console" else Actor.named(session, actor))
        target = _target(session, who, checked, into)
        versions = _versions(session, checked.documents, target)
        users, missing, left_out = _accounts(session, who, checked.members)
        _free_ids(session, checked)
    sid, created_seminar = _open_target(store, who, checked, target)
    try:
        created = _write(store, sid, who, checked, versions, users, missing)
    except Exception:
        _undo(store, sid, created_seminar)
        raise
    return RestoreReport(checked.seminar["slug"] if target is None else into,
                         len(checked.annotations), len(checked.replies), len(checked.links),
                         len(checked.members) - len(left_out), created, left_out)


BATCH = 2000  # rows per write transaction: a few milliseconds of the database's write lock


def _target(session: Session, who: Actor, checked: backup_schema.Checked,
            into: str) -> int | None:
    """The existing seminar to restore into (None: a new one), after the permission map."""
    sem = checked.seminar
    if not into:
        require(session, who, Action.CREATE_SEMINAR, open_signup=config.open_signup())
        if session.scalar(select(Seminar.id).where(Seminar.slug == sem["slug"])) is not None:
            raise InvalidInput(f"seminar {sem['slug']!r} already exists in this store: restore "
                               "into a new, empty seminar of yours instead")
        if session.scalar(select(Seminar.id).where(Seminar.join_code == sem["join_code"])):
            raise InvalidInput(f"join code {sem['join_code']!r} is used by another seminar "
                               "here: restore into a new, empty seminar of yours instead")
        return None
    sid = seminars.seminar_id(session, into)
    require(session, who, Action.RESTORE, sid)
    for model in (Annotation, AnnotationLink, SuggestionDecision):
        if session.scalar(select(model.id).where(model.seminar_id == sid).limit(1)):
            raise InvalidInput(f"seminar {into!r} already has work in it: restore into a new "
                               "seminar, or an empty one")
    return sid


def _accounts(session: Session, who: Actor, members: list[dict[str, Any]]
              ) -> tuple[dict[str, int], list[dict[str, Any]], list[str]]:
    """(accounts to make members, by username; accounts to create; usernames left out).

    The console and site admins restore every member, and the console alone
    creates missing accounts. Anyone else (an instructor at the desk) brings
    back only accounts that are already in a seminar they teach: a backup is a
    file anyone can write, and must not put other people into seminars.
    """
    names = [m["username"] for m in members]
    users = dict(session.execute(select(User.username, User.id)
                                 .where(User.username.in_(names))).all()) if names else {}
    if principal_in(session, who, None) not in (Principal.CONSOLE, Principal.SITE_ADMIN):
        taught = select(Membership.seminar_id).where(Membership.user_id == who.user_id,
                                                     Membership.role == INSTRUCTOR)
        mine = set(session.scalars(select(Membership.user_id).where(
            Membership.seminar_id.in_(taught)))) | {who.user_id}
        kept = {n: uid for n, uid in users.items() if uid in mine}
        return kept, [], [n for n in names if n not in kept]
    missing = [m for m in members if m["username"] not in users]
    if missing and not who.is_console:
        listed = ", ".join(m["username"] for m in missing[:20])
        raise InvalidInput(f"{len(missing)} member(s) of the backup have no account here "
                           f"({listed}): create their accounts first, or restore from the "
                           "console (`annotations restore`), which creates them")
    for m in missing:
        accounts.check_username(m["username"])
        accounts.check_display_name(m["display_name"])
        if not m["password_hash"].startswith(("$argon2id$", accounts.SSO_PREFIX)):
            raise InvalidInput(f"member {m['username']!r} has a password hash that is not "
                               "argon2id: use an unedited backup")
        similar = accounts.lookalike_of(session, m["username"])
        if similar is not None:
            raise InvalidInput(f"member {m['username']!r} looks like the existing account "
                               f"{similar!r}: rename one of them first")
    return users, missing, []


def _free_ids(session: Session, checked: backup_schema.Checked) -> None:
    """Ids are kept (exports before and after match), so none may exist here already."""
    for model, rows, what in ((Annotation, checked.annotations, "annotation"),
                              (Reply, checked.replies, "reply"),
                              (AnnotationLink, checked.links, "link")):
        ids = [r["id"] for r in rows]
        for i in range(0, len(ids), 500):
            taken = session.scalar(select(model.id).where(model.id.in_(ids[i:i + 500]))
                                   .limit(1))
            if taken is not None:
                raise InvalidInput(f"{what} id {taken} of the backup already exists in this "
                                   "store (the seminar was restored here before, or it is "
                                   "still here): restore into another store")


def _open_target(store: Store, who: Actor, checked: backup_schema.Checked,
                 target: int | None) -> tuple[int, bool]:
    sem = checked.seminar
    with store.transaction() as session:
        if target is None:
            s = Seminar(slug=sem["slug"], title=sem["title"], join_code=sem["join_code"],
                        revision=sem["revision"], created_at=sem["created_at"],
                        closed=sem["closed"], blind=sem["blind"], revealed=sem["revealed"])
            session.add(s)
            session.flush()
            return s.id, True
        row = session.get(Seminar, target)
        assert row is not None
        row.blind, row.revealed = sem["blind"], sem["revealed"]
        for model in (Perspective, Code):
            session.execute(delete(model).where(model.seminar_id == target))
        return target, False


def _batches(store: Store, model: Any, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), BATCH):
        with store.transaction() as session:
            session.execute(insert(model), rows[i:i + BATCH])


def _write(store: Store, sid: int, who: Actor, checked: backup_schema.Checked,
           versions: dict[tuple[str, str], int], users: dict[str, int],
           missing: list[dict[str, Any]]) -> list[str]:
    with store.transaction() as session:
        _codebook(session, sid, checked)
        for m in missing:  # the console only (see _accounts)
            user = User(username=m["username"], name_key=name_key(m["username"]),
                        display_name=m["display_name"], password_hash=m["password_hash"],
                        created_at=m["user_created_at"],
                        password_changed_at=m["password_changed_at"])
            session.add(user)
            session.flush()
            users[user.username] = user.id
    _batches(store, Annotation, [{
        **{k: a[k] for k in ("id", "start", "end", "quote", "prefix", "suffix", "perspective",
                             "codes", "note", "annotator", "anchor_status", "source",
                             "fields", "created_at", "updated_at")},
        "seminar_id": sid,
        "document_version_id": versions[(a["document_id"], a["document_sha256"])],
        **_previous(versions, a), "deleted_at": a["deleted_at"]}
        for a in checked.annotations])
    _batches(store, Reply, checked.replies)
    _batches(store, AnnotationLink, [{**k, "seminar_id": sid} for k in checked.links])
    _batches(store, SuggestionDecision, [{**d, "seminar_id": sid} for d in checked.decisions])
    _batches(store, AuditEntry, [{**e, "seminar_id": sid} for e in checked.audit])
    with store.transaction() as session:
        present = set(session.scalars(select(Membership.user_id)
                                      .where(Membership.seminar_id == sid)))
        for m in checked.members:
            uid = users.get(m["username"])
            if uid is not None and uid not in present:
                session.add(Membership(user_id=uid, seminar_id=sid, role=m["role"],
                                       created_at=m["joined_at"],
                                       submitted_at=m["submitted_at"]))
                present.add(uid)
        if who.user_id is not None and who.user_id not in present:
            session.add(Membership(user_id=who.user_id, seminar_id=sid, role=INSTRUCTOR,
                                   created_at=now()))
        session.execute(update(Seminar).where(Seminar.id == sid)
                        .values(closed=checked.seminar["closed"]))
        created = [m["username"] for m in missing]
        audit.record(session, who.name, "seminar.restore", sid, checked.seminar["slug"],
                     {"backup_created_at": checked.created_at, "users_created": created})
        seminars.bump(session, sid)
    return created


def _previous(versions: dict[tuple[str, str], int], a: dict[str, Any]) -> dict[str, Any]:
    """The place a re-anchored annotation awaiting review came from (older backups: none)."""
    p = a["previous"]
    if p is None:
        return {"previous_version_id": None, "previous_start": None, "previous_end": None}
    return {"previous_version_id": versions[(a["document_id"], p["document_sha256"])],
            "previous_start": p["start"], "previous_end": p["end"]}


def _undo(store: Store, sid: int, created_seminar: bool) -> None:
    """Remove what a failed restore wrote (the seminar itself if the restore made it)."""
    with store.transaction() as session:
        if created_seminar:
            session.execute(delete(Seminar).where(Seminar.id == sid))
            return
        for model in (AnnotationLink, SuggestionDecision, Annotation, AuditEntry):
            session.execute(delete(model).where(model.seminar_id == sid))


def _versions(session: Session, documents: list[tuple[str, str]], target: int | None
              ) -> dict[tuple[str, str], int]:
    """Versions of the texts the backup's annotations are on, among those the seminar may
    use: the built-in corpus, or the target seminar's own texts."""
    scope = Document.seminar_id.is_(None) if target is None else (
        Document.seminar_id.is_(None) | (Document.seminar_id == target))
    found = {(d, h): v for v, d, h in session.execute(
        select(DocumentVersion.id, DocumentVersion.document_id, DocumentVersion.sha256)
        .join(Document, Document.document_id == DocumentVersion.document_id).where(scope))}
    missing = [f"{d} (sha256 {h[:12]}…)" for d, h in documents if (d, h) not in found]
    if missing:
        raise InvalidInput(
            "the backup's annotations are on texts this store does not have: "
            f"{', '.join(missing)}; load the same texts first (`annotations init` or "
            "`annotations texts add`), then restore again")
    return found


def _codebook(session: Session, sid: int, checked: backup_schema.Checked) -> None:
    for i, p in enumerate(checked.perspectives):
        session.add(Perspective(seminar_id=sid, name=p["name"], colour=p["colour"],
                                description=p["description"], position=i))
    for i, c in enumerate(checked.codes):
        code = Code(seminar_id=sid, name=c["name"], colour=c["colour"],
                    definition=c["definition"], example=c["example"],
                    decision_rules=c["decision_rules"], parent=c["parent"], position=i)
        session.add(code)
        session.flush()
        if c["fields"]:
            session.add(CodeFields(code_id=code.id, names=list(c["fields"])))
