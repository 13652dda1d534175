"""Who may do what: one map of action × principal → grant, asked by every service and the UI.

Read like hypothesis/h's `security/permission_map.py`: the table below is the
whole policy. A service works out the acting identity's *principal* for the
seminar the resource lives in (`principal_in`), then asks `require`; the UI
asks `allowed` with the same principal to decide which buttons to show, and
never decides itself. Adding an action means adding a row here, nowhere else.

Principals are relative to a seminar: the same account is an instructor in
one seminar and a student (or a guest: not a member) in another. A site admin
(granted with `annotations admin grant`) and the console (the operator at the
command line, who already holds the database) are allowed everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from .db.engine import Store
from .db.models import Membership, Seminar, User
from .errors import NotFound, PermissionDenied

SITE_ADMIN_ROLE = "admin"  # users.site_role: may do anything, like the console
SITE_INSTRUCTOR_ROLE = "instructor"  # users.site_role: may create seminars
SITE_ROLES = (SITE_ADMIN_ROLE, SITE_INSTRUCTOR_ROLE)


class Principal(StrEnum):
    CONSOLE = "console"
    SITE_ADMIN = "site admin"
    INSTRUCTOR = "instructor"
    STUDENT = "student"
    GUEST = "guest"  # no account, or an account that is not a member of the seminar


class Action(StrEnum):
    READ = "read"
    CREATE = "create"
    EDIT = "edit"
    DELETE = "delete"
    REPLY = "reply"
    LINK = "link"
    ACCEPT_SUGGESTION = "accept suggestion"
    UPLOAD_TEXT = "upload text"
    REPLACE_TEXT = "replace text"
    DOWNLOAD_ORIGINAL = "download a text's original file"
    EDIT_CORPUS = "change the built-in corpus"
    CODEBOOK_EDIT = "edit the codebook"
    BLIND_REVEAL = "run blind rounds"
    BACKUP = "back up the seminar"
    RESTORE = "restore a backup"
    MANAGE_MEMBERS = "manage members"
    UNLOCK_ACCOUNT = "lift a sign-in hold"
    CREATE_SEMINAR = "create seminars"
    GRANT_SITE_ROLE = "grant site roles"
    CREATE_API_TOKEN = "create API tokens for this seminar"
    GRADE = "set the grading rule and see grades"
    SYNC_ROSTER = "update the members from the learning platform's roster"
    SEND_GRADES = "send grades to the learning platform"


class Grant(Enum):
    ALWAYS = "always"
    NEVER = "never"
    OPEN = "only in an open seminar"
    OWN = "only their own"
    OWN_OPEN = "only their own, only in an open seminar"
    CLASS = "anyone's in a members-only seminar, their own in an open one"
    OPEN_SIGNUP = "only while open sign-up is on"


@dataclass(frozen=True)
class Resource:
    """What the action is on: the facts a grant needs, nothing else."""

    closed: bool = False  # the seminar is members-only
    owner: str | None = None  # the username that made the thing (annotator, author)
    open_signup: bool = False  # ANNOTATIONS_OPEN_SIGNUP, for CREATE_SEMINAR


_C, _A, _I, _S, _G = (Principal.CONSOLE, Principal.SITE_ADMIN, Principal.INSTRUCTOR,
                      Principal.STUDENT, Principal.GUEST)
_ALL, _NO = Grant.ALWAYS, Grant.NEVER


def _row(instructor: Grant, student: Grant, guest: Grant) -> dict[Principal, Grant]:
    return {_C: _ALL, _A: _ALL, _I: instructor, _S: student, _G: guest}


_WORK = _row(_ALL, _ALL, Grant.OPEN)  # reading and adding to the class's work
_DESK = _row(_ALL, _NO, _NO)  # the instructor's desk
_SITE = _row(_NO, _NO, _NO)  # console and site admins only

PERMISSION_MAP: Mapping[Action, Mapping[Principal, Grant]] = {
    Action.READ: _WORK,
    Action.CREATE: _WORK,
    Action.REPLY: _WORK,
    Action.LINK: _WORK,
    Action.ACCEPT_SUGGESTION: _WORK,
    Action.EDIT: _row(Grant.CLASS, Grant.OWN, Grant.OWN_OPEN),
    Action.DELETE: _row(Grant.CLASS, Grant.OWN, Grant.OWN_OPEN),
    Action.UPLOAD_TEXT: _DESK,  # into the instructor's own seminar
    Action.REPLACE_TEXT: _DESK,  # a text of the instructor's own seminar
    Action.DOWNLOAD_ORIGINAL: _DESK,  # of a text the seminar uses (its own or built-in)
    Action.EDIT_CORPUS: _SITE,
    Action.CODEBOOK_EDIT: _DESK,
    Action.BLIND_REVEAL: _DESK,
    Action.BACKUP: _DESK,
    Action.RESTORE: _DESK,  # into an empty seminar the instructor teaches
    Action.MANAGE_MEMBERS: _DESK,
    Action.UNLOCK_ACCOUNT: _DESK,  # of a member of the instructor's seminar
    Action.GRADE: _DESK,  # the participation rule and each student's grade under it
    # Site-level: INSTRUCTOR is a user a site admin made instructor (users.site_role),
    # STUDENT any other account, GUEST no account.
    Action.CREATE_SEMINAR: _row(_ALL, Grant.OPEN_SIGNUP, _NO),
    Action.GRANT_SITE_ROLE: _SITE,
    # A personal token reaches a seminar's work from outside the app (the open API);
    # members only, so a guest's reading of an open seminar stays in the app.
    Action.CREATE_API_TOKEN: _row(_ALL, _ALL, _NO),
    # LTI (annotations.lti): the course's roster and gradebook on the learning platform.
    Action.SYNC_ROSTER: _DESK,
    Action.SEND_GRADES: _DESK,
}


def allowed(principal: Principal, action: Action, resource: Resource = Resource(),
            name: str = "") -> bool:
    """Whether `principal` (called `name`) may do `action` on `resource`: the pure rule."""
    grant = PERMISSION_MAP[action][principal]
    own = resource.owner is not None and bool(name) and resource.owner == name
    match grant:
        case Grant.ALWAYS:
            return True
        case Grant.NEVER:
            return False
        case Grant.OPEN:
            return not resource.closed
        case Grant.OWN:
            return own
        case Grant.OWN_OPEN:
            return own and not resource.closed
        case Grant.CLASS:
            return resource.closed or own
        case Grant.OPEN_SIGNUP:
            return resource.open_signup
    raise AssertionError(grant)  # pragma: no cover - every Grant is matched


# ---------------------------------------------------------------- the acting identity

Kind = Literal["user", "guest", "console"]


@dataclass(frozen=True)
class Actor:
    """Who acts: `name` goes to the audit log and to annotations.annotator.

    A user has an account (`user_id`); a guest only a display name in an open
    seminar; the console is the trusted operator. Whether a user is a site
    admin is read from the database each time (`principal_in`), never carried.
    """

    name: str
    user_id: int | None = None
    kind: Kind = "console"

    def __post_init__(self) -> None:
        if self.user_id is not None and self.kind == "console":
            object.__setattr__(self, "kind", "user")

    @classmethod
    def console(cls, name: str = "console") -> Actor:
        return cls(name, None, "console")

    @classmethod
    def guest(cls, name: str) -> Actor:
        return cls(name, None, "guest")

    @classmethod
    def of_user(cls, session: Session, user_id: int) -> Actor:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound(f"no user with id {user_id}")
        return cls(user.username, user.id, "user")

    @classmethod
    def named(cls, session: Session, name: str) -> Actor:
        """The actor a service knows only by the name it writes under.

        A name that is an account's username is that account; any other name is
        a guest. A plain name is never the console, whatever it says.
        """
        uid = session.scalar(select(User.id).where(User.username == name))
        return cls(name, uid, "user") if uid is not None else cls.guest(name)

    @property
    def is_console(self) -> bool:
        return self.kind == "console"


def as_actor(session: Session, who: Actor | str | int) -> Actor:
    """Services still take a username or a user id in places: one way to read them."""
    if isinstance(who, Actor):
        return who
    if isinstance(who, int):
        return Actor.of_user(session, who)
    return Actor.named(session, who)


def site_role(session: Session, actor: Actor) -> str:
    if actor.user_id is None:
        return ""
    return session.scalar(select(User.site_role).where(User.id == actor.user_id)) or ""


def principal_in(session: Session, actor: Actor, seminar_id: int | None) -> Principal:
    """The actor's principal for a seminar (None: for site-level actions)."""
    if actor.is_console:
        return Principal.CONSOLE
    role = site_role(session, actor)
    if role == SITE_ADMIN_ROLE:
        return Principal.SITE_ADMIN
    if actor.user_id is None:
        return Principal.GUEST
    if seminar_id is None:
        return Principal.INSTRUCTOR if role == SITE_INSTRUCTOR_ROLE else Principal.STUDENT
    member = session.scalar(select(Membership.role).where(
        Membership.user_id == actor.user_id, Membership.seminar_id == seminar_id))
    return {"instructor": Principal.INSTRUCTOR, "student": Principal.STUDENT}.get(
        member or "", Principal.GUEST)


