"""Blind rounds: students annotate without seeing each other's work until they hand in.

While a seminar is blind and not yet revealed, a student sees only their own
annotations (with every reply on them) until they `submit`; instructors see
everything throughout. `reveal` ends the round for everyone at once. The
point is independent first readings: what a classmate coded first must not
anchor what the others code.

Reads that know who is looking (`annotation.list_annotations(..., viewer=)`,
`link.list_links`) ask `visibility` for the rule; `viewer=None` is a trusted
caller (CLI, exports, tests) and sees everything. Guests of an open seminar
have no membership, so they cannot submit: they see their own work until the
instructor reveals.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from . import audit
from . import seminar as seminars
from .db.engine import Store
from .db.models import Membership, Seminar, User
from .errors import InvalidInput, NotFound, PermissionDenied
from .roles import INSTRUCTOR, STUDENT, Action, Actor, require_instructor_named
from .timeutil import now


@dataclass(frozen=True)
class Visibility:
    """Whose annotations a viewer may see in one seminar."""

    sees_all: bool
    own: str = ""  # when not sees_all: the only annotator whose work is visible

    def sees(self, annotator: str) -> bool:
        return self.sees_all or annotator == self.own


EVERYTHING = Visibility(True)


@dataclass(frozen=True)
class BlindStatus:
    """What the sidebar and the desk show about a seminar's blind round."""

    blind: bool
    revealed: bool
    submitted: tuple[str, ...]  # usernames of the students who have handed in, sorted
    students: int  # students in the seminar (instructors do not submit)
    viewer_submitted: bool = False  # the asking member has handed in (False for nobody)

    @property
    def label(self) -> str:
        """One line for the UI: "blind: 3 of 12 submitted", "blind, revealed", or ""."""
        if not self.blind:
            return ""
        if self.revealed:
            return "blind, revealed"
        return f"blind: {len(self.submitted)} of {self.students} submitted"


def _seminar(session: Session, seminar: str) -> Seminar:
    row = session.scalar(select(Seminar).where(Seminar.slug == seminar))
    if row is None:
        raise NotFound(
            f"no seminar {seminar!r}: create it with `annotations seminar create {seminar}`")
    return row


def _membership(session: Session, username: str, seminar_id: int) -> Membership | None:
    return session.scalar(
        select(Membership).join(User, User.id == Membership.user_id)
        .where(User.username == username, Membership.seminar_id == seminar_id))


def visibility(session: Session, seminar_id: int, viewer: str | None) -> Visibility:
    """The rule for `viewer` in the seminar; PermissionDenied for outsiders of a closed one.

    Closed seminars are members-only for reading too, so a name typed into a
    URL or a session cannot read a class it does not belong to.
    """
    if viewer is None:
        return EVERYTHING
    row = session.get(Seminar, seminar_id)
    if row is None:
        raise NotFound(f"no seminar with id {seminar_id}")
    member = _membership(session, viewer, seminar_id)
    if row.closed and member is None:
        raise PermissionDenied(
            "you are not a member of this seminar: join it with the code your instructor gave")
    return _rule(row, member, viewer)


def _rule(row: Seminar, member: Membership | None, viewer: str) -> Visibility:
    if not row.blind or row.revealed:
        return EVERYTHING
    if member is not None and (member.role == INSTRUCTOR or member.submitted_at is not None):
        return EVERYTHING
    return Visibility(False, viewer)


def visibility_by_seminar(session: Session, viewer: str) -> dict[int, Visibility | None]:
    """Every seminar's rule for `viewer` at once (None: a closed seminar they are not in).

    For reads across seminars (a list without a seminar filter), where an
    outsider's seminar must be left out rather than refused.
    """
    mine = {m.seminar_id: m for m in session.scalars(
        select(Membership).join(User, User.id == Membership.user_id)
        .where(User.username == viewer))}
    out: dict[int, Visibility | None] = {}
    for row in session.scalars(select(Seminar)):
        member = mine.get(row.id)
        out[row.id] = None if row.closed and member is None else _rule(row, member, viewer)
    return out


def visible_to(store: Store, seminar: str, viewer: str | None) -> Visibility:
    """`visibility` in a read snapshot of its own, for adapters that hold no session."""
    with store.read() as session:
        return visibility(session, _seminar(session, seminar).id, viewer)


def status(store: Store, seminar: str, viewer: str | None = None) -> BlindStatus:
    """The round's progress: one small query, cheap enough to poll with the revision."""
    with store.read() as session:
        row = _seminar(session, seminar)
        total = session.scalar(select(func.count()).select_from(Membership).where(
            Membership.seminar_id == row.id, Membership.role == STUDENT)) or 0
        done = tuple(session.scalars(
            select(User.username).join(Membership, Membership.user_id == User.id)
            .where(Membership.seminar_id == row.id, Membership.role == STUDENT,
                   Membership.submitted_at.is_not(None))
            .order_by(User.username)))
        member = _membership(session, viewer, row.id) if viewer else None
        return BlindStatus(bool(row.blind), bool(row.revealed), done, total,
                           member is not None and member.submitted_at is not None)


def set_blind(store: Store, seminar: str, actor: str | Actor, on: bool) -> BlindStatus:
    """Start or end a blind round (instructors, or the console).

    Starting a round (off -> on) hides everyone's work again: it clears
    `revealed` and every member's submission, so a second round is as
    independent as the first. Setting the state it already has changes nothing.
    """
    with store.transaction() as session:
        row = _seminar(session, seminar)
        who = require_instructor_named(session, actor, row.id, Action.BLIND_REVEAL)
        if bool(row.blind) != on:
            row.blind = on
            if on:
                row.revealed = False
                session.execute(update(Membership).where(Membership.seminar_id == row.id)
                                .values(submitted_at=None))
            audit.record(session, who.name, "blind.start" if on else "blind.end", row.id,
                         row.slug, {})
            seminars.bump(session, row.id)
    return status(store, seminar)


def reveal(store: Store, seminar: str, actor: str | Actor) -> BlindStatus:
    """Show everyone's work to everyone: the end of the round's independent phase."""
    with store.transaction() as session:
        row = _seminar(session, seminar)
        who = require_instructor_named(session, actor, row.id, Action.BLIND_REVEAL)
        if not row.blind:
            raise InvalidInput("this seminar is not in a blind round: there is nothing to reveal")
        if not row.revealed:
            row.revealed = True
            audit.record(session, who.name, "blind.reveal", row.id, row.slug, {})
            seminars.bump(session, row.id)
    return status(store, seminar)


def submit(store: Store, seminar: str, username: str) -> BlindStatus:
    """Hand in: from now on the member sees the whole class's work.

    A submission cannot be taken back (what was seen cannot be unseen);
    submitting again keeps the first time.
    """
    with store.transaction() as session:
        row = _seminar(session, seminar)
        if not row.blind:
            raise InvalidInput("this seminar is not in a blind round: there is nothing to submit")
        member = _membership(session, username, row.id)
        if member is None:
            raise PermissionDenied(
                "only members can submit: sign in and join the seminar with its code")
        if member.submitted_at is None:
            member.submitted_at = now()
            audit.record(session, username, "blind.submit", row.id, username,
                         {"role": member.role})
            seminars.bump(session, row.id)
    return status(store, seminar, username)


def may_see(session: Session, seminar_id: int, viewer: str, annotator: str) -> bool:
    """Whether a writer may act on someone's annotation (reply to it, link it) at all.

    Used by the write paths so an id learnt elsewhere cannot be used to reach
    work the round still hides.
    """
    return visibility(session, seminar_id, viewer).sees(annotator)

