"""Live updates in chromium: pushed over the stream, polled when the stream is blocked, and
your own save drawn at once, then confirmed or taken back by the server."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from ui_browser_kit import (
    RunningApp,
    drag_select,
    hold_selection,
    join,
    wait_highlight,
    wait_no_highlight,
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
FIXED_ID = "11111111-1111-4111-8111-111111111111"
# The component's next uuid4() comes out as FIXED_ID (its bytes, v4 bits included).
_FIX_NEXT_UUID = """() => {
  const orig = crypto.getRandomValues.bind(crypto);
  crypto.getRandomValues = (arr) => {
    if (arr.length === 16 && !window.__uuidUsed) {
      window.__uuidUsed = true;
      arr.set([17, 17, 17, 17, 17, 17, 65, 17, 129, 17, 17, 17, 17, 17, 17, 17]);
      return arr;
    }
    return orig(arr);
  };
}"""


@pytest.fixture
def store(running_app: RunningApp) -> Iterator[Store]:
    s = Store.open(running_app.db_url)
    yield s
    s.dispose()


@pytest.fixture
def page(browser: Any, running_app: RunningApp) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1366, "height": 900})
    p = ctx.new_page()
    yield p
    ctx.close()


def _quick_code(page: Any) -> None:
    page.get_by_text("Quick code: save each selection at once").click()
    page.wait_for_selector(".hl-root .hl-status:has-text('Quick code on')", timeout=WAIT)


def test_the_page_follows_the_stream(page: Any, running_app: RunningApp, store: Store) -> None:
    join(page, running_app.url, "Ana")
    page.wait_for_selector(".hl-root[data-live='stream']", timeout=WAIT)
    text = get_text(store, DOC).text
    a = create_annotation(store, seminar="demo", document_id=DOC, start=0, end=9,
                          quote=text[:9], annotator="Ben")
    wait_highlight(page, a.id)


def test_a_blocked_stream_falls_back_to_polling(page: Any, running_app: RunningApp,
                                                store: Store) -> None:
    page.context.route(re.compile(r"/live/\d+\?"), lambda route: route.abort())
    join(page, running_app.url, "Ana")
    page.wait_for_selector(".hl-root[data-live='poll']", timeout=WAIT)
    text = get_text(store, DOC).text
    a = create_annotation(store, seminar="demo", document_id=DOC, start=0, end=9,
                          quote=text[:9], annotator="Ben")
    wait_highlight(page, a.id, timeout=3 * WAIT)
    # Still polling once drawn (a component Streamlit mounts anew states its mode again).
    page.wait_for_selector(".hl-root[data-live='poll']", timeout=WAIT)


def test_own_quick_save_is_drawn_at_once_then_confirmed(page: Any, running_app: RunningApp,
                                                        store: Store) -> None:
    text = get_text(store, DOC).text
    join(page, running_app.url, "Ana")
    _quick_code(page)
    start = text.index("totalitarian")
    drag_select(page, start, start + len("totalitarian rule"))
    page.wait_for_function("document.querySelector('.hl-root').dataset.optimisticMs",
                           timeout=WAIT)
    sent = page.eval_on_selector(".hl-root", "e => e.dataset.lastSent")
    page.wait_for_selector(f".hl-root[data-confirmed='{sent}']", timeout=WAIT)
    wait_highlight(page, sent)
    assert not page.evaluate("CSS.highlights.has('hl-optimistic')")
    [a] = list_annotations(store, Filters(seminar="demo", document=DOC))
    assert (a.id, a.start, a.quote) == (sent, start, "totalitarian rule")


def test_own_save_refused_by_the_server_is_rolled_back(page: Any, running_app: RunningApp,
                                                       store: Store) -> None:
    """The composer's Save is drawn at once; a note the server refuses (a NUL character,
    which no form can stop) takes the drawing back."""
    text = get_text(store, DOC).text
    join(page, running_app.url, "Ana")
    page.evaluate(_FIX_NEXT_UUID)
    start = text.index("totalitarian")
    drag_select(page, start, start + len("totalitarian rule"))
    page.wait_for_selector(f".hl-root[data-pending='{start}-{start + 17}']", timeout=WAIT)
    page.get_by_label("Note", exact=True).fill("bad\x00note")
    page.get_by_role("button", name="Save annotation").click()
    page.wait_for_selector(f".hl-root[data-rolled-back='{FIXED_ID}']", timeout=WAIT)
    assert not page.evaluate("CSS.highlights.has('hl-optimistic')")
    assert list_annotations(store, Filters(seminar="demo", document=DOC)) == []


def _watch_websocket(page: Any) -> list[int]:
    """Counts the frames the page sends to Streamlit: every rerun starts with one."""
    sent = [0]
    page.on("websocket", lambda ws: ws.on("framesent", lambda _f: sent.__setitem__(0,
                                                                                 sent[0] + 1)))
    return sent


def _fill_the_panel(store: Store, text: str, n: int = 30) -> list[str]:
    """More annotations near the start than the side panel lists on its first page."""
    return [create_annotation(store, seminar="demo", document_id=DOC, start=i * 3,
                              end=i * 3 + 2, quote=text[i * 3:i * 3 + 2], annotator="Ben").id
            for i in range(n)]


def test_a_classmate_s_highlight_is_drawn_without_a_rerun(page: Any, running_app: RunningApp,
                                                         store: Store) -> None:
    """Beyond the side panel's first page, a classmate's new highlight changes nothing the
    panel lists now: the page fetches it and redraws in place, and Streamlit runs nothing."""
    text = get_text(store, DOC).text
    _fill_the_panel(store, text)
    sent = _watch_websocket(page)
    join(page, running_app.url, "Ana")
    page.wait_for_selector(".hl-root[data-live='stream']", timeout=WAIT)
    page.wait_for_function("!document.querySelector('.hl-root').dataset.liveLater",
                           timeout=4 * WAIT)
    before, reruns = sent[0], page.evaluate("document.documentElement.dataset.liveReruns")
    start = text.index("totalitarian")
    a = create_annotation(store, seminar="demo", document_id=DOC, start=start,
                          end=start + 12, quote=text[start:start + 12], annotator="Ben")
    wait_highlight(page, a.id)
    assert page.eval_on_selector(".hl-root", "e => e.dataset.liveInPlace")
    assert page.eval_on_selector(".hl-root", "e => e.dataset.patched")  # only its segments
    assert sent[0] == before  # no message to Streamlit: no rerun
    assert page.evaluate("document.documentElement.dataset.liveReruns") == reruns
    label = page.eval_on_selector(f".seg[data-ids~='{a.id}']", "e => e.dataset.ids")
    assert a.id in label.split()


def test_a_change_the_panel_lists_reruns_the_page(page: Any, running_app: RunningApp,
                                                  store: Store) -> None:
    """A note edited on an annotation the side panel lists: drawn, and the panel reruns to
    show the new note."""
    text = get_text(store, DOC).text
    first = _fill_the_panel(store, text, 3)[0]
    join(page, running_app.url, "Ana")
    page.wait_for_selector(".hl-root[data-live='stream']", timeout=WAIT)
    update_annotation(store, first, seminar="demo", actor="Ben", note="a note seen in the list")
    page.get_by_text("a note seen in the list").first.wait_for(timeout=WAIT)
    assert page.evaluate("document.documentElement.dataset.liveReruns")


def test_own_quick_save_is_listed_in_the_saver_s_panel(page: Any, running_app: RunningApp,
                                                       store: Store) -> None:
    """The saver's panel lists a Quick-code save too. The release on the text holds reruns
    for a run the reader started; a Quick-code save starts none, so the rerun the save
    asked for during the hold was dropped and the saver's list said "No annotations"."""
    text = get_text(store, DOC).text
    join(page, running_app.url, "Ana")
    page.wait_for_selector(".hl-root[data-live='stream']", timeout=WAIT)
    _quick_code(page)
    page.wait_for_timeout(1000)  # Quick code's own run is over
    start = text.index("totalitarian")
    drag_select(page, start, start + len("totalitarian rule"))
    page.wait_for_function("document.querySelector('.hl-root').dataset.saved", timeout=WAIT)
    page.get_by_text("1 annotation, in text order").wait_for(timeout=WAIT)
    page.get_by_text("“totalitarian rule”").first.wait_for(timeout=WAIT)