def seminar_closed(session: Session, seminar_id: int | None) -> bool:
    if seminar_id is None:
        return False
    return bool(session.scalar(select(Seminar.closed).where(Seminar.id == seminar_id)))


def denial(principal: Principal, action: Action, resource: Resource) -> str:
    """The message for a refusal: what is missing and what to do instead."""
    grant = PERMISSION_MAP[action][principal]
    if principal is Principal.GUEST and (resource.closed or grant is _NO) \
            and PERMISSION_MAP[action][Principal.INSTRUCTOR] is not _NO:
        return ("you are not a member of this seminar: join it with the code your "
                "instructor gave")
    if grant in (Grant.OWN, Grant.OWN_OPEN, Grant.CLASS):
        who = f"{resource.owner} or an instructor" if resource.closed else resource.owner
        return f"only {who} can {action} this; reply to it instead"
    if action is Action.CREATE_SEMINAR:
        return ("only instructors can create seminars: ask a site admin to make you one "
                "(`annotations admin grant USERNAME instructor`)")
    if PERMISSION_MAP[action][Principal.INSTRUCTOR] is _NO:
        return f"only a site admin or the console can {action}: ask your site admin"
    return f"only the seminar's instructors can {action}: ask one of them"


def may(store: Store, who: Actor, action: Action, seminar_id: int | None = None, *,
        owner: str | None = None) -> bool:
    """`require` as a yes/no for the UI: which buttons and choices to show."""
    with store.read() as session:
        principal = principal_in(session, who, seminar_id)
        return allowed(principal, action, Resource(seminar_closed(session, seminar_id), owner),
                       who.name)


def require(session: Session, who: Actor | str | int, action: Action,
            seminar_id: int | None = None, *, owner: str | None = None,
            open_signup: bool = False) -> Principal:
    """The actor's principal if the map allows the action; PermissionDenied otherwise."""
    actor = as_actor(session, who)
    principal = principal_in(session, actor, seminar_id)
    resource = Resource(seminar_closed(session, seminar_id), owner, open_signup)
    if not allowed(principal, action, resource, actor.name):
        raise PermissionDenied(denial(principal, action, resource))
    return principal
