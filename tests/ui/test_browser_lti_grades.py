"""Issue 13's whole LMS path in chromium: the instructor adds the seminar to a course with
the content picker (deep linking), a student launches it and annotates, the instructor
launches it, sets the grading rule on the desk and sends the grades, and the simulated
LMS's gradebook holds the student's grade."""

from __future__ import annotations

from typing import Any

import pytest
from lti_platform import LmsPlatform
from ui_browser_kit import RunningApp, drag_select

from annotations.annotation import Filters, list_annotations
from annotations.corpus import get_text
from annotations.db.engine import Store

pytestmark = pytest.mark.browser

WAIT = 30_000  # ms: a ceiling, never a timing assertion
DOC = "stalinism-inner-truth"
SIDEBAR = "section[data-testid='stSidebar']"


def _opened(page: Any, app: RunningApp) -> None:
    page.wait_for_url(f"{app.url}/?seminar=hist&document={DOC}*", timeout=WAIT)
    page.wait_for_selector(".hl-root[data-ready='1']", timeout=WAIT)


def _number(page: Any, label: str, value: int) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(str(value))
    box.press("Enter")
    page.wait_for_function(
        "([l, v]) => [...document.querySelectorAll('input[type=number]')].some("
        "i => i.getAttribute('aria-label') === l && i.value === v)", arg=[label, str(value)],
        timeout=WAIT)


def test_launch_annotate_and_grade_into_the_lms_gradebook(
        browser: Any, running_app: RunningApp, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATIONS_OPEN_SIGNUP", "1")  # the instructor makes the seminar here
    store = Store.open(running_app.db_url)
    with LmsPlatform().running() as lms:
        lms.use_tool(running_app.url)
        lms.register_in(store)
        lms.instructor_teaching(store, "hist")
        lms.add_user("s1", "Ana Student", "ana@example.edu", LmsPlatform.LEARNER)

        # The instructor adds the seminar's text to the course as a graded assignment.
        olga = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        olga.goto(lms.deep_link_url("t1"))
        olga.locator(f"input[name=choice][value='hist/{DOC}']").check()
        olga.get_by_role("button", name="Link it").click()
        olga.get_by_text("Content added to the course.").wait_for(timeout=WAIT)
        [link] = list(lms.links)

        # A student opens it from the course, signed in with no password, and annotates.
        ana = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
        ana.goto(lms.launch_url("s1", link))
        _opened(ana, running_app)
        text = get_text(store, DOC).text
        start = text.index("totalitarian")
        drag_select(ana, start, start + len("totalitarian"))
        ana.get_by_role("button", name="Save annotation").click()
        ana.get_by_text("Annotation saved").wait_for(timeout=WAIT)
        [saved] = list_annotations(store, Filters(seminar="hist", document=DOC))
        assert (saved.quote, saved.annotator) == ("totalitarian", "ana-student")

        # The instructor opens the same link, sets the rule on the desk and sends grades.
        olga.goto(lms.launch_url("t1", link))
        _opened(olga, running_app)
        olga.locator(SIDEBAR).get_by_text("Instructor's desk", exact=True).click()
        main = olga.locator("[data-testid='stMain']")
        main.get_by_text("Grades", exact=True).first.click()
        _number(olga, "Annotations for a full grade", 1)
        _number(olga, "Replies for a full grade", 0)
        main.get_by_text("(not saved)").wait_for(timeout=WAIT)
        olga.get_by_role("button", name="Save rule").click()
        main.get_by_text("Grading rule saved").wait_for(timeout=WAIT)
        olga.get_by_role("button", name="Send 1 grade(s) to the gradebook").click()
        main.get_by_text("1 grade(s) sent to the gradebook.").wait_for(timeout=WAIT)

        score = lms.scores(link)["s1"]
        assert (score["scoreGiven"], score["scoreMaximum"]) == (10, 10)
        assert "1 annotation and 0 replies counted" in score["comment"]
    store.dispose()
