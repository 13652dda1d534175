"""The live routes over real HTTP: a change produces an event, the poll answers, outsiders are
refused. The routes run in uvicorn in this process, so library writes here reach its hub."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from annotations import live
from annotations.accounts import create_user, grant_site_role
from annotations.annotation import create_annotation
from annotations.corpus import get_text
from annotations.db.engine import Store
from annotations.permissions import SITE_INSTRUCTOR_ROLE, Actor
from annotations.roles import create_seminar_as
from annotations.seminar import get_seminar
from annotations.web import live as web_live

DOC = "stalinism-inner-truth"


@pytest.fixture(autouse=True)
def fresh_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's store starts its revisions at 0: no numbers left from another test."""
    monkeypatch.setattr(live, "HUB", live.Hub())


@pytest.fixture
def server(store: Store, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("ANNOTATIONS_DATABASE_URL", sqlite_url)
    monkeypatch.setattr(live, "HEARTBEAT_SECONDS", 0.3)
    config = uvicorn.Config(Starlette(routes=web_live.routes()), host="127.0.0.1", port=0,
                            log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_until_complete, args=(srv.serve(),), daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started and time.monotonic() < deadline:
        time.sleep(0.02)
    port = srv.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


def _events(response: Any) -> Iterator[tuple[str, str]]:
    """(event, data) pairs from an SSE response, as they arrive."""
    kind, data = "message", ""
    for line in response.iter_lines():
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: "):
            data = line[6:]
        elif line == "" and data:
            yield kind, data
            kind, data = "message", ""


def test_a_change_produces_an_event(server: str, store: Store) -> None:
    sid = get_seminar(store, "demo").id
    token = live.subscription(sid, None)
    with httpx.stream("GET", f"{server}/live/{sid}", params={"t": token}, timeout=10) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        events = _events(r)
        kind, first = next(events)
        assert kind == "revision"
        text = get_text(store, DOC).text
        create_annotation(store, seminar="demo", document_id=DOC, start=0, end=9,
                          quote=text[:9], annotator="Ana")
        changed = next(e for e in events if e[0] == "revision")
        assert changed == ("revision", str(int(first) + 1))
        assert next(events) == ("heartbeat", str(int(first) + 1))  # quiet: the same number


def test_the_fallback_poll_answers_the_revision(server: str, store: Store) -> None:
    sid = get_seminar(store, "demo").id
    token = live.subscription(sid, None)
    before = httpx.get(f"{server}/live/{sid}/revision", params={"t": token}).json()["revision"]
    text = get_text(store, DOC).text
    create_annotation(store, seminar="demo", document_id=DOC, start=0, end=9,
                      quote=text[:9], annotator="Ana")
    after = httpx.get(f"{server}/live/{sid}/revision", params={"t": token})
    assert after.json() == {"revision": before + 1}
    assert after.headers["cache-control"] == "no-store"


def test_outsiders_are_refused(server: str, store: Store) -> None:
    owner = create_user(store, "olga", "Olga", "a long enough password")
    outsider = create_user(store, "xavier", "Xavier", "a long enough password")
    grant_site_role(store, Actor.console(), "olga", SITE_INSTRUCTOR_ROLE)
    closed = create_seminar_as(store, owner.id, "closed-one", "Closed").id
    demo = get_seminar(store, "demo").id
    refused = {
        "no token": (closed, ""),
        "forged": (closed, live.subscription(closed, owner.id)[:-2] + "xx"),
        "not a member": (closed, live.subscription(closed, outsider.id)),
        "a guest in a closed seminar": (closed, live.subscription(closed, None)),
        "another seminar's token": (closed, live.subscription(demo, owner.id)),
        "expired": (closed, live.subscription(closed, owner.id, now=time.time() - 2 * 86400)),
    }
    for why, (sid, token) in refused.items():
        for path in (f"/live/{sid}", f"/live/{sid}/revision"):
            r = httpx.get(f"{server}{path}", params={"t": token}, timeout=5)
            assert r.status_code == 403, (why, path)
    ok = httpx.get(f"{server}/live/{closed}/revision",
                   params={"t": live.subscription(closed, owner.id)})
    assert ok.status_code == 200
