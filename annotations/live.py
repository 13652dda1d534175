"""Live updates: each seminar's revision, pushed to the pages that follow it.

Every write bumps its seminar's revision inside its own transaction
(`seminar.bump`), which hands the new number to `note_bump`. When the
transaction commits, the number is published to this process's `HUB`, which
wakes every page following that seminar; nothing is published for a write
that rolled back. On PostgreSQL the bump also sends `NOTIFY` in the same
transaction, so other app processes sharing the database hear it (PostgreSQL
delivers it only on commit) through their `PgListener`. Without a listener
(SQLite, where the CLI or a second process may write too) the hub re-reads the
followed seminars' revisions twice a second, one query per process.

A page follows a seminar with a `subscription` token minted when the page was
drawn for someone who may read the seminar; the token names the seminar and
the principal and is checked again (signature, expiry, still a reader) when
the stream opens. The stream carries revision numbers only.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import secrets
import threading
import time
from collections.abc import AsyncIterator, Callable, Collection
from dataclasses import dataclass

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from . import config
from .db.engine import Store
from .db.models import Membership, Seminar, User

log = logging.getLogger(__name__)

Reader = Callable[[list[int]], dict[int, int]]

CHANNEL = "annotations_live"
HEARTBEAT_SECONDS = 15.0
WATCH_SECONDS = 0.5
TOKEN_SECONDS = 12 * 3600
_PENDING = "live_bumps"  # Session.info key: {seminar id: revision} waiting for the commit
_TOUCHED = "live_touched"  # Session.info key: [(seminar, revision, annotations or None)]


# ---------------------------------------------------------------- the hub


class _Waiter:
    """One follower's wake-up call, safe to ring from any thread."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.event = asyncio.Event()

    def ring(self) -> None:
        self.loop.call_soon_threadsafe(self.event.set)

    async def wait(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self.event.wait(), timeout)
        except TimeoutError:
            return False
        self.event.clear()
        return True


