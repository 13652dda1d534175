"""The sidebar: who you are, which document, how highlights are coloured, fast coding."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from .. import blind
from ..corpus import TextInfo
from ..db.engine import Store
from ..errors import AnnotationsError
from ..seminar import SeminarCodebook
from . import account, state
from .markup import plain

SHORTCUTS = """
| In the text | |
|---|---|
| **Tab** at the top of the page, **Enter** | skip to the text |
| **Tab** to the text | focus it (a caret appears) |
| **Arrows** | move the caret |
| **Shift + arrows** | select (Ctrl/Alt: by word) |
| **Enter** or **A** | annotate the selection |
| **Esc** | clear the selection |
| **J / K** | next / previous highlight (a screen reader reads its author, perspective, codes) |
| **Enter** on a highlight | open it in the panel |
| **Arrows**, **Esc** in the picker | move between its choices, close it |
| **1–9** | toggle that code in the current codes |
"""


@dataclass(frozen=True)
class Settings:
    """What the sidebar decided for this run."""

    document: str
    colour_by: str
    quick: bool
    perspective: str
    codes: tuple[str, ...]


def _document_changed() -> None:
    for key in (state.PENDING, state.SELECTED, state.EDITING, state.FOCUS):
        st.session_state.pop(key, None)
    st.session_state.pop(state.PAGE_SIZE, None)


def _ask_submit(ask: bool) -> None:
    st.session_state[state.BLIND_CONFIRM] = ask


def _submit(store: Store, who: state.Identity) -> None:
    st.session_state.pop(state.BLIND_CONFIRM, None)
    try:
        blind.submit(store, who.seminar.slug, who.username)
    except AnnotationsError as e:
        state.say("error", str(e))
        return
    state.say("success", "Handed in: you now see the whole class's annotations.")


def identity(store: Store, who: state.Identity) -> None:
    """Who is signed in, where, as what, and a blind round's state; every page shows it."""
    with st.sidebar:
        st.markdown(f"Signed in as **{plain(who.display_name)}**")
        role = ("guest: no account, open seminar" if who.role == state.GUEST
                else f"{who.username} · {who.role}")
        st.caption(f"{plain(role)}  \nSeminar: {plain(who.seminar.title)} · join code "
                   f"{plain(who.seminar.join_code)}")
        if who.seminar.blind:
            status = blind.status(store, who.seminar.slug, who.username)
            st.caption(f"Blind round · {plain(status.label)}")
            if who.role == state.STUDENT and not status.revealed and not status.viewer_submitted:
                st.caption("You see only your own annotations until you hand in.")
                if st.session_state.get(state.BLIND_CONFIRM):
                    st.warning("Hand in now? You cannot take it back, and you will see your "
                               "classmates' work; you can still annotate afterwards.")
                    yes, no = st.columns(2)
                    yes.button("Yes, hand in", key=state.BLIND_YES, type="primary",
                               on_click=_submit, args=(store, who))
                    no.button("Not yet", key=state.BLIND_NO, on_click=_ask_submit,
                              args=(False,))
                else:
                    st.button("Hand in my annotations", key=state.BLIND_SUBMIT,
                              on_click=_ask_submit, args=(True,),
                              help="You will be asked to confirm: a hand-in cannot be "
                                   "taken back.")
        st.button("Leave seminar", key=state.LEAVE, on_click=account.leave_seminar,
                  args=(store,))
        st.divider()


def render(who: state.Identity, texts: list[TextInfo], cb: SeminarCodebook) -> Settings:
    titles = {t.document_id: t.title for t in texts}
    code_names = [c.name for c in cb.codes]
    with st.sidebar:
        document = st.selectbox(
            "Document", options=list(titles), format_func=lambda d: titles.get(d, d),
            key=state.DOCUMENT, on_change=_document_changed,
        ) or ""
        colour_by = st.radio("Colour highlights by", ["perspective", "code"],
                             key=state.COLOUR_BY, horizontal=True) or "perspective"
        st.subheader("Fast coding")
        quick = st.toggle("Quick code: save each selection at once", key=state.QUICK,
                          help="Every selection is saved immediately with the current "
                               "perspective and codes below; edit it later if needed.")
        perspective = st.selectbox(
            "Current perspective", options=["", *(p.name for p in cb.perspectives)],
            format_func=lambda p: p or "(none)", key=state.STICKY_PERSPECTIVE,
        ) or ""
        st.session_state.setdefault(state.STICKY_CODES, [])
        st.session_state[state.STICKY_CODES] = [
            c for c in st.session_state[state.STICKY_CODES] if c in code_names
        ]
        codes = st.multiselect("Current codes", options=code_names, key=state.STICKY_CODES)
        st.caption("Used only while Quick code is on, and shown above the text then. "
                   "Keys 1–9 in the text toggle codes: "
                   + ", ".join(f"{i} {plain(n)}" for i, n in enumerate(code_names[:9], 1)) + ".")
        with st.expander("Keyboard shortcuts"):
            st.markdown(SHORTCUTS)
    return Settings(document, colour_by, bool(quick), perspective, tuple(codes))
