"""Local accounts: argon2 password hashes, rate-limited sign-in, expiring session tokens.

Sign-in failures live in the database (`login_failures`), not in memory, so the
limit holds across Streamlit reruns, server processes and app instances. A
failed sign-in never says whether the username exists: unknown names get the
same message, the same rate limit and (through a dummy hash) about the same
time as wrong passwords. Session tokens are random; only their SHA-256 is
stored, so a copy of the database does not sign anyone in.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from . import audit
from .db.engine import Store
from .db.models import LoginFailure, User, UserSession
from .errors import InvalidInput, NotFound, PermissionDenied
from .timeutil import format_time, now

MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
SESSION_LIFETIME = timedelta(hours=12)  # one teaching day; sign in again tomorrow
MIN_PASSWORD = 8
MAX_PASSWORD = 1024  # argon2 takes anything, but a megabyte "password" is an attack
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")
_WRONG = "username or password is wrong: check both and try again"

_hasher = PasswordHasher()  # argon2id with the library's recommended (RFC 9106) costs


def use_hasher(hasher: PasswordHasher) -> PasswordHasher:
    """Swap the hasher (e.g. cheaper costs in tests); returns the previous one.

    Existing hashes keep verifying: argon2 reads the costs from the hash, and
    a sign-in rehashes a password whose costs differ from the current ones.
    """
    global _hasher
    previous, _hasher = _hasher, hasher
    _dummy_hash.cache_clear()
    return previous


class AuthenticationFailed(PermissionDenied):
    """A sign-in or session that does not authenticate anyone."""


class TooManyAttempts(AuthenticationFailed):
    """Sign-in refused for a while after repeated failures for the same username."""


class SessionInvalid(AuthenticationFailed):
    """A token that is unknown or was revoked (signed out)."""


class SessionExpired(SessionInvalid):
    """A token that was valid but whose lifetime is over."""


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    display_name: str


@dataclass(frozen=True)
class SignIn:
    """The result of a sign-in: hand `token` to the browser, keep nothing else."""

    token: str
    user: UserInfo
    expires_at: datetime


def _info(u: User) -> UserInfo:
    return UserInfo(u.id, u.username, u.display_name)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_hex(16))


def normalise_username(username: str) -> str:
    """Usernames compare case-insensitively: `Ada` and `ada` are one account."""
    return username.strip().lower()


def check_username(username: str) -> str:
    name = normalise_username(username)
    if not USERNAME_RE.match(name):
        raise InvalidInput(
            f"username {username.strip()!r} is not allowed: use 2-80 lowercase letters, "
            "digits, '.', '_' or '-', starting with a letter or digit")
    return name


def check_display_name(display_name: str) -> str:
    clean = display_name.strip()
    if not clean or len(clean) > 200 or "\n" in clean:
        raise InvalidInput("display name must be one line of 1-200 characters")
    return clean


def check_password(password: str, username: str = "") -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"password is too short: use at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InvalidInput(f"password is over {MAX_PASSWORD} characters: use a shorter one")
    if username and password.strip().lower() == username.lower():
        raise InvalidInput("password must not be the username: choose another")
    return password


def create_user(store: Store, username: str, display_name: str, password: str, *,
                actor: str = "console") -> UserInfo:
    """A new account; the password is hashed before the transaction opens (argon2 is slow)."""
    name = check_username(username)
    shown = check_display_name(display_name)
    digest = _hasher.hash(check_password(password, name))
    with store.transaction() as session:
        if session.scalar(select(User.id).where(User.username == name)) is not None:
            raise InvalidInput(f"username {name!r} is taken: choose another")
        t = now()
        user = User(username=name, display_name=shown, password_hash=digest, created_at=t,
                    password_changed_at=t)
        session.add(user)
        session.flush()
        audit.record(session, actor, "user.create", None, name, {"display_name": shown})
        return _info(user)


def get_user(session: Session, user_id: int) -> UserInfo:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return _info(user)


def find_user(session: Session, username: str) -> UserInfo:
    """For administrators; sign-in never uses this (it would reveal who exists)."""
    user = session.scalar(select(User).where(User.username == normalise_username(username)))
    if user is None:
        raise NotFound(f"no user {normalise_username(username)!r}: create it with "
                       "`annotations user create`")
    return _info(user)


def username_taken(store: Store, name: str) -> bool:
    """Whether an account has this username: a guest may not write under it."""
    with store.read() as session:
        found = session.scalar(select(User.id).where(User.username == normalise_username(name)))
    return found is not None


def _retry_at(session: Session, name: str, at: datetime) -> datetime | None:
    """When sign-in for `name` opens again, or None if it is open now."""
    recent = list(session.scalars(
        select(LoginFailure.failed_at)
        .where(LoginFailure.username == name, LoginFailure.failed_at > at - FAILURE_WINDOW)
        .order_by(LoginFailure.failed_at.desc()).limit(MAX_FAILURES)))
    if len(recent) < MAX_FAILURES:
        return None
    return recent[-1] + FAILURE_WINDOW


def verify_password(store: Store, username: str, password: str, *,
                    at: datetime | None = None) -> UserInfo:
    """The user whose password this is; raises the same error for any wrong pair.

    After MAX_FAILURES failures for one username within FAILURE_WINDOW, every
    attempt is refused (without checking the password, without counting) until
    the oldest of those failures leaves the window.
    """
    at = at or now()
    name = normalise_username(username)[:200]
    with store.read() as session:
        retry = _retry_at(session, name, at)
        user = session.scalar(select(User).where(User.username == name))
        stored = user.password_hash if user is not None else _dummy_hash()
    if retry is not None:
        minutes = max(1, -(-int((retry - at).total_seconds()) // 60))
        raise TooManyAttempts(
            f"too many failed sign-ins for this username: sign-in for it pauses for "
            f"{int(FAILURE_WINDOW.total_seconds() // 60)} minutes after {MAX_FAILURES} wrong "
            f"passwords; try again in {minutes} minute{'s' if minutes != 1 else ''}")
    ok = False
    try:
        ok = _hasher.verify(stored, password[:MAX_PASSWORD]) and user is not None
    except (VerificationError, InvalidHashError):
        ok = False
    with store.transaction() as session:
        if not ok:
            session.add(LoginFailure(username=name, failed_at=at))
            session.execute(delete(LoginFailure).where(
                LoginFailure.username == name, LoginFailure.failed_at <= at - FAILURE_WINDOW))
        else:
            assert user is not None
            session.execute(delete(LoginFailure).where(LoginFailure.username == name))
            if _hasher.check_needs_rehash(user.password_hash):
                session.execute(update(User).where(User.id == user.id)
                                .values(password_hash=_hasher.hash(password)))
    if not ok:
        raise AuthenticationFailed(_WRONG)
    assert user is not None
    return _info(user)


def token_digest(token: str) -> str:
    """What the database keeps of a session token (accounts and guests)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def sign_in(store: Store, username: str, password: str, *, at: datetime | None = None,
            lifetime: timedelta = SESSION_LIFETIME) -> SignIn:
    """Check the password and open a session that ends after `lifetime`."""
    at = at or now()
    user = verify_password(store, username, password, at=at)
    token = secrets.token_urlsafe(32)
    expires = at + lifetime
    with store.transaction() as session:
        session.add(UserSession(token_sha256=token_digest(token), user_id=user.id, created_at=at,
                                expires_at=expires, revoked_at=None))
    return SignIn(token, user, expires)


