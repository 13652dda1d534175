"""Who is using the app: sign-in, accounts, single sign-on, guests, and the seminar they opened.

Only wiring: passwords, sessions and the rate limit live in `annotations.accounts`,
guests in `annotations.guests`, memberships in `annotations.roles`. The session
token (an account's or a guest's) is kept in `st.session_state` and validated
on every run, so a revoked or expired session ends at the next click; the
browser keeps it in an HttpOnly cookie (see `cookie.py`), read once per page
load, so a reload or a new tab keeps you signed in and a guest in their seminar.
Single sign-on uses Streamlit's `st.login` (OIDC, configured in
`.streamlit/secrets.toml` under `[auth]`); on return `st.user` is mapped to a
local account, made on first use.
"""

from __future__ import annotations

from typing import Any

import streamlit as st
from streamlit.errors import StreamlitSecretNotFoundError

from .. import accounts, config, guests, highlights, roles
from ..accounts import AuthenticationFailed, SessionExpired, SessionInvalid, SignIn, UserInfo
from ..clientaddr import client_address
from ..db.engine import Store
from ..errors import AnnotationsError, NotFound
from ..seminar import SeminarInfo, find_by_join_code, get_seminar, revision
from . import api_tokens, cookie, state
from .markup import plain


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def sso_configured() -> bool:
    """Single sign-on is offered only when secrets.toml has an `[auth]` section."""
    try:
        return "auth" in st.secrets
    except (StreamlitSecretNotFoundError, FileNotFoundError):
        return False


def _sso_user() -> dict[str, Any]:
    user = st.user.to_dict() if sso_configured() else {}
    return user if user.get("is_logged_in") else {}


def _adopt_sso(store: Store) -> None:
    """Map the provider's user (st.user) to a local account and open a session for it."""
    user = _sso_user()
    if not user:
        return
    try:
        signed = accounts.sso_sign_in(
            store, str(user.get("iss") or user.get("provider") or ""), str(user.get("sub") or ""),
            preferred_username=str(user.get("preferred_username") or ""),
            email=str(user.get("email") or ""), display_name=str(user.get("name") or ""))
    except AnnotationsError as e:
        state.say("error", _sentence(str(e)))
        st.session_state[state.SSO_PAUSED] = True
        return
    st.session_state.pop(state.GUEST_TOKEN, None)
    st.session_state[state.AUTH_TOKEN] = signed.token
    st.session_state[state.SSO_SIGNED_IN] = True
    cookie.remember(signed.token, signed.expires_at)


def _reopen(store: Store) -> None:
    """A member's reload comes back to the seminar in the URL (identity() checks membership)."""
    slug = st.query_params.get(state.SEMINAR_PARAM)
    if not slug:
        return
    try:
        state.open_seminar(get_seminar(store, slug))
    except NotFound:
        state.leave()
        return
    document = st.query_params.get(state.DOCUMENT_PARAM)
    if document:
        st.session_state[state.DOCUMENT] = document


def _restore(store: Store) -> None:
    """A new page load with a session cookie: sign the account in, or put the guest back."""
    token = cookie.token_once()
    if not token or st.session_state.get(state.AUTH_TOKEN) or st.session_state.get(
            state.GUEST_TOKEN):
        return
    try:
        accounts.validate_session(store, token)
        st.session_state[state.AUTH_TOKEN] = token
        _reopen(store)
        return
    except SessionExpired as e:
        state.say("warning", _sentence(str(e)))
        cookie.forget()
        return
    except SessionInvalid:
        pass  # not an account's token: perhaps a guest's
    try:
        guest = guests.validate(store, token)
        state.join_as_guest(token, get_seminar(store, guest.seminar))
    except SessionExpired as e:
        state.say("warning", _sentence(str(e)))
        cookie.forget()
    except (SessionInvalid, NotFound):
        cookie.forget()  # signed out elsewhere, or a password change: nothing to say


def signed_in(store: Store) -> UserInfo | None:
    """The account of this browser session, or None; an ended session says why."""
    _restore(store)
    if (not st.session_state.get(state.AUTH_TOKEN)
            and not st.session_state.get(state.SSO_PAUSED)):
        _adopt_sso(store)
    token = st.session_state.get(state.AUTH_TOKEN)
    if not token:
        return None
    try:
        return accounts.validate_session(store, token)
    except SessionInvalid as e:  # revoked elsewhere, or SessionExpired
        text = _sentence(str(e))
    state.sign_out_locally()
    cookie.forget()
    st.session_state[state.SSO_PAUSED] = True  # an expired SSO account signs in again on click
    state.say("warning", text)
    return None


