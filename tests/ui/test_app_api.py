"""The open API inside the real app (`streamlit run app.py`, st.App): the routes are served
next to Streamlit's, with the protocol's headers, and refuse what they must."""

from __future__ import annotations

import httpx
from argon2 import PasswordHasher
from ui_browser_kit import RunningApp

from annotations import accounts, api_tokens, corpus, roles
from annotations.annotation import create_annotation
from annotations.db.engine import Store
from annotations.permissions import Actor

DOC = "steel-and-sacrifice"


def test_the_container_and_a_download_through_the_running_app(running_app: RunningApp,
                                                               open_signup: None) -> None:
    store = Store.open(running_app.db_url)
    previous = accounts.use_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    try:
        olga = accounts.create_user(store, "olga", "Olga", "a long enough password")
    finally:
        accounts.use_hasher(previous)
    roles.create_seminar_as(store, olga.id, "hist", "History", "HIST01")
    quote = corpus.get_text(store, DOC).text[:8]
    aid = create_annotation(store, seminar="hist", document_id=DOC, start=0, end=8,
                            quote=quote, annotator="olga").id
    token = api_tokens.create_token(store, Actor("olga", olga.id, "user"), "olga", "t",
                                    ["hist"]).token
    store.dispose()
    base = f"{running_app.url}/api/seminars/hist/annotations/"
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(timeout=30) as client:
        r = client.get(base, headers=headers)
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("application/ld+json")
        assert "http://www.w3.org/ns/ldp#BasicContainer" in r.headers["link"]
        doc = r.json()
        assert doc["total"] == 1 and doc["first"]["items"][0]["id"] == base + aid
        one = client.get(base + aid, headers=headers)
        assert one.status_code == 200 and one.json()["canonical"] == f"urn:uuid:{aid}"
        assert client.get(base + aid, headers={
            **headers, "If-None-Match": one.headers["etag"]}).status_code == 304
        assert client.get(base).status_code == 401
        assert client.post(base, headers=headers, json={}).status_code == 405
        csv_text = client.get(f"{running_app.url}/api/seminars/hist/annotations.csv",
                              headers=headers).text
        assert csv_text.startswith("annotation_id,seminar,") and aid in csv_text