def validate_session(store: Store, token: str, *, at: datetime | None = None) -> UserInfo:
    """The signed-in user, or SessionInvalid / SessionExpired telling them to sign in."""
    at = at or now()
    with store.read() as session:
        row = session.get(UserSession, token_digest(token)) if token else None
        if row is None or row.revoked_at is not None:
            raise SessionInvalid("you are not signed in (or you signed out): sign in again")
        if row.expires_at <= at:
            raise SessionExpired(
                f"your session expired at {format_time(row.expires_at)}: sign in again")
        return get_user(session, row.user_id)


def sign_out(store: Store, token: str, *, at: datetime | None = None) -> None:
    """Revoke one session; signing out twice is harmless."""
    with store.transaction() as session:
        session.execute(update(UserSession).where(
            UserSession.token_sha256 == token_digest(token), UserSession.revoked_at.is_(None))
            .values(revoked_at=at or now()))


def revoke_all_sessions(session: Session, user_id: int, at: datetime | None = None) -> int:
    """Sign a user out everywhere (after a password change); returns how many were open."""
    result = session.execute(update(UserSession).where(
        UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=at or now()))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def change_password(store: Store, username: str, old_password: str, new_password: str, *,
                    at: datetime | None = None) -> None:
    """Change a password knowing the old one; every open session is signed out."""
    user = verify_password(store, username, old_password, at=at)
    if new_password == old_password:
        raise InvalidInput("the new password is the old one: choose a different password")
    digest = _hasher.hash(check_password(new_password, user.username))
    with store.transaction() as session:
        session.execute(update(User).where(User.id == user.id).values(
            password_hash=digest, password_changed_at=at or now()))
        revoke_all_sessions(session, user.id, at)
        audit.record(session, user.username, "user.password", None, user.username, {})