def identity(store: Store, user: UserInfo | None) -> state.Identity | None:
    """Who works in the opened seminar, re-read every run (roles and closing can change)."""
    opened: SeminarInfo | None = st.session_state.get(state.SEMINAR)
    if opened is None:
        return None
    try:
        seminar = get_seminar(store, opened.slug)
    except NotFound as e:
        state.leave()
        state.say("error", _sentence(str(e)))
        return None
    if user is not None:
        with store.read() as session:
            role = roles.role_in(session, user.id, seminar.id)
        if role is None:
            state.leave()
            state.say("error", f"You are not a member of “{seminar.title}” (any more): "
                               "join it with the code your instructor gave.")
            return None
        return state.Identity(user.username, user.display_name, seminar, role, user.id)
    token = st.session_state.get(state.GUEST_TOKEN)
    if not token:
        state.leave()
        return None
    try:
        guest = guests.validate(store, token)
    except SessionInvalid as e:
        state.leave()
        cookie.forget()
        state.say("warning", _sentence(str(e)))
        return None
    if guest.seminar != seminar.slug:
        state.leave()
        return None
    if seminar.closed:
        state.leave()
        state.say("error", f"“{seminar.title}” is closed to guests now: sign in or "
                           "create an account, then join it with its code.")
        return None
    return state.Identity(guest.id, guest.display_name, seminar, state.GUEST, None)


# ---------------------------------------------------------------- callbacks


def _sign_in(store: Store) -> None:
    username = st.session_state.get(state.SIGNIN_USERNAME, "") or ""
    password = st.session_state.get(state.SIGNIN_PASSWORD, "") or ""
    st.session_state[state.SIGNIN_PASSWORD] = ""
    if not username.strip() or not password:
        state.say("error", "Enter your username and your password.")
        return
    try:
        signed = accounts.sign_in(store, username, password, client=_client_address(),
                                  device=st.session_state.get(state.DEVICE_TOKEN, "") or "")
    except AuthenticationFailed as e:
        state.say("error", f"Sign-in failed: {e}.")
        return
    _signed_in(signed)
    st.session_state[state.DEVICE_TOKEN] = signed.device


def _client_address() -> str:
    """The browser's address, through trusted proxies ("" when Streamlit cannot tell)."""
    try:
        peer = str(st.context.ip_address or "")
        forwarded = str(st.context.headers.get("X-Forwarded-For") or "")
    except (AttributeError, RuntimeError):
        return ""
    return client_address(peer, forwarded, config.trusted_proxies()) if peer else ""


def _signed_in(signed: SignIn) -> None:
    state.leave()
    st.session_state[state.AUTH_TOKEN] = signed.token
    cookie.remember(signed.token, signed.expires_at)
    st.session_state.pop(state.SSO_SIGNED_IN, None)
    st.session_state.pop(state.SSO_PAUSED, None)


def _sign_up(store: Store) -> None:
    password = st.session_state.get(state.SIGNUP_PASSWORD, "") or ""
    st.session_state[state.SIGNUP_PASSWORD] = ""
    try:
        user = accounts.create_user(
            store, st.session_state.get(state.SIGNUP_USERNAME, "") or "",
            st.session_state.get(state.SIGNUP_DISPLAY, "") or "", password,
            actor=accounts.normalise_username(
                st.session_state.get(state.SIGNUP_USERNAME, "") or ""))
        signed = accounts.open_session(store, user.id)
    except AnnotationsError as e:
        state.say("error", _sentence(str(e)))
        return
    _signed_in(signed)
    state.say("success", f"Welcome, {user.display_name}: your account "
                         f"{user.username} is ready.")


def _join_as_guest(store: Store) -> None:
    try:
        seminar = find_by_join_code(store, st.session_state.get(state.JOIN_CODE, ""))
    except AnnotationsError as e:
        state.say("error", str(e))
        return
    if seminar.closed:
        state.say("error", f"“{seminar.title}” is for its members only: sign in or create "
                           "an account, then join it with this code.")
        return
    try:
        signed = guests.join(store, seminar, st.session_state.get(state.JOIN_NAME, "") or "")
    except AnnotationsError as e:
        state.say("error", str(e))
        return
    state.join_as_guest(signed.token, seminar)
    cookie.remember(signed.token, signed.expires_at)


