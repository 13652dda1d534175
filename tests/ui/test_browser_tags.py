"""No silent tags (issue 11, item 2), in chromium across two documents.

Before: the perspective and codes of the last save carried into the next
annotation, even in another document and with Quick code off, so a passage of
the polemic was saved as "textbook" with codes nobody picked for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from ui_browser_kit import RunningApp, drag_select, join, open_document

from annotations.annotation import Filters, list_annotations
from annotations.corpus import get_text
from annotations.db.engine import Store
from annotations.ui import state

pytestmark = pytest.mark.browser

WAIT = 15_000  # ms: generous ceilings, never timing assertions
TEXTBOOK, POLEMIC = "allied-powers-ussr", "stalinism-inner-truth"


@pytest.fixture
def store(running_app: RunningApp) -> Iterator[Store]:
    s = Store.open(running_app.db_url)
    yield s
    s.dispose()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    yield context.new_page()
    context.close()


def _select_words(page: Any, store: Store, document: str, words: str) -> None:
    start = get_text(store, document).text.index(words)
    drag_select(page, start, start + len(words))
    page.wait_for_selector(f".hl-root[data-pending='{start}-{start + len(words)}']",
                           timeout=WAIT)


def _save(page: Any, n: int) -> None:
    page.get_by_role("button", name="Save annotation").click()
    page.wait_for_function(
        "n => document.querySelector('.hl-root')?.dataset.highlights === String(n)", arg=n,
        timeout=WAIT)


def test_a_new_annotation_starts_untagged_in_every_document(
        page: Any, running_app: RunningApp, store: Store) -> None:
    join(page, running_app.url, "Ana")
    _select_words(page, store, TEXTBOOK, "totalitarian rule")
    codes = page.locator(f".st-key-{state.COMPOSE_CODES}")
    codes.click()
    page.get_by_role("option", name="loaded language", exact=True).click()
    page.keyboard.press("Escape")
    _save(page, 1)
    open_document(page, "Stalinism")
    _select_words(page, store, POLEMIC, get_text(store, POLEMIC).text.split("\n")[2][:24])
    composer = page.locator(f".st-key-{state.COMPOSE_PERSPECTIVE}")
    shown = composer.locator("input").input_value() or composer.inner_text()
    assert "libertarian-socialist polemic" in shown + composer.inner_text()
    assert "loaded language" not in codes.inner_text()
    _save(page, 1)  # highlights of this document
    saved = {a.document_id: a for a in list_annotations(store, Filters(seminar="demo"))}
    assert (saved[TEXTBOOK].perspective, saved[TEXTBOOK].codes) == (
        "textbook", ["loaded language"])
    assert (saved[POLEMIC].perspective, saved[POLEMIC].codes) == (
        "libertarian-socialist polemic", [])
    # Quick code applies its tags only while it is on, and says so above the text.
    page.get_by_text("Quick code: save each selection at once").click()
    notice = page.get_by_test_id("stAlert").filter(has_text="Quick code is on")
    notice.wait_for(timeout=WAIT)
    tags, text = notice.bounding_box(), page.locator(".hl-root").bounding_box()
    assert tags["y"] + tags["height"] <= text["y"] + 1  # right above the text
    assert abs(tags["x"] - text["x"]) < 40 and tags["width"] > 0
    assert "no perspective" in notice.inner_text() and "no codes" in notice.inner_text()
