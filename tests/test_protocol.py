"""The protocol's pure parts: content negotiation, Prefer, validators and paging."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations import protocol
from annotations.protocol import MEDIA_TYPE, PLAIN_JSON, Container


@pytest.mark.parametrize(("accept", "expected"), [
    ("", MEDIA_TYPE),
    ("*/*", MEDIA_TYPE),
    ("application/*", MEDIA_TYPE),
    (MEDIA_TYPE, MEDIA_TYPE),
    ("application/ld+json;q=0.4, application/json;q=0.9", PLAIN_JSON),
    ("application/json, application/ld+json", MEDIA_TYPE),  # a tie: the profile wins
    ("application/ld+json;q=0, */*", PLAIN_JSON),  # the specific range's q=0 holds
    ("text/turtle", None),
    ("text/html, image/*", None),
    ("*/*;q=0", None),
    ("application/json;q=nonsense", None),
])
def test_negotiate(accept: str, expected: str | None) -> None:
    assert protocol.negotiate(accept) == expected


def test_preference() -> None:
    iris = f'return=representation; include="{protocol.PREFER_IRIS}"'
    assert protocol.preference(iris) == protocol.PREFER_IRIS
    both = (f'return=representation; include="{protocol.PREFER_DESCRIPTIONS} '
            f'{protocol.PREFER_MINIMAL}"')
    assert protocol.preference(both) == protocol.PREFER_MINIMAL
    assert protocol.preference("respond-async") is None
    assert protocol.preference("return=minimal") is None


def test_validators() -> None:
    tag = protocol.etag(b"{}", MEDIA_TYPE)
    assert tag != protocol.etag(b"{}", PLAIN_JSON) != protocol.etag(b"[]", PLAIN_JSON)
    assert protocol.not_modified(tag, tag) and protocol.not_modified(f'"x", W/{tag}', tag)
    assert protocol.not_modified("*", tag) and not protocol.not_modified('"x"', tag)
    assert not protocol.not_modified("", tag)


@given(n=st.integers(0, 60), size=st.integers(1, 12), iris=st.booleans())
def test_pages_cover_every_item_once_in_order(n: int, size: int, iris: bool) -> None:
    base = "http://h/api/seminars/s/annotations/"
    items = [{"id": f"{base}{i}", "type": "Annotation"} for i in range(n)]
    found = Container(base, "s", items)
    original, protocol.PAGE_SIZE = protocol.PAGE_SIZE, size
    try:
        collection = found.collection(protocol.PREFER_IRIS if iris else None)
        assert collection["total"] == n
        if n == 0:
            assert "first" not in collection
            return
        seen: list[object] = []
        number, previous = 1, None
        while True:
            page = found.page(number, iris)
            assert page["partOf"] == base and page["startIndex"] == len(seen)
            assert page.get("prev") == previous
            seen += page["items"]
            if "next" not in page:
                break
            previous, number = page["id"], number + 1
        assert page["id"] == collection["last"]
        assert seen == ([i["id"] for i in items] if iris else items)
        with pytest.raises(IndexError):
            found.page(number + 1, iris)
    finally:
        protocol.PAGE_SIZE = original
