"""AppTest flows for accounts: sign-up, sign-in, seminars of a signed-in user, SSO mapping.

Passwords are hashed with argon2's lowest costs (conftest), so each sign-in is cheap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from annotations import accounts, blind, roles
from annotations.annotation import Filters, create_annotation, list_annotations
from annotations.corpus import get_text
from annotations.db.engine import Store
from annotations.db.models import UserSession
from annotations.seminar import get_seminar
from annotations.timeutil import now
from annotations.ui import state

APP = str(Path(__file__).resolve().parents[2] / "app.py")
DOC = "allied-powers-ussr"
PASSWORD = "correct horse battery"
SSO_SECRETS = {"auth": {
    "redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x" * 32,
    "client_id": "seminar", "client_secret": "s3cret",
    "server_metadata_url": "http://127.0.0.1:1/.well-known/openid-configuration"}}


def _app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=60).run()


# Seminars here are created by ordinary accounts (tests/security covers who may).
pytestmark = pytest.mark.usefixtures("open_signup")


@pytest.fixture
def store(app_env: str) -> Iterator[Store]:
    at = _app()  # boots the store: corpus and demo seminar
    assert not at.exception
    s = Store.open(app_env)
    yield s
    s.dispose()


def _texts(elements: object) -> str:
    """What the messages read on screen (Markdown escapes removed)."""
    return " ".join(re.sub(r"\\(.)", r"\1", e.value) for e in elements)  # type: ignore[attr-defined]


def _sign_up(at: AppTest, username: str, display: str, password: str = PASSWORD) -> None:
    at.text_input(key=state.SIGNUP_USERNAME).input(username)
    at.text_input(key=state.SIGNUP_DISPLAY).input(display)
    at.text_input(key=state.SIGNUP_PASSWORD).input(password)
    at.button(key=state.SIGNUP_SUBMIT).click().run()
    assert not at.exception


def _sign_in(at: AppTest, username: str, password: str = PASSWORD) -> None:
    at.text_input(key=state.SIGNIN_USERNAME).input(username)
    at.text_input(key=state.SIGNIN_PASSWORD).input(password)
    at.button(key=state.SIGNIN_SUBMIT).click().run()
    assert not at.exception


def _instructor_with_seminar(store: Store) -> int:
    ines = accounts.create_user(store, "ines", "Inès Instructor", PASSWORD)
    roles.create_seminar_as(store, ines.id, "hist-201", "Soviet history", "HIST22")
    return ines.id


def test_create_account_then_create_a_seminar_as_its_instructor(store: Store) -> None:
    at = _app()
    _sign_up(at, "Ines", "Inès Instructor")
    assert at.session_state[state.AUTH_TOKEN]
    assert "Signed in as **Inès Instructor** (ines)" in _texts(at.markdown)
    assert "You have not joined a seminar yet" in _texts(at.caption)
    at.text_input(key=state.NEW_SLUG).input("hist-201")
    at.text_input(key=state.NEW_TITLE).input("Soviet history")
    at.text_input(key=state.NEW_CODE).input("HIST22")
    at.button(key=state.NEW_SUBMIT).click().run()
    assert not at.exception
    assert "Its join code is **HIST22**" in _texts(at.success)
    # The news stays outside the section a rerun closes (issue 11, item 8).
    assert not any(_texts(e.success) for e in at.expander)
    assert "instructor · join code HIST22" in _texts(at.caption)
    at.button(key=state.NEW_SUBMIT).click().run()
    assert "already exists" in _texts(at.error)
    seminar = get_seminar(store, "hist-201")
    assert seminar.closed  # made by a signed-in user for a class: members only
    at.button(key=state.entry_key("open_seminar", "hist-201")).click().run()
    assert not at.exception
    assert "Signed in as **Inès Instructor**" in _texts(at.sidebar.markdown)
    assert "ines · instructor" in _texts(at.sidebar.caption)
    view = at.sidebar.segmented_control(key=state.VIEW)
    assert view.options == [state.VIEW_WORKSPACE, state.VIEW_COMPARE, state.VIEW_DESK]
    view.set_value(state.VIEW_DESK).run()
    assert not at.exception
    # A new browser session signs in with the password and finds the seminar.
    again = _app()
    _sign_in(again, "ines")
    assert "instructor · join code HIST22" in _texts(again.caption)


def test_second_account_joins_with_the_code_as_a_student(store: Store) -> None:
    _instructor_with_seminar(store)
    at = _app()
    _sign_up(at, "sam", "Sam Student")
    at.text_input(key=state.MEMBER_JOIN_CODE).input("hist22")
    at.button(key=state.MEMBER_JOIN_SUBMIT).click().run()
    assert not at.exception
    assert "sam · student" in _texts(at.sidebar.caption)
    assert at.sidebar.segmented_control(key=state.VIEW).options == [
        state.VIEW_WORKSPACE, state.VIEW_COMPARE]
    text = get_text(store, DOC).text
    start = text.index("totalitarian rule")
    at.session_state[state.PENDING] = {"start": start, "end": start + 17,
                                       "quote": "totalitarian rule"}
    at.run()
    at.button(key=state.COMPOSE_SAVE).click().run()
    assert not at.exception
    [a] = list_annotations(store, Filters(seminar="hist-201"))
    assert a.annotator == "sam"  # the username, not the display name
    shown = _texts(at.caption).replace("\\", "")  # user text is escaped Markdown
    assert "Sam Student (sam)" in shown  # shown with the display name
    sid = get_seminar(store, "hist-201").id
    with store.read() as session:
        assert [(m.username, m.role) for m in roles.members(session, sid)] == [
            ("ines", "instructor"), ("sam", "student")]


def test_guests_join_open_seminars_only(store: Store) -> None:
    _instructor_with_seminar(store)
    at = _app()
    at.text_input(key=state.JOIN_NAME).input("Gus")
    at.text_input(key=state.JOIN_CODE).input("HIST22")
    at.button(key=state.JOIN_SUBMIT).click().run()
    assert "is for its members only: sign in or create an account" in _texts(at.error)
    assert state.SEMINAR not in at.session_state


def test_guests_cannot_take_an_accounts_name(store: Store) -> None:
    _instructor_with_seminar(store)  # the account "ines"
    at = _app()
    at.text_input(key=state.JOIN_NAME).input("Ines")
    at.text_input(key=state.JOIN_CODE).input("DEMO")
    at.button(key=state.JOIN_SUBMIT).click().run()
    assert "is an account's name: sign in with it" in _texts(at.error).replace("\\", "")
    assert state.SEMINAR not in at.session_state
    at.text_input(key=state.JOIN_NAME).input("Gus")
    at.button(key=state.JOIN_SUBMIT).click().run()
    assert at.session_state[state.SEMINAR].slug == "demo"
    assert state.GUEST_TOKEN in at.session_state


def test_wrong_password_is_explained(store: Store) -> None:
    accounts.create_user(store, "ana", "Ana", PASSWORD)
    at = _app()
    _sign_in(at, "ana", "not the password")
    assert ("Sign-in failed: username or password is wrong: check both and try again."
            in _texts(at.error))
    assert state.AUTH_TOKEN not in at.session_state
    assert at.text_input(key=state.SIGNIN_PASSWORD).value == ""  # not kept in the form
    assert at.text_input(key=state.SIGNIN_USERNAME).value == "ana"
    _sign_in(at, "nobody", "not the password")  # unknown names: the same message
    assert "username or password is wrong" in _texts(at.error)


def test_rate_limit_after_five_failures(store: Store) -> None:
    accounts.create_user(store, "ana", "Ana", PASSWORD)
    at = _app()
    for _ in range(accounts.MAX_FAILURES):
        _sign_in(at, "ana", "wrong password")
    _sign_in(at, "ana")  # even the right password waits now
    errors = _texts(at.error)
    assert "too many failed sign-ins: wait " in errors
    assert "Z)" not in errors and "until" not in errors  # no raw UTC time (issue 11)
    assert state.AUTH_TOKEN not in at.session_state


def test_expired_session_goes_back_to_sign_in(store: Store) -> None:
    at = _app()
    _sign_up(at, "ana", "Ana")
    at.text_input(key=state.MEMBER_JOIN_CODE).input("DEMO")
    at.button(key=state.MEMBER_JOIN_SUBMIT).click().run()
    assert "ana · student" in _texts(at.sidebar.caption)
    with store.transaction() as session:  # the teaching day is over
        session.execute(update(UserSession).values(expires_at=now() - timedelta(minutes=1)))
    at.run()
    assert not at.exception
    assert "Your session expired at" in _texts(at.warning)
    assert "sign in again" in _texts(at.warning)
    assert state.AUTH_TOKEN not in at.session_state and state.SEMINAR not in at.session_state
    assert at.text_input(key=state.SIGNIN_USERNAME) is not None
    _sign_in(at, "ana")
    assert "Signed in as **Ana** (ana)" in _texts(at.markdown)


def test_sign_out_revokes_the_token(store: Store) -> None:
    accounts.create_user(store, "ana", "Ana", PASSWORD)
    at = _app()
    _sign_in(at, "ana")
    token = at.session_state[state.AUTH_TOKEN]
    assert accounts.validate_session(store, token).username == "ana"
    at.button(key=state.SIGN_OUT).click().run()
    assert not at.exception
    assert "You are signed out." in _texts(at.success)
    assert state.AUTH_TOKEN not in at.session_state
    with pytest.raises(accounts.SessionInvalid):
        accounts.validate_session(store, token)
    at.session_state[state.AUTH_TOKEN] = token  # a copied token is dead too
    at.run()
    assert "you are not signed in (or you signed out)" in _texts(at.warning).lower()


def test_sso_user_is_mapped_to_a_local_account(store: Store) -> None:
    accounts.create_user(store, "grace", "Another Grace", PASSWORD)  # a local name clash
    at = AppTest.from_file(APP, default_timeout=60)
    at.secrets = SSO_SECRETS
    at.run()
    assert state.SSO_LOGIN in {b.key for b in at.button}
    sso_user = {"is_logged_in": True, "iss": "https://idp.example", "sub": "u-1",
                "preferred_username": "Grace", "email": "grace@example.org",
                "name": "Grace Hopper"}
    for _ in range(2):  # the first visit makes the account, the second finds it
        at = AppTest.from_file(APP, default_timeout=60)
        at.secrets = SSO_SECRETS
        at.user = sso_user
        at.run()
        assert not at.exception
        assert "Signed in as **Grace Hopper** (grace-2)" in _texts(at.markdown)
    with store.read() as session:
        assert accounts.user_count(session) == 2
    with pytest.raises(accounts.AuthenticationFailed):  # no password for an SSO account
        accounts.sign_in(store, "grace-2", "")


def _member(store: Store, username: str, code: str = "HIST22") -> None:
    user = accounts.create_user(store, username, username.title(), PASSWORD)
    roles.join_seminar(store, user.id, code)


def _annotate(store: Store, annotator: str, phrase: str) -> str:
    text = get_text(store, DOC).text
    s = text.index(phrase)
    return create_annotation(store, seminar="hist-201", document_id=DOC, start=s,
                             end=s + len(phrase), quote=phrase, annotator=annotator).id


def test_blind_round_hides_classmates_until_the_student_hands_in(store: Store) -> None:
    _instructor_with_seminar(store)
    _member(store, "sam")
    _member(store, "tom")
    blind.set_blind(store, "hist-201", "ines", True)
    _annotate(store, "tom", "cult of personality")
    mine = _annotate(store, "sam", "totalitarian rule")
    at = _app()
    _sign_in(at, "sam")
    at.button(key=state.entry_key("open_seminar", "hist-201")).click().run()
    assert "Blind round · blind: 0 of 2 submitted" in _texts(at.sidebar.caption)
    assert "1 annotation, in text order" in _texts(at.caption)  # only Sam's own
    assert state.entry_key("ann_open", mine) in {b.key for b in at.button}
    at.sidebar.button(key=state.BLIND_SUBMIT).click().run()
    assert "You cannot take it back" in _texts(at.sidebar.warning)  # asked first (item 3)
    at.sidebar.button(key=state.BLIND_NO).click().run()
    assert "1 annotation, in text order" in _texts(at.caption)  # not handed in
    at.sidebar.button(key=state.BLIND_SUBMIT).click().run()
    at.sidebar.button(key=state.BLIND_YES).click().run()
    assert not at.exception
    assert "Handed in" in _texts(at.success)
    assert "2 annotations, in text order" in _texts(at.caption)
    assert state.BLIND_SUBMIT not in {b.key for b in at.sidebar.button}


def test_instructor_may_edit_a_students_annotation_in_a_closed_seminar(store: Store) -> None:
    _instructor_with_seminar(store)
    _member(store, "sam")
    theirs = _annotate(store, "sam", "totalitarian rule")
    at = _app()
    _sign_in(at, "ines")
    at.button(key=state.entry_key("open_seminar", "hist-201")).click().run()
    at.button(key=state.entry_key("ann_open", theirs)).click().run()
    at.button(key=state.entry_key("ann_edit", theirs)).click().run()
    assert "**Edit this annotation** (as instructor)" in _texts(at.markdown)
    at.text_area(key=state.entry_key("edit_note", theirs)).input("see the codebook")
    at.button(key=state.entry_key("edit_save", theirs)).click().run()
    assert not at.exception
    [a] = list_annotations(store, Filters(seminar="hist-201"))
    assert (a.annotator, a.note) == ("sam", "see the codebook")


def test_password_change_ends_every_session_and_clears_the_cookie(store: Store) -> None:
    at = _app()
    _sign_up(at, "ana", "Ana")
    other = accounts.sign_in(store, "ana", PASSWORD)  # a second device
    at.text_input(key=state.OLD_PASSWORD).input(PASSWORD)
    at.text_input(key=state.NEW_PASSWORD).input("a brand new passphrase")
    at.button(key=state.PASSWORD_SUBMIT).click().run()
    assert not at.exception
    assert "every session of your account has ended" in _texts(at.success)
    assert state.AUTH_TOKEN not in at.session_state
    assert at.text_input(key=state.SIGNIN_USERNAME) is not None
    with pytest.raises(accounts.SessionInvalid):
        accounts.validate_session(store, other.token)
    _sign_in(at, "ana", "a brand new passphrase")
    assert at.session_state[state.AUTH_TOKEN]
