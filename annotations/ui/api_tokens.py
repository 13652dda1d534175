"""My seminars → API tokens: a member creates and revokes personal tokens for the open API.

Only wiring: the rules (who may, hashing, scope, expiry, audit) live in
`annotations.api_tokens`; which seminars to offer comes from the permission map.
A new token is kept in the session only until the next run draws it once.
"""

from __future__ import annotations

import streamlit as st

from .. import api_tokens, permissions, roles
from ..accounts import UserInfo
from ..db.engine import Store
from ..errors import AnnotationsError
from ..permissions import Action, Actor
from ..seminar import get_seminar
from ..timeutil import format_time
from . import state
from .markup import plain

# Widget keys (the AppTest API of this panel)
LABEL = "api_token_label"
SEMINARS = "api_token_seminars"
EXPIRY = "api_token_expiry"
CREATE = "api_token_create"
NEW = "api_token_new"  # the token just made: shown on the next run, then forgotten
REVOKE = "api_token_revoke"  # state.entry_key(REVOKE, id) per token
EXPIRIES = {"never": None, "30 days": 30, "90 days": 90, "1 year": 365}


def _actor(user: UserInfo) -> Actor:
    return Actor(user.username, user.id, "user")


def _offered(store: Store, user: UserInfo) -> list[str]:
    """The seminars the map lets this account make tokens for."""
    with store.read() as session:
        mine = [m.seminar for m in roles.memberships(session, user.id)]
    return [slug for slug in mine if permissions.may(
        store, _actor(user), Action.CREATE_API_TOKEN, get_seminar(store, slug).id)]


def _create(store: Store, user: UserInfo) -> None:
    label = st.session_state.get(LABEL, "") or ""
    chosen = list(st.session_state.get(SEMINARS, []) or [])
    days = EXPIRIES.get(st.session_state.get(EXPIRY, "never") or "never")
    try:
        made = api_tokens.create_token(store, _actor(user), user.username, label, chosen,
                                       expires_in_days=days)
    except AnnotationsError as e:
        state.say("error", str(e))
        return
    st.session_state[LABEL] = ""
    st.session_state[NEW] = made


def _revoke(store: Store, user: UserInfo, token_id: int) -> None:
    try:
        info = api_tokens.revoke_token(store, _actor(user), token_id)
    except AnnotationsError as e:
        state.say("error", str(e))
        return
    state.say("success", f"Token “{info.label}” is revoked: it no longer works.")


def _when(value: object) -> str:
    return format_time(value) if value is not None else "never"  # type: ignore[arg-type]


def token_settings(store: Store, user: UserInfo) -> None:
    """The new token (once), then the panel: create a token, list and revoke them."""
    made: api_tokens.NewToken | None = st.session_state.pop(NEW, None)
    if made is not None:  # outside the expander: a rerun closes it, the token stays visible
        st.success(f"Token “{plain(made.info.label)}” created for "
                   f"{plain(', '.join(made.info.seminars))}. Copy it now: it is not shown "
                   "again.")
        st.code(made.token, language=None)
    offered = _offered(store, user)
    with st.expander("API tokens (for scripts and other tools)"):
        st.caption("A token reads, never writes: the W3C annotation container of each "
                   "seminar it names, at /api/seminars/SEMINAR/annotations/, and the CSV "
                   "downloads; it sees only what you may see. Send it as "
                   "`Authorization: Bearer TOKEN`.")
        if not offered:
            st.caption("Join a seminar first: tokens read the seminars you are a member of.")
        else:
            with st.form("api_token_form"):
                st.text_input("What is it for?", key=LABEL, max_chars=200,
                              placeholder="e.g. R scripts for the term paper")
                st.multiselect("Seminars it may read", offered, key=SEMINARS)
                st.selectbox("Expires", list(EXPIRIES), key=EXPIRY)
                st.form_submit_button("Create token", key=CREATE, on_click=_create,
                                      args=(store, user))
        for t in api_tokens.list_tokens(store, _actor(user), user.username):
            status = t.state()
            with st.container(border=True):
                st.markdown(f"**{plain(t.label)}** · {plain(t.hint)}… · {status}")
                st.caption(f"reads {plain(', '.join(t.seminars))} · created "
                           f"{format_time(t.created_at)} · expires {_when(t.expires_at)} · "
                           f"last used {_when(t.last_used_at)}")
                if status == "active":
                    st.button("Revoke", key=state.entry_key(REVOKE, str(t.id)),
                              on_click=_revoke, args=(store, user, t.id))