def purge(store: Store, *, at: datetime | None = None) -> tuple[int, int]:
    """Delete expired or revoked sessions and failures outside the window (housekeeping)."""
    at = at or now()
    with store.transaction() as session:
        s = session.execute(delete(UserSession).where(
            (UserSession.expires_at <= at) | UserSession.revoked_at.is_not(None)))
        f = session.execute(delete(LoginFailure).where(
            LoginFailure.failed_at <= at - FAILURE_WINDOW))
        return int(s.rowcount or 0), int(f.rowcount or 0)  # type: ignore[attr-defined]


def user_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User)) or 0)


# ---------------------------------------------------------------- single sign-on
# An account made by single sign-on has no password: its `password_hash` holds
# "sso:" plus the provider's issuer and subject, which is never a valid argon2
# hash, so a password sign-in for it always fails, and which binds the account
# to that one identity at that one provider. A local account that happens to
# share the preferred username is never taken over: the SSO account gets
# another name (`ada-2`).

SSO_PREFIX = "sso:"
_UNSAFE = re.compile(r"[^a-z0-9._-]+")


def open_session(store: Store, user_id: int, *, at: datetime | None = None,
                 lifetime: timedelta = SESSION_LIFETIME) -> SignIn:
    """A new session for a user already authenticated elsewhere (single sign-on)."""
    at = at or now()
    token = secrets.token_urlsafe(32)
    with store.transaction() as session:
        user = get_user(session, user_id)
        session.add(UserSession(token_sha256=token_digest(token), user_id=user_id, created_at=at,
                                expires_at=at + lifetime, revoked_at=None))
    return SignIn(token, user, at + lifetime)


def _sso_base_name(preferred_username: str, email: str) -> str:
    raw = preferred_username.strip() or email.strip().partition("@")[0]
    name = _UNSAFE.sub("-", normalise_username(raw)).strip("-._")[:70]
    if len(name) < 2 or not name[0].isalnum():
        name = f"user-{name}".strip("-")[:70] if name else "user"
    return name


def sso_sign_in(store: Store, issuer: str, subject: str, *, preferred_username: str = "",
                email: str = "", display_name: str = "", at: datetime | None = None,
                lifetime: timedelta = SESSION_LIFETIME) -> SignIn:
    """Sign in the provider's user (`issuer`, `subject`), making the account on first use.

    The username comes from `preferred_username`, else the e-mail's local part,
    made safe and unique; the display name from the provider's name.
    """
    if not issuer.strip() or not subject.strip():
        raise AuthenticationFailed(
            "the sign-in provider did not say who you are: try again or sign in with a password")
    key = f"{SSO_PREFIX}{issuer.strip()}|{subject.strip()}"
    with store.read() as session:
        uid = session.scalar(select(User.id).where(User.password_hash == key))
    if uid is None:
        base = _sso_base_name(preferred_username, email)
        shown = (display_name.strip().splitlines() or [""])[0][:200] or base
        with store.transaction() as session:
            uid = session.scalar(select(User.id).where(User.password_hash == key))
            if uid is None:
                taken = set(session.scalars(select(User.username).where(
                    User.username.startswith(base, autoescape=True))))
                name = base if base not in taken else next(
                    f"{base}-{i}" for i in range(2, len(taken) + 3)
                    if f"{base}-{i}" not in taken)
                t = at or now()
                user = User(username=name, display_name=shown, password_hash=key,
                            created_at=t, password_changed_at=t)
                session.add(user)
                session.flush()
                audit.record(session, name, "user.create", None, name,
                             {"display_name": shown, "sso": issuer.strip()})
                uid = user.id
    return open_session(store, uid, at=at, lifetime=lifetime)
