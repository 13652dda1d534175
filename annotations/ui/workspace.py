"""The seminar workspace: the document with its highlights, the composer, the panel, live updates.

Live updates are pushed: the component follows the seminar's revision over
the `/live/<seminar>` stream (annotations.web.live), so an idle page runs no
Python at all. On a newer revision it fetches the highlights from
`/live/<seminar>/highlights` (the same `highlights.drawing` this page draws
from) and redraws in place; it asks for a Streamlit rerun only when the change
touches what the side panel lists, or the panel filters the list. The JS holds
any redraw while the reader is in the middle of a selection. A Quick-code
selection is saved by the component itself (`POST /live/<seminar>/annotations`),
so it runs no Python here either: the page draws it from the push like a
classmate's save.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from .. import config, highlights, live
from ..annotation import (
    AnnotationView,
    Filters,
    list_annotations,
    seminar_visibility,
)
from ..blind import Visibility
from ..corpus import TextInfo, list_texts
from ..db.engine import Store
from ..highlights import Records, records
from ..seminar import SeminarCodebook, revision, seminar_codebook
from . import forms, layout, panel, sidebar, state, suggestions
from .highlighter import Focus, highlighter, payload
from .markup import plain

# ---------------------------------------------------------------- cached reads
# What the page draws with no panel filter comes from `highlights.drawing`, cached
# per revision and visibility class in the library and shared with the live route.
# A filtered list is this session's own: keyed by URL, revision and filters, shared
# by every session that filters alike.


@st.cache_resource(max_entries=64, show_spinner=False)
def _everything(_store: Store, url: str, revision: int, filters: Filters
                ) -> list[AnnotationView]:
    """The trusted list, shared as is (not copied per session: the views are frozen)."""
    return list_annotations(_store, filters)


@st.cache_resource(max_entries=64, show_spinner=False)
def _filtered(_store: Store, _rule: Visibility, _drawing: highlights.Drawing, url: str,
              revision: int, filters: Filters, seen_by: str, colour_by: str
              ) -> tuple[list[AnnotationView], Records]:
    """What the viewer may see of a filtered list (the drawing's rule), drawn; `seen_by` is
    the rule's visibility class, so sessions that filter alike share it."""
    drawing = _drawing
    views = [a for a in _everything(_store, url, revision, filters) if _rule.sees(a.annotator)]
    cb = drawing.codebook
    return views, records(drawing.version, views, colour_by=colour_by,
                          perspectives=cb.perspectives, codes=cb.codes, names=drawing.names)


@st.cache_data(ttl=30, show_spinner=False)
def _texts(_store: Store, url: str, seminar: str) -> list[TextInfo]:
    return list_texts(_store, seminar)


@st.cache_data(ttl=30, show_spinner=False)
def _codebook(_store: Store, url: str, seminar: str) -> SeminarCodebook:
    return seminar_codebook(_store, seminar)


# ---------------------------------------------------------------- component callbacks


def _trigger(name: str) -> Any:
    value = st.session_state.get(state.HIGHLIGHTER)
    return value.get(name) if isinstance(value, dict) else None


def _on_selection(document_id: str) -> None:
    """A selection to tag in the composer (Quick code's are saved by the component itself,
    through the save route, with no run of this page)."""
    value = _trigger("selection")
    if not isinstance(value, dict):
        return
    try:
        start, end, quote = int(value["start"]), int(value["end"]), str(value["quote"])
        sel_id = str(value.get("id") or "") or None
    except (KeyError, TypeError, ValueError):
        state.say("error", "the selection could not be read: select the passage again")
        return
    state.set_pending(start, end, quote, sel_id)
    st.session_state[state.PENDING]["document"] = document_id


def _on_pick() -> None:
    value = _trigger("pick")
    if isinstance(value, dict) and value.get("id"):
        st.session_state[state.SELECTED] = str(value["id"])
        st.session_state.pop(state.EDITING, None)


def _on_hotkey(cb: SeminarCodebook) -> None:
    value = _trigger("hotkey")
    if not isinstance(value, dict):
        return
    n = int(value.get("code") or 0)
    if not 1 <= n <= min(9, len(cb.codes)):
        return
    name = cb.codes[n - 1].name
    current = list(st.session_state.get(state.STICKY_CODES, []) or [])
    st.session_state[state.STICKY_CODES] = (
        [c for c in current if c != name] if name in current else [*current, name]
    )


# ---------------------------------------------------------------- live


def _live(who: state.Identity, rev: int, drawing: highlights.Drawing | None,
          selected: str | None, colour_by: str) -> dict[str, Any]:
    """Where the component follows the seminar, with a token only this reader got.

    With `drawing` (the page shows the whole list, no panel filter) the component
    fetches a newer revision's highlights itself and redraws in place; `panel`
    is what the side panel lists of them, so it asks for a rerun only when the
    change touches that (or, later and at most every `lazy_s`, for the counts).
    """
    path = f"/live/{who.seminar.id}"
    cfg: dict[str, Any] = {
        "stream": path, "poll": f"{path}/revision", "revision": rev,
        "token": live.subscription(who.seminar.id, who.user_id,
                                   guest=None if who.user_id is not None else who.username),
        "heartbeat_s": live.HEARTBEAT_SECONDS}
    if drawing is not None:
        limit = int(st.session_state.get(state.PAGE_SIZE, panel.PAGE))
        cfg.update(highlights=f"{path}/highlights", document=drawing.version.document_id,
                   sha256=drawing.version.sha256, colour_by=colour_by,
                   seen_as=drawing.seen_as, lazy_s=LAZY_SECONDS, limit=limit,
                   selected=selected or "", panel=drawing.panel(limit, selected or ""))
    return cfg


LAZY_SECONDS = 30.0  # a change the panel lists only in its counts: redrawn this late at most


def _on_live() -> None:
    """A newer revision exists: the rerun this trigger causes draws it."""


def _status(settings: sidebar.Settings, pending: dict[str, Any] | None) -> str:
    if settings.quick:
        tags = " · ".join(filter(None, [settings.perspective, ", ".join(settings.codes)]))
        return f"Quick code on ({tags or 'no tags'}): every selection is saved at once."
    if pending:
        return "Tag the selection in the panel, then save."
    return "Select a passage (mouse, touch, or Shift+arrows) to annotate it."


def _quick_tags(settings: sidebar.Settings) -> None:
    """Quick code's tags, next to the text for as long as it is on: nothing is applied unseen."""
    codes = ", ".join(settings.codes) or "no codes"
    st.warning(f"**Quick code is on**: each selection is saved at once as "
               f"**{plain(settings.perspective or 'no perspective')}** with "
               f"**{plain(codes)}**. Change them in the sidebar, or turn Quick code off "
               "to tag each passage yourself.", icon=":material/bolt:")


def render(store: Store, who: state.Identity) -> None:
    url = config.database_url()
    cb = _codebook(store, url, who.seminar.slug)
    texts = _texts(store, url, who.seminar.slug)
    settings = sidebar.render(who, texts, cb)
    state.show_messages()
    if not settings.document:
        st.info("No texts are loaded yet: an instructor adds them under Instructor's "
                "desk → Texts.")
        return
    rev = revision(store, who.seminar.id)
    rule = seminar_visibility(store, who.seminar.slug, who.username)
    drawing = highlights.drawing(store, who.seminar.slug, who.seminar.id, settings.document,
                                 rule, settings.colour_by, rev)
    version, everything, names = drawing.version, drawing.views, drawing.names
    main = st.container(key=layout.WORKSPACE)
    doc_col, side_col = main.columns([3, 2], gap="medium")
    with side_col:
        panel.undo_bar(store, who)
        doc_info = next((t for t in texts if t.document_id == settings.document), None)
        forms.composer(store, who, cb, settings.document,
                       doc_info.perspective if doc_info else "")
        if (p := state.pending()) is not None:
            layout.bring_composer_into_view(str(p["id"]))
        suggestions.render(store, who, version, cb)
        annotators = sorted({a.annotator for a in everything})
        pf = panel.filters(who, settings.document, annotators, cb, names)
    if pf.active:
        shown, drawn = _filtered(store, rule, drawing, url, rev, pf.filters,
                                 highlights.visibility_class(rule), settings.colour_by)
    else:
        shown, drawn = everything, drawing.records
    pending = state.pending()
    selected = st.session_state.get(state.SELECTED)
    focus: Focus | None = st.session_state.get(state.FOCUS)
    info = next((t for t in texts if t.document_id == settings.document), None)
    with doc_col:
        st.subheader(plain(version.title))
        if settings.quick:
            _quick_tags(settings)
        if info is not None:
            st.caption(f"Perspective: {plain(info.perspective)} · Source: "
                       f"{plain(info.source_kind or 'not given')} · "
                       f"{len(everything)} annotation{'s' if len(everything) != 1 else ''}")
        data = payload(
            version, shown, colour_by=settings.colour_by,
            perspectives=drawing.codebook.perspectives, codes=drawing.codebook.codes,
            pending=(pending["start"], pending["end"]) if pending else None,
            selected=selected, focus=focus, status=_status(settings, pending), names=names,
            pending_id=pending["id"] if pending else None,
            draft=(settings.perspective, settings.codes) if settings.quick else None,
            rejected=st.session_state.pop(state.REJECTED, None), save_button=state.COMPOSE_SAVE,
            drawn=drawn, save_url=f"/live/{who.seminar.id}/annotations",
        )
        data["live"] = _live(who, rev, None if pf.active else drawing, selected,
                             settings.colour_by)
        highlighter(
            data, key=state.HIGHLIGHTER,
            on_selection=lambda: _on_selection(settings.document),
            on_pick=_on_pick, on_hotkey=lambda: _on_hotkey(cb), on_live=_on_live,
        )
        st.caption("● Live: classmates' annotations appear here as they save them.")
    with side_col:
        opened = next((a for a in everything if a.id == selected), None)
        if opened is not None:
            panel.opened(store, who, opened, cb, names)
        elif selected:
            panel.gone(selected)
        panel.entries(shown, len(everything), pf.active, selected, names)
