"""The browser's session cookie, seen from the page: read it once per load, ask to set or clear it.

The websocket that runs this page cannot set cookies, so the page hands the
browser a one-time ticket (`annotations.web.session`) and a few lines of script
that send it to `/session/start`; clearing goes through `/session/end`. The
cookie itself is HttpOnly: no script, ours included, can read it.
"""

from __future__ import annotations

import json
from datetime import datetime

import streamlit as st

from ..web.session import COOKIE, issue_ticket
from . import state

_SEND = """<script>
(() => {{
  const url = {url};
  fetch(url, {{method: "POST", credentials: "same-origin"}})
    .then(r => {{ document.body.dataset.session = r.ok ? {done} : "failed"; }})
    .catch(() => {{ document.body.dataset.session = "failed"; }});
}})();
</script>"""


def token_once() -> str:
    """The cookie's token on the first run of a page load (a reload, a new tab), else ""."""
    if st.session_state.get(state.COOKIE_READ):
        return ""
    st.session_state[state.COOKIE_READ] = True
    try:
        return str(st.context.cookies.get(COOKIE) or "")
    except (AttributeError, RuntimeError):  # no browser behind this run (e.g. a bare script)
        return ""


def remember(token: str, expires_at: datetime) -> None:
    """After a sign-in or a guest's join: the browser keeps the token until `expires_at`."""
    st.session_state[state.COOKIE_ACTION] = ("start", issue_ticket(token, expires_at))


def forget() -> None:
    """After a sign-out, a guest leaving, or a dead token: the browser drops the cookie."""
    st.session_state[state.COOKIE_ACTION] = ("end", "")


def send() -> None:
    """Have the browser carry out a pending set or clear (one fetch, then it is done)."""
    action = st.session_state.pop(state.COOKIE_ACTION, None)
    if action is None:
        return
    kind, ticket = action
    url = f"/session/start?ticket={ticket}" if kind == "start" else "/session/end"
    st.html(_SEND.format(url=json.dumps(url), done=json.dumps(kind)),
            unsafe_allow_javascript=True, width="content")