# Per highlight: the code points it covers and its colour, as drawn (however the text is cut).
_DRAWN_JS = """() => {
  const out = {};
  for (const seg of document.querySelectorAll('.hl-root .hl-text .seg[data-ids]')) {
    const n = Array.from(seg.textContent).length;
    for (const id of seg.getAttribute('data-ids').split(' ')) {
      const o = out[id] || (out[id] = {s: Number(seg.dataset.s), n: 0});
      o.n += n;
    }
  }
  return out;
}"""


def test_a_drawing_patched_in_place_equals_a_fresh_one(browser: Any, page: Any,
                                                        running_app: RunningApp,
                                                        store: Store) -> None:
    """Added, edited (moved colour) and deleted highlights, patched into the page's
    segments, draw exactly what a page loaded afterwards draws."""
    text = get_text(store, DOC).text
    made = _fill_the_panel(store, text)
    join(page, running_app.url, "Ana")
    page.wait_for_selector(".hl-root[data-live='stream']", timeout=WAIT)
    start = text.index("totalitarian")
    nested = create_annotation(store, seminar="demo", document_id=DOC, start=start,
                               end=start + 30, quote=text[start:start + 30], annotator="Ben")
    inner = create_annotation(store, seminar="demo", document_id=DOC, start=start + 5,
                              end=start + 12, quote=text[start + 5:start + 12],
                              annotator="Cy", perspective="textbook")
    wait_highlight(page, inner.id)
    update_annotation(store, nested.id, seminar="demo", actor="Ben", perspective="textbook")
    delete_annotation(store, made[-1], seminar="demo", actor="Ben")
    wait_no_highlight(page, made[-1])
    assert page.eval_on_selector(".hl-root", "e => e.dataset.patched")
    fresh = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    join(fresh, running_app.url, "Dan")
    page.wait_for_function(
        "k => document.querySelector('.hl-root').dataset.liveShown === k",
        arg=fresh.eval_on_selector(".hl-root", "e => e.dataset.liveShown"), timeout=WAIT)
    assert page.evaluate(_DRAWN_JS) == fresh.evaluate(_DRAWN_JS)
    colours = ("id => [...document.querySelectorAll(`.seg[data-ids~='${id}']`)].flatMap(s => "
               "Array.from(s.textContent, () => s.style.backgroundColor + '|' + "
               "s.style.boxShadow + '|' + s.getAttribute('data-ids')))")  # per code point
    assert page.evaluate(colours, nested.id) == fresh.evaluate(colours, nested.id)
    fresh.context.close()


