"""The live routes over real HTTP: a change produces an event, the poll answers, outsiders are
refused. The routes run in uvicorn in this process, so library writes here reach its hub."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from webserver import serving

from annotations import blind, highlights, live
from annotations.accounts import create_user, grant_site_role
from annotations.annotation import (
    Filters,
    add_reply,
    create_annotation,
    delete_annotation,
    list_annotations,
    update_annotation,
)
from annotations.corpus import get_text
from annotations.db.engine import Store
from annotations.permissions import SITE_INSTRUCTOR_ROLE, Actor
from annotations.roles import create_seminar_as, join_seminar
from annotations.seminar import get_seminar, seminar_codebook
from annotations.web import live as web_live

DOC = "stalinism-inner-truth"


@pytest.fixture(autouse=True)
def fresh_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test's store starts its revisions at 0: no numbers left from another test
    (nor drawings: each test's temp store may reuse the last one's path)."""
    monkeypatch.setattr(live, "HUB", live.Hub())
    highlights.forget()


@pytest.fixture
def server(store: Store, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("ANNOTATIONS_DATABASE_URL", sqlite_url)
    monkeypatch.setattr(live, "HEARTBEAT_SECONDS", 0.3)
    with serving(web_live.routes()) as url:
        yield url


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
        for path in (f"/live/{sid}", f"/live/{sid}/revision", f"/live/{sid}/highlights"):
            r = httpx.get(f"{server}{path}", params={"t": token, "document": DOC}, timeout=5)
            assert r.status_code == 403, (why, path)
    ok = httpx.get(f"{server}/live/{closed}/revision",
                   params={"t": live.subscription(closed, owner.id)})
    assert ok.status_code == 200


# ---------------------------------------------------------------- the highlights route


def _drawn(server: str, sid: int, token: str, **params: Any) -> Any:
    r = httpx.get(f"{server}/live/{sid}/highlights",
                  params={"t": token, "document": DOC, "colour_by": "perspective", **params},
                  timeout=10)
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    return r.json()


def _expected(store: Store, slug: str, viewer: str) -> list[dict[str, Any]]:
    """What the page draws for `viewer`: the library's SQL visibility, not the drawing's."""
    cb = seminar_codebook(store, slug)
    views = list_annotations(store, Filters(seminar=slug, document=DOC), viewer=viewer)
    return highlights.records(get_text(store, DOC, seminar=slug), views,
                              colour_by="perspective", perspectives=cb.perspectives,
                              codes=cb.codes,
                              names=highlights.display_names(store, get_seminar(store, slug).id)
                              ).highlights


@pytest.fixture
def blind_class(store: Store, open_signup: None) -> dict[str, Any]:
    """A closed seminar in a blind round: teacher, students ada and bob, each annotating."""
    ids = {u: create_user(store, u, u.title(), "a long enough password").id
           for u in ("teacher", "ada", "bob")}
    sid = create_seminar_as(store, ids["teacher"], "class", join_code="CLASS1").id
    for u in ("ada", "bob"):
        join_seminar(store, ids[u], "CLASS1")
    blind.set_blind(store, "class", "teacher", True)
    text = get_text(store, DOC).text
    made = {u: create_annotation(store, seminar="class", document_id=DOC, start=5 * i,
                                 end=5 * i + 4, quote=text[5 * i:5 * i + 4], annotator=u).id
            for i, u in enumerate(("teacher", "ada", "bob"))}
    return {"sid": sid, "ids": ids, "made": made}


def test_the_highlights_are_what_the_reader_may_see(server: str, store: Store,
                                                    blind_class: dict[str, Any]) -> None:
    """A blind round: a student's drawing holds only their own, the instructor's everything,
    each equal to what the page would draw; the round's reveal shows everyone's."""
    sid, ids, made = blind_class["sid"], blind_class["ids"], blind_class["made"]
    for who in ("ada", "bob", "teacher"):
        got = _drawn(server, sid, live.subscription(sid, ids[who]))
        assert got["highlights"] == _expected(store, "class", who), who
    ada = _drawn(server, sid, live.subscription(sid, ids["ada"]), limit=25)
    assert [h["id"] for h in ada["highlights"]] == [made["ada"]]
    assert [i for i, _ in ada["panel"]["head"]] == [made["ada"]]
    assert ada["panel"]["count"] == 1
    assert len(_drawn(server, sid, live.subscription(sid, ids["teacher"]))["highlights"]) == 3
    blind.reveal(store, "class", "teacher")
    ada = _drawn(server, sid, live.subscription(sid, ids["ada"]))
    assert sorted(h["id"] for h in ada["highlights"]) == sorted(made.values())


def test_a_guest_in_a_blind_round_sees_only_their_own(server: str, store: Store) -> None:
    sid = get_seminar(store, "demo").id
    text = get_text(store, DOC).text
    mine = create_annotation(store, seminar="demo", document_id=DOC, start=0, end=4,
                             quote=text[:4], annotator="guest:gus").id
    create_annotation(store, seminar="demo", document_id=DOC, start=10, end=14,
                      quote=text[10:14], annotator="Hana")
    blind.set_blind(store, "demo", Actor.console(), True)
    got = _drawn(server, sid, live.subscription(sid, None, guest="guest:gus"))
    assert [h["id"] for h in got["highlights"]] == [mine]
    assert got["highlights"] == _expected(store, "demo", "guest:gus")


def test_only_what_changed_since_the_page_s_own_drawing(server: str, store: Store) -> None:
    """With `have` (the revision the page drew) the route sends only the changed and the
    removed highlights; merged into the page's own, they are the full drawing."""
    sid = get_seminar(store, "demo").id
    token = live.subscription(sid, None, guest="guest:gus")
    text = get_text(store, DOC).text
    keep, edit, drop = (create_annotation(store, seminar="demo", document_id=DOC, start=i,
                                          end=i + 4, quote=text[i:i + 4], annotator="Hana")
                        for i in (0, 10, 20))
    first = _drawn(server, sid, token)
    assert "since" not in first
    update_annotation(store, edit.id, seminar="demo", actor="Hana", note="now with a note")
    delete_annotation(store, drop.id, seminar="demo", actor="Hana")
    added = create_annotation(store, seminar="demo", document_id=DOC, start=30, end=34,
                              quote=text[30:34], annotator="Ben")
    full = _drawn(server, sid, token)
    diff = _drawn(server, sid, token, have=first["revision"], seen_as="all")
    assert diff["since"] == first["revision"] and diff["revision"] == full["revision"]
    assert sorted(h["id"] for h in diff["changed"]) == sorted([edit.id, added.id])
    assert diff["removed"] == [drop.id]
    merged = [h for h in first["highlights"]
              if h["id"] not in {*diff["removed"], *(c["id"] for c in diff["changed"])}]
    merged += diff["changed"]
    assert sorted(merged, key=lambda h: h["id"]) == sorted(full["highlights"],
                                                           key=lambda h: h["id"])
    assert diff["digest"] == full["digest"]
    # Another class of readers' earlier drawing is never the base: everything comes.
    assert "highlights" in _drawn(server, sid, token, have=first["revision"], seen_as="own:x")
    assert keep.id in {h["id"] for h in full["highlights"]}


def test_the_panel_part_follows_the_page_s_list(server: str, store: Store) -> None:
    """`limit` and `selected` give the side panel's first entries and the opened one, with
    fingerprints that change when a reply is added (which draws nothing new)."""
    sid = get_seminar(store, "demo").id
    token = live.subscription(sid, None, guest="guest:gus")
    text = get_text(store, DOC).text
    made = [create_annotation(store, seminar="demo", document_id=DOC, start=i, end=i + 4,
                              quote=text[i:i + 4], annotator="Hana").id for i in (0, 10, 20)]
    before = _drawn(server, sid, token, limit=2, selected=made[2])
    assert [i for i, _ in before["panel"]["head"]] == made[:2]
    assert before["panel"]["opened"][0] == made[2] and before["panel"]["count"] == 3
    add_reply(store, made[2], seminar="demo", author="Ben", text="why?")
    after = _drawn(server, sid, token, limit=2, selected=made[2])
    assert after["highlights"] == before["highlights"]
    assert after["panel"]["head"] == before["panel"]["head"]
    assert after["panel"]["opened"] != before["panel"]["opened"]


def test_a_document_the_seminar_does_not_have_is_not_found(server: str, store: Store) -> None:
    sid = get_seminar(store, "demo").id
    r = httpx.get(f"{server}/live/{sid}/highlights",
                  params={"t": live.subscription(sid, None, guest="guest:gus"),
                          "document": "no-such-text"}, timeout=5)
    assert r.status_code == 404 and "reload the page" in r.text
