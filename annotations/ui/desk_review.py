"""Desk: the review list of re-anchored annotations, old and new context side by side.

Each flagged placement can be accepted, moved onto the right words, or sent
back to its old text as an orphan; orphans can be moved. The rules and the
audit are in `annotations.placement`; this page only wires widgets to them.
"""

from __future__ import annotations

import streamlit as st

from .. import placement
from . import state
from .desk_common import Desk, act, shown
from .markup import clip, plain

ACCEPT = "desk_rev_accept_"  # + annotation id
ORPHAN = "desk_rev_orphan_"
WORDS = "desk_rev_words_"
WHERE = "desk_rev_where_"
MOVE = "desk_rev_move_"
MAX_LISTED = 30


def _in_context(side: placement.Side) -> str:
    return (f"…{plain(clip(side.prefix, 60))} **{plain(side.quote)}** "
            f"{plain(clip(side.suffix, 60))}…")


def _accept(d: Desk, aid: str) -> None:
    act(lambda: placement.accept(d.store, d.slug, aid, d.actor()), "Placement accepted.")


def _orphan(d: Desk, aid: str) -> None:
    act(lambda: placement.orphan(d.store, d.slug, aid, d.actor()),
        "Sent back to its old text as an orphan; its author still sees it there.")


def _move(d: Desk, item: placement.Pending) -> None:
    words = st.session_state.get(WORDS + item.annotation_id) or ""
    choice = st.session_state.get(WHERE + item.annotation_id) or 0
    found = act(lambda: placement.occurrences(d.store, item.document_id, words)) or []
    if not 0 <= choice < len(found):
        state.say("error", f"“{words}” is not in the current text: copy the words exactly")
        return
    side = found[choice]
    act(lambda: placement.move(d.store, d.slug, item.annotation_id, side.start, side.end,
                               d.actor()), "Annotation moved onto the chosen words.")


def render(d: Desk) -> None:
    st.subheader("Review re-anchored annotations")
    items = shown(lambda: placement.pending(d.store, d.slug)) or []
    if not items:
        st.caption("Nothing to review: every annotation of this seminar sits on its words.")
        return
    st.caption("Placements the edit did not prove, and annotations whose words were deleted "
               "(orphans, kept on the old text). Accept a proposed place, move the annotation "
               "onto the right words, or send it back to its old text as an orphan.")
    for item in items[:MAX_LISTED]:
        _item(d, item)
    if len(items) > MAX_LISTED:
        st.caption(f"{len(items) - MAX_LISTED} more: decide these first.")


def _item(d: Desk, item: placement.Pending) -> None:
    aid = item.annotation_id
    with st.container(border=True):
        what = ("needs review" if item.status == "review"
                else "orphan: its words are not in the current text")
        st.markdown(f"**{plain(item.annotator)}** · {plain(item.document_id)} · {what}")
        before, now = st.columns(2)
        with before:
            st.caption("Before (the text it was made on)")
            st.markdown(_in_context(item.old))
        with now:
            st.caption("Now (the current text)")
            st.markdown(_in_context(item.new) if item.new else "*(no place proposed)*")
        if item.status == "review":
            accept, orphan = st.columns(2)
            accept.button("Accept this place", key=ACCEPT + aid, on_click=_accept,
                          args=(d, aid))
            if item.returnable:
                orphan.button("Orphan: its words are gone", key=ORPHAN + aid,
                              on_click=_orphan, args=(d, aid))
        words = st.text_input("Or move it onto these words (copy them from the text)",
                              key=WORDS + aid)
        found = (shown(lambda: placement.occurrences(d.store, item.document_id, words)) or []
                 if words else [])
        if words and not found:
            st.caption("These words are not in the current text: copy them exactly.")
        if found:
            st.selectbox("Which occurrence", range(len(found)), key=WHERE + aid,
                         format_func=lambda i: clip(
                             f"{found[i].prefix} [{found[i].quote}] {found[i].suffix}", 120))
            st.button("Move here", key=MOVE + aid, on_click=_move, args=(d, item))
