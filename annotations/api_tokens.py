"""Personal API tokens: how researchers' scripts and other tools reach the open API.

A member creates a token for some of their seminars and sees it once; only
its SHA-256 is stored (a 256-bit random secret needs no slow hash). A token
is read-only, may expire, and can be revoked by its owner (or the console or
a site admin). It never reaches more than its owner: every request asks the
permission map with the owner's principal *now* (`reader`), so leaving a
seminar, a blind round or a closed seminar all apply to the token at once.
Creating and revoking are audited in each seminar the token reaches.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, blind
from .db.engine import Store
from .db.models import ApiToken, ApiTokenSeminar, Seminar, User
from .errors import AnnotationsError, InvalidInput, NotFound, PermissionDenied
from .names import clean_name
from .permissions import (
    SITE_ADMIN_ROLE,
    Action,
    Actor,
    Principal,
    principal_in,
    require,
    site_role,
)
from .timeutil import now

PREFIX = "ann_"  # tokens start with it, so a leaked one is recognisable in logs and scanners
READ = "read"  # the only scope: the API serves reads, every write method is refused
LAST_USED_STEP = timedelta(minutes=1)  # last_used_at is written at most this often
MAX_TOKENS = 50  # live tokens per account: a bound on what one account can mint


class TokenRejected(AnnotationsError):
    """A bearer token that is unknown, revoked or expired (HTTP 401)."""


@dataclass(frozen=True)
class TokenInfo:
    """What the owner sees of a token in lists: never the token itself."""

    id: int
    owner: str  # username
    label: str
    hint: str  # the first characters of the token, e.g. "ann_3xQ9"
    scope: str
    seminars: tuple[str, ...]  # slugs, sorted
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    def state(self, at: datetime | None = None) -> str:
        """"active", "revoked" or "expired", as lists show it."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (at or now()):
            return "expired"
        return "active"


@dataclass(frozen=True)
class NewToken:
    token: str  # shown once: only its digest is stored
    info: TokenInfo


