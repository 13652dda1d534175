"""AppTest: a member creates an API token under My seminars (shown once) and revokes it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from annotations import accounts, api_tokens, roles
from annotations.db.engine import Store
from annotations.ui import api_tokens as panel
from annotations.ui import state

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PASSWORD = "correct horse battery"

pytestmark = pytest.mark.usefixtures("open_signup")


@pytest.fixture
def store(app_env: str) -> Iterator[Store]:
    at = AppTest.from_file(APP, default_timeout=60).run()  # boots the store
    assert not at.exception
    s = Store.open(app_env)
    olga = accounts.create_user(s, "olga", "Olga", PASSWORD)
    roles.create_seminar_as(s, olga.id, "hist", "History", "HIST01")
    yield s
    s.dispose()


def _signed_up(username: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.text_input(key=state.SIGNUP_USERNAME).input(username)
    at.text_input(key=state.SIGNUP_DISPLAY).input(username.title())
    at.text_input(key=state.SIGNUP_PASSWORD).input(PASSWORD)
    at.button(key=state.SIGNUP_SUBMIT).click().run()
    assert not at.exception
    return at


def test_a_member_creates_a_token_sees_it_once_and_revokes_it(store: Store) -> None:
    at = _signed_up("ana")
    assert not [w for w in at.text_input if w.key == panel.LABEL]  # no seminar yet: no form
    with store.read() as session:
        ana = accounts.find_user(session, "ana")
    roles.join_seminar(store, ana.id, "HIST01")
    at.run()
    assert at.multiselect(key=panel.SEMINARS).options == ["hist"]
    at.text_input(key=panel.LABEL).input("R scripts")
    at.multiselect(key=panel.SEMINARS).select("hist")
    at.selectbox(key=panel.EXPIRY).select("30 days")
    at.button(key=panel.CREATE).click().run()
    assert not at.exception and not at.error
    token = at.code[0].value
    caller = api_tokens.verify(store, token)
    assert caller.username == "ana"
    listed = " ".join(m.value for m in at.markdown)
    assert "R scripts" in listed and token not in listed
    at.run()  # shown once: the next run no longer has it
    assert not at.code
    at.button(key=state.entry_key(panel.REVOKE, str(caller.token_id))).click().run()
    assert not at.exception
    assert "revoked" in " ".join(s.value for s in at.success)
    with pytest.raises(api_tokens.TokenRejected):
        api_tokens.verify(store, token)
    assert not [b for b in at.button if b.key == state.entry_key(panel.REVOKE,
                                                                   str(caller.token_id))]


def test_a_token_without_a_seminar_is_explained(store: Store) -> None:
    at = _signed_up("ben")
    with store.read() as session:
        ben = accounts.find_user(session, "ben")
    roles.join_seminar(store, ben.id, "HIST01")
    at.run()
    at.text_input(key=panel.LABEL).input("nothing chosen")
    at.button(key=panel.CREATE).click().run()
    assert not at.exception and not at.code
    assert "at least one seminar" in " ".join(e.value for e in at.error)
