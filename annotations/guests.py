"""Guests: people in an open seminar without an account, each a principal of its own.

A guest gets a server-made id ("guest:" and random hex; a colon is never in a
username), which is what their annotations and replies store as annotator or
author. The display name they typed is only a label, shown with a "guest"
mark; it may not look like (NFKC, case-folded, Unicode confusable skeleton)
the username or display name of a member of that seminar, nor like another
current guest's label there. The browser keeps the guest's session token in a
cookie; only its SHA-256 is stored, as for accounts.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import roles
from .accounts import (
    SESSION_LIFETIME,
    SessionExpired,
    SessionInvalid,
    token_digest,
    validate_session,
)
from .db.engine import Store
from .db.models import Guest, Seminar, User
from .errors import InvalidInput, NotFound, PermissionDenied
from .names import clean_name, name_key
from .permissions import Actor
from .seminar import SeminarInfo, seminar_slug
from .timeutil import format_time, now

PREFIX = "guest:"


@dataclass(frozen=True)
class GuestInfo:
    id: str  # stored as annotator / author
    seminar: str  # the seminar's slug: a guest belongs to one seminar
    display_name: str  # a label only


@dataclass(frozen=True)
class GuestSignIn:
    """Hand `token` to the browser (as a cookie), keep nothing else."""

    token: str
    guest: GuestInfo
    expires_at: datetime


class NameTaken(InvalidInput):
    """A guest's label that looks like a member's name or another guest's label."""


def is_guest(annotator: str) -> bool:
    return annotator.startswith(PREFIX)


def _info(session: Session, g: Guest) -> GuestInfo:
    return GuestInfo(g.id, seminar_slug(session, g.seminar_id), g.display_name)


def join(store: Store, seminar: SeminarInfo, display_name: str, *,
         at: datetime | None = None, lifetime: timedelta = SESSION_LIFETIME) -> GuestSignIn:
    """A new guest in an open seminar, with a session that ends after `lifetime`."""
    at = at or now()
    label = clean_name(display_name, what="display name")
    key = name_key(label)
    if seminar.closed:
        raise PermissionDenied(
            f"“{seminar.title}” is for its members only: sign in or create an account, "
            "then join it with this code")
    token = secrets.token_urlsafe(32)
    with store.transaction() as session:
        for m in roles.members(session, seminar.id):
            if key in (name_key(m.username), name_key(m.display_name)):
                raise NameTaken(f"“{label}” looks like the name of a member of this seminar: "
                                "choose another display name")
        if session.scalar(select(User.id).where(User.username == label.casefold())):
            raise NameTaken(f"“{label}” is an account's name: sign in with it, or join "
                            "under another display name")
        taken = session.scalar(select(Guest.id).where(
            Guest.seminar_id == seminar.id, Guest.name_key == key,
            Guest.revoked_at.is_(None), Guest.expires_at > at))
        if taken:
            raise NameTaken(f"another guest in this seminar is called “{label}” (or a name "
                            "that looks the same): choose another display name")
        guest = Guest(id=PREFIX + secrets.token_hex(8), seminar_id=seminar.id,
                      display_name=label, name_key=key, token_sha256=token_digest(token),
                      created_at=at, expires_at=at + lifetime, revoked_at=None)
        session.add(guest)
        session.flush()
        info = _info(session, guest)
    return GuestSignIn(token, info, at + lifetime)


def validate(store: Store, token: str, *, at: datetime | None = None) -> GuestInfo:
    """The guest holding this token, or SessionInvalid / SessionExpired."""
    at = at or now()
    with store.read() as session:
        row = session.scalar(select(Guest).where(Guest.token_sha256 == token_digest(token))) \
            if token else None
        if row is None or row.revoked_at is not None:
            raise SessionInvalid("you are not in a seminar as a guest (or you left): join again")
        if row.expires_at <= at:
            raise SessionExpired(
                f"your guest session expired at {format_time(row.expires_at)}: join again")
        return _info(session, row)


@dataclass(frozen=True)
class Writer:
    """Who a session cookie's holder writes as in one seminar, and the seminar's slug."""

    actor: Actor
    seminar: str


def session_writer(store: Store, token: str, seminar_id: int, *,
                   at: datetime | None = None) -> Writer:
    """The holder of a session token (an account's, else a guest's) as a writer in the
    seminar, decided as a page load decides who works in it: an account must be a member,
    a guest must belong to this seminar while it is open to guests.

    SessionInvalid (or SessionExpired) when the token signs nobody in, PermissionDenied
    when its holder is not a writer here, NotFound for an unknown seminar. Routes that
    write on the browser's cookie (annotations.web.live) ask this, not the page.
    """
    try:
        user = validate_session(store, token, at=at)
    except SessionExpired:
        raise
    except SessionInvalid:
        user = None
    guest = validate(store, token, at=at) if user is None else None
    with store.read() as session:
        row = session.get(Seminar, seminar_id)
        if row is None:
            raise NotFound(f"no seminar with id {seminar_id}")
        if user is not None:
            if roles.role_in(session, user.id, seminar_id) is None:
                raise PermissionDenied("you are not a member of this seminar: join it with "
                                       "the code your instructor gave")
            return Writer(Actor(user.username, user.id, "user"), row.slug)
        assert guest is not None
        if guest.seminar != row.slug or row.closed:
            raise PermissionDenied("guests cannot write here: sign in, or join this seminar "
                                   "with its code")
        return Writer(Actor.guest(guest.id), row.slug)


def leave(store: Store, token: str, *, at: datetime | None = None) -> None:
    """End a guest's session; their work stays under their id. Leaving twice is harmless."""
    with store.transaction() as session:
        session.execute(update(Guest).where(
            Guest.token_sha256 == token_digest(token), Guest.revoked_at.is_(None))
            .values(revoked_at=at or now()))


def labels(store: Store, seminar_id: int) -> dict[str, str]:
    """Guest id → display name, for every guest the seminar has had."""
    with store.read() as session:
        rows = session.execute(select(Guest.id, Guest.display_name)
                               .where(Guest.seminar_id == seminar_id))
        return {gid: name for gid, name in rows}
