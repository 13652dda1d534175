"""The first page: the built-in corpus, joining a seminar, creating one."""

from __future__ import annotations

import streamlit as st

from ..annotation import check_name
from ..corpus import list_texts
from ..db.engine import Store
from ..errors import AnnotationsError
from ..seminar import create_seminar, find_by_join_code
from . import state
from .markup import plain


def _join(store: Store) -> None:
    """Form callback: validate the name and code through the library, then enter."""
    try:
        name = check_name(st.session_state.get(state.JOIN_NAME, ""), "display")
        seminar = find_by_join_code(store, st.session_state.get(state.JOIN_CODE, ""))
    except AnnotationsError as e:
        state.say("error", str(e))
        return
    state.join(name, seminar)


def _create(store: Store) -> None:
    try:
        info = create_seminar(
            store,
            st.session_state.get(state.NEW_SLUG, "").strip(),
            st.session_state.get(state.NEW_TITLE, "").strip(),
            st.session_state.get(state.NEW_CODE, "").strip(),
        )
    except AnnotationsError as e:
        state.say("error", str(e))
        return
    st.session_state[state.CREATED] = info


def render(store: Store) -> None:
    st.title("Source criticism seminar")
    st.write(
        "Read the sources side by side, highlight passages, tag them with a perspective and "
        "critique codes, and discuss them with your class live."
    )
    state.show_messages()
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader("Built-in corpus")
        texts = list_texts(store)
        if not texts:
            st.info("No texts are loaded: add some with `annotations texts add`.")
        for t in texts:
            with st.container(border=True):
                st.markdown(f"**{plain(t.title)}**")
                st.caption(
                    f"Perspective: {plain(t.perspective)} · "
                    f"Source: {plain(t.source_kind or 'not given')} · "
                    f"{t.characters:,} characters"
                )
    with right:
        st.subheader("Join a seminar")
        with st.form("join_form"):
            st.text_input("Display name", key=state.JOIN_NAME, max_chars=200,
                          placeholder="How classmates will see you")
            st.text_input("Join code", key=state.JOIN_CODE, placeholder="e.g. DEMO")
            st.caption("Use code **DEMO** to try the demo seminar.")
            st.form_submit_button("Join", type="primary", key=state.JOIN_SUBMIT,
                                  on_click=_join, args=(store,))
        with st.expander("Create a new seminar"):
            with st.form("create_form"):
                st.text_input("Short name (slug)", key=state.NEW_SLUG,
                              placeholder="e.g. hist-201-spring",
                              help="Lower-case letters, digits and dashes.")
                st.text_input("Title", key=state.NEW_TITLE,
                              placeholder="e.g. Soviet history, spring term")
                st.text_input("Join code (optional)", key=state.NEW_CODE,
                              help="Leave empty for a random six-character code.")
                st.form_submit_button("Create seminar", key=state.NEW_SUBMIT,
                                      on_click=_create, args=(store,))
            created = st.session_state.get(state.CREATED)
            if created is not None:
                st.success(
                    f"Seminar “{plain(created.title)}” created. Its join code is "
                    f"**{created.join_code}**: share it with your class."
                )
