"""Seminar roles and the authorisation checks every service calls.

A user's role is per seminar: the creator is instructor, anyone who joins with
the join code is a student, and the same person can teach one seminar and sit
in another. Isolation is enforced here: a check for seminar A never looks at
rows of seminar B, and an id of B's object asked for through A is "not found"
(not "forbidden", which would confirm it exists).

`Actor` is who does a write: a signed-in user, or the operator at the console
(the CLI), who already holds the database and is trusted.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import audit
from . import seminar as seminars
from .db.engine import Store
from .db.models import Annotation, Membership, Seminar, User
from .errors import InvalidInput, NotFound, PermissionDenied
from .timeutil import now

INSTRUCTOR = "instructor"
STUDENT = "student"
ROLES = (INSTRUCTOR, STUDENT)


@dataclass(frozen=True)
class Actor:
    """Who performs a write: `name` goes to the audit log and to annotations.annotator."""

    name: str
    user_id: int | None = None  # None: the console operator, allowed everything

    @classmethod
    def console(cls, name: str = "console") -> Actor:
        return cls(name, None)

    @classmethod
    def of_user(cls, session: Session, user_id: int) -> Actor:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user with id {user_id}")
        return cls(user.username, user.id)

    @property
    def is_console(self) -> bool:
        return self.user_id is None


@dataclass(frozen=True)
class MemberView:
    user_id: int
    username: str
    display_name: str
    role: str
    seminar: str


def _user_id(user: Actor | int) -> int | None:
    return user.user_id if isinstance(user, Actor) else user


def role_in(session: Session, user: Actor | int, seminar_id: int) -> str | None:
    """The user's role in the seminar, or None when they are not a member."""
    uid = _user_id(user)
    if uid is None:
        return INSTRUCTOR
    return session.scalar(select(Membership.role).where(
        Membership.user_id == uid, Membership.seminar_id == seminar_id))


def require_member(session: Session, user: Actor | int, seminar_id: int) -> str:
    """The user's role; PermissionDenied when they have not joined the seminar."""
    role = role_in(session, user, seminar_id)
    if role is None:
        raise PermissionDenied(
            "you are not a member of this seminar: join it with the code your instructor gave")
    return role


def require_instructor(session: Session, user: Actor | int, seminar_id: int) -> None:
    if require_member(session, user, seminar_id) != INSTRUCTOR:
        raise PermissionDenied("only the seminar's instructors can do this: ask one of them")


def can_edit_annotation(session: Session, user: Actor | int, seminar_id: int,
                        annotation_id: str) -> bool:
    """Students may change their own annotations; instructors any in their seminar.

    An annotation of another seminar is never editable through this one, even
    by someone who teaches both: the caller must go through the right seminar.
    """
    row = session.get(Annotation, annotation_id)
    if row is None or row.seminar_id != seminar_id:
        return False
    role = role_in(session, user, seminar_id)
    if role == INSTRUCTOR:
        return True
    if role != STUDENT:
        return False
    uid = _user_id(user)
    username = session.scalar(select(User.username).where(User.id == uid))
    return username is not None and row.annotator == username


def require_can_edit_annotation(session: Session, user: Actor | int, seminar_id: int,
                                annotation_id: str) -> Annotation:
    """The annotation, if the user may change it: NotFound outside the seminar."""
    row = session.get(Annotation, annotation_id)
    if row is None or row.seminar_id != seminar_id:
        raise NotFound(f"no annotation {annotation_id} in this seminar")
    require_member(session, user, seminar_id)
    if not can_edit_annotation(session, user, seminar_id, annotation_id):
        raise PermissionDenied(
            f"only {row.annotator} or an instructor can change this annotation; reply instead")
    return row


def role_of(session: Session, username: str, seminar_id: int) -> str | None:
    """The role of the account called `username`, or None: writes name users by username."""
    return session.scalar(
        select(Membership.role).join(User, User.id == Membership.user_id)
        .where(User.username == username, Membership.seminar_id == seminar_id))


def is_closed(session: Session, seminar_id: int) -> bool:
    return bool(session.scalar(select(Seminar.closed).where(Seminar.id == seminar_id)))


def require_writer(session: Session, seminar_id: int, username: str) -> str | None:
    """Who may write at all: anyone in an open seminar (None), members of a closed one.

    Returns the member's role in a closed seminar, so the caller can let an
    instructor change what students made without asking again.
    """
    if not is_closed(session, seminar_id):
        return None
    role = role_of(session, username, seminar_id)
    if role is None:
        raise PermissionDenied(
            "you are not a member of this seminar: join it with the code your instructor gave")
    return role


def may_change(session: Session, seminar_id: int, username: str, owner: str) -> bool:
    """Whether `username` may edit or delete what `owner` made in the seminar.

    Open seminars keep their old rule (only the author); in a closed one a
    non-member is refused outright, and instructors may change anyone's work.
    """
    role = require_writer(session, seminar_id, username)
    return owner == username or role == INSTRUCTOR


