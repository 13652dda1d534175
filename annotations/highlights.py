"""The highlights a reader's page draws on a document, and what its side panel lists.

One place for what a page shows of a seminar's annotations at a revision:
the visibility rule (a blind round hides classmates' work from a student who
has not handed in), tombstones (a deleted annotation keeps its place in the
list but draws no words), guests named by their label, colours from the
codebook. The workspace page builds its component payload from `drawing`,
and the live route (annotations.web.live) answers a classmate's change with
the same `drawing`, so the page can redraw in place without a Streamlit rerun.

Drawings are cached per process by (store, seminar, document, revision,
colour, visibility class): forty pages watching one document cost one build
per change, whoever asks first (a page or the route).
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import blind, guests, live, roles
from .annotation import AnnotationView, Filters, list_annotations
from .blind import Visibility
from .codebook import CodeSpec, PerspectiveSpec
from .corpus import VersionText, get_text
from .db.engine import Store
from .db.models import Seminar
from .seminar import SeminarCodebook, revision, seminar_codebook, seminar_slug

GREY = "#9aa0a6"
NOTE_PREVIEW = 140
COLOUR_BY = ("perspective", "code")


def tags_colour(perspective: str, codes: Sequence[str], colour_by: str,
                perspective_colours: dict[str, str], code_colours: dict[str, str]) -> str:
    """Colour by the first code or by the perspective, falling back to the other, then grey."""
    by_code = next((code_colours[c] for c in codes if c in code_colours), None)
    by_perspective = perspective_colours.get(perspective)
    if colour_by == "code":
        return by_code or by_perspective or GREY
    return by_perspective or by_code or GREY


def highlight_colour(a: AnnotationView, colour_by: str, perspective_colours: dict[str, str],
                     code_colours: dict[str, str]) -> str:
    return tags_colour(a.perspective, a.codes, colour_by, perspective_colours, code_colours)


def _who(a: AnnotationView, names: Mapping[str, str] | None) -> str:
    shown = (names or {}).get(a.annotator, "")
    if guests.is_guest(a.annotator):
        return f"{shown or 'unnamed'} (guest)"  # a label, never the server-made id
    return f"{shown} ({a.annotator})" if shown and shown != a.annotator else a.annotator


def highlight_label(a: AnnotationView, names: Mapping[str, str] | None = None) -> str:
    """`names` maps usernames (and guest ids) to display names; others show as stored."""
    parts = [_who(a, names), a.perspective or "no perspective"]
    if a.codes:
        parts.append(", ".join(a.codes))
    return " · ".join(parts)


def highlight_spoken(a: AnnotationView, names: Mapping[str, str] | None = None) -> str:
    """The highlight as a screen reader announces it: words, not the label's dots."""
    perspective = f"perspective {a.perspective}" if a.perspective else "no perspective"
    codes = f"codes {', '.join(a.codes)}" if a.codes else "no codes"
    return f"by {_who(a, names)}, {perspective}, {codes}"


@dataclass(frozen=True)
class Records:
    """The highlights as the component draws them, with a digest that changes with them.

    The digest is the sum of one hash per highlight, so a drawing updated from the
    last one (`records(..., reuse=)`) has the same digest as one built afresh.
    """

    highlights: list[dict[str, Any]]
    digest: str
    hashes: dict[str, int] = field(default_factory=dict)  # id -> that highlight's hash


def _record(a: AnnotationView, colour_by: str, p_colours: dict[str, str],
            c_colours: dict[str, str], names: Mapping[str, str] | None) -> dict[str, Any]:
    return {
        "id": a.id,
        "s": a.start,
        "e": a.end,
        "colour": highlight_colour(a, colour_by, p_colours, c_colours),
        "label": highlight_label(a, names),
        "spoken": highlight_spoken(a, names),
        "note": a.note[:NOTE_PREVIEW] + ("…" if len(a.note) > NOTE_PREVIEW else ""),
    }


def _hash(h: dict[str, Any]) -> int:
    text = json.dumps(h, sort_keys=True, ensure_ascii=False).encode("utf-8")
    return int.from_bytes(hashlib.sha1(text).digest(), "big")