class Hub:
    """The latest revision of each seminar this process knows, and who follows it.

    While anyone follows, one task per process re-reads the followed seminars'
    revisions every `WATCH_SECONDS` (a single query, whatever the number of
    followers) unless a `PgListener` already delivers other processes' changes:
    that is how a write from another process (the CLI, a second app process on
    SQLite) reaches the pages.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[int, int] = {}
        self._followers: dict[int, set[_Waiter]] = {}
        self._watcher: asyncio.Task[None] | None = None
        self.listening = False  # a PgListener delivers other processes' changes

    def latest(self, seminar: int) -> int | None:
        with self._lock:
            return self._latest.get(seminar)

    def publish(self, seminar: int, revision: int, *, stored: bool = False) -> None:
        """Record `revision` and wake the seminar's followers.

        A notification older than the known number is ignored (they may arrive
        out of order); a number just read from the database (`stored`) is the
        truth even when lower, e.g. after a restore from a backup.
        """
        with self._lock:
            known = self._latest.get(seminar, -1)
            if revision == known or (revision < known and not stored):
                return
            self._latest[seminar] = revision
            waiters = list(self._followers.get(seminar, ()))
        for w in waiters:
            w.ring()

    def followers(self, seminar: int) -> int:
        with self._lock:
            return len(self._followers.get(seminar, ()))

    async def _watch(self, read: Reader) -> None:
        while True:
            await asyncio.sleep(WATCH_SECONDS)
            with self._lock:
                followed = list(self._followers)
            if not followed:
                self._watcher = None
                return
            if self.listening:
                continue
            try:
                found = await asyncio.to_thread(read, followed)
            except Exception as e:  # noqa: BLE001 - the database may be back next time
                log.warning("live updates: could not read revisions (%s)", e)
                continue
            for seminar, revision in found.items():
                self.publish(seminar, revision, stored=True)

    async def follow(self, seminar: int, read: Reader,
                     heartbeat: float = HEARTBEAT_SECONDS) -> AsyncIterator[int | None]:
        """The current revision, then each newer one; None for a quiet heartbeat.

        `read` maps seminar ids to their stored revisions (run in a worker
        thread): for the first number when this process has none yet, and by
        the watcher.
        """
        loop = asyncio.get_running_loop()
        waiter = _Waiter(loop)
        with self._lock:
            self._followers.setdefault(seminar, set()).add(waiter)
        if self._watcher is None or self._watcher.done() or self._watcher.get_loop() is not loop:
            self._watcher = loop.create_task(self._watch(read))
        try:
            shown = self.latest(seminar)
            if shown is None:
                found = await asyncio.to_thread(read, [seminar])
                self.publish(seminar, found.get(seminar, 0), stored=True)
                shown = self.latest(seminar) or 0
            yield shown
            while True:
                woke = await waiter.wait(heartbeat)
                now = self.latest(seminar) or 0
                if now != shown:
                    shown = now
                    yield now
                elif not woke:
                    yield None
        finally:
            with self._lock:
                self._followers[seminar].discard(waiter)
                if not self._followers[seminar]:
                    del self._followers[seminar]


HUB = Hub()


# ---------------------------------------------------------------- from the write path


class Changes:
    """Which annotations each revision this process committed changed, when the write said
    so (`seminar.bump(..., annotations=...)`): what lets a drawing of the next revision be
    built from the previous one (annotations.highlights) instead of from a full read.

    A revision this process did not commit (another process, the CLI) or whose write
    named no annotations (a codebook edit, a text replaced, members) is unknown, and so
    is every span that crosses it: the reader then reads everything.
    """

    KEEP = 512  # revisions remembered per seminar

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_seminar: dict[int, dict[int, frozenset[str]]] = {}

    def record(self, seminar: int, revision: int, annotations: frozenset[str] | None) -> None:
        with self._lock:
            known = self._by_seminar.setdefault(seminar, {})
            if annotations is None:
                known.pop(revision, None)
                return
            known[revision] = annotations
            while len(known) > self.KEEP:
                del known[min(known)]

    def between(self, seminar: int, since: int, until: int) -> frozenset[str] | None:
        """The annotations changed after revision `since` up to `until`; None if unknown."""
        if until < since:
            return None
        with self._lock:
            known = self._by_seminar.get(seminar, {})
            spans = [known.get(r) for r in range(since + 1, until + 1)]
        if any(x is None for x in spans):
            return None
        return frozenset().union(*spans)  # type: ignore[arg-type]


CHANGES = Changes()


def note_bump(session: Session, seminar: int, revision: int,
              annotations: frozenset[str] | None = None) -> None:
    """Called by `seminar.bump` inside the write: publish `revision` once it commits, with
    the annotations it changed (None: not said, anything may have changed)."""
    session.info.setdefault(_PENDING, {})[seminar] = revision
    session.info.setdefault(_TOUCHED, []).append((seminar, revision, annotations))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_notify(CHANNEL, f"{seminar}:{revision}")))


@event.listens_for(Session, "after_commit")
def _published(session: Session) -> None:
    for seminar, revision, touched in session.info.pop(_TOUCHED, []):
        CHANGES.record(seminar, revision, touched)
    for seminar, revision in session.info.pop(_PENDING, {}).items():
        HUB.publish(seminar, revision)


@event.listens_for(Session, "after_rollback")
def _dropped(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_TOUCHED, None)


def current_revisions(store: Store, seminars: Collection[int]) -> dict[int, int]:
    """The stored revision of each of `seminars` that exists, in one query."""
    with store.read() as session:
        rows = session.execute(
            select(Seminar.id, Seminar.revision).where(Seminar.id.in_(list(seminars))))
        return {sid: rev or 0 for sid, rev in rows}


# ---------------------------------------------------------------- PostgreSQL LISTEN


class PgListener:
    """A thread holding one LISTEN connection and publishing what other processes commit."""

    def __init__(self, store: Store, hub: Hub = HUB, retry_seconds: float = 2.0) -> None:
        url = store.engine.url.set(drivername="postgresql")
        self._conninfo = url.render_as_string(hide_password=False)
        self._hub = hub
        self._retry = retry_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="live-listen", daemon=True)
        self.ready = threading.Event()

    def start(self) -> PgListener:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._hub.listening = True
                    self.ready.set()
                    while not self._stop.is_set():
                        for n in conn.notifies(timeout=1.0):
                            self._deliver(n.payload)
            except Exception as e:  # noqa: BLE001 - any failure: fall back and retry
                log.warning("live updates: LISTEN connection lost (%s); retrying", e)
            finally:
                self._hub.listening = False
            self._stop.wait(self._retry)

    def _deliver(self, payload: str) -> None:
        seminar, _, revision = payload.partition(":")
        try:
            self._hub.publish(int(seminar), int(revision))
        except ValueError:
            log.warning("live updates: ignored notification %r", payload)


_listeners: dict[str, PgListener] = {}
_listeners_lock = threading.Lock()


def ensure_listener(store: Store) -> None:
    """One LISTEN thread per process and PostgreSQL database, started on first use."""
    if store.dialect != "postgresql":
        return
    key = store.engine.url.render_as_string(hide_password=False)
    with _listeners_lock:
        if key not in _listeners:
            _listeners[key] = PgListener(store).start()


# ---------------------------------------------------------------- subscriptions


@dataclass(frozen=True)
class Subscription:
    """Who may follow which seminar, until when (epoch seconds)."""

    seminar: int
    user_id: int | None  # None: a guest in an open seminar
    expires: int
    guest: str | None = None  # the guest's id, which blind rounds and highlights go by


_PROCESS_KEY = secrets.token_bytes(32)


def _key() -> bytes:
    configured = config.setting("ANNOTATIONS_SECRET_KEY")
    return configured.encode("utf-8") if configured else _PROCESS_KEY


def _sign(body: str) -> str:
    mac = hmac.new(_key(), body.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:18]).decode("ascii")


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def _unb64(text: str) -> str:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("utf-8")


def subscription(seminar: int, user_id: int | None, *, guest: str | None = None,
                 now: float | None = None) -> str:
    """A token for the page to open its stream with (minted only for a reader).

    It names the reader: an account by id, a guest by id (`guest`), so the
    highlights route shows each exactly what their page shows.
    """
    expires = int((now if now is not None else time.time()) + TOKEN_SECONDS)
    reader = str(user_id) if user_id is not None else f"g{_b64(guest or '')}"
    body = f"{seminar}.{reader}.{expires}"
    return f"{body}.{_sign(body)}"


def read_subscription(token: str, *, now: float | None = None) -> Subscription | None:
    """The subscription a token grants, or None if it is forged, malformed or expired."""
    body, _, mac = token.rpartition(".")
    if not body or not hmac.compare_digest(mac.encode("ascii", "replace"),
                                           _sign(body).encode("ascii")):
        return None
    try:
        seminar, user, expires = body.split(".")
        if user.startswith("g"):
            sub = Subscription(int(seminar), None, int(expires), _unb64(user[1:]) or None)
        else:
            sub = Subscription(int(seminar), int(user), int(expires))
    except (ValueError, UnicodeDecodeError):
        return None
    return sub if sub.expires > (now if now is not None else time.time()) else None


def reader(session: Session, sub: Subscription) -> str | None:
    """The username (or guest id) of the token's reader, while they may still read the
    seminar (`may_follow`); None once they may not. One query, in the caller's read."""
    if sub.user_id is not None:
        return session.scalar(select(User.username).join(
            Membership, Membership.user_id == User.id).where(
            User.id == sub.user_id, Membership.seminar_id == sub.seminar))
    closed = session.scalar(select(Seminar.closed).where(Seminar.id == sub.seminar))
    return (sub.guest or "") if closed is False else None


def may_follow(store: Store, sub: Subscription) -> bool:
    """Still a reader: a member of the seminar, or a guest while it is open to guests."""
    with store.read() as session:
        return reader(session, sub) is not None