def require_instructor_named(session: Session, actor: str | Actor, seminar_id: int) -> Actor:
    """`require_instructor` for a caller that knows only a username (the UI, services).

    An `Actor` passes through as is, so the console operator stays trusted; a
    plain name is never trusted, whatever it says (a user may be called "console").
    """
    if isinstance(actor, Actor):
        require_instructor(session, actor, seminar_id)
        return actor
    role = role_of(session, actor, seminar_id)
    if role is None:
        raise PermissionDenied(
            "you are not a member of this seminar: join it with the code your instructor gave")
    if role != INSTRUCTOR:
        raise PermissionDenied("only the seminar's instructors can do this: ask one of them")
    uid = session.scalar(select(User.id).where(User.username == actor))
    return Actor(actor, uid)


def add_member(session: Session, actor: Actor, seminar_id: int, user_id: int,
               role: str) -> None:
    """Make a user a member (or change their role); instructors and the console only."""
    if role not in ROLES:
        raise InvalidInput(f"role {role!r} is unknown: use {' or '.join(ROLES)}")
    require_instructor(session, actor, seminar_id)
    if session.get(User, user_id) is None:
        raise NotFound(f"no user with id {user_id}")
    row = session.scalar(select(Membership).where(
        Membership.user_id == user_id, Membership.seminar_id == seminar_id))
    if row is None:
        session.add(Membership(user_id=user_id, seminar_id=seminar_id, role=role,
                               created_at=now()))
    else:
        if row.role == INSTRUCTOR and role != INSTRUCTOR:
            _keep_one_instructor(session, seminar_id, user_id)
        row.role = role
    session.flush()
    audit.record(session, actor.name, "member.set", seminar_id, user_id, {"role": role})
    seminars.bump(session, seminar_id)


def remove_member(session: Session, actor: Actor, seminar_id: int, user_id: int) -> None:
    require_instructor(session, actor, seminar_id)
    row = session.scalar(select(Membership).where(
        Membership.user_id == user_id, Membership.seminar_id == seminar_id))
    if row is None:
        raise NotFound(f"user {user_id} is not a member of this seminar")
    if row.role == INSTRUCTOR:
        _keep_one_instructor(session, seminar_id, user_id)
    session.delete(row)
    audit.record(session, actor.name, "member.remove", seminar_id, user_id, {})
    seminars.bump(session, seminar_id)


def _keep_one_instructor(session: Session, seminar_id: int, leaving: int) -> None:
    others = session.scalar(select(Membership.id).where(
        Membership.seminar_id == seminar_id, Membership.role == INSTRUCTOR,
        Membership.user_id != leaving).limit(1))
    if others is None:
        raise InvalidInput("a seminar needs at least one instructor: add another one first")


def create_seminar_as(store: Store, user_id: int, slug: str, title: str = "",
                      join_code: str = "") -> seminars.SeminarInfo:
    """Create a closed seminar (default codebook) with `user_id` as its first instructor.

    Closed because a signed-in instructor made it for a class: only members
    may read and write there (the demo and CLI-made seminars stay open).
    """
    with store.read() as session:
        actor = Actor.of_user(session, user_id)
    info = seminars.create_seminar(store, slug, title, join_code)
    with store.transaction() as session:
        session.execute(update(Seminar).where(Seminar.id == info.id).values(closed=True))
        session.add(Membership(user_id=user_id, seminar_id=info.id, role=INSTRUCTOR,
                               created_at=now()))
        audit.record(session, actor.name, "seminar.create", info.id, slug,
                     {"title": info.title, "closed": True})
    return seminars.get_seminar(store, slug)


def join_seminar(store: Store, user_id: int, join_code: str) -> MemberView:
    """Join with the code the instructor shared: a new member is a student.

    Joining again changes nothing (an instructor who types the code stays instructor).
    """
    info = seminars.find_by_join_code(store, join_code)
    with store.transaction() as session:
        actor = Actor.of_user(session, user_id)
        row = session.scalar(select(Membership).where(
            Membership.user_id == user_id, Membership.seminar_id == info.id))
        if row is None:
            row = Membership(user_id=user_id, seminar_id=info.id, role=STUDENT,
                             created_at=now())
            session.add(row)
            audit.record(session, actor.name, "member.join", info.id, user_id, {})
            seminars.bump(session, info.id)
        user = session.get(User, user_id)
        assert user is not None
        return MemberView(user_id, user.username, user.display_name, row.role, info.slug)


def members(session: Session, seminar_id: int) -> list[MemberView]:
    """The seminar's members, instructors first, then by username."""
    rows = session.execute(
        select(User, Membership.role, Seminar.slug)
        .join(Membership, Membership.user_id == User.id)
        .join(Seminar, Seminar.id == Membership.seminar_id)
        .where(Membership.seminar_id == seminar_id))
    out = [MemberView(u.id, u.username, u.display_name, role, slug) for u, role, slug in rows]
    return sorted(out, key=lambda m: (m.role != INSTRUCTOR, m.username))


def memberships(session: Session, user_id: int) -> list[MemberView]:
    """Every seminar the user belongs to, with their role there (for a seminar picker)."""
    rows = session.execute(
        select(User, Membership.role, Seminar.slug)
        .join(Membership, Membership.user_id == User.id)
        .join(Seminar, Seminar.id == Membership.seminar_id)
        .where(User.id == user_id).order_by(Seminar.slug))
    return [MemberView(u.id, u.username, u.display_name, role, slug) for u, role, slug in rows]
