"""The open API over HTTP (issue 13): the W3C Web Annotation Protocol's MUSTs for reading,
bearer-token auth under the permission map, and the CSV downloads.

The routes run in Starlette's httpx.Client against a temp SQLite store (the token and
visibility rules are also tested on PostgreSQL in test_api_tokens.py).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from test_jsonld import ANNOTATION_MUSTS, must_failures
from webserver import serving

from annotations import accounts, api_tokens, blind, corpus, export, jsonld, protocol, roles
from annotations.annotation import Filters, add_reply, create_annotation, delete_annotation
from annotations.db.engine import Store
from annotations.framing.rows import CLAIM_COLUMNS, FRAMING_COLUMNS
from annotations.permissions import Actor
from annotations.timeutil import now
from annotations.web import api

DOC = "steel-and-sacrifice"
PATH = "/api/seminars/hist/annotations/"
ANNO = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'

pytestmark = pytest.mark.usefixtures("open_signup", "fast_hasher")


@pytest.fixture
def hist(store: Store, sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Store:
    """`hist` (closed): olga teaches, ana and ben study; `other`: olga only."""
    monkeypatch.setenv("ANNOTATIONS_DATABASE_URL", sqlite_url)
    users = {n: accounts.create_user(store, n, n.title(), "a long enough password")
             for n in ("olga", "ana", "ben")}
    roles.create_seminar_as(store, users["olga"].id, "hist", "History", "HIST01")
    roles.create_seminar_as(store, users["olga"].id, "other", "Other", "OTHR01")
    for n in ("ana", "ben"):
        roles.join_seminar(store, users[n].id, "HIST01")
    return store


@pytest.fixture
def client(hist: Store) -> Iterator[httpx.Client]:
    """The API's routes in uvicorn on a free port, and an HTTP client for them."""
    with serving(api.routes()) as url, httpx.Client(base_url=url, timeout=60) as c:
        yield c


def container(client: httpx.Client) -> str:
    """The container's address, as the server names it."""
    return str(client.base_url).rstrip("/") + PATH


def token(store: Store, owner: str, seminars: tuple[str, ...] = ("hist",), **kw: Any) -> str:
    with store.read() as session:
        actor = Actor.named(session, owner)
    return api_tokens.create_token(store, actor, owner, "test", list(seminars), **kw).token


def auth(tok: str, **more: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tok}", **more}


def annotate(store: Store, who: str, start: int, **kw: Any) -> str:
    quote = corpus.get_text(store, DOC).text[start:start + 8]
    return create_annotation(store, seminar="hist", document_id=DOC, start=start,
                             end=start + 8, quote=quote, annotator=who, **kw).id


def links(response: Any) -> set[tuple[str, str]]:
    """(target, rel) pairs of the Link header."""
    out = set()
    for part in response.headers.get("link", "").split(","):
        target, _, params = part.strip().partition(";")
        out.add((target.strip().strip("<>"), params.split("=", 1)[1].strip().strip('"')))
    return out


# --- the container ------------------------------------------------------------------------


