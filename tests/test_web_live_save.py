"""The save route over real HTTP: a Quick-code save on the browser's session cookie goes
through the library's write path, once per client id, and only for a writer of the seminar
from the app's own page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from webserver import serving

from annotations import blind, guests, highlights, live
from annotations.accounts import create_user, open_session
from annotations.annotation import Filters, create_annotation, list_annotations
from annotations.audit import list_entries
from annotations.corpus import get_text
from annotations.db.engine import Store
from annotations.permissions import Actor
from annotations.roles import create_seminar_as, join_seminar
from annotations.seminar import get_seminar, revision, set_closed
from annotations.web import live as web_live
from annotations.web.session import COOKIE

DOC = "stalinism-inner-truth"
SENT = "22222222-2222-4222-8222-222222222222"


@pytest.fixture(autouse=True)
def fresh_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "HUB", live.Hub())
    highlights.forget()


@pytest.fixture
def server(store: Store, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("ANNOTATIONS_DATABASE_URL", sqlite_url)
    with serving(web_live.routes()) as url:
        yield url


def _guest(store: Store, name: str = "Gus", slug: str = "demo") -> tuple[str, str]:
    """(cookie token, guest id) of a guest who joined `slug`."""
    signed = guests.join(store, get_seminar(store, slug), name)
    return signed.token, signed.guest.id


def _body(text: str, start: int, end: int, **extra: Any) -> dict[str, Any]:
    return {"id": SENT, "document": DOC, "start": start, "end": end, "quote": text[start:end],
            "perspective": "", "codes": [], **extra}


def _post(server: str, sid: int, body: Any, token: str | None, **headers: str) -> Any:
    cookies = {"Cookie": f"{COOKIE}={token}"} if token is not None else {}
    return httpx.post(f"{server}/live/{sid}/annotations", json=body,
                      headers={**cookies, **headers}, timeout=10)


def _stored(store: Store, slug: str = "demo") -> list[Any]:
    return list_annotations(store, Filters(seminar=slug, document=DOC))


def test_a_save_is_stored_as_the_cookie_s_holder(server: str, store: Store) -> None:
    sid = get_seminar(store, "demo").id
    token, gid = _guest(store)
    text = get_text(store, DOC).text
    before = revision(store, sid)
    r = _post(server, sid, _body(text, 0, 9, perspective="textbook", codes=["hedging"]), token,
              **{"Sec-Fetch-Site": "same-origin"})
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    [a] = _stored(store)
    assert r.json() == {"id": SENT, "start": 0, "end": 9, "revision": before + 1}
    assert (a.id, a.annotator, a.quote, a.perspective, a.codes) == (
        SENT, gid, text[:9], "textbook", ["hedging"])
    assert revision(store, sid) == before + 1  # the record-change path: pages hear it
    assert [e.action for e in list_entries(store, "demo") if e.target == SENT] == [
        "annotation.create"]


def test_a_retry_with_the_same_id_stores_once(server: str, store: Store) -> None:
    sid = get_seminar(store, "demo").id
    token, _ = _guest(store)
    text = get_text(store, DOC).text
    first = _post(server, sid, _body(text, 0, 9), token)
    again = _post(server, sid, _body(text, 0, 9), token)
    assert first.status_code == again.status_code == 200
    assert again.json()["id"] == first.json()["id"] == SENT
    assert len(_stored(store)) == 1


@pytest.mark.parametrize(("why", "change"), [
    ("quote not the text's", {"quote": "not these words"}),
    ("end past the text", {"start": 0, "end": 10**7}),
    ("end before start", {"start": 9, "end": 3}),
    ("offsets not numbers", {"start": "0"}),
    ("a code not in the codebook", {"codes": ["no such code"]}),
    ("a perspective not in the seminar", {"perspective": "no such perspective"}),
    ("an id that is not a UUID", {"id": "not-a-uuid"}),
])
def test_input_the_library_refuses_is_a_400(server: str, store: Store, why: str,
                                            change: dict[str, Any]) -> None:
    sid = get_seminar(store, "demo").id
    token, _ = _guest(store)
    r = _post(server, sid, {**_body(get_text(store, DOC).text, 0, 9), **change}, token)
    assert r.status_code == 400, why
    assert r.json()["error"]
    assert _stored(store) == []


def test_a_missing_field_a_document_elsewhere_and_not_json(server: str, store: Store) -> None:
    sid = get_seminar(store, "demo").id
    token, _ = _guest(store)
    body = _body(get_text(store, DOC).text, 0, 9)
    assert _post(server, sid, {k: v for k, v in body.items() if k != "quote"},
                 token).status_code == 400
    assert _post(server, sid, {**body, "document": "no-such-text"}, token).status_code == 404
    r = httpx.post(f"{server}/live/{sid}/annotations", content=b"id=1",
                   headers={"Cookie": f"{COOKIE}={token}",
                            "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415  # what a cross-site form could send
    assert _stored(store) == []


def test_who_may_not_write_here_is_refused(server: str, store: Store,
                                            open_signup: None) -> None:
    text = get_text(store, DOC).text
    demo = get_seminar(store, "demo").id
    ada = create_user(store, "ada", "Ada", "a long enough password")
    xav = create_user(store, "xav", "Xav", "a long enough password")
    closed = create_seminar_as(store, ada.id, "closed-one", join_code="CLOSED1")
    guest, _ = _guest(store)
    refused = {
        "no cookie": (demo, None, {}, 401),
        "an unknown token": (demo, "not-a-session", {}, 401),
        "cross-site (fetch metadata)": (demo, guest, {"Sec-Fetch-Site": "cross-site"}, 403),
        "cross-site (origin)": (demo, guest, {"Origin": "https://elsewhere.example"}, 403),
        "a guest in another seminar": (closed.id, guest, {}, 403),
        "an account that is not a member": (closed.id, open_session(store, xav.id).token,
                                            {}, 403),
        "an account, in an open seminar it did not join": (demo, open_session(
            store, xav.id).token, {}, 403),
    }
    for why, (sid, token, headers, status) in refused.items():
        r = _post(server, sid, _body(text, 0, 9), token, **headers)
        assert r.status_code == status, (why, r.text)
        assert r.json()["error"], why
    assert _stored(store) == [] and _stored(store, "closed-one") == []
    member = _post(server, closed.id, _body(text, 0, 9), open_session(store, ada.id).token)
    assert member.status_code == 200, member.text
    set_closed(store, "demo", Actor.console(), True)
    r = _post(server, demo, {**_body(text, 0, 9), "id": "33333333-3333-4333-8333-333333333333"},
              guest)
    assert r.status_code == 403  # the seminar closed to guests since they joined
    assert _stored(store) == []


def test_a_blind_round_s_hidden_id_is_not_answered(server: str, store: Store,
                                                   open_signup: None) -> None:
    """A classmate's id, learnt somehow, sent in a blind round: the save is stored under a
    new id and the answer tells nothing of the classmate's annotation."""
    teacher = create_user(store, "teacher", "Teacher", "a long enough password")
    ids = {u: create_user(store, u, u.title(), "a long enough password").id
           for u in ("ada", "bob")}
    sid = create_seminar_as(store, teacher.id, "class", join_code="CLASS1").id
    for u in ids:
        join_seminar(store, ids[u], "CLASS1")
    blind.set_blind(store, "class", "teacher", True)
    text = get_text(store, DOC).text
    bobs = create_annotation(store, seminar="class", document_id=DOC, start=0, end=9,
                             quote=text[:9], annotator="bob", annotation_id=SENT)
    r = _post(server, sid, _body(text, 0, 9), open_session(store, ids["ada"]).token)
    assert r.status_code == 200, r.text
    assert r.json()["id"] != SENT
    stored = {a.id: a.annotator for a in _stored(store, "class")}
    assert stored == {bobs.id: "bob", r.json()["id"]: "ada"}
