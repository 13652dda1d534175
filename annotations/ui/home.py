"""The first page: the built-in corpus, then signing in (or trying the demo) and seminars."""

from __future__ import annotations

import streamlit as st

from ..accounts import UserInfo
from ..corpus import list_texts
from ..db.engine import Store
from . import account, state
from .markup import plain


def render(store: Store, user: UserInfo | None) -> None:
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
            st.info("No texts are loaded yet: an instructor adds them under Instructor's "
                    "desk → Texts.")
        for t in texts:
            with st.container(border=True):
                st.markdown(f"**{plain(t.title)}**")
                st.caption(
                    f"Perspective: {plain(t.perspective)} · "
                    f"Source: {plain(t.source_kind or 'not given')} · "
                    f"{t.characters:,} characters"
                )
    with right:
        if user is None:
            account.sign_in_forms(store)
        else:
            account.my_seminars(store, user)