def _open(store: Store, slug: str) -> None:
    try:
        state.open_seminar(get_seminar(store, slug))
    except AnnotationsError as e:
        state.say("error", _sentence(str(e)))


def _join_with_code(store: Store, user: UserInfo) -> None:
    try:
        member = roles.join_seminar(store, user.id, st.session_state.get(
            state.MEMBER_JOIN_CODE, "") or "")
    except AnnotationsError as e:
        state.say("error", _sentence(str(e)))
        return
    st.session_state[state.MEMBER_JOIN_CODE] = ""
    _open(store, member.seminar)


def _create(store: Store, user: UserInfo) -> None:
    try:
        info = roles.create_seminar_as(
            store, user.id,
            (st.session_state.get(state.NEW_SLUG, "") or "").strip(),
            (st.session_state.get(state.NEW_TITLE, "") or "").strip(),
            (st.session_state.get(state.NEW_CODE, "") or "").strip())
    except AnnotationsError as e:
        state.say("error", _sentence(str(e)))
        return
    st.session_state[state.CREATED] = info


# ---------------------------------------------------------------- pieces of the home page


def sign_in_forms(store: Store) -> None:
    """Signed out: sign in, create an account, single sign-on, or try the demo as a guest."""
    signin, signup = st.tabs(["Sign in", "Create account"])
    with signin, st.form("signin_form"):
        st.text_input("Username", key=state.SIGNIN_USERNAME, max_chars=80,
                      autocomplete="username")
        st.text_input("Password", key=state.SIGNIN_PASSWORD, type="password",
                      autocomplete="current-password")
        st.form_submit_button("Sign in", type="primary", key=state.SIGNIN_SUBMIT,
                              on_click=_sign_in, args=(store,))
    with signup, st.form("signup_form"):
        st.text_input("Choose a username", key=state.SIGNUP_USERNAME, max_chars=80,
                      help="2-80 lowercase letters, digits, '.', '_' or '-'; it never "
                           "changes and is stored with your annotations.")
        st.text_input("Your name as classmates see it", key=state.SIGNUP_DISPLAY,
                      max_chars=200)
        st.text_input("Choose a password", key=state.SIGNUP_PASSWORD, type="password",
                      autocomplete="new-password",
                      help=f"At least {accounts.MIN_PASSWORD} characters.")
        st.form_submit_button("Create account", key=state.SIGNUP_SUBMIT,
                              on_click=_sign_up, args=(store,))
    if sso_configured() and st.button("Sign in with SSO", key=state.SSO_LOGIN,
                                      icon=":material/login:"):
        st.session_state.pop(state.SSO_PAUSED, None)
        if _sso_user():
            _adopt_sso(store)
            st.rerun()
        st.login()
    st.subheader("Try the demo without an account")
    with st.form("join_form"):
        st.text_input("Display name", key=state.JOIN_NAME, max_chars=200,
                      placeholder="How classmates will see you")
        st.text_input("Join code", key=state.JOIN_CODE, placeholder="e.g. DEMO")
        st.caption("Use code **DEMO** to try the demo seminar. Without an account you can "
                   "join open seminars only; your class's own seminar needs an account.")
        st.form_submit_button("Join", type="primary", key=state.JOIN_SUBMIT,
                              on_click=_join_as_guest, args=(store,))


def _sign_out(store: Store) -> None:
    token = st.session_state.get(state.AUTH_TOKEN)
    if token:
        accounts.sign_out(store, token)
    state.sign_out_locally()
    cookie.forget()
    st.session_state[state.SSO_PAUSED] = True
    state.say("success", "You are signed out.")


def _change_password(store: Store, user: UserInfo) -> None:
    old = st.session_state.get(state.OLD_PASSWORD, "") or ""
    new = st.session_state.get(state.NEW_PASSWORD, "") or ""
    st.session_state[state.OLD_PASSWORD] = st.session_state[state.NEW_PASSWORD] = ""
    try:
        accounts.change_password(store, user.username, old, new)
    except AnnotationsError as e:
        state.say("error", _sentence(str(e)))
        return
    state.sign_out_locally()  # the change signed this account out everywhere, here too
    cookie.forget()
    st.session_state[state.SSO_PAUSED] = True
    state.say("success", "Your password is changed and every session of your account has "
                         "ended: sign in with the new password.")