@dataclass(frozen=True)
class Caller:
    """A verified token: whose it is and which seminars (ids) it reaches."""

    token_id: int
    user_id: int
    username: str
    seminar_ids: frozenset[int]
    scope: str

    @property
    def actor(self) -> Actor:
        return Actor(self.username, self.user_id, "user")


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _owner(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None:
        raise NotFound(f"no account {username!r}: see `annotations admin users`")
    return user


def _may_manage(session: Session, actor: Actor, owner: User) -> None:
    """The owner manages their tokens; the console and site admins anyone's."""
    if actor.is_console or actor.user_id == owner.id or \
            site_role(session, actor) == SITE_ADMIN_ROLE:
        return
    raise PermissionDenied("only the token's owner (or a site admin) can manage this token")


def _seminar_ids(session: Session, slugs: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for slug in dict.fromkeys(s.strip() for s in slugs if s.strip()):
        sid = session.scalar(select(Seminar.id).where(Seminar.slug == slug))
        if sid is None:
            raise NotFound(f"no seminar {slug!r}: see `annotations seminar list`")
        found[slug] = sid
    if not found:
        raise InvalidInput("a token needs at least one seminar: name the seminars it may read")
    return found


def _info(session: Session, row: ApiToken) -> TokenInfo:
    slugs = tuple(sorted(session.scalars(
        select(Seminar.slug).join(ApiTokenSeminar, ApiTokenSeminar.seminar_id == Seminar.id)
        .where(ApiTokenSeminar.token_id == row.id))))
    owner = session.scalar(select(User.username).where(User.id == row.user_id)) or ""
    return TokenInfo(row.id, owner, row.label, row.hint, row.scope, slugs, row.created_at,
                     row.expires_at, row.last_used_at, row.revoked_at)


def create_token(store: Store, actor: Actor, owner: str, label: str, seminars: Sequence[str],
                 *, expires_in_days: int | None = None, at: datetime | None = None
                 ) -> NewToken:
    """A new read-only token for `owner`, reaching `seminars`; the token is in the answer only.

    The owner must be allowed to create tokens in every seminar named (a
    member, by the permission map), whoever asks for it.
    """
    at = at or now()
    label = clean_name(label, what="token label", max_length=200)
    if expires_in_days is not None and not 1 <= expires_in_days <= 3650:
        raise InvalidInput(f"expiry of {expires_in_days} days: give 1 to 3650 days, or none")
    with store.transaction() as session:
        user = _owner(session, owner)
        _may_manage(session, actor, user)
        wanted = _seminar_ids(session, seminars)
        holder = Actor(user.username, user.id, "user")
        for sid in wanted.values():
            require(session, holder, Action.CREATE_API_TOKEN, sid)
        live = [r for r in session.scalars(select(ApiToken).where(
            ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
            if r.expires_at is None or r.expires_at > at]
        if len(live) >= MAX_TOKENS:
            raise InvalidInput(f"{user.username} already has {MAX_TOKENS} active tokens: "
                               "revoke some first")
        token = PREFIX + secrets.token_urlsafe(32)
        row = ApiToken(user_id=user.id, label=label, token_sha256=digest(token),
                       hint=token[:8], scope=READ, created_at=at,
                       expires_at=at + timedelta(days=expires_in_days)
                       if expires_in_days is not None else None)
        session.add(row)
        session.flush()
        session.add_all(ApiTokenSeminar(token_id=row.id, seminar_id=sid)
                        for sid in wanted.values())
        for sid in wanted.values():
            audit.record(session, actor.name, "api_token.create", sid, row.id,
                         {"owner": user.username, "label": label, "scope": READ,
                          "expires_at": row.expires_at.isoformat() if row.expires_at else ""})
        session.flush()
        return NewToken(token, _info(session, row))


def list_tokens(store: Store, actor: Actor, owner: str) -> list[TokenInfo]:
    """The owner's tokens, newest first, revoked and expired ones included."""
    with store.read() as session:
        user = _owner(session, owner)
        _may_manage(session, actor, user)
        rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                               .order_by(ApiToken.id.desc()))
        return [_info(session, r) for r in rows]


def revoke_token(store: Store, actor: Actor, token_id: int, *,
                 at: datetime | None = None) -> TokenInfo:
    """Revoke a token at once; revoking it again changes nothing."""
    at = at or now()
    with store.transaction() as session:
        row = session.get(ApiToken, token_id)
        user = session.get(User, row.user_id) if row is not None else None
        if row is None or user is None:
            raise NotFound(f"no API token {token_id}: see `annotations token list USERNAME`")
        try:
            _may_manage(session, actor, user)
        except PermissionDenied:
            raise NotFound(f"no API token {token_id} among your tokens") from None
        if row.revoked_at is None:
            row.revoked_at = at
            for sid in session.scalars(select(ApiTokenSeminar.seminar_id).where(
                    ApiTokenSeminar.token_id == row.id)):
                audit.record(session, actor.name, "api_token.revoke", sid, row.id,
                             {"owner": user.username, "label": row.label})
        session.flush()
        return _info(session, row)


def verify(store: Store, token: str, *, at: datetime | None = None) -> Caller:
    """The caller behind a bearer token; TokenRejected if unknown, revoked or expired."""
    at = at or now()
    if not token.startswith(PREFIX) or len(token) > 200:
        raise TokenRejected("not an API token of this server: create one under "
                            "My seminars → API tokens")
    with store.read() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_sha256 == digest(token)))
        if row is None:
            raise TokenRejected("unknown API token: create one under My seminars → API tokens")
        if row.revoked_at is not None:
            raise TokenRejected("this API token was revoked: create a new one")
        if row.expires_at is not None and row.expires_at <= at:
            raise TokenRejected("this API token has expired: create a new one")
        username = session.scalar(select(User.username).where(User.id == row.user_id)) or ""
        seminar_ids = frozenset(session.scalars(select(ApiTokenSeminar.seminar_id).where(
            ApiTokenSeminar.token_id == row.id)))
        stale = row.last_used_at is None or at - row.last_used_at >= LAST_USED_STEP
        caller = Caller(row.id, row.user_id, username, seminar_ids, row.scope)
    if stale:
        with store.transaction() as session:
            used = session.get(ApiToken, caller.token_id)
            if used is not None:
                used.last_used_at = at
    return caller


def reader(store: Store, caller: Caller, seminar: str) -> tuple[int, blind.Visibility]:
    """The seminar's id and what the token's owner may see there now.

    NotFound, with the same message whether the seminar does not exist, is not
    on the token, or is no longer readable by its owner: an answer never tells
    which.
    """
    hidden = NotFound(f"no seminar {seminar!r} for this token")
    with store.read() as session:
        sid = session.scalar(select(Seminar.id).where(Seminar.slug == seminar))
        if sid is None or sid not in caller.seminar_ids:
            raise hidden
        actor = caller.actor
        principal = principal_in(session, actor, sid)
        try:
            if principal is Principal.GUEST:  # left the seminar since: the token goes with them
                raise PermissionDenied("not a member")
            require(session, actor, Action.READ, sid)
            if principal is Principal.SITE_ADMIN:  # sees what the console sees
                return sid, blind.EVERYTHING
            return sid, blind.visibility(session, sid, caller.username)
        except PermissionDenied:
            raise hidden from None


def readable_seminars(store: Store, caller: Caller) -> list[str]:
    """The slugs of the token's seminars its owner may read now, sorted."""
    with store.read() as session:
        slugs = session.scalars(select(Seminar.slug).where(
            Seminar.id.in_(caller.seminar_ids)).order_by(Seminar.slug)).all()
    out = []
    for slug in slugs:
        try:
            reader(store, caller, slug)
        except NotFound:
            continue
        out.append(slug)
    return out

