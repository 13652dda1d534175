"""Local accounts: argon2 password hashes, throttled sign-in, expiring session tokens.

Sign-in failures live in the database (`login_failures`), not in memory, so the
throttle holds across Streamlit reruns, server processes and app instances.
It counts per username (as typed) and per client address, and backs off
exponentially instead of locking out: a browser that signed in to the account
before (a device token) is never held, so nobody can lock the instructor out
by typing wrong passwords. A failed sign-in never says whether the username
exists: unknown names, SSO-only accounts and held attempts get the same
message family and run exactly one argon2 verification, like a wrong password.
Session tokens are random; only their SHA-256 is stored, so a copy of the
database does not sign anyone in.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from . import audit
from .db.engine import Store
from .db.models import KnownDevice, LoginFailure, Membership, User, UserSession
from .errors import InvalidInput, NotFound, PermissionDenied
from .names import clean_name, name_key
from .permissions import (
    SITE_ROLES,
    Action,
    Actor,
    Principal,
    allowed,
    principal_in,
    require,
)
from .timeutil import format_time, now

MAX_FAILURES = 5  # per username: failures before the first hold
MAX_ADDRESS_FAILURES = 20  # per client address (a class shares one address behind NAT)
FIRST_HOLD = timedelta(minutes=1)  # doubles with every further failure...
LONGEST_HOLD = timedelta(minutes=30)  # ...up to this
FAILURE_WINDOW = timedelta(hours=1)  # failures older than this are forgotten
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
    """The result of a sign-in: hand `token` (and `device`) to the browser, keep nothing else."""

    token: str
    user: UserInfo
    expires_at: datetime
    device: str = ""  # the device token: present it next time and holds do not apply


def _info(u: User) -> UserInfo:
    return UserInfo(u.id, u.username, u.display_name)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_hex(16))


def normalise_username(username: str) -> str:
    """Usernames compare case-insensitively: `Ada` and `ada` are one account."""
    return username.strip().lower()


def check_username(username: str) -> str:
    """The stored form of a new username (NFKC, lowercase); refuses invisible characters."""
    name = clean_name(username, what="username", max_length=80).lower()
    if not USERNAME_RE.match(name):
        raise InvalidInput(
            f"username {name!r} is not allowed: use 2-80 lowercase letters, "
            "digits, '.', '_' or '-', starting with a letter or digit")
    return name


def check_display_name(display_name: str) -> str:
    return clean_name(display_name, what="display name", max_length=200)


def lookalike_of(session: Session, name: str) -> str | None:
    """The username of an account whose name looks like `name` (same `name_key`), if any."""
    return session.scalar(select(User.username).where(User.name_key == name_key(name))
                          .order_by(User.id).limit(1))


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
        similar = lookalike_of(session, name)
        if similar is not None:
            raise InvalidInput(f"username {name!r} looks like the existing account "
                               f"{similar!r}: choose a clearly different one")
        t = now()
        user = User(username=name, name_key=name_key(name), display_name=shown,
                    password_hash=digest, created_at=t, password_changed_at=t)
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


def grant_site_role(store: Store, actor: Actor, username: str, role: str) -> UserInfo:
    """Make an account a site admin or an instructor (who may create seminars); "" revokes.

    Only the console and site admins may: `annotations admin grant`.
    """
    if role not in (*SITE_ROLES, ""):
        raise InvalidInput(f"site role {role[:40]!r} is unknown: use "
                           f"{' or '.join(SITE_ROLES)} (or --revoke)")
    with store.transaction() as session:
        require(session, actor, Action.GRANT_SITE_ROLE)
        user = session.scalar(select(User).where(User.username == normalise_username(username)))
        if user is None:
            raise NotFound(f"no user {normalise_username(username)!r}: create it with "
                           "`annotations user create`")
        user.site_role = role
        audit.record(session, actor.name, "user.site_role", None, user.username, {"role": role})
        return _info(user)


def username_taken(store: Store, name: str) -> bool:
    """Whether an account has this username or one that looks like it (a guest may not
    write under it: classmates could not tell the two apart)."""
    with store.read() as session:
        found = session.scalar(select(User.id).where(
            (User.username == normalise_username(name)) | (User.name_key == name_key(name))))
    return found is not None


def _hold(failures: list[datetime], free: int) -> datetime | None:
    """When sign-in opens again after `failures` (newest first), or None if open now."""
    if len(failures) < free:
        return None
    doublings = min(len(failures) - free, 20)
    return failures[0] + min(FIRST_HOLD * (2 ** doublings), LONGEST_HOLD)


def _recent(session: Session, column: Any, value: str, at: datetime) -> list[datetime]:
    return list(session.scalars(
        select(LoginFailure.failed_at)
        .where(column == value, LoginFailure.failed_at > at - FAILURE_WINDOW)
        .order_by(LoginFailure.failed_at.desc()).limit(MAX_ADDRESS_FAILURES + 40)))


def _known_device(session: Session, user: User | None, device: str) -> bool:
    if user is None or not device:
        return False
    row = session.get(KnownDevice, token_digest(device))
    return row is not None and row.user_id == user.id


def _verifies(stored: str | None, password: str) -> bool:
    """One argon2 verification whatever `stored` is (SSO markers and unknown users
    are checked against a dummy hash), so every failure costs the same."""
    real = stored is not None and stored.startswith("$argon2")
    try:
        return _hasher.verify(stored if real and stored else _dummy_hash(),
                              password[:MAX_PASSWORD]) and real
    except (VerificationError, InvalidHashError):
        return False


def verify_password(store: Store, username: str, password: str, *,
                    at: datetime | None = None, client: str = "",
                    device: str = "") -> UserInfo:
    """The user whose password this is; raises the same error for any wrong pair.

    Throttling (see the README's security section): from the MAX_FAILURES-th
    failure for a username within FAILURE_WINDOW, and from the
    MAX_ADDRESS_FAILURES-th from one client address, attempts wait FIRST_HOLD,
    doubling per further failure up to LONGEST_HOLD. Attempts during a hold are
    refused and not counted. A `device` token the account got at an earlier
    sign-in skips both holds. `client` "" (unknown) has no address limit.
    """
    at = at or now()
    name = normalise_username(username)[:200]
    client = client.strip()[:80]
    with store.read() as session:
        user = session.scalar(select(User).where(User.username == name))
        stored = user.password_hash if user is not None else None
        holds = [] if _known_device(session, user, device) else [
            h for h in (_hold(_recent(session, LoginFailure.username, name, at), MAX_FAILURES),
                        _hold(_recent(session, LoginFailure.client, client, at),
                              MAX_ADDRESS_FAILURES) if client else None)
            if h is not None and h > at]
    ok = _verifies(stored, password)  # always exactly one verification
    if holds:
        retry = max(holds)
        seconds = int((retry - at).total_seconds()) + 1
        wait = f"{-(-seconds // 60)} minute(s)" if seconds > 90 else f"{seconds} second(s)"
        raise TooManyAttempts(
            f"too many failed sign-ins: wait {wait} and try "
            "again, or ask your instructor to lift the hold")
    with store.transaction() as session:
        if not ok:
            session.add(LoginFailure(username=name, client=client, failed_at=at))
            session.execute(delete(LoginFailure).where(
                LoginFailure.failed_at <= at - FAILURE_WINDOW))
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


def lift_hold(store: Store, actor: Actor, username: str) -> int:
    """Forget an account's failed sign-ins; returns how many.

    Site admins and the console may for anyone; an instructor for members of a
    seminar they teach (the permission map's UNLOCK_ACCOUNT).
    """
    name = normalise_username(username)
    with store.transaction() as session:
        user = session.scalar(select(User).where(User.username == name))
        if user is None:
            raise NotFound(f"no user {name!r}")
        site_wide = principal_in(session, actor, None) in (Principal.CONSOLE,
                                                            Principal.SITE_ADMIN)
        seminars = session.scalars(select(Membership.seminar_id).where(
            Membership.user_id == user.id))
        if not site_wide and not any(
                allowed(principal_in(session, actor, sid), Action.UNLOCK_ACCOUNT)
                for sid in seminars):
            raise PermissionDenied(f"only a site admin or an instructor of {name}'s seminar "
                                   "can lift the hold: ask one of them")
        result = session.execute(delete(LoginFailure).where(LoginFailure.username == name))
        audit.record(session, actor.name, "user.unlock", None, name, {})
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def token_digest(token: str) -> str:
    """What the database keeps of a session token (accounts and guests)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def sign_in(store: Store, username: str, password: str, *, at: datetime | None = None,
            lifetime: timedelta = SESSION_LIFETIME, client: str = "",
            device: str = "") -> SignIn:
    """Check the password and open a session that ends after `lifetime`.

    The result's `device` is the token this browser presents next time
    (`device` itself when it is already this account's).
    """
    at = at or now()
    user = verify_password(store, username, password, at=at, client=client, device=device)
    token = secrets.token_urlsafe(32)
    expires = at + lifetime
    with store.transaction() as session:
        session.add(UserSession(token_sha256=token_digest(token), user_id=user.id, created_at=at,
                                expires_at=expires, revoked_at=None))
        known = session.get(KnownDevice, token_digest(device)) if device else None
        if known is None or known.user_id != user.id:
            device = secrets.token_urlsafe(32)
            session.add(KnownDevice(token_sha256=token_digest(device), user_id=user.id,
                                    created_at=at))
    return SignIn(token, user, expires, device)


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
    """Sign in the provider's user (`issuer`, `subject`), making the account on first use."""
    uid = sso_account(store, issuer, subject, preferred_username=preferred_username,
                      email=email, display_name=display_name, at=at)
    return open_session(store, uid, at=at, lifetime=lifetime)


def sso_account(store: Store, issuer: str, subject: str, *, preferred_username: str = "",
                email: str = "", display_name: str = "", at: datetime | None = None) -> int:
    """The id of the provider's user's account (`issuer`, `subject`), made on first use.

    The username comes from `preferred_username`, else the e-mail's local part,
    made safe and unique; the display name from the provider's name. An LTI
    platform's users (annotations.lti) are made here too, without a session.
    """
    if not issuer.strip() or not subject.strip():
        raise AuthenticationFailed(
            "the sign-in provider did not say who you are: try again or sign in with a password")
    key = f"{SSO_PREFIX}{issuer.strip()}|{subject.strip()}"
    with store.read() as session:
        uid = session.scalar(select(User.id).where(User.password_hash == key))
    if uid is None:
        base = _sso_base_name(preferred_username, email)
        try:
            shown = check_display_name((display_name.strip().splitlines() or [""])[0][:200])
        except InvalidInput:
            shown = base
        with store.transaction() as session:
            uid = session.scalar(select(User.id).where(User.password_hash == key))
            if uid is None:
                taken = set(session.scalars(select(User.username).where(
                    User.username.startswith(base, autoescape=True))))
                name = next(c for c in (base, *(f"{base}-{i}" for i in range(2, len(taken) + 3)))
                            if c not in taken and lookalike_of(session, c) is None)
                t = at or now()
                user = User(username=name, name_key=name_key(name), display_name=shown,
                            password_hash=key,
                            created_at=t, password_changed_at=t)
                session.add(user)
                session.flush()
                audit.record(session, name, "user.create", None, name,
                             {"display_name": shown, "sso": issuer.strip()})
                uid = user.id
    return uid
