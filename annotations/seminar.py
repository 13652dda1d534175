"""Seminars: the space a class annotates in, each with its own codebook."""

from __future__ import annotations

import re
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import codebook, live
from .db.engine import Store
from .db.models import Seminar
from .document import check_slug
from .errors import InvalidInput, NotFound
from .timeutil import now

if TYPE_CHECKING:
    from .roles import Actor

_JOIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in class
_JOIN_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,39}$")


@dataclass(frozen=True)
class SeminarInfo:
    id: int
    slug: str
    title: str
    join_code: str
    revision: int
    closed: bool = False  # members only (see roles.require_writer)
    blind: bool = False  # students see only their own work until they submit
    revealed: bool = False  # a blind round the instructor has opened to everyone


def _info(s: Seminar) -> SeminarInfo:
    return SeminarInfo(s.id, s.slug, s.title, s.join_code, s.revision,
                       bool(s.closed), bool(s.blind), bool(s.revealed))


def new_join_code() -> str:
    return "".join(secrets.choice(_JOIN_ALPHABET) for _ in range(6))


def check_join_code(code: str) -> str:
    """Join codes are read aloud and shown on pages: 4-40 letters, digits or hyphens."""
    clean = code.strip().upper()
    if not _JOIN_CODE_RE.match(clean):
        raise InvalidInput(f"join code {clean[:50]!r} is not allowed: use 4-40 letters A-Z, "
                           "digits or hyphens, e.g. HIST-101")
    return clean


def create_seminar(store: Store, slug: str, title: str = "", join_code: str = "") -> SeminarInfo:
    """A seminar with the default perspectives and codebook."""
    check_slug(slug, "seminar")
    code = check_join_code(join_code or new_join_code())
    with store.transaction() as session:
        if session.scalar(select(Seminar.id).where(Seminar.slug == slug)) is not None:
            raise InvalidInput(f"seminar {slug!r} already exists: choose another name")
        if session.scalar(select(Seminar.id).where(Seminar.join_code == code)) is not None:
            raise InvalidInput(f"join code {code!r} is taken: choose another")
        seminar = Seminar(
            slug=slug, title=title or slug, join_code=code, revision=0, created_at=now()
        )
        session.add(seminar)
        session.flush()
        perspectives, codes = codebook.load_default()
        for p in perspectives:
            codebook.add_perspective(session, seminar.id, p)
            session.flush()
        for c in codes:
            codebook.add_code(session, seminar.id, c)
            session.flush()
        return _info(seminar)


def seminar_id(session: Session, slug: str) -> int:
    sid = session.scalar(select(Seminar.id).where(Seminar.slug == slug))
    if sid is None:
        raise NotFound(f"no seminar {slug!r}: create it with `annotations seminar create {slug}`")
    return sid


def seminar_slug(session: Session, seminar: int) -> str:
    """The slug of a seminar known by its id."""
    slug = session.scalar(select(Seminar.slug).where(Seminar.id == seminar))
    if slug is None:
        raise NotFound(f"seminar {seminar} does not exist (any more)")
    return slug


def get_seminar(store: Store, slug: str) -> SeminarInfo:
    with store.read() as session:
        s = session.scalar(select(Seminar).where(Seminar.slug == slug))
        if s is None:
            raise NotFound(
                f"no seminar {slug!r}: create it with `annotations seminar create {slug}`"
            )
        return _info(s)


def find_by_join_code(store: Store, code: str) -> SeminarInfo:
    with store.read() as session:
        s = session.scalar(select(Seminar).where(Seminar.join_code == code.strip().upper()))
        if s is None:
            raise NotFound(
                f"no seminar has the join code {code.strip()!r}: check it with your instructor"
            )
        return _info(s)


def list_seminars(store: Store) -> list[SeminarInfo]:
    with store.read() as session:
        return [_info(s) for s in session.scalars(select(Seminar).order_by(Seminar.slug))]


def revision(store: Store, seminar: int) -> int:
    """The seminar's change counter: cheap to poll, bumped by every write."""
    with store.read() as session:
        return session.scalar(select(Seminar.revision).where(Seminar.id == seminar)) or 0


def bump(session: Session, seminar: int, annotations: Collection[str] | None = None) -> None:
    """Count a change in `seminar`; its followers hear of it when the write commits.

    `annotations`: the ids of the only annotations the write changed (their words,
    tags, note, replies or existence), so drawings can be updated from the previous
    revision; None (the default) when anything else may have changed.
    """
    new = session.scalar(
        update(Seminar).where(Seminar.id == seminar).values(revision=Seminar.revision + 1)
        .returning(Seminar.revision)
    )
    if new is not None:
        live.note_bump(session, seminar, new,
                       None if annotations is None else frozenset(annotations))


def ensure_seminar(store: Store, slug: str, title: str = "", join_code: str = "") -> SeminarInfo:
    """The seminar `slug`, created with `join_code` if it does not exist yet.

    The workspace calls this on every server start so a newcomer finds the demo
    seminar at once; two processes starting together may race, so a failed
    create falls back to reading the one the other process made.
    """
    try:
        return get_seminar(store, slug)
    except NotFound:
        pass
    try:
        return create_seminar(store, slug, title, join_code)
    except (InvalidInput, IntegrityError):
        return get_seminar(store, slug)


@dataclass(frozen=True)
class SeminarCodebook:
    """A seminar's perspectives and codes, detached from the session that read them."""

    perspectives: tuple[codebook.PerspectiveSpec, ...]
    codes: tuple[codebook.CodeSpec, ...]


def seminar_codebook(store: Store, slug: str) -> SeminarCodebook:
    """Perspectives and codes in their display order, for pickers and legends."""
    with store.read() as session:
        sid = seminar_id(session, slug)
        fields = codebook.fields_by_code(session, sid)
        return SeminarCodebook(
            tuple(
                codebook.PerspectiveSpec(p.name, p.colour, p.description)
                for p in codebook.perspectives(session, sid)
            ),
            tuple(
                codebook.CodeSpec(
                    c.name, c.colour, c.definition, c.example, c.decision_rules, c.parent,
                    tuple(fields.get(c.name, ())),
                )
                for c in codebook.codes(session, sid)
            ),
        )


def set_closed(store: Store, seminar: str, actor: str | Actor, closed: bool) -> SeminarInfo:
    """Close a seminar to non-members, or open it to anyone (instructors and the console).

    Closing an open seminar that has no instructor yet is only possible from the
    console (`Actor.console()`): afterwards nobody could write there otherwise.
    """
    from . import audit, roles  # roles and audit import this module

    with store.transaction() as session:
        row = session.scalar(select(Seminar).where(Seminar.slug == seminar))
        if row is None:
            raise NotFound(
                f"no seminar {seminar!r}: create it with `annotations seminar create {seminar}`")
        who = roles.require_instructor_named(session, actor, row.id)
        if bool(row.closed) != closed:
            row.closed = closed
            audit.record(session, who.name, "seminar.close" if closed else "seminar.open",
                         row.id, row.slug, {})
            bump(session, row.id)
        session.flush()
        return _info(row)