def records(
    version: VersionText,
    annotations: Sequence[AnnotationView],
    *,
    colour_by: str,
    perspectives: Sequence[PerspectiveSpec],
    codes: Sequence[CodeSpec],
    names: Mapping[str, str] | None = None,
    reuse: Records | None = None,
    changed: Collection[str] = (),
) -> Records:
    """One record per highlight on this version: the costly part, shareable between pages.

    `reuse`: the records of an earlier drawing of the same version with the same
    colours, codebook and names, every highlight of which not in `changed` is still
    right: those are taken as they are, only the changed ones are made again.
    """
    p_colours = {p.name: p.colour for p in perspectives}
    c_colours = {c.name: c.colour for c in codes}
    old = {h["id"]: h for h in reuse.highlights} if reuse is not None else {}
    old_hashes = reuse.hashes if reuse is not None else {}
    redo = set(changed)
    highlights, hashes = [], {}
    for a in annotations:
        if a.document_sha256 != version.sha256 or a.deleted:  # tombstones: no words
            continue
        h = old.get(a.id) if a.id not in redo else None
        if h is None or a.id not in old_hashes:
            h = _record(a, colour_by, p_colours, c_colours, names)
            hashes[a.id] = _hash(h)
        else:
            hashes[a.id] = old_hashes[a.id]
        highlights.append(h)
    digest = format(sum(hashes.values()) % (1 << 160), "040x")
    return Records(highlights, digest, hashes)


def _fingerprint(a: AnnotationView, names: Mapping[str, str]) -> str:
    seen = [a.deleted, a.start, a.end, a.quote, a.perspective, a.codes, a.note, a.fields,
            a.anchor_status, a.updated_at.isoformat(), names.get(a.annotator, ""),
            [(r.id, names.get(r.author, "")) for r in a.replies]]
    return hashlib.sha1(json.dumps(seen, sort_keys=True, default=str)
                        .encode("utf-8")).hexdigest()[:10]


def panel_items(annotations: Sequence[AnnotationView], names: Mapping[str, str],
                reuse: Mapping[str, str] | None = None,
                changed: Collection[str] = ()) -> list[tuple[str, str]]:
    """(id, fingerprint) per annotation in list order: the fingerprint changes with anything
    the side panel shows of it (words, tags, note, fields, replies, author's name, deletion),
    so a page can tell whether a change touches what its panel lists without a rerun.
    `reuse`: fingerprints of an earlier list with the same names, right but for `changed`."""
    old = reuse or {}
    redo = set(changed)
    return [(a.id, old[a.id] if a.id in old and a.id not in redo else _fingerprint(a, names))
            for a in annotations]


def display_names(store: Store, seminar_id: int) -> dict[str, str]:
    """Username or guest id → display name (a guest's first write bumps the revision)."""
    with store.read() as session:
        members = {m.username: m.display_name for m in roles.members(session, seminar_id)}
    return {**guests.labels(store, seminar_id), **members}


def visibility_class(rule: Visibility) -> str:
    """Pages with the same class see the same annotations: everyone, or one annotator's own."""
    return "all" if rule.sees_all else f"own:{rule.own}"


@dataclass(frozen=True)
class Seen:
    """A document's annotations at one revision, with what they are drawn with (trusted)."""

    version: VersionText
    views: list[AnnotationView]
    codebook: SeminarCodebook
    names: dict[str, str]
    revision: int = -1


