"""Session-state keys and the few helpers around them.

Widget keys are the test API (AppTest drives the app through them), so they
are declared here once and imported by the pages and by the tests.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import streamlit as st

from ..seminar import SeminarInfo
from .markup import plain

# Identity
AUTH_TOKEN = "auth_token"  # session token of a signed-in account (validated every run)
DEVICE_TOKEN = "device_token"  # this browser signed in before: sign-in holds skip it
SSO_SIGNED_IN = "auth_sso"  # the account was signed in through st.login
SSO_PAUSED = "auth_sso_paused"  # don't map st.user again after a sign-out or an expiry
GUEST_TOKEN = "guest_token"  # session token of a guest (validated every run)
COOKIE_READ = "cookie_read"  # this page load has looked at the session cookie
COOKIE_ACTION = "cookie_action"  # ("start", ticket) or ("end", "") for the browser to send
SEMINAR = "seminar"  # SeminarInfo of the opened seminar
SEMINAR_PARAM = "seminar"  # the URL's ?seminar=<slug>: a member's reload reopens it
DOCUMENT_PARAM = "document"  # ?document=<id> with it: the text to open (an LMS link names one)

# Home page: sign in, create an account, single sign-on
SIGNIN_USERNAME = "signin_username"
SIGNIN_PASSWORD = "signin_password"
SIGNIN_SUBMIT = "signin_submit"
SIGNUP_USERNAME = "signup_username"
SIGNUP_DISPLAY = "signup_display"
SIGNUP_PASSWORD = "signup_password"
SIGNUP_SUBMIT = "signup_submit"
SSO_LOGIN = "sso_login"

# Home page: try the demo without an account (open seminars only)
JOIN_NAME = "join_name"
JOIN_CODE = "join_code"
JOIN_SUBMIT = "join_submit"

# Home page, signed in: my seminars (`open_seminar_<slug>`), join with a code, create one
MEMBER_JOIN_CODE = "member_join_code"
MEMBER_JOIN_SUBMIT = "member_join_submit"
NEW_SLUG = "new_slug"
NEW_TITLE = "new_title"
NEW_CODE = "new_code"
NEW_SUBMIT = "new_submit"
CREATED = "created_seminar"
SIGN_OUT = "sign_out"
OLD_PASSWORD = "pw_old"
NEW_PASSWORD = "pw_new"
PASSWORD_SUBMIT = "pw_submit"

# Sidebar of an opened seminar: a student hands in a blind round's work (asked twice)
BLIND_SUBMIT = "blind_submit"
BLIND_CONFIRM = "blind_confirm"  # the hand-in is waiting for "Yes, hand in"
BLIND_YES = "blind_yes"
BLIND_NO = "blind_no"

# Panel: a delete waits for its confirmation; the last delete can be undone for a while
CONFIRM_DELETE = "confirm_delete"  # the id whose delete waits for "Yes, delete"
UNDO = "undo_delete"  # annotation.Deleted of this session's last delete
UNDO_BUTTON = "undo_button"

# Which page of an opened seminar is shown
VIEW = "nav_view"
VIEW_WORKSPACE, VIEW_COMPARE, VIEW_DESK = "Annotate", "Compare texts", "Instructor's desk"

GUEST, STUDENT, INSTRUCTOR = "guest", "student", "instructor"

# Workspace: sidebar
DOCUMENT = "ws_document"
COLOUR_BY = "ws_colour_by"
QUICK = "ws_quick"
STICKY_PERSPECTIVE = "ws_sticky_perspective"
STICKY_CODES = "ws_sticky_codes"
LEAVE = "ws_leave"

# Workspace: document and selection
HIGHLIGHTER = "highlighter"
PENDING = "ws_pending"  # {"start", "end", "quote", "id"}: a selection waiting for tags
SELECTED = "ws_selected"  # id of the annotation opened in the panel
FOCUS = "ws_focus"  # Focus to send to the component once
EDITING = "ws_editing"  # id of the annotation whose edit form is open
REJECTED = "ws_rejected"  # id of a save the server just refused (the component undraws it)
MESSAGES = "ws_messages"  # [(kind, text)] shown once after a rerun
PAGE_SIZE = "ws_page_size"

# Composer
COMPOSER = "ws_composer"  # the composer's container; the highlighter's JS finds it by this key
COMPOSE_PERSPECTIVE = "new_perspective"
COMPOSE_CODES = "new_codes"
COMPOSE_NOTE = "new_note"
COMPOSE_SAVE = "new_save"
COMPOSE_CANCEL = "new_cancel"
COMPOSE_FOR = "new_for"  # pending id the composer widgets were initialised for

# Panel filters
FILTER_WHO = "flt_who"
FILTER_ANNOTATOR = "flt_annotator"
FILTER_CODE = "flt_code"
FILTER_PERSPECTIVE = "flt_perspective"
FILTER_SEARCH = "flt_search"
MORE = "ann_more"

WHO_EVERYONE, WHO_MINE, WHO_ONE = "everyone", "mine", "one annotator"
ANY = "(any)"


def entry_key(action: str, annotation_id: str) -> str:
    """Per-annotation widget keys, e.g. `ann_open_<id>`, `reply_text_<id>`."""
    return f"{action}_{annotation_id}"


@dataclass(frozen=True)
class Identity:
    """Who is working in which seminar, worked out afresh on every run (see account.py)."""

    username: str  # what the library stores as annotator / author
    display_name: str  # what classmates see; a guest's is only a label
    seminar: SeminarInfo
    role: str  # INSTRUCTOR, STUDENT or GUEST (an open seminar without an account)
    user_id: int | None  # None for guests


def join_as_guest(token: str, seminar: SeminarInfo) -> None:
    _forget_page()
    st.session_state[GUEST_TOKEN] = token
    st.session_state[SEMINAR] = seminar


def open_seminar(seminar: SeminarInfo) -> None:
    _forget_page()
    st.session_state[SEMINAR] = seminar
    st.query_params[SEMINAR_PARAM] = seminar.slug  # a reload comes back here


def _forget_page() -> None:
    for key in (PENDING, SELECTED, EDITING, FOCUS, REJECTED, VIEW, DOCUMENT):
        st.session_state.pop(key, None)


def leave() -> None:
    """Back to the home page; a signed-in account stays signed in, a guest is forgotten."""
    _forget_page()
    for key in (GUEST_TOKEN, SEMINAR):
        st.session_state.pop(key, None)
    if SEMINAR_PARAM in st.query_params:
        del st.query_params[SEMINAR_PARAM]


def sign_out_locally() -> None:
    leave()
    for key in (AUTH_TOKEN, SSO_SIGNED_IN, CREATED):
        st.session_state.pop(key, None)


def say(kind: str, text: str) -> None:
    """Queue a message for the next run (callbacks run before the page is drawn).

    `text` is plain prose (it may quote user input, e.g. in an error): it is
    escaped here, once, so callers never pass Markdown.
    """
    st.session_state.setdefault(MESSAGES, []).append((kind, plain(text)))


def show_messages() -> None:
    for kind, text in st.session_state.pop(MESSAGES, []):
        {"error": st.error, "success": st.success, "warning": st.warning}.get(kind, st.info)(
            text
        )


def set_pending(start: int, end: int, quote: str, pending_id: str | None = None) -> None:
    """A selection waiting for its tags; its id makes the later save idempotent."""
    st.session_state[PENDING] = {
        "start": int(start), "end": int(end), "quote": str(quote),
        "id": str(uuid.UUID(pending_id)) if pending_id else str(uuid.uuid4()),
    }


def pending() -> dict[str, Any] | None:
    p = st.session_state.get(PENDING)
    if not isinstance(p, dict) or not {"start", "end", "quote"} <= p.keys():
        return None
    if not p.get("id"):
        p = {**p, "id": str(uuid.uuid4())}
        st.session_state[PENDING] = p
    return p


def focus_on(annotation_id: str) -> None:
    """Open an annotation in the panel and make the text scroll to and flash it."""
    from .highlighter import Focus

    st.session_state[SELECTED] = annotation_id
    st.session_state[FOCUS] = Focus(annotation_id, uuid.uuid4().hex)