def leave_seminar(store: Store) -> None:
    """Back to the home page; a guest's session ends here (their work stays theirs)."""
    token = st.session_state.get(state.GUEST_TOKEN)
    if token:
        guests.leave(store, token)
        cookie.forget()
    state.leave()


def my_seminars(store: Store, user: UserInfo) -> None:
    """Signed in: the seminars to open, joining with a code, creating one, signing out."""
    st.markdown(f"Signed in as **{plain(user.display_name)}** ({plain(user.username)})")
    sso = bool(st.session_state.get(state.SSO_SIGNED_IN))
    if st.button("Sign out", key=state.SIGN_OUT, icon=":material/logout:"):
        _sign_out(store)
        if sso and _sso_user():
            st.logout()  # forget the provider's identity cookie too; the browser reloads
            st.stop()
        st.rerun()
    st.subheader("My seminars")
    with store.read() as session:
        mine = roles.memberships(session, user.id)
    if not mine:
        st.caption("You have not joined a seminar yet: join one with its code, or create one.")
    for m in mine:
        info = get_seminar(store, m.seminar)
        with st.container(border=True):
            st.markdown(f"**{plain(info.title)}**")
            st.caption(f"{plain(m.role)} · join code {plain(info.join_code)}")
            st.button("Open", key=state.entry_key("open_seminar", m.seminar),
                      on_click=_open, args=(store, m.seminar))
    with st.form("member_join_form"):
        st.text_input("Join with a code", key=state.MEMBER_JOIN_CODE,
                      placeholder="The code your instructor gave")
        st.form_submit_button("Join seminar", type="primary", key=state.MEMBER_JOIN_SUBMIT,
                              on_click=_join_with_code, args=(store, user))
    created = st.session_state.get(state.CREATED)
    if created is not None:  # outside the expander: a rerun closes it, the news stays
        st.success(f"Seminar “{plain(created.title)}” created. Its join code is "
                   f"**{plain(created.join_code)}**: share it with your class. It is listed "
                   "under My seminars above.")
    if not roles.may_create_seminar(store, user.id):
        st.caption("Instructors create seminars: ask a site admin to make you an instructor.")
    else:
        with st.expander("Create a seminar (you will be its instructor)"):
            with st.form("create_form"):
                st.text_input("Short name (slug)", key=state.NEW_SLUG,
                              placeholder="e.g. hist-201-spring",
                              help="Lower-case letters, digits and dashes.")
                st.text_input("Title", key=state.NEW_TITLE,
                              placeholder="e.g. Soviet history, spring term")
                st.text_input("Join code (optional)", key=state.NEW_CODE,
                              help="Leave empty for a random six-character code.")
                st.caption("Only members can see and write in it: students join with its code.")
                st.form_submit_button("Create seminar", key=state.NEW_SUBMIT,
                                      on_click=_create, args=(store, user))
    api_tokens.token_settings(store, user)
    with st.expander("Change my password"), st.form("password_form"):
        st.text_input("Current password", key=state.OLD_PASSWORD, type="password",
                      autocomplete="current-password")
        st.text_input("New password", key=state.NEW_PASSWORD, type="password",
                      autocomplete="new-password",
                      help=f"At least {accounts.MIN_PASSWORD} characters; every session of "
                           "your account ends, on every device.")
        st.form_submit_button("Change password", key=state.PASSWORD_SUBMIT,
                              on_click=_change_password, args=(store, user))


# ---------------------------------------------------------------- who wrote what


@st.cache_data(ttl=60, max_entries=256, show_spinner=False)
def _names(_store: Store, url: str, seminar_id: int, revision: int) -> dict[str, str]:
    return highlights.display_names(_store, seminar_id)


def display_names(store: Store, seminar: SeminarInfo) -> dict[str, str]:
    """Username or guest id → display name (a guest's first write bumps the revision)."""
    return _names(store, config.database_url(), seminar.id, revision(store, seminar.id))


def shown_name(names: dict[str, str], username: str) -> str:
    """The display name next to the stored username; a guest's label carries a guest mark."""
    display = names.get(username, "")
    if guests.is_guest(username):
        return f"{display or 'unnamed'} (guest)"
    return f"{display} ({username})" if display and display != username else username
