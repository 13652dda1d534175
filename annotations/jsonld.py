"""W3C Web Annotation Data Model JSON-LD: export and all-or-nothing import.

JSON-LD is for tools that speak the W3C model (annotation servers, IIIF and
Hypothesis-style clients); the CSV stays the analysis format. Both carry the
same fields, so a JSON-LD export imported into a store with the same corpus
and seminar gives back the same CSV.

The file is one `AnnotationCollection` with a single embedded `AnnotationPage`:

    {"@context": CONTEXT, "id": "urn:annotations:collection[?=<filters>]",
     "type": "AnnotationCollection", "label": ..., "total": <items>,
     "first": {"id": "<collection id>#page-1", "type": "AnnotationPage",
               "partOf": <collection id>, "startIndex": 0, "items": [...]},
     "last": "<collection id>#page-1"}

`@context` is the array `["http://www.w3.org/ns/anno.jsonld", {...}]`, the
model's way to add extension terms (section 6 of the Web Annotation
Vocabulary); the second entry maps our three terms to `urn:annotations:vocab#`.
Every item repeats it so that each annotation stands alone (the Web
Annotation Protocol needs that when items are posted one by one).

One annotation (`items` lists each annotation followed by its replies):

| our field        | JSON-LD                                                            |
|------------------|--------------------------------------------------------------------|
| annotation_id    | `id`: `urn:uuid:<annotation_id>`                                   |
| seminar          | `seminar` (extension term): the seminar slug                       |
| document_id      | `target.source`: `urn:annotations:document:<document_id>`          |
| document_sha256  | `target.sourceSha256` (extension term): sha256 of the text version |
|                  | the offsets refer to                                               |
| quote/prefix/suffix | `target.selector[0]`: `TextQuoteSelector` `exact/prefix/suffix` |
| start/end        | `target.selector[1]`: `TextPositionSelector` (code points, end     |
|                  | exclusive, exactly as in the CSV)                                  |
| note             | a `TextualBody`, `purpose: "commenting"`, `format: "text/plain"`   |
| each code        | a `TextualBody`, `purpose: "tagging"`, value the code name         |
| perspective      | a `TextualBody`, `purpose: "classifying"`, value the perspective   |
| annotator        | `creator`: `{"type": "Person", "name": <the CSV annotator cell>}`  |
| created/updated  | `created` / `modified`, ISO 8601 UTC with `Z` (as in the CSV)      |
| structured fields| `fields` (extension term, a JSON literal): `{code: {field: value}}`, |
|                  | left out when empty; read back on import, checked against the      |
|                  | codebook (an item without it leaves stored values alone)           |

`motivation` is derived, never read back: "commenting" with a note, else
"tagging" with codes, else "classifying" with a perspective, else
"highlighting" (and then there is no `body`). Perspective and codes differ
only by `purpose`, so a client that ignores purposes still sees them as tags.

A reply is its own Annotation: `motivation: "replying"`, `target` the parent's
`urn:uuid:` IRI, one TextualBody (`purpose: "replying"`) with the text,
`creator` the author and `created` its time.

Import accepts a collection with an embedded first page (a single page only),
a page, one annotation, or a JSON list of annotations. Extra properties and
unknown selector types are ignored; anything the mapping needs that is missing
or malformed rejects the whole file. An item whose `canonical` is a `urn:uuid:`
(as the open API serves them, `id` being their HTTP address) keeps that id.
Error numbers are 1-based positions in the `items` list ("item 3: ...");
problems with the file as a whole have no number. An annotation without `id`
gets a fresh one, as in the CSV import.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TextIO
from urllib.parse import quote, urlencode

from .annotation import (
    DELETED_NOTE,
    AnnotationView,
    Filters,
    ReplyView,
    annotator_label,
    list_annotations,
)
from .db.engine import Store
from .errors import AnnotationsError, ImportRejected, InvalidInput, RowError
from .importer import ImportReport, IncomingAnnotation, IncomingReply, import_rows
from .timeutil import format_time, parse_time

JSON = dict[str, Any]

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
VOCAB = "urn:annotations:vocab#"
CONTEXT: list[Any] = [
    ANNO_CONTEXT,
    {"seminar": VOCAB + "seminar", "sourceSha256": VOCAB + "sourceSha256",
     "fields": {"@id": VOCAB + "fields", "@type": "@json"}},
]
UUID_IRI = "urn:uuid:"
DOCUMENT_IRI = "urn:annotations:document:"
COLLECTION_IRI = "urn:annotations:collection"

COMMENTING, TAGGING, CLASSIFYING, REPLYING = "commenting", "tagging", "classifying", "replying"


@dataclass(frozen=True)
class ItemError(RowError):
    """A RowError numbered by position in the `items` list; 0 means the whole file."""

    def __str__(self) -> str:
        return f"item {self.row}: {self.reason}" if self.row else self.reason


# --- export -----------------------------------------------------------------------------


def export_jsonld(store: Store, out: TextIO, filters: Filters) -> int:
    """Write the annotations the filters select, with their replies; returns `total`."""
    items = items_to_jsonld(list_annotations(store, filters))
    json.dump(collection_to_jsonld(filters, items), out, ensure_ascii=False, indent=2)
    out.write("\n")
    return len(items)


def items_to_jsonld(views: Iterable[AnnotationView]) -> list[JSON]:
    """The `items` of a page: each annotation followed by its replies (export and API)."""
    items: list[JSON] = []
    for view in views:
        items.append(annotation_to_jsonld(view))
        items.extend(reply_to_jsonld(r) for r in view.replies)
    return items


def _used(filters: Filters) -> list[tuple[str, str]]:
    return [(f.name, getattr(filters, f.name)) for f in fields(filters)
            if getattr(filters, f.name)]


def collection_iri(filters: Filters) -> str:
    """A stable IRI per filter set, so exporting twice gives the same file."""
    used = _used(filters)
    return COLLECTION_IRI + (f"?={urlencode(used, quote_via=quote)}" if used else "")


def collection_to_jsonld(filters: Filters, items: list[JSON]) -> JSON:
    cid = collection_iri(filters)
    page_id = f"{cid}#page-1"
    used = [f"{name} {value!r}" for name, value in _used(filters)]
    return {
        "@context": CONTEXT,
        "id": cid,
        "type": "AnnotationCollection",
        "label": "Seminar annotations" + (f" ({', '.join(used)})" if used else ""),
        "total": len(items),
        "first": {"id": page_id, "type": "AnnotationPage", "partOf": cid, "startIndex": 0,
                  "items": items},
        "last": page_id,
    }


def _textual(value: str, purpose: str) -> JSON:
    return {"type": "TextualBody", "value": value, "format": "text/plain", "purpose": purpose}


def _motivation(view: AnnotationView) -> str:
    if view.note or view.deleted:
        return COMMENTING
    if view.codes:
        return TAGGING
    return CLASSIFYING if view.perspective else "highlighting"


def annotation_to_jsonld(view: AnnotationView) -> JSON:
    note = DELETED_NOTE if view.deleted else view.note
    bodies = [_textual(note, COMMENTING)] if note else []
    bodies += [_textual(code, TAGGING) for code in view.codes]
    if view.perspective:
        bodies.append(_textual(view.perspective, CLASSIFYING))
    anno: JSON = {
        "@context": CONTEXT,
        "id": UUID_IRI + view.id,
        "type": "Annotation",
        "motivation": _motivation(view),
        "seminar": view.seminar,
        **({"fields": view.fields} if view.fields else {}),
        "created": format_time(view.created_at),
        "modified": format_time(view.updated_at),
        "creator": {"type": "Person", "name": annotator_label(view.annotator, view.source)},
    }
    if bodies:
        anno["body"] = bodies
    anno["target"] = {
        "source": DOCUMENT_IRI + view.document_id,
        "sourceSha256": view.document_sha256,
        "selector": [
            {"type": "TextQuoteSelector", "exact": view.quote, "prefix": view.prefix,
             "suffix": view.suffix},
            {"type": "TextPositionSelector", "start": view.start, "end": view.end},
        ],
    }
    return anno


def reply_to_jsonld(reply: ReplyView) -> JSON:
    return {
        "@context": CONTEXT,
        "id": UUID_IRI + reply.id,
        "type": "Annotation",
        "motivation": REPLYING,
        "created": format_time(reply.created_at),
        "creator": {"type": "Person", "name": reply.author},
        "body": [_textual(reply.text, REPLYING)],
        "target": UUID_IRI + reply.annotation_id,
    }


# --- import -----------------------------------------------------------------------------


def import_jsonld(store: Store, text: str) -> ImportReport:
    """Import what `export_jsonld` writes: all or nothing, errors numbered by item."""
    annotations, replies, errors = parse_jsonld(text)
    try:
        return import_rows(store, annotations, replies, errors, replies_label="reply")
    except ImportRejected as exc:
        raise ImportRejected([_as_item_error(e) for e in exc.errors]) from None


def _as_item_error(error: RowError) -> ItemError:
    return error if isinstance(error, ItemError) else ItemError(error.row, error.reason)


def parse_jsonld(text: str) -> tuple[list[IncomingAnnotation], list[IncomingReply],
                                     list[RowError]]:
    """Turn a JSON-LD document into import rows; item errors are collected, not raised."""
    items = _items(_load(text))
    annotations: list[IncomingAnnotation] = []
    replies: list[IncomingReply] = []
    errors: list[RowError] = []
    broken: set[str] = set()  # ids of items already reported
    for n, item in enumerate(items, start=1):
        try:
            if not isinstance(item, dict):
                raise InvalidInput(f"is a {_kind(item)}, not an embedded Annotation object "
                                   "(references by IRI cannot be imported)")
            if "Annotation" not in _many(item.get("type")):
                raise InvalidInput(f"has type {item.get('type')!r}, not 'Annotation'")
            if REPLYING in _many(item.get("motivation")):
                replies.append(_reply(n, item))
            else:
                annotations.append(_annotation(n, item))
        except AnnotationsError as exc:
            errors.append(ItemError(n, str(exc)))
            broken.add(_id_or_blank(item))
    # A reply to a broken item would only repeat its error as "unknown annotation".
    return annotations, [r for r in replies if r.annotation_id not in broken], errors


def _id_or_blank(item: Any) -> str:
    try:
        return _item_id(item) if isinstance(item, dict) else ""
    except InvalidInput:
        return ""


def _reject(reason: str) -> ImportRejected:
    return ImportRejected([ItemError(0, reason)])


def _load(text: str) -> Any:
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise _reject("the file is empty: it needs a JSON-LD AnnotationCollection")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _reject(f"not valid JSON at line {exc.lineno}, column {exc.colno}: "
                      f"{exc.msg}") from None
    except RecursionError:
        raise _reject("not valid JSON: nested too deeply") from None


def _items(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        raise _reject(f"the top level is a {_kind(data)}: expected an AnnotationCollection, "
                      "an AnnotationPage, an Annotation or a list of Annotations")
    types = _many(data.get("type"))
    if "AnnotationCollection" in types:
        return _collection_items(data)
    if "AnnotationPage" in types:
        return _page_items(data)
    if "Annotation" in types:
        return [data]
    raise _reject(f"the top-level object has type {data.get('type')!r}: expected "
                  "AnnotationCollection, AnnotationPage or Annotation")


def _collection_items(data: JSON) -> list[Any]:
    first = data.get("first")
    if isinstance(first, list) and len(first) == 1:
        first = first[0]
    if first is None and data.get("total") in (0, None):
        return []
    if not isinstance(first, dict):
        raise _reject("the collection's first page is not embedded: export it as one file "
                      "with `annotations export --format jsonld`")
    return _page_items(first)


def _page_items(page: JSON) -> list[Any]:
    if page.get("next"):
        raise _reject("the page links to a next page: only single-page files can be imported")
    items = page.get("items")
    if not isinstance(items, list):
        raise _reject("the AnnotationPage has no 'items' list")
    return items


# --- one item ---------------------------------------------------------------------------


def _kind(value: Any) -> str:
    return {dict: "object", list: "list", str: "string", bool: "boolean",
            type(None): "null"}.get(type(value), "number")


def _many(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _one(value: Any, what: str) -> Any:
    values = _many(value)
    if not values:
        raise InvalidInput(f"has no {what}")
    if len(values) > 1:
        raise InvalidInput(f"has {len(values)} {what} values: only one is supported")
    return values[0]


def _string(obj: JSON, key: str, what: str, default: str | None = None) -> str:
    value = obj.get(key, default)
    if value is None:
        raise InvalidInput(f"has no {what} ('{key}')")
    if not isinstance(value, str):
        raise InvalidInput(f"{what} ('{key}') is a {_kind(value)}, not a string")
    return value


def _uuid_from_iri(value: Any, what: str) -> str:
    if value is None:
        return str(uuid.uuid4())
    if isinstance(value, str) and value.startswith(UUID_IRI):
        try:
            return str(uuid.UUID(value.removeprefix(UUID_IRI)))
        except ValueError:
            pass
    raise InvalidInput(f"{what} {value!r} is not a urn:uuid:<uuid> IRI")


def _item_id(item: JSON) -> str:
    """The item's urn:uuid: its `canonical` IRI when it has one (the open API serves
    items under their HTTP address as `id`, with the urn:uuid as `canonical`)."""
    canonical = item.get("canonical")
    if isinstance(canonical, str) and canonical.startswith(UUID_IRI):
        return _uuid_from_iri(canonical, "canonical")
    return _uuid_from_iri(item.get("id"), "id")


def _creator_name(item: JSON, what: str) -> str:
    creator = _one(item.get("creator"), f"creator (the {what})")
    if not isinstance(creator, dict):
        raise InvalidInput(f"creator must be an object with a 'name' (the {what})")
    return _string(creator, "name", f"creator name (the {what})").strip()


def _times(item: JSON) -> tuple[datetime, datetime]:
    created = parse_time(_string(item, "created", "creation time"))
    modified = item.get("modified")
    if modified is None:
        return created, created
    return created, parse_time(_string(item, "modified", "modification time"))


def _annotation(n: int, item: JSON) -> IncomingAnnotation:
    target = _target(item)
    document_id = _document_id(target)
    quote_sel, position = _selectors(target)
    start, end = _span(position)
    note, codes, perspective = _bodies(item)
    created, modified = _times(item)
    return IncomingAnnotation(
        row=n,
        annotation_id=_item_id(item),
        seminar=_string(item, "seminar", "seminar"),
        document_id=document_id,
        document_sha256=_string(target, "sourceSha256", "target sourceSha256", ""),
        start=start,
        end=end,
        quote=_string(quote_sel, "exact", "TextQuoteSelector exact"),
        prefix=_string(quote_sel, "prefix", "TextQuoteSelector prefix", ""),
        suffix=_string(quote_sel, "suffix", "TextQuoteSelector suffix", ""),
        perspective=perspective,
        codes=codes,
        note=note,
        annotator=_creator_name(item, "annotator"),
        created_at=created,
        updated_at=modified,
        fields=_fields(item),
    )


def _fields(item: JSON) -> dict[str, dict[str, str]] | None:
    """Our `fields` term: {code: {field: value}}; absent leaves stored values alone."""
    if "fields" not in item:
        return None
    value = item["fields"]
    if not isinstance(value, dict) or not all(
            isinstance(code, str) and isinstance(given, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in given.items())
            for code, given in value.items()):
        raise InvalidInput("'fields' must be an object of codes, each an object of field "
                           'names and text values, e.g. {"factual error": {"source": "..."}}')
    return {code: dict(given) for code, given in value.items()}


def _target(item: JSON) -> JSON:
    target = _one(item.get("target"), "target")
    if not isinstance(target, dict):
        raise InvalidInput("target must be an object with a source and a TextQuoteSelector "
                           "and a TextPositionSelector")
    return target


def _document_id(target: JSON) -> str:
    source = _string(target, "source", "target source")
    if not source.startswith(DOCUMENT_IRI) or source == DOCUMENT_IRI:
        raise InvalidInput(f"target source {source!r} is not {DOCUMENT_IRI}<document_id>")
    return source.removeprefix(DOCUMENT_IRI)


def _selectors(target: JSON) -> tuple[JSON, JSON]:
    found: dict[str, JSON] = {}
    for sel in _many(target.get("selector")):
        if not isinstance(sel, dict):
            raise InvalidInput(f"a target selector is a {_kind(sel)}, not an object")
        for t in _many(sel.get("type")):
            if isinstance(t, str):
                found.setdefault(t, sel)
    missing = [t for t in ("TextQuoteSelector", "TextPositionSelector") if t not in found]
    if missing:
        raise InvalidInput(f"target has no {' and no '.join(missing)}")
    return found["TextQuoteSelector"], found["TextPositionSelector"]


def _span(position: JSON) -> tuple[int, int]:
    start, end = position.get("start"), position.get("end")
    for key, value in (("start", start), ("end", end)):
        if type(value) is not int:
            raise InvalidInput(f"TextPositionSelector {key} {value!r} is not a whole number")
    assert isinstance(start, int) and isinstance(end, int)
    if not 0 <= start < end:
        raise InvalidInput(f"TextPositionSelector [{start}, {end}) is not a span: "
                           "start must be >= 0 and less than end")
    return start, end


def _bodies(item: JSON) -> tuple[str, list[str], str]:
    by_purpose: dict[str, list[str]] = {COMMENTING: [], TAGGING: [], CLASSIFYING: []}
    if "bodyValue" in item:
        by_purpose[COMMENTING].append(_string(item, "bodyValue", "bodyValue"))
    for body in _many(item.get("body")):
        purpose, value = _body(body)
        by_purpose[purpose].append(value)
    for purpose, what in ((COMMENTING, "note"), (CLASSIFYING, "perspective")):
        if len(by_purpose[purpose]) > 1:
            raise InvalidInput(f"has {len(by_purpose[purpose])} '{purpose}' bodies: "
                               f"an annotation has at most one {what}")
    note = by_purpose[COMMENTING][0] if by_purpose[COMMENTING] else ""
    perspective = by_purpose[CLASSIFYING][0] if by_purpose[CLASSIFYING] else ""
    return note, by_purpose[TAGGING], perspective


def _body(body: Any) -> tuple[str, str]:
    if not isinstance(body, dict) or "TextualBody" not in _many(body.get("type")):
        raise InvalidInput("every body must be a TextualBody object")
    purposes = [p for p in _many(body.get("purpose")) if p in (COMMENTING, TAGGING, CLASSIFYING)]
    if len(purposes) != 1:
        raise InvalidInput(f"a body has purpose {body.get('purpose')!r}: expected one of "
                           f"'{COMMENTING}' (note), '{TAGGING}' (code), "
                           f"'{CLASSIFYING}' (perspective)")
    return purposes[0], _string(body, "value", f"{purposes[0]} body value")


def _reply(n: int, item: JSON) -> IncomingReply:
    target = _one(item.get("target"), "target (the annotation replied to)")
    parent = target.get("id", target.get("source")) if isinstance(target, dict) else target
    texts = [_string(b, "value", "reply body value") if isinstance(b, dict) else None
             for b in _many(item.get("body"))]
    if "bodyValue" in item:
        texts.append(_string(item, "bodyValue", "bodyValue"))
    if len(texts) != 1 or texts[0] is None:
        raise InvalidInput("a reply needs exactly one TextualBody with its text")
    created, _ = _times(item)
    return IncomingReply(
        row=n,
        reply_id=_item_id(item),
        annotation_id=_uuid_from_iri(parent if parent is not None else "", "reply target"),
        author=_creator_name(item, "author"),
        text=texts[0],
        created_at=created,
    )