def test_a_quick_save_reaches_a_classmate_with_no_rerun_of_either_page(
        browser: Any, page: Any, running_app: RunningApp, store: Store) -> None:
    """Ana's Quick-code save goes to the save route, not through a run of her page: her page
    and Ben's draw it from the push, and neither sends Streamlit a message. Ben's selection
    in progress stays as it was until he lets it go, and only then is the save drawn."""
    text = get_text(store, DOC).text
    _fill_the_panel(store, text)  # the save lands beyond the side panel's first page
    ana = page
    ben = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    frames = {}
    for name, p in (("Ana", ana), ("Ben", ben)):
        frames[name] = _watch_websocket(p)
        join(p, running_app.url, name)
        p.wait_for_selector(".hl-root[data-live='stream']", timeout=WAIT)
    _quick_code(ana)
    other = text.index("aggressive economic planning")
    hold_selection(ben, other, other + 10)
    ana.wait_for_timeout(1000)  # Quick code's own run is over
    before = {name: n[0] for name, n in frames.items()}
    reruns = [p.evaluate("document.documentElement.dataset.liveReruns || '0'")
              for p in (ana, ben)]
    key_before = ben.eval_on_selector(".hl-root", "e => e.dataset.renderKey")
    start = text.index("totalitarian")
    drag_select(ana, start, start + len("totalitarian rule"))
    ana.wait_for_function("document.querySelector('.hl-root').dataset.saved", timeout=WAIT)
    sent = ana.eval_on_selector(".hl-root", "e => e.dataset.saved")
    wait_highlight(ana, sent)  # from the push, as a classmate's
    ana.wait_for_selector(f".hl-root[data-confirmed='{sent}']", timeout=WAIT)
    ben.wait_for_selector(".hl-root[data-deferred='1']", timeout=WAIT)
    assert ben.eval_on_selector(".hl-root", "e => e.dataset.renderKey") == key_before
    assert ben.evaluate("getSelection().toString()") == text[other:other + 10]
    assert not ben.query_selector(f".seg[data-ids~='{sent}']")
    ben.evaluate("getSelection().removeAllRanges()")
    wait_highlight(ben, sent)
    assert {name: n[0] for name, n in frames.items()} == before  # no run of either page
    assert [p.evaluate("document.documentElement.dataset.liveReruns || '0'")
            for p in (ana, ben)] == reruns
    [a] = [a for a in list_annotations(store, Filters(seminar="demo", document=DOC))
           if a.id == sent]
    assert (a.start, a.quote, a.annotator.startswith("guest:")) == (
        start, "totalitarian rule", True)
    ben.context.close()


