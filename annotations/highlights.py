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
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import blind, guests, roles
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
    """The highlights as the component draws them, with a digest that changes with them."""

    highlights: list[dict[str, Any]]
    digest: str


def records(
    version: VersionText,
    annotations: Sequence[AnnotationView],
    *,
    colour_by: str,
    perspectives: Sequence[PerspectiveSpec],
    codes: Sequence[CodeSpec],
    names: Mapping[str, str] | None = None,
) -> Records:
    """One record per highlight on this version: the costly part, shareable between pages."""
    p_colours = {p.name: p.colour for p in perspectives}
    c_colours = {c.name: c.colour for c in codes}
    highlights = [
        {
            "id": a.id,
            "s": a.start,
            "e": a.end,
            "colour": highlight_colour(a, colour_by, p_colours, c_colours),
            "label": highlight_label(a, names),
            "spoken": highlight_spoken(a, names),
            "note": a.note[:NOTE_PREVIEW] + ("…" if len(a.note) > NOTE_PREVIEW else ""),
        }
        for a in annotations
        if a.document_sha256 == version.sha256 and not a.deleted  # tombstones: no words
    ]
    digest = hashlib.sha1(json.dumps(highlights, sort_keys=True).encode("utf-8")).hexdigest()
    return Records(highlights, digest)


def panel_items(annotations: Sequence[AnnotationView],
                names: Mapping[str, str]) -> list[tuple[str, str]]:
    """(id, fingerprint) per annotation in list order: the fingerprint changes with anything
    the side panel shows of it (words, tags, note, fields, replies, author's name, deletion),
    so a page can tell whether a change touches what its panel lists without a rerun."""
    out = []
    for a in annotations:
        seen = [a.deleted, a.start, a.end, a.quote, a.perspective, a.codes, a.note, a.fields,
                a.anchor_status, a.updated_at.isoformat(), names.get(a.annotator, ""),
                [(r.id, names.get(r.author, "")) for r in a.replies]]
        fingerprint = hashlib.sha1(json.dumps(seen, sort_keys=True, default=str)
                                   .encode("utf-8")).hexdigest()[:10]
        out.append((a.id, fingerprint))
    return out


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


class Drawing:
    """What one visibility class of readers sees of a document at a revision."""

    def __init__(self, revision: int, seen: Seen, views: list[AnnotationView],
                 drawn: Records, colour_by: str, seen_as: str) -> None:
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

    @property
    def items(self) -> list[tuple[str, str]]:
        """`panel_items` of the visible list, worked out once per drawing."""
        if self._items is None:
            self._items = panel_items(self.views, self.names)
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
                out["changed"] = [h for h in self.records.highlights if old.get(h["id"]) != h]
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


def _store_key(store: Store) -> str:
    """The database, so the page's store and the routes' store on one URL share drawings;
    an in-memory SQLite database is its own store's alone."""
    url = store.engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        key: str = store.__dict__.setdefault("_drawing_key", f"memory:{uuid.uuid4()}")
        return key
    return url.render_as_string(hide_password=True)


def seen(store: Store, seminar: str, seminar_id: int, document_id: str, rev: int) -> Seen:
    """The trusted read at `rev`, shared by every reader (the caller read `rev` first)."""
    def build() -> Seen:
        return Seen(get_text(store, document_id, seminar=seminar),
                    list_annotations(store, Filters(seminar=seminar, document=document_id)),
                    seminar_codebook(store, seminar), display_names(store, seminar_id))
    return _SEEN.get((_store_key(store), seminar_id, document_id, rev), build)


def drawing(store: Store, seminar: str, seminar_id: int, document_id: str, rule: Visibility,
            colour_by: str, rev: int | None = None) -> Drawing:
    """What a reader under `rule` sees of the document, at `rev` (default: the stored one).

    `rev` must be read before the annotations (as `revision` does here), so a
    drawing is never filed under a revision newer than what it shows.
    """
    if rev is None:
        rev = revision(store, seminar_id)
    cls = visibility_class(rule)
    colour = _colour(colour_by)

    def build() -> Drawing:
        s = seen(store, seminar, seminar_id, document_id, rev)
        views = s.views if rule.sees_all else [a for a in s.views if rule.sees(a.annotator)]
        drawn = records(s.version, views, colour_by=colour, perspectives=s.codebook.perspectives,
                        codes=s.codebook.codes, names=s.names)
        return Drawing(rev, s, views, drawn, colour, cls)
    return _DRAWN.get((_store_key(store), seminar_id, document_id, rev, colour, cls), build)


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
