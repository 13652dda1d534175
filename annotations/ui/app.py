"""The app shell: open the store once per server process, then route to a page."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from .. import config, startup
from ..db.engine import Store
from . import account, compare, cookie, home, layout, sidebar, state, workspace


@st.cache_resource(show_spinner="Opening the store…")
def _boot(url: str, texts_dir: str) -> Store:
    """The prepared store (see `startup`), once per process.

    Keyed by URL and folder so tests that point the environment elsewhere get
    their own store inside one process.
    """
    return startup.open_store(url, Path(texts_dir))


def get_store() -> Store:
    return _boot(config.database_url(), str(config.texts_dir()))


def main() -> None:
    st.set_page_config(page_title="Source criticism seminar", page_icon="🔎", layout="wide")
    store = get_store()
    user = account.signed_in(store)
    who = account.identity(store, user)
    cookie.send()
    layout.responsive()
    if who is None:
        home.render(store, user)
        return
    sidebar.identity(store, who)
    views = [state.VIEW_WORKSPACE, state.VIEW_COMPARE]
    if who.role == state.INSTRUCTOR:
        views.append(state.VIEW_DESK)
    if st.session_state.get(state.VIEW) not in (None, *views):
        st.session_state[state.VIEW] = state.VIEW_WORKSPACE
    view = st.sidebar.segmented_control(
        "View", views, key=state.VIEW, default=state.VIEW_WORKSPACE,
    )
    if view == state.VIEW_COMPARE:
        compare.render(store, who)
    elif view == state.VIEW_DESK:
        _desk(store, who)
    else:
        workspace.render(store, who)


def _desk(store: Store, who: state.Identity) -> None:
    try:
        from . import desk  # the desk engineer's page; optional until it lands
    except ImportError:
        st.info("The instructor's desk is not available yet.")
        return
    desk.render(store, who)
