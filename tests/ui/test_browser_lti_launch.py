"""An LTI launch in chromium (issue 13): the simulated LMS -> the app's /lti/login -> the
LMS's auth page (its form submits itself) -> /lti/launch -> the app, signed in by the
cookie and opened on the linked seminar and document."""

from __future__ import annotations

from typing import Any

import pytest
from lti_platform import LmsPlatform

from annotations.db.engine import Store
from annotations.lti import admission
from annotations.web.session import COOKIE

pytestmark = pytest.mark.browser

WAIT = 30_000  # ms: a ceiling, never a timing assertion
DOC, TITLE = "stalinism-inner-truth", "Stalinism"


def test_a_learner_launch_opens_the_linked_document_signed_in(
        browser: Any, running_app: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATIONS_OPEN_SIGNUP", "1")  # the instructor makes the seminar here
    store = Store.open(running_app.db_url)
    with LmsPlatform().running() as lms:
        lms.use_tool(running_app.url)
        platform = lms.register_in(store)
        lms.instructor_teaching(store, "hist")
        link = lms.add_link("Week 3", custom=admission.link_parameters(store, platform,
                                                                       "hist", DOC))
        lms.add_user("s1", "Ana Student", "ana@example.edu", LmsPlatform.LEARNER)
        context = browser.new_context()
        page = context.new_page()
        page.goto(lms.launch_url("s1", link))
        page.wait_for_url(f"{running_app.url}/?seminar=hist&document={DOC}*", timeout=WAIT)
        page.wait_for_selector(".hl-root[data-ready='1']", timeout=WAIT)
        assert page.locator(".hl-root .hl-text").inner_text().startswith(TITLE)
        assert "student" in page.locator("section[data-testid='stSidebar']").inner_text()
        [cookie] = [c for c in context.cookies() if c["name"] == COOKIE]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
        context.close()
    store.dispose()