class Drawing:
    """What one visibility class of readers sees of a document at a revision."""

    def __init__(self, revision: int, seen: Seen, views: list[AnnotationView],
                 drawn: Records, colour_by: str, seen_as: str,
                 reuse: tuple[Drawing, frozenset[str]] | None = None) -> None:
        self.revision = revision
        self.version = seen.version
        self.codebook = seen.codebook
        self.names = seen.names
        self.views = views  # visible annotations, tombstones included, in text order
        self.records = drawn
        self.colour_by = colour_by
        self.seen_as = seen_as  # visibility_class of the readers it is for
        self._items: list[tuple[str, str]] | None = None
        self._bodies: dict[int, bytes] = {}  # since revision (-1: everything) -> JSON
        # The earlier drawing's panel fingerprints, right but for these annotations (kept
        # until `items` is worked out, never the drawing itself: no chain of drawings).
        self._reuse: tuple[dict[str, str], frozenset[str]] | None = None
        if reuse is not None and reuse[0]._items is not None:
            self._reuse = (dict(reuse[0]._items), reuse[1])

    @property
    def items(self) -> list[tuple[str, str]]:
        """`panel_items` of the visible list, worked out once per drawing."""
        if self._items is None:
            old, changed = self._reuse or ({}, frozenset())
            self._items = panel_items(self.views, self.names, old, changed)
            self._reuse = None
        return self._items

    def panel(self, limit: int, selected: str) -> dict[str, Any]:
        """What a side panel showing the first `limit` entries (and `selected`) lists."""
        items = self.items
        opened = next((i for i in items if i[0] == selected), None) if selected else None
        return {"head": items[:max(0, limit)], "opened": opened, "count": len(items)}

    def body(self, since: Drawing | None = None) -> bytes:
        """The highlights as JSON for the live route: all of them, or only what changed
        since an older drawing of the same readers; serialised once for every page."""
        key = since.revision if since is not None else -1
        if key not in self._bodies:
            out: dict[str, Any] = {
                "revision": self.revision, "document": self.version.document_id,
                "sha256": self.version.sha256, "digest": self.records.digest}
            if since is None:
                out["highlights"] = self.records.highlights
            else:
                old = {h["id"]: h for h in since.records.highlights}
                new = {h["id"] for h in self.records.highlights}
                out["since"] = since.revision
                out["changed"] = [h for h in self.records.highlights
                                  if old.get(h["id"]) is not h and old.get(h["id"]) != h]
                out["removed"] = [i for i in old if i not in new]
            self._bodies[key] = json.dumps(out, ensure_ascii=False,
                                           separators=(",", ":")).encode("utf-8")
        return self._bodies[key]


T = TypeVar("T")


class _Lru:
    """A small thread-safe LRU: the page script and the routes run in different threads."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]  # type: ignore[no-any-return]
            gate = self._building.setdefault(key, threading.Lock())
        with gate:  # forty pages asking at once: one builds, the others wait for it
            with self._lock:
                if key in self._items:
                    return self._items[key]  # type: ignore[no-any-return]
            try:
                value = build()
            finally:
                with self._lock:
                    self._building.pop(key, None)
            with self._lock:
                self._items[key] = value
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
            return value

    def peek(self, key: Hashable) -> Any:
        with self._lock:
            return self._items.get(key)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_SEEN = _Lru(16)
_DRAWN = _Lru(64)
# The newest Seen per (store, seminar, document), and the newest Drawing per (store,
# seminar, document, colour, class): what the next revision's is built from. Bounded
# like the caches above: a place not kept here is read afresh.
_LATEST: OrderedDict[Hashable, Any] = OrderedDict()
_LATEST_LOCK = threading.Lock()
_LATEST_SIZE = 64
STEP_MAX = 200  # more annotations changed since the last drawing: read everything


def _newest(key: Hashable, value: Seen | Drawing) -> None:
    with _LATEST_LOCK:
        known = _LATEST.get(key)
        if known is None or known.revision < value.revision:
            _LATEST[key] = value
        _LATEST.move_to_end(key)
        while len(_LATEST) > _LATEST_SIZE:
            _LATEST.popitem(last=False)


def _changed_since(seminar_id: int, earlier: Seen | Drawing | None,
                   rev: int) -> frozenset[str] | None:
    """The annotations changed since `earlier` up to `rev`, if this process knows them all."""
    if earlier is None or earlier.revision >= rev:
        return None
    changed = live.CHANGES.between(seminar_id, earlier.revision, rev)
    return changed if changed is not None and len(changed) <= STEP_MAX else None


def _store_key(store: Store) -> str:
    """The database, so the page's store and the routes' store on one URL share drawings;
    an in-memory SQLite database is its own store's alone."""
    url = store.engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        key: str = store.__dict__.setdefault("_drawing_key", f"memory:{uuid.uuid4()}")
        return key
    return url.render_as_string(hide_password=True)


def _text_order(a: AnnotationView) -> tuple[int, int, datetime, str]:
    """`list_annotations`' order within one document."""
    return a.start, a.end, a.created_at, a.id


def _step(store: Store, seminar: str, seminar_id: int, document_id: str, rev: int,
          earlier: Seen, changed: frozenset[str]) -> Seen:
    """The Seen at `rev` from an earlier one: only the changed annotations are read again."""
    fresh = list_annotations(store, Filters(seminar=seminar, document=document_id,
                                            ids=tuple(sorted(changed)))) if changed else []
    names = earlier.names
    who = {a.annotator for a in fresh} | {r.author for a in fresh for r in a.replies}
    if not who <= names.keys():  # a guest's first work: their label is new
        names = display_names(store, seminar_id)
    views = sorted([a for a in earlier.views if a.id not in changed] + fresh, key=_text_order)
    return Seen(earlier.version, views, earlier.codebook, names, rev)


