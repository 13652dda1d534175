"""Seminar roles and the authorisation checks every service calls.

A user's role is per seminar: the creator is instructor, anyone who joins with
the join code is a student, and the same person can teach one seminar and sit
in another. Isolation is enforced here: a check for seminar A never looks at
rows of seminar B, and an id of B's object asked for through A is "not found"
(not "forbidden", which would confirm it exists).

Every decision is `annotations.permissions`' map; the functions here are the
seminar-shaped ways services ask it. `Actor` (who acts) lives there too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import audit, config
from . import seminar as seminars
from .db.engine import Store
from .db.models import Annotation, Membership, Seminar, User
from .errors import InvalidInput, NotFound, PermissionDenied
from .permissions import Action, Actor, Principal, Resource, allowed, principal_in, require
from .timeutil import now

__all__ = ["Actor", "Action"]

INSTRUCTOR = "instructor"
STUDENT = "student"
ROLES = (INSTRUCTOR, STUDENT)


@dataclass(frozen=True)
class MemberView:
    user_id: int
    username: str
    display_name: str
    role: str
    seminar: str


def role_in(session: Session, user: Actor | int, seminar_id: int) -> str | None:
    """The user's role in the seminar, or None when they are not a member."""
    if isinstance(user, Actor) and user.is_console:
        return INSTRUCTOR
    uid = user.user_id if isinstance(user, Actor) else user
    if uid is None:
        return None
    return session.scalar(select(Membership.role).where(
        Membership.user_id == uid, Membership.seminar_id == seminar_id))


def require_member(session: Session, user: Actor | int, seminar_id: int) -> str:
    """The user's role; PermissionDenied when they have not joined the seminar."""
    role = role_in(session, user, seminar_id)
    if role is None:
        raise PermissionDenied(
            "you are not a member of this seminar: join it with the code your instructor gave")
    return role


def require_instructor(session: Session, user: Actor | int, seminar_id: int,
                       action: Action = Action.MANAGE_MEMBERS) -> None:
    """A desk action: the permission map decides (instructors, site admins, the console)."""
    require(session, user, action, seminar_id)


def can_edit_annotation(session: Session, user: Actor | int, seminar_id: int,
                        annotation_id: str) -> bool:
    """Whether the permission map lets `user` edit the annotation through this seminar.

    An annotation of another seminar is never editable through this one, even
    by someone who teaches both: the caller must go through the right seminar.
    """
    row = session.get(Annotation, annotation_id)
    if row is None or row.seminar_id != seminar_id:
        return False
    actor = user if isinstance(user, Actor) else Actor.of_user(session, user)
    principal = principal_in(session, actor, seminar_id)
    return allowed(principal, Action.EDIT, Resource(is_closed(session, seminar_id),
                                                    row.annotator), actor.name)


def require_can_edit_annotation(session: Session, user: Actor | int, seminar_id: int,
                                annotation_id: str) -> Annotation:
    """The annotation, if the user may change it: NotFound outside the seminar."""
    row = session.get(Annotation, annotation_id)
    if row is None or row.seminar_id != seminar_id:
        raise NotFound(f"no annotation {annotation_id} in this seminar")
    require(session, user, Action.EDIT, seminar_id, owner=row.annotator)
    return row


def role_of(session: Session, username: str, seminar_id: int) -> str | None:
    """The role of the account called `username`, or None: writes name users by username."""
    return session.scalar(
        select(Membership.role).join(User, User.id == Membership.user_id)
        .where(User.username == username, Membership.seminar_id == seminar_id))


def is_closed(session: Session, seminar_id: int) -> bool:
    return bool(session.scalar(select(Seminar.closed).where(Seminar.id == seminar_id)))


def require_writer(session: Session, seminar_id: int, username: str,
                   action: Action = Action.CREATE) -> Principal:
    """Who may write at all: anyone in an open seminar, members of a closed one."""
    return require(session, username, action, seminar_id)


def may_change(session: Session, seminar_id: int, username: str, owner: str) -> bool:
    """Whether `username` may edit or delete what `owner` made in the seminar.

    A non-member of a closed seminar is refused outright (PermissionDenied).
    """
    principal = require_writer(session, seminar_id, username, Action.READ)
    return allowed(principal, Action.EDIT,
                   Resource(is_closed(session, seminar_id), owner), username)


def require_instructor_named(session: Session, actor: str | Actor, seminar_id: int,
                             action: Action = Action.MANAGE_MEMBERS) -> Actor:
    """`require_instructor` for a caller that knows only a username (the UI, services).

    An `Actor` passes through as is, so the console operator stays trusted; a
    plain name is never trusted, whatever it says (a user may be called "console").
    """
    who = actor if isinstance(actor, Actor) else Actor.named(session, actor)
    require(session, who, action, seminar_id)
    return who


def check_role(role: str) -> str:
    """A seminar role from the fixed set, refused with the list otherwise."""
    if role not in ROLES:
        raise InvalidInput(f"role {str(role)[:40]!r} is unknown: use {' or '.join(ROLES)}")
    return role


def add_member(session: Session, actor: Actor, seminar_id: int, user_id: int,
               role: str) -> None:
    """Make a user a member (or change their role); instructors and the console only."""
    role = check_role(role)
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
    return create_seminar_for(store, actor, user_id, slug, title, join_code)


def create_seminar_for(store: Store, actor: Actor, user_id: int, slug: str, title: str = "",
                       join_code: str = "", detail: dict[str, object] | None = None
                       ) -> seminars.SeminarInfo:
    """`create_seminar_as`, asked of the map for `actor`: the account itself, or a party
    that vouches for it (an LMS course's instructor creating one from the content picker)."""
    with store.read() as session:
        require(session, actor, Action.CREATE_SEMINAR, open_signup=config.open_signup())
    info = seminars.create_seminar(store, slug, title, join_code)
    with store.transaction() as session:
        session.execute(update(Seminar).where(Seminar.id == info.id).values(closed=True))
        session.add(Membership(user_id=user_id, seminar_id=info.id, role=INSTRUCTOR,
                               created_at=now()))
        audit.record(session, actor.name, "seminar.create", info.id, slug,
                     {"title": info.title, "closed": True, **(detail or {})})
    return seminars.get_seminar(store, slug)


def may_create_seminar(store: Store, user_id: int) -> bool:
    """Whether the map lets this account create seminars (the UI offers the form then)."""
    with store.read() as session:
        actor = Actor.of_user(session, user_id)
        return allowed(principal_in(session, actor, None), Action.CREATE_SEMINAR,
                       Resource(open_signup=config.open_signup()), actor.name)


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
