"""The W3C Web Annotation Protocol, reading side: a seminar's annotations as an LDP container.

A seminar is one Annotation Container (`ldp:BasicContainer` and
`AnnotationCollection`); its items are paged `AnnotationPage`s of `PAGE_SIZE`
items, each annotation followed by its replies, exactly as `jsonld` serialises
them for the export. An item's `id` is its address under the container and
its `canonical` the `urn:uuid:` the exports use, so what the API serves
imports back (`annotations import`). Deleted annotations, with the replies
under them, are not served; a blind round's rule is applied by the caller
(`api_tokens.reader`) before the items are built.

Pure functions for negotiation, preferences, paging and validators; one read
(`seminar_items`) touches the store. The HTTP routes live in `web/api.py`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from . import jsonld
from .annotation import Filters, list_annotations
from .blind import Visibility
from .db.engine import Store

JSON = dict[str, Any]

ANNO_PROFILE = "http://www.w3.org/ns/anno.jsonld"
JSONLD = "application/ld+json"
MEDIA_TYPE = f'{JSONLD}; profile="{ANNO_PROFILE}"'
PLAIN_JSON = "application/json"
LDP_CONTEXT = "http://www.w3.org/ns/ldp.jsonld"
LDP_RESOURCE = "http://www.w3.org/ns/ldp#Resource"
LDP_CONTAINER = "http://www.w3.org/ns/ldp#Container"
LDP_BASIC_CONTAINER = "http://www.w3.org/ns/ldp#BasicContainer"
CONSTRAINED_BY = "http://www.w3.org/ns/ldp#constrainedBy"
PROTOCOL_SPEC = "http://www.w3.org/TR/annotation-protocol/"
PREFER_MINIMAL = "http://www.w3.org/ns/ldp#PreferMinimalContainer"
PREFER_IRIS = "http://www.w3.org/ns/oa#PreferContainedIRIs"
PREFER_DESCRIPTIONS = "http://www.w3.org/ns/oa#PreferContainedDescriptions"
PAGE_SIZE = 100
READ_METHODS = ("GET", "HEAD", "OPTIONS")

# What a client may ask for, best first: the annotation profile, any JSON-LD, plain JSON.
_OFFERED = ((JSONLD, MEDIA_TYPE), (PLAIN_JSON, PLAIN_JSON))


def negotiate(accept: str) -> str | None:
    """The Content-Type to answer an Accept header with; None: nothing acceptable (406).

    No header, `*/*` and `application/*` get the annotation profile (the
    protocol's default); a client that takes only `application/json` gets
    plain JSON with the same body. Others (e.g. `text/turtle`) are refused.
    """
    if not accept.strip():
        return MEDIA_TYPE
    best: tuple[float, int, str] | None = None
    for rank, (kind, answer) in enumerate(_OFFERED):
        q = _quality(accept, kind)
        if q > 0 and (best is None or (q, -rank) > (best[0], best[1])):
            best = (q, -rank, answer)
    return best[2] if best else None


def _quality(accept: str, kind: str) -> float:
    """The q the header gives `kind`, from its most specific matching range (RFC 9110)."""
    major = kind.split("/")[0]
    found: tuple[int, float] | None = None
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        specific = {kind: 2, f"{major}/*": 1, "*/*": 0}.get(media)
        if specific is None:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        if found is None or specific > found[0]:
            found = (specific, q)
    return found[1] if found else 0.0


def preference(prefer: str) -> str | None:
    """Which container preference a Prefer header asks for (RFC 7240, LDP), if any.

    Returns PREFER_MINIMAL, PREFER_IRIS or PREFER_DESCRIPTIONS; a header
    naming several gets the smallest representation among them.
    """
    for part in prefer.split(","):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0].lower().replace(" ", "").startswith("return=representation"):
            continue
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() != "include":
                continue
            included = set(value.strip().strip('"').split())
            for choice in (PREFER_MINIMAL, PREFER_IRIS, PREFER_DESCRIPTIONS):
                if choice in included:
                    return choice
    return None


@dataclass(frozen=True)
class Container:
    """A container's items as served, and where it lives."""

    iri: str  # the container's address, ending in "/"
    label: str
    items: list[JSON]

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def pages(self) -> int:
        return -(-self.total // PAGE_SIZE)  # no page at all when there are no items

    def page_iri(self, number: int, iris: bool) -> str:
        return f"{self.iri}?page={number}" + ("&iris=1" if iris else "")

    def collection(self, prefer: str | None) -> JSON:
        """The container itself: the collection with its first page embedded, or not.

        PreferMinimalContainer links the pages only; PreferContainedIRIs embeds
        the first page of item addresses; otherwise (the default) the first page
        of full descriptions.
        """
        iris = prefer == PREFER_IRIS
        out: JSON = {
            "@context": [jsonld.ANNO_CONTEXT, LDP_CONTEXT],
            "id": self.iri,
            "type": ["BasicContainer", "AnnotationCollection"],
            "label": self.label,
            "total": self.total,
        }
        if self.pages:
            out["first"] = (self.page_iri(1, iris) if prefer == PREFER_MINIMAL
                            else {k: v for k, v in self.page(1, iris).items() if k != "@context"})
            out["last"] = self.page_iri(self.pages, iris)
        return out

    def page(self, number: int, iris: bool) -> JSON:
        """Page `number` (from 1): items, `partOf`, `startIndex`, `next`/`prev` where they exist.

        IndexError for a page that does not exist.
        """
        if not 1 <= number <= self.pages:
            raise IndexError(number)
        start = (number - 1) * PAGE_SIZE
        chunk = self.items[start:start + PAGE_SIZE]
        out: JSON = {
            "@context": jsonld.CONTEXT,
            "id": self.page_iri(number, iris),
            "type": "AnnotationPage",
            "partOf": self.iri,  # an IRI, as the model's conformance tests require
            "startIndex": start,
        }
        if number > 1:
            out["prev"] = self.page_iri(number - 1, iris)
        if number < self.pages:
            out["next"] = self.page_iri(number + 1, iris)
        out["items"] = [item["id"] for item in chunk] if iris else chunk
        return out

    def item(self, annotation_id: str) -> JSON | None:
        """One annotation or reply by its uuid, as served; None if not in the container."""
        wanted = self.iri + annotation_id
        return next((item for item in self.items if item["id"] == wanted), None)


def served(item: JSON, container_iri: str) -> JSON:
    """An exported item under its HTTP address; the urn:uuid stays as `canonical`."""
    uuid = str(item["id"]).removeprefix(jsonld.UUID_IRI)
    out = dict(item)
    out["id"] = container_iri + uuid
    out["canonical"] = item["id"]
    return out


def seminar_items(store: Store, seminar: str, rule: Visibility, container_iri: str,
                  label: str) -> Container:
    """What `rule` lets its viewer read of the seminar, as the container serves it."""
    filters = Filters(seminar=seminar, annotator="" if rule.sees_all else rule.own)
    views = [v for v in list_annotations(store, filters) if not v.deleted]
    return Container(container_iri, label,
                     [served(item, container_iri) for item in jsonld.items_to_jsonld(views)])


def body(document: JSON) -> bytes:
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def etag(content: bytes, content_type: str) -> str:
    """A strong validator: the same bytes in the same type give the same tag."""
    h = hashlib.sha256(content_type.encode("utf-8") + b"\n" + content).hexdigest()
    return f'"{h[:40]}"'


def not_modified(if_none_match: str, tag: str) -> bool:
    """Whether If-None-Match names `tag` (weak comparison, as RFC 9110 asks for GET)."""
    if if_none_match.strip() == "*":
        return True
    return any(t.strip().removeprefix("W/") == tag for t in if_none_match.split(","))
