"""The browser-only parts of the workspace, in Debian's chromium through Playwright.

Selections are real mouse drags and key presses; every check waits on a DOM
condition, and what was saved is read back through the library.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from ui_browser_kit import (
    EMOJI_DOC,
    RunningApp,
    click_at,
    drag_select,
    hold_selection,
    join,
    open_document,
    wait_highlight,
)

from annotations.annotation import (
    Filters,
    create_annotation,
    delete_annotation,
    list_annotations,
    update_annotation,
)
from annotations.corpus import get_text
from annotations.db.engine import Store

pytestmark = pytest.mark.browser

DOC = "allied-powers-ussr"
WAIT = 15_000  # ms: generous ceilings, never timing assertions


@pytest.fixture
def store(running_app: RunningApp) -> Iterator[Store]:
    s = Store.open(running_app.db_url)
    yield s
    s.dispose()


@pytest.fixture
def page(browser: Any, running_app: RunningApp) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    p = context.new_page()
    yield p
    context.close()


def _annotations(store: Store, document: str = DOC) -> list[Any]:
    return list_annotations(store, Filters(seminar="demo", document=document))


def _save_pending(page: Any) -> None:
    page.get_by_role("button", name="Save annotation").click()
    page.get_by_text("Annotation saved").wait_for(timeout=WAIT)


def test_mouse_selection_across_a_paragraph_break(page: Any, running_app: RunningApp,
                                                   store: Store) -> None:
    text = get_text(store, DOC).text
    brk = next(i for i in range(8, len(text) - 8) if text[i] == "\n"
               and not any(c.isspace() for c in text[i - 6 : i] + text[i + 1 : i + 7]))
    start, end = brk - 6, brk + 7
    join(page, running_app.url, "Ana")
    drag_select(page, start, end)
    page.wait_for_selector(f".hl-root[data-pending='{start}-{end}']", timeout=WAIT)
    _save_pending(page)
    [a] = _annotations(store)
    assert (a.start, a.end) == (start, end)
    assert a.quote == text[a.start : a.end]
    assert "\n" in a.quote
    wait_highlight(page, a.id)


def test_selection_after_an_emoji_counts_code_points(page: Any, running_app: RunningApp,
                                                      store: Store) -> None:
    text = get_text(store, EMOJI_DOC).text
    join(page, running_app.url, "Ana")
    open_document(page, "Emoji notes")
    page.get_by_text("Quick code: save each selection at once").click()
    page.wait_for_selector(".hl-root .hl-status:has-text('Quick code on')", timeout=WAIT)
    wanted = ["promised growth 🚀 and", "praised it", "output rose 🏭"]
    for phrase in wanted:
        start = text.index(phrase)  # Python indices are code points
        drag_select(page, start, start + len(phrase))
        page.wait_for_function(
            "n => document.querySelector('.hl-root').dataset.highlights === String(n)",
            arg=wanted.index(phrase) + 1, timeout=WAIT,
        )
    saved = _annotations(store, EMOJI_DOC)
    assert sorted(a.quote for a in saved) == sorted(wanted)
    for a in saved:
        assert a.quote == text[a.start : a.end]
        assert a.start == text.index(a.quote)


def test_nested_and_crossing_highlights_render_and_offer_a_picker(
        page: Any, running_app: RunningApp, store: Store) -> None:
    text = get_text(store, DOC).text
    base = text.index("During Stalin")

    def add(s: int, e: int, who: str, note: str) -> str:
        return create_annotation(store, seminar="demo", document_id=DOC, start=s, end=e,
                                 quote=text[s:e], annotator=who, perspective="textbook",
                                 codes=["loaded language"], note=note).id

    outer = add(base, base + 60, "Ana", "outer")
    nested = add(base + 10, base + 25, "Ben", "nested")
    crossing = add(base + 50, base + 90, "Cy", "crossing")
    join(page, running_app.url, "Dee")
    for a, b in ((outer, nested), (outer, crossing)):
        page.wait_for_selector(f".seg[data-ids~='{a}'][data-ids~='{b}']", timeout=WAIT)
    page.wait_for_selector(f".seg[data-ids='{crossing}']", timeout=WAIT)
    click_at(page, base + 15)  # inside outer and nested
    picker = page.locator(".hl-root .hl-picker")
    picker.wait_for(state="visible", timeout=WAIT)
    assert picker.locator("button.hl-pick").count() == 2
    # Each choice shows the words it covers: overlapping highlights differ by them (issue 11).
    for ann, (s, e) in ((outer, (base, base + 60)), (nested, (base + 10, base + 25))):
        shown = picker.locator(f"button.hl-pick[data-id='{ann}'] .hl-picker-quote").inner_text()
        assert " ".join(text[s:e].split()) in shown
    picker.locator(f"button.hl-pick[data-id='{nested}']").click()
    page.get_by_placeholder("Reply to Ben").wait_for(timeout=WAIT)
    page.wait_for_selector(f".seg.hl-selected[data-ids~='{nested}']", timeout=WAIT)


def test_two_browsers_see_each_other_live(browser: Any, running_app: RunningApp,
                                          store: Store) -> None:
    text = get_text(store, DOC).text
    pages = []
    for name in ("Ana", "Ben"):
        ctx = browser.new_context(viewport={"width": 1366, "height": 768})
        p = ctx.new_page()
        join(p, running_app.url, name)
        pages.append(p)
    ana, ben = pages
    start = text.index("totalitarian")
    drag_select(ana, start, start + len("totalitarian rule"))
    ana.wait_for_selector(".hl-root[data-pending]:not([data-pending=''])", timeout=WAIT)
    _save_pending(ana)
    [a] = _annotations(store)
    wait_highlight(ben, a.id)  # drawn without a reload
    # Ben's own selection in progress is not disturbed by Ana's next save.
    other = text.index("aggressive economic planning")
    hold_selection(ben, other, other + 10)
    key_before = ben.eval_on_selector(".hl-root", "e => e.dataset.renderKey")
    update_annotation(store, a.id, seminar="demo", actor=a.annotator, note="edited live")
    ben.wait_for_selector(".hl-root[data-deferred='1']", timeout=WAIT)
    assert ben.eval_on_selector(".hl-root", "e => e.dataset.renderKey") == key_before
    assert ben.evaluate("getSelection().toString()") == text[other : other + 10]
    ben.evaluate("getSelection().removeAllRanges()")
    ben.wait_for_selector(".hl-root[data-deferred='0']", timeout=WAIT)
    b = create_annotation(store, seminar="demo", document_id=DOC, start=other,
                          end=other + 10, quote=text[other : other + 10], annotator="Ben")
    wait_highlight(ana, b.id)
    delete_annotation(store, a.id, seminar="demo", actor=a.annotator)
    ben.wait_for_selector(f".seg[data-ids~='{a.id}']", state="detached", timeout=WAIT)


def test_keyboard_selection_and_enter(page: Any, running_app: RunningApp,
                                      store: Store) -> None:
    text = get_text(store, DOC).text
    join(page, running_app.url, "Kim")
    page.focus(".hl-root .hl-text")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    for _ in range(6):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Enter")
    # The pending box is drawn inside the selection: it covers no space beside it (issue 11).
    # Found and measured in one step: a redraw may put a new root in the old one's place.
    outside = page.wait_for_function("""() => {
        const seg = document.querySelector(".hl-root[data-pending='4-10'] .seg.hl-pending");
        if (!seg) return null;
        const cs = getComputedStyle(seg);
        return {px: parseFloat(cs.outlineOffset) + parseFloat(cs.outlineWidth)};
    }""", timeout=WAIT).json_value()["px"]
    assert outside <= 0
    page.get_by_role("button", name="Save annotation").click()
    page.get_by_text("Annotation saved").wait_for(timeout=WAIT)
    [a] = _annotations(store)
    assert (a.start, a.end, a.quote) == (4, 10, text[4:10])