def seen(store: Store, seminar: str, seminar_id: int, document_id: str, rev: int) -> Seen:
    """The trusted read at `rev`, shared by every reader (the caller read `rev` first).

    Built from the newest earlier read of the document when this process knows every
    annotation changed since (`live.CHANGES`): those are read, not the whole list."""
    place = (_store_key(store), seminar_id, document_id)

    def build() -> Seen:
        with _LATEST_LOCK:
            earlier = _LATEST.get(place)
        changed = _changed_since(seminar_id, earlier, rev)
        if earlier is not None and changed is not None:
            return _step(store, seminar, seminar_id, document_id, rev, earlier, changed)
        return Seen(get_text(store, document_id, seminar=seminar),
                    list_annotations(store, Filters(seminar=seminar, document=document_id)),
                    seminar_codebook(store, seminar), display_names(store, seminar_id), rev)
    found = _SEEN.get((*place, rev), build)
    _newest(place, found)
    return found


def drawing(store: Store, seminar: str, seminar_id: int, document_id: str, rule: Visibility,
            colour_by: str, rev: int | None = None) -> Drawing:
    """What a reader under `rule` sees of the document, at `rev` (default: the stored one).

    `rev` must be read before the annotations (as `revision` does here), so a
    drawing is never filed under a revision newer than what it shows. The
    records of the same readers' newest earlier drawing are reused but for the
    annotations changed since, when this process knows them (`live.CHANGES`).
    """
    if rev is None:
        rev = revision(store, seminar_id)
    cls = visibility_class(rule)
    colour = _colour(colour_by)
    place = (_store_key(store), seminar_id, document_id, colour, cls)

    def build() -> Drawing:
        s = seen(store, seminar, seminar_id, document_id, rev)
        with _LATEST_LOCK:
            earlier: Drawing | None = _LATEST.get(place)
        changed = _changed_since(seminar_id, earlier, rev)
        reuse = None
        if (earlier is not None and changed is not None
                and earlier.version.sha256 == s.version.sha256
                and earlier.codebook == s.codebook
                and all(s.names.get(k) == v for k, v in earlier.names.items())):
            reuse = (earlier, changed)
        views = s.views if rule.sees_all else [a for a in s.views if rule.sees(a.annotator)]
        drawn = records(s.version, views, colour_by=colour, perspectives=s.codebook.perspectives,
                        codes=s.codebook.codes, names=s.names,
                        reuse=reuse[0].records if reuse else None,
                        changed=reuse[1] if reuse else ())
        return Drawing(rev, s, views, drawn, colour, cls, reuse)
    found = _DRAWN.get((*place[:3], rev, colour, cls), build)
    _newest(place, found)
    return found


def _colour(colour_by: str) -> str:
    return colour_by if colour_by in COLOUR_BY else COLOUR_BY[0]


def earlier(store: Store, now: Drawing, seminar_id: int, rev: int) -> Drawing | None:
    """The same readers' drawing of the same document at `rev`, if this process still has it
    (what a page drawn at `rev` shows, so the live route can send only what changed)."""
    if rev >= now.revision:
        return None
    found = _DRAWN.peek((_store_key(store), seminar_id, now.version.document_id, rev,
                         now.colour_by, now.seen_as))
    if found is None or found.version.sha256 != now.version.sha256:
        return None
    return found  # type: ignore[no-any-return]


def for_reader(store: Store, seminar_id: int, document_id: str,
               viewer: Callable[[Session], str | None], colour_by: str) -> Drawing | None:
    """What the reader `viewer` finds in a read (None: no reader any more) sees of the
    document now, in one read for the check, the revision and the rule. PermissionDenied
    for an outsider of a closed seminar, NotFound for a document the seminar lacks."""
    with store.read() as session:
        who = viewer(session)
        if who is None:
            return None
        rev = session.scalar(select(Seminar.revision).where(Seminar.id == seminar_id)) or 0
        slug = seminar_slug(session, seminar_id)
        rule = blind.visibility(session, seminar_id, who)
    return drawing(store, slug, seminar_id, document_id, rule, colour_by, rev)


def forget() -> None:
    """Drop every cached drawing (tests that reuse ids across stores)."""
    _SEEN.clear()
    _DRAWN.clear()
    with _LATEST_LOCK:
        _LATEST.clear()