def test_the_container_answers_with_the_protocols_headers(hist: Store, client: httpx.Client
                                                          ) -> None:
    base = container(client)
    first = annotate(hist, "ana", 0, note="first", codes=["hedging"])
    add_reply(hist, first, seminar="hist", author="ben", text="agreed")
    annotate(hist, "ben", 30)
    r = client.get(base, headers=auth(token(hist, "olga")))
    assert r.status_code == 200
    assert r.headers["content-type"] == ANNO
    assert {("http://www.w3.org/ns/ldp#BasicContainer", "type"),
            ("http://www.w3.org/ns/ldp#Container", "type"),
            ("http://www.w3.org/TR/annotation-protocol/",
             "http://www.w3.org/ns/ldp#constrainedBy")} <= links(r)
    assert {m.strip() for m in r.headers["allow"].split(",")} >= {"GET", "HEAD", "OPTIONS"}
    assert "Accept" in r.headers["vary"] and r.headers["etag"].startswith('"')
    assert r.headers["content-location"] == base
    doc = r.json()
    assert doc["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
    assert {"BasicContainer", "AnnotationCollection"} <= set(doc["type"])
    assert doc["id"] == base and doc["total"] == 3
    page = doc["first"]
    assert page["type"] == "AnnotationPage" and page["partOf"] == base
    assert doc["last"] == page["id"] and "next" not in page and "prev" not in page
    assert [i["canonical"] for i in page["items"]][0] == f"urn:uuid:{first}"
    assert must_failures(doc, "collections/collectionMusts.test") == []
    for item in page["items"]:
        assert item["id"].startswith(base)
        if item["motivation"] != "replying":
            for test_file in ANNOTATION_MUSTS:
                assert must_failures(item, test_file) == [], (test_file, item["id"])


def test_pages_link_next_prev_and_their_container(hist: Store, client: httpx.Client,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    base = container(client)
    monkeypatch.setattr(protocol, "PAGE_SIZE", 2)
    made = [annotate(hist, "ana", 10 * i) for i in range(5)]
    headers = auth(token(hist, "olga"))
    doc = client.get(base, headers=headers).json()
    assert doc["total"] == 5 and doc["last"] == f"{base}?page=3"
    seen, url, pages = [], doc["first"]["id"], []
    while url:
        r = client.get(url, headers=headers)
        assert r.status_code == 200 and r.headers["content-type"] == ANNO
        page = r.json()
        assert page["type"] == "AnnotationPage" and page["partOf"] == base
        assert page["startIndex"] == len(seen)
        assert must_failures(page, "collections/pages/pageMusts.test") == []
        pages.append(page)
        seen += [i["canonical"].removeprefix("urn:uuid:") for i in page["items"]]
        url = page.get("next")
    assert sorted(seen) == sorted(made) and len(pages) == 3
    assert "prev" not in pages[0] and pages[1]["prev"] == pages[0]["id"]
    assert pages[2]["prev"] == pages[1]["id"] and "next" not in pages[2]
    for bad in ("0", "4", "x"):
        assert client.get(f"{base}?page={bad}", headers=headers).status_code == 404


def test_prefer_chooses_minimal_iris_or_descriptions(hist: Store, client: httpx.Client) -> None:
    base = container(client)
    aid = annotate(hist, "ana", 0)
    headers = auth(token(hist, "olga"))
    minimal = client.get(base, headers={**headers, "Prefer": 'return=representation; '
                                        f'include="{protocol.PREFER_MINIMAL}"'})
    assert minimal.json()["first"] == f"{base}?page=1"
    assert minimal.headers["preference-applied"] == "return=representation"
    assert "Prefer" in minimal.headers["vary"]
    iris = client.get(base, headers={**headers, "Prefer": 'return=representation; '
                                     f'include="{protocol.PREFER_IRIS}"'}).json()
    assert iris["first"]["items"] == [base + aid] and iris["last"] == f"{base}?page=1&iris=1"
    full = client.get(base, headers={**headers, "Prefer": 'return=representation; '
                                     f'include="{protocol.PREFER_DESCRIPTIONS}"'}).json()
    assert full["first"]["items"][0]["type"] == "Annotation"
    assert client.get(f"{base}?page=1&iris=1", headers=headers).json()["items"] == [base + aid]


def test_an_empty_container_has_no_pages(hist: Store, client: httpx.Client) -> None:
    base = container(client)
    doc = client.get(base, headers=auth(token(hist, "olga"))).json()
    assert doc["total"] == 0 and "first" not in doc and "last" not in doc


# --- single annotations, validators, negotiation, methods -----------------------------------


def test_one_annotation_with_its_headers_and_404_for_unknown(hist: Store, client: httpx.Client
                                                              ) -> None:
    base = container(client)
    aid = annotate(hist, "ana", 0, note="a note")
    rid = add_reply(hist, aid, seminar="hist", author="ben", text="a reply").id
    headers = auth(token(hist, "ben"))
    r = client.get(base + aid, headers=headers)
    assert r.status_code == 200 and r.headers["content-type"] == ANNO
    assert ("http://www.w3.org/ns/ldp#Resource", "type") in links(r)
    assert r.headers["etag"] and "Accept" in r.headers["vary"]
    assert {m.strip() for m in r.headers["allow"].split(",")} == {"GET", "HEAD", "OPTIONS"}
    body = r.json()
    assert body["id"] == base + aid and body["canonical"] == f"urn:uuid:{aid}"
    assert body["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
    reply = client.get(base + rid, headers=headers).json()
    assert reply["motivation"] == "replying" and reply["target"] == f"urn:uuid:{aid}"
    for unknown in ("00000000-0000-4000-8000-000000000000", "not-a-uuid"):
        assert client.get(base + unknown, headers=headers).status_code == 404


def test_etags_answer_304_until_something_changes(hist: Store, client: httpx.Client) -> None:
    base = container(client)
    aid = annotate(hist, "ana", 0)
    headers = auth(token(hist, "olga"))
    for url in (base, base + aid, f"{base}?page=1"):
        first = client.get(url, headers=headers)
        tag = first.headers["etag"]
        again = client.get(url, headers={**headers, "If-None-Match": tag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == tag
        assert client.get(url, headers={**headers, "If-None-Match": '"other"'}
                          ).status_code == 200
    tag = client.get(base, headers=headers).headers["etag"]
    annotate(hist, "ben", 40)
    changed = client.get(base, headers={**headers, "If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag


def test_content_negotiation(hist: Store, client: httpx.Client) -> None:
    base = container(client)
    aid = annotate(hist, "ana", 0)
    headers = auth(token(hist, "olga"))
    for accept, expected in (("", ANNO), ("*/*", ANNO), (ANNO, ANNO),
                             ("application/ld+json", ANNO),
                             ("text/turtle;q=1, application/ld+json;q=0.5", ANNO),
                             ("application/json", "application/json")):
        for url in (base, base + aid):
            r = client.get(url, headers={**headers, "Accept": accept} if accept else headers)
            assert r.status_code == 200 and r.headers["content-type"] == expected, accept
    tags = {client.get(base + aid, headers={**headers, "Accept": a}).headers["etag"]
            for a in (ANNO, "application/json")}
    assert len(tags) == 2  # a validator per representation
    for accept in ("text/turtle", "text/html", "application/ld+json;q=0"):
        r = client.get(base + aid, headers={**headers, "Accept": accept})
        assert r.status_code == 406 and "Accept" in r.headers["vary"]


def test_head_and_options_and_no_writes(hist: Store, client: httpx.Client) -> None:
    base = container(client)
    aid = annotate(hist, "ana", 0)
    headers = auth(token(hist, "olga"))
    for url in (base, base + aid):
        got = client.get(url, headers=headers)
        head = client.head(url, headers=headers)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["etag"] == got.headers["etag"]
        assert head.headers["content-length"] == str(len(got.content))
        options = client.options(url, headers={"Origin": "https://tool.example",
                                                "Access-Control-Request-Method": "GET"})
        assert options.status_code == 204 and "GET" in options.headers["allow"]
        assert "Authorization" in options.headers["access-control-allow-headers"]
        assert got.headers["access-control-allow-origin"] == "*"
        assert "ETag" in got.headers["access-control-expose-headers"]
        assert "access-control-allow-credentials" not in got.headers
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            r = client.request(method, url, headers=headers, json={"type": "Annotation"})
            assert r.status_code == 405, (method, url)
            assert "POST" not in r.headers["allow"] and "GET" in r.headers["allow"]
    assert client.get(base + aid, headers=headers).status_code == 200  # nothing was deleted


def test_what_the_api_serves_imports_back(hist: Store, client: httpx.Client) -> None:
    base = container(client)
    aid = annotate(hist, "ana", 0, note="n", codes=["hedging"])
    add_reply(hist, aid, seminar="hist", author="ben", text="r")
    page = client.get(f"{base}?page=1", headers=auth(token(hist, "olga"))).json()
    annotations, replies, errors = jsonld.parse_jsonld(json.dumps(page))
    assert errors == []
    assert [a.annotation_id for a in annotations] == [aid]
    assert [r.annotation_id for r in replies] == [aid]


# --- who may read what ----------------------------------------------------------------------


def test_no_bad_revoked_or_expired_token_is_401_with_a_challenge(hist: Store,
                                                                 client: httpx.Client) -> None:
    base = container(client)
    r = client.get(base)
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert client.get(base, headers={"Authorization": "Basic b2xnYTpwdw=="}).status_code == 401
    good = token(hist, "olga")
    with hist.read() as session:
        olga = Actor.named(session, "olga")
    revoked = token(hist, "olga")
    api_tokens.revoke_token(hist, olga, api_tokens.verify(hist, revoked).token_id)
    expired = token(hist, "olga", expires_in_days=1, at=now() - timedelta(days=2))
    for bad in ("ann_nonsense", revoked, expired, good[:-3] + "abc"):
        r = client.get(base, headers=auth(bad))
        assert r.status_code == 401
        assert 'error="invalid_token"' in r.headers["www-authenticate"]
    assert "expired" in client.get(base, headers=auth(expired)).json()["error"]
    assert client.get(base, headers=auth(good)).status_code == 200


def test_other_seminars_are_404_without_telling_whether_they_exist(hist: Store,
                                                                     client: httpx.Client) -> None:
    base = container(client)
    headers = auth(token(hist, "olga", ("hist",)))
    other = "/api/seminars/other/annotations/"
    nowhere = "/api/seminars/nowhere/annotations/"
    a, b = client.get(other, headers=headers), client.get(nowhere, headers=headers)
    assert a.status_code == b.status_code == 404
    assert a.json()["error"].replace("other", "S") == b.json()["error"].replace("nowhere", "S")
    assert client.get("/api/seminars/other/annotations.csv",
                      headers=headers).status_code == 404
    listed = client.get("/api/seminars", headers=headers).json()
    assert [s["seminar"] for s in listed["seminars"]] == ["hist"]
    assert listed["seminars"][0]["annotations"] == base


def test_a_students_token_hides_classmates_during_a_blind_round(hist: Store,
                                                                client: httpx.Client) -> None:
    base = container(client)
    own = annotate(hist, "ana", 0)
    theirs = annotate(hist, "ben", 30)
    blind.set_blind(hist, "hist", "olga", True)
    headers = auth(token(hist, "ana"))
    items = client.get(base, headers=headers).json()["first"]["items"]
    assert [i["canonical"] for i in items] == [f"urn:uuid:{own}"]
    assert client.get(base + theirs, headers=headers).status_code == 404
    rows = list(csv.DictReader(io.StringIO(client.get(
        "/api/seminars/hist/annotations.csv", headers=headers).text)))
    assert [r["annotator"] for r in rows] == ["ana"]
    teacher = client.get(base, headers=auth(token(hist, "olga"))).json()
    assert teacher["total"] == 2
    blind.submit(hist, "hist", "ana")
    assert client.get(base + theirs, headers=headers).status_code == 200


def test_deleted_annotations_are_not_served(hist: Store, client: httpx.Client) -> None:
    base = container(client)
    gone = annotate(hist, "ana", 0, note="withdrawn")
    thread = annotate(hist, "ana", 30, note="withdrawn too")
    add_reply(hist, thread, seminar="hist", author="ben", text="a reply")
    kept = annotate(hist, "ben", 60)
    for aid in (gone, thread):
        delete_annotation(hist, aid, seminar="hist", actor="ana")
    headers = auth(token(hist, "olga"))
    doc = client.get(base, headers=headers).json()
    assert [i["canonical"] for i in doc["first"]["items"]] == [f"urn:uuid:{kept}"]
    assert "withdrawn" not in json.dumps(doc)
    for aid in (gone, thread):
        assert client.get(base + aid, headers=headers).status_code == 404
    rows = list(csv.DictReader(io.StringIO(client.get(
        "/api/seminars/hist/annotations.csv", headers=headers).text)))
    assert "withdrawn" not in str(rows)  # the CSV keeps the thread's place, not its content
    assert [r["note"] for r in rows if r["annotation_id"] == thread] == [
        "[deleted by its author]"]


# --- downloads ------------------------------------------------------------------------------


def test_csv_downloads_are_the_exports_with_the_formula_guard(hist: Store,
                                                              client: httpx.Client) -> None:
    aid = annotate(hist, "ana", 0, note="=HYPERLINK(\"http://x\")")
    add_reply(hist, aid, seminar="hist", author="ben", text="+1 agreed")
    headers = auth(token(hist, "ben"))
    url = "/api/seminars/hist/"
    r = client.get(url + "annotations.csv", headers=headers)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    expected = io.StringIO()
    export.export_annotations(hist, expected, Filters(seminar="hist"))
    assert r.text == expected.getvalue()
    rows = list(csv.reader(io.StringIO(r.text)))
    assert tuple(rows[0]) == export.COLUMNS
    assert rows[1][export.COLUMNS.index("note")].startswith("'=")
    replies = list(csv.reader(io.StringIO(client.get(url + "replies.csv", headers=headers).text)))
    assert tuple(replies[0]) == export.REPLY_COLUMNS and replies[1][3] == "'+1 agreed"
    tag = r.headers["etag"]
    assert client.get(url + "annotations.csv",
                      headers={**headers, "If-None-Match": tag}).status_code == 304
    assert client.get(url + "nothing.csv", headers=headers).status_code == 404
    assert client.post(url + "annotations.csv", headers=headers).status_code == 405


def test_claims_and_framing_downloads_have_the_cli_columns(hist: Store,
                                                           client: httpx.Client) -> None:
    headers = auth(token(hist, "ana"))
    url = "/api/seminars/hist/"
    claims = client.get(url + "claims.csv", params={"document": DOC}, headers=headers)
    assert claims.status_code == 200
    rows = list(csv.reader(io.StringIO(claims.text)))
    assert tuple(rows[0]) == CLAIM_COLUMNS and len(rows) > 1
    assert {r[1] for r in rows[1:]} == {DOC}
    framing = list(csv.reader(io.StringIO(client.get(
        url + "framing.csv", params={"document": DOC}, headers=headers).text)))
    assert tuple(framing[0]) == FRAMING_COLUMNS and {r[0] for r in framing[1:]} == {DOC}
    assert client.get(url + "claims.csv", params={"document": "nope"},
                      headers=headers).status_code == 404