def test_a_quick_save_the_route_refuses_is_rolled_back_and_said(
        page: Any, running_app: RunningApp, store: Store) -> None:
    """The save route's refusal (here a quote changed on its way) takes the drawing back and
    says why above the text; nothing is stored."""
    text = get_text(store, DOC).text
    join(page, running_app.url, "Ana")
    _quick_code(page)

    def tamper(route: Any) -> None:
        body = route.request.post_data_json
        route.continue_(post_data={**body, "quote": "other words"})

    page.route(re.compile(r"/live/\d+/annotations$"), tamper)
    start = text.index("totalitarian")
    drag_select(page, start, start + len("totalitarian rule"))
    page.wait_for_function("document.querySelector('.hl-root').dataset.rolledBack",
                           timeout=WAIT)
    assert not page.evaluate("CSS.highlights.has('hl-optimistic')")
    error = page.locator(".hl-root .hl-status.hl-error[role='alert']")
    assert "Not saved" in error.inner_text() and "quote" in error.inner_text()
    assert list_annotations(store, Filters(seminar="demo", document=DOC)) == []


def test_a_quick_save_lost_on_the_network_is_sent_again_and_stored_once(
        page: Any, running_app: RunningApp, store: Store) -> None:
    """The first send dies on the network after the server stored it; the page sends it
    again with the same id, and the save is stored (and drawn) once."""
    text = get_text(store, DOC).text
    join(page, running_app.url, "Ana")
    _quick_code(page)
    sends: list[int] = []

    def first_answer_lost(route: Any) -> None:
        sends.append(1)
        if len(sends) == 1:
            route.fetch()  # the server stores it ...
            route.abort("connectionreset")  # ... and the answer never arrives
        else:
            route.continue_()

    page.route(re.compile(r"/live/\d+/annotations$"), first_answer_lost)
    start = text.index("totalitarian")
    drag_select(page, start, start + len("totalitarian rule"))
    page.wait_for_function("document.querySelector('.hl-root').dataset.saved", timeout=WAIT)
    sent = page.eval_on_selector(".hl-root", "e => e.dataset.saved")
    page.wait_for_selector(f".hl-root[data-confirmed='{sent}']", timeout=WAIT)
    assert len(sends) == 2
    assert [a.id for a in list_annotations(store, Filters(seminar="demo", document=DOC))] == [
        sent]
