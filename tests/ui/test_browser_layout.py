"""Layout from 390 to 1600 px (issue 11, item 7).

Before: at 800 px the side panel was ~170 px wide ("Sav…", "Ca…"), Compare kept
one 81 px column per text, and on a phone the composer appeared below the whole
text with no cue.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from ui_browser_kit import RunningApp, drag_select, join

from annotations.corpus import get_text
from annotations.db.engine import Store
from annotations.ui import layout

pytestmark = pytest.mark.browser

WAIT = 30_000  # ms: generous ceilings, never timing assertions
DOC = "allied-powers-ussr"
WIDTH_OF = "e => e.getBoundingClientRect().width"


@pytest.fixture
def store(running_app: RunningApp) -> Iterator[Store]:
    s = Store.open(running_app.db_url)
    yield s
    s.dispose()


def _page(browser: Any, width: int) -> Any:
    return browser.new_context(viewport={"width": width, "height": 800}).new_page()


def _select(page: Any, store: Store) -> None:
    text = get_text(store, DOC).text
    start = text.index("totalitarian rule")
    drag_select(page, start, start + len("totalitarian rule"))
    page.locator(".st-key-ws_composer").wait_for(timeout=WAIT)


def _labels_fit(page: Any) -> None:
    cut = page.eval_on_selector_all(
        ".st-key-ws_composer button",
        "bs => bs.filter(b => b.scrollWidth > b.clientWidth + 1).map(b => b.innerText)")
    assert cut == []


@pytest.mark.parametrize("width", [800, 1024])
def test_panel_stacks_under_the_text_with_whole_labels(browser: Any, running_app: RunningApp,
                                                       store: Store, width: int) -> None:
    page = _page(browser, width)
    join(page, running_app.url, "Ana")
    main = page.locator(f".st-key-{layout.WORKSPACE}")
    columns = main.locator("[data-testid='stColumn']")
    text_col, panel_col = columns.nth(0), columns.nth(1)
    full = main.evaluate(WIDTH_OF)
    assert panel_col.evaluate(WIDTH_OF) > 0.9 * full  # not ~170 px
    assert panel_col.bounding_box()["y"] >= text_col.bounding_box()["y"] + 100  # under it
    assert page.locator(".hl-root").bounding_box()["y"] < 800  # opens on the text
    _select(page, store)
    _labels_fit(page)
    page.context.close()


def test_phone_brings_the_composer_into_view(browser: Any, running_app: RunningApp,
                                             store: Store) -> None:
    page = _page(browser, 390)
    join(page, running_app.url, "Ana")
    _select(page, store)
    page.wait_for_function(
        "() => { const r = document.querySelector('.st-key-ws_composer').getBoundingClientRect();"
        " return r.top >= -1 && r.top < window.innerHeight * 0.6; }", timeout=WAIT)
    _labels_fit(page)
    page.context.close()


def test_compare_stacks_texts_instead_of_slivers(browser: Any, running_app: RunningApp) -> None:
    page = _page(browser, 800)
    join(page, running_app.url, "Ana")
    page.get_by_text("Compare texts", exact=True).click()
    texts = page.locator(f".st-key-{layout.COMPARE_TEXTS} [data-testid='stColumn']")
    texts.first.wait_for(timeout=120_000)
    widths = texts.evaluate_all(f"els => els.map({WIDTH_OF})")
    assert len(widths) >= 3 and min(widths) >= 280, widths
    page.context.close()
