"""Live updates in the library: a committed write is published, on every backend and across
processes on PostgreSQL; subscriptions are signed, expire and stay with readers."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from annotations import live
from annotations.accounts import create_user, grant_site_role
from annotations.annotation import create_annotation
from annotations.corpus import get_text
from annotations.db.engine import Store
from annotations.permissions import SITE_INSTRUCTOR_ROLE, Actor
from annotations.roles import create_seminar_as
from annotations.seminar import bump, create_seminar, get_seminar

DOC = "stalinism-inner-truth"


@pytest.fixture(autouse=True)
def fresh_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's store starts its revisions at 0: no numbers left from another test."""
    monkeypatch.setattr(live, "HUB", live.Hub())


def _annotate(store: Store, who: str = "Ana") -> str:
    text = get_text(store, DOC).text
    return create_annotation(store, seminar="demo", document_id=DOC, start=0, end=9,
                             quote=text[:9], annotator=who).id


def test_a_committed_write_is_published_with_its_revision(any_store: Store) -> None:
    sid = get_seminar(any_store, "demo").id
    before = live.current_revisions(any_store, [sid])[sid]
    _annotate(any_store)
    after = live.current_revisions(any_store, [sid])[sid]
    assert after == before + 1
    assert live.HUB.latest(sid) == after


def test_a_rolled_back_write_publishes_nothing(store: Store) -> None:
    sid = get_seminar(store, "demo").id
    _annotate(store)
    published = live.HUB.latest(sid)
    with pytest.raises(RuntimeError), store.transaction() as session:
        bump(session, sid)
        raise RuntimeError("the write fails after its bump")
    assert live.HUB.latest(sid) == published
    assert live.current_revisions(store, [sid])[sid] == published


def test_followers_hear_each_newer_revision_and_heartbeats() -> None:
    hub = live.Hub()

    async def scenario() -> list[int | None]:
        heard: list[int | None] = []
        stream = hub.follow(7, lambda ids: {7: 3}, heartbeat=0.2)
        heard.append(await anext(stream))
        hub.publish(7, 5)
        heard.append(await anext(stream))
        hub.publish(7, 4)  # older than what is known: ignored
        heard.append(await anext(stream))  # a quiet heartbeat
        hub.publish(7, 2, stored=True)  # read from the database: lower, after a restore
        heard.append(await anext(stream))
        assert hub.followers(7) == 1
        await stream.aclose()
        assert hub.followers(7) == 0
        return heard

    assert asyncio.run(scenario()) == [3, 5, None, 2]


def test_the_watcher_brings_a_write_from_another_process(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """No listener (SQLite): the hub re-reads the followed revisions, one query per round."""
    monkeypatch.setattr(live, "WATCH_SECONDS", 0.05)
    hub = live.Hub()
    stored = {1: 2, 2: 10}
    queries: list[list[int]] = []

    def read(ids: list[int]) -> dict[int, int]:
        queries.append(sorted(ids))
        return {i: stored[i] for i in ids}

    async def scenario() -> tuple[int | None, int | None]:
        one, two = hub.follow(1, read, heartbeat=5), hub.follow(2, read, heartbeat=5)
        assert (await anext(one), await anext(two)) == (2, 10)
        stored[1] = 3  # written by another process: no publish here
        got = await asyncio.wait_for(anext(one), 2)
        await one.aclose()
        await two.aclose()
        return got, hub.latest(2)

    assert asyncio.run(scenario()) == (3, 10)
    assert [1, 2] in queries  # both seminars in one query


def test_postgres_notify_reaches_another_process_listener(pg_server: Any) -> None:
    store = Store.open(pg_server.create_database())
    create_seminar(store, "demo", "Demo seminar", "DEMO01")
    other = live.Hub()  # another app process: it hears only through LISTEN
    listener = live.PgListener(store, hub=other).start()
    try:
        assert listener.ready.wait(10)
        assert other.listening
        sid = get_seminar(store, "demo").id
        with pytest.raises(RuntimeError), store.transaction() as session:
            bump(session, sid)
            raise RuntimeError("rolled back: PostgreSQL delivers no NOTIFY")
        with store.transaction() as session:
            bump(session, sid)
        want = live.current_revisions(store, [sid])[sid]
        assert want == 1
        deadline = time.monotonic() + 10
        while other.latest(sid) is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert other.latest(sid) == want
    finally:
        listener.stop()
        store.dispose()
    assert not other.listening


def test_subscriptions_are_signed_and_expire(monkeypatch: pytest.MonkeyPatch) -> None:
    token = live.subscription(4, 12, now=1000)
    assert live.read_subscription(token, now=1001) == live.Subscription(
        4, 12, 1000 + live.TOKEN_SECONDS)
    assert live.read_subscription(token, now=1000 + live.TOKEN_SECONDS) is None
    body, _, mac = token.rpartition(".")
    forged = body.replace("4.12", "5.12", 1)
    assert live.read_subscription(f"{forged}.{mac}", now=1001) is None
    assert live.read_subscription("nonsense", now=1001) is None
    monkeypatch.setenv("ANNOTATIONS_SECRET_KEY", "another process's key")
    assert live.read_subscription(token, now=1001) is None  # keys must match across processes


def test_a_guest_s_token_names_the_guest() -> None:
    """The highlights route shows a guest their own work in a blind round: the guest id
    (any characters, dots included) is in the signed token and cannot be swapped."""
    token = live.subscription(4, None, guest="guest:ä.b c", now=1000)
    sub = live.read_subscription(token, now=1001)
    assert sub == live.Subscription(4, None, 1000 + live.TOKEN_SECONDS, "guest:ä.b c")
    other = live.subscription(4, None, guest="guest:eve", now=1000)
    swapped = ".".join([*token.split(".")[:1], other.split(".")[1], *token.split(".")[2:]])
    assert live.read_subscription(swapped, now=1001) is None


def test_only_readers_may_follow(store: Store) -> None:
    owner = create_user(store, "olga", "Olga", "a long enough password")
    outsider = create_user(store, "xavier", "Xavier", "a long enough password")
    grant_site_role(store, Actor.console(), "olga", SITE_INSTRUCTOR_ROLE)
    closed = create_seminar_as(store, owner.id, "closed-one", "Closed")
    demo = get_seminar(store, "demo")
    now = time.time()

    def may(seminar: int, user: int | None) -> bool:
        sub = live.read_subscription(live.subscription(seminar, user, now=now))
        assert sub is not None
        return live.may_follow(store, sub)

    assert may(closed.id, owner.id)
    assert not may(closed.id, outsider.id)
    assert not may(closed.id, None)  # guests only in open seminars
    assert may(demo.id, None)
    assert not may(10_000, None)  # no such seminar
