"""Accounts in a real browser: a password account, and single sign-on through st.login.

The SSO test starts a small OpenID Connect provider (tests/ui/oidc_provider.py)
on 127.0.0.1 and the app with a secrets.toml whose `[auth]` points at it; the
browser follows the real redirects (app → /authorize → /oauth2callback → app).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from oidc_provider import OidcProvider
from ui_browser_kit import join_with_code, sign_up, start_app, stop_app

from annotations import accounts
from annotations.db.engine import Store

pytestmark = pytest.mark.browser

WAIT = 30_000  # ms: generous ceilings, never timing assertions
SIDEBAR = "section[data-testid='stSidebar']"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    yield context.new_page()
    context.close()


def test_password_account_joins_the_demo(page: Any, running_app: Any) -> None:
    sign_up(page, running_app.url, "ana", "Ana Lima", "correct horse battery")
    join_with_code(page, "DEMO")
    page.locator(SIDEBAR).get_by_text("ana · student").wait_for(timeout=WAIT)
    assert "Signed in as Ana Lima" in page.locator(SIDEBAR).inner_text()


def test_sign_in_with_sso(page: Any, tmp_path: Path) -> None:
    claims = {"sub": "idp-user-7", "preferred_username": "Grace.Hopper",
              "email": "grace@example.org", "email_verified": True, "name": "Grace Hopper"}
    with OidcProvider(claims) as idp:
        app = start_app(tmp_path, extra_texts=False, secrets=idp.secrets_toml())
        try:
            page.goto(app.url)
            page.get_by_role("button", name="Sign in with SSO").click()
            page.get_by_text("My seminars").wait_for(timeout=WAIT)
            assert "Signed in as Grace Hopper (grace.hopper)" in page.inner_text("body")
            assert {"/authorize", "/token", "/jwks"} <= set(idp.requests)
            store = Store.open(app.db_url)
            try:
                with store.read() as session:
                    user = accounts.find_user(session, "grace.hopper")
                assert user.display_name == "Grace Hopper"
                join_with_code(page, "DEMO")
                page.locator(SIDEBAR).get_by_text("grace.hopper · student").wait_for(
                    timeout=WAIT)
                page.get_by_role("button", name="Leave seminar").click()
                with page.expect_request(lambda r: "/auth/logout" in r.url, timeout=WAIT):
                    page.get_by_role("button", name="Sign out").click()
                page.get_by_role("button", name="Sign in with SSO").wait_for(timeout=WAIT)
                page.wait_for_load_state()
                page.reload()  # st.user's cookie is gone: no silent sign-in
                page.get_by_role("button", name="Sign in with SSO").wait_for(timeout=WAIT)
                assert "My seminars" not in page.inner_text("body")
            finally:
                store.dispose()
        finally:
            stop_app(app)
