"""Sessions that survive a reload and a new tab, held in an HttpOnly cookie (issue 11, item 1).

Before st.App routes set a cookie, F5 signed everyone out and a guest lost the
seminar; these tests reload, open a second tab, sign out, and read the cookie's
flags from the browser.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from ui_browser_kit import join, join_with_code, sign_up

from annotations.web.session import COOKIE

pytestmark = pytest.mark.browser

WAIT = 30_000  # ms: generous ceilings, never timing assertions
SIDEBAR = "section[data-testid='stSidebar']"


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1366, "height": 768})
    yield ctx
    ctx.close()


def _cookie(context: Any) -> dict[str, Any]:
    page = context.pages[0]
    page.wait_for_function("document.body.dataset.session === 'start'", timeout=WAIT)
    [found] = [c for c in context.cookies() if c["name"] == COOKIE]
    return dict(found)


def test_member_stays_signed_in_after_reload_and_in_a_new_tab(context: Any,
                                                             running_app: Any) -> None:
    page = context.new_page()
    sign_up(page, running_app.url, "ana", "Ana Lima", "correct horse battery")
    cookie = _cookie(context)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]
    assert cookie["expires"] > 0  # persistent until the session's documented end
    page.reload()
    page.get_by_text("My seminars").wait_for(timeout=WAIT)
    assert "Signed in as Ana Lima (ana)" in page.inner_text("body")
    join_with_code(page, "DEMO")
    page.reload()  # back in the seminar it had open
    page.wait_for_selector(".hl-root[data-ready='1']", timeout=WAIT)
    assert "ana · student" in page.locator(SIDEBAR).inner_text()
    page.get_by_role("button", name="Leave seminar").click()
    page.get_by_text("My seminars").wait_for(timeout=WAIT)
    second = context.new_page()
    second.goto(running_app.url)
    second.get_by_text("My seminars").wait_for(timeout=WAIT)
    assert page.evaluate("document.cookie").find(COOKIE) < 0  # HttpOnly: no script reads it
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You are signed out.").wait_for(timeout=WAIT)
    page.wait_for_function("document.body.dataset.session === 'end'", timeout=WAIT)
    assert not [c for c in context.cookies() if c["name"] == COOKIE]
    second.reload()  # the other tab's copy of the token is revoked server-side
    second.get_by_role("tab", name="Create account").wait_for(timeout=WAIT)
    assert "My seminars" not in second.inner_text("body")


def test_guest_stays_in_the_seminar_after_reload(context: Any, running_app: Any) -> None:
    page = context.new_page()
    join(page, running_app.url, "Gus")
    _cookie(context)
    page.reload()
    page.wait_for_selector(".hl-root[data-ready='1']", timeout=WAIT)
    assert "Signed in as Gus" in page.locator(SIDEBAR).inner_text()
    page.get_by_role("button", name="Leave seminar").click()
    page.get_by_label("Join code", exact=True).wait_for(timeout=WAIT)
    page.wait_for_function("document.body.dataset.session === 'end'", timeout=WAIT)
    page.reload()
    page.get_by_label("Join code", exact=True).wait_for(timeout=WAIT)
    assert "Signed in as Gus" not in page.inner_text("body")
