"""User text is shown as text in the browser: never as HTML, script or Markdown.

One app and one chromium serve the whole module. The store is seeded through
the library before any page loads: a text whose title, perspective and body
carry script, HTML and Markdown payloads, a code and a perspective with such
names, annotations by annotators with such names, notes and replies. Each test
then opens the pages where that text appears, interacts (hover, click, open,
reply, edit) and checks, waiting on DOM conditions, that no payload ran
(`window.__xss`), that no payload became an element, and that each payload is
on the page verbatim as text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from ui_browser_kit import (
    RunningApp,
    click_at,
    join,
    launched_chromium,
    open_document,
    start_app,
    stop_app,
    wait_highlight,
)

from annotations import guests
from annotations.annotation import add_reply, create_annotation
from annotations.codebook import CodeSpec, PerspectiveSpec, add_code, add_perspective
from annotations.corpus import add_text, get_text
from annotations.db.engine import Store
from annotations.permissions import Actor
from annotations.seminar import get_seminar, seminar_id
from annotations.web.session import COOKIE

pytestmark = pytest.mark.browser

WAIT = 30_000  # ms: generous ceilings, never timing assertions

SCRIPT = "<script>window.__xss=1</script>"
IMG = "<img src=x onerror=window.__xss=1>"
SVG = '"><svg onload=window.__xss=1>'
LINK = "[link](javascript:window.__xss=1)"
MARKDOWN = f"{LINK} **bold** $x$"

DOC = "hostile-text"
TITLE = f"Hostile {SCRIPT} {IMG} {SVG} {MARKDOWN}"
DOC_PERSPECTIVE = f"{IMG} **bold** $x$"
SOURCE_KIND = f"{SVG} {LINK}"
PARAGRAPH = (
    f"During the famine, collectivisation, industrialisation, the Gulag and the purges "
    f"{SCRIPT} perhaps 5 million {IMG} people starved, and the regime clearly hid it. "
    f"{SVG} {MARKDOWN}"
)
BODY = f"{TITLE}\n\n{PARAGRAPH}\n"

NAME = IMG  # the reader who joins, and the author of the first annotation
SHOWN = f"{NAME} (guest)"  # how classmates see that guest
OTHER = f"{SVG} **Bo**"
REPLIER = f"{LINK} $x$"
CODE = f"{IMG} **code** $x$"
PERSPECTIVE = f"{SVG} {LINK}"
NOTE_1 = f"{SCRIPT} {MARKDOWN}"
NOTE_2 = f"{IMG} {SVG}"
REPLY = f"{SCRIPT} {IMG} {MARKDOWN}"
UI_REPLY = f"{SVG} **typed** $y$"
DEFINITION = f"{SCRIPT} {MARKDOWN}"

# Everything on the page and in its frames, open shadow roots included: did a
# payload run, or become an element or a live attribute?
_INJECTED_JS = """
() => {
  const all = [];
  const walk = (root) => {
    for (const e of root.querySelectorAll('*')) {
      all.push(e);
      if (e.shadowRoot) walk(e.shadowRoot);
    }
  };
  walk(document);
  const found = [];
  if (typeof window.__xss !== 'undefined') found.push('window.__xss is set');
  for (const e of all) {
    const tag = e.tagName.toLowerCase();
    if (tag === 'img' && e.getAttribute('src') === 'x') found.push('img[src=x]');
    if (tag === 'svg' && e.hasAttribute('onload')) found.push('svg[onload]');
    if (tag === 'script' && e.textContent.includes('__xss')) found.push('script');
    if (tag === 'a' && /^\\s*javascript:/i.test(e.getAttribute('href') || '')) {
      found.push('a[href^=javascript]');
    }
    for (const a of e.attributes) {
      if (a.name.startsWith('on') && a.value.includes('__xss')) found.push(`${tag}[${a.name}]`);
    }
  }
  return found;
}
"""

# Some element matching `sel` (in the document or an open shadow root) whose
# textContent holds every one of `texts`.
_HAS_TEXT_JS = """
([sel, texts]) => {
  const hits = [];
  const walk = (root) => {
    for (const e of root.querySelectorAll(sel)) hits.push(e);
    for (const e of root.querySelectorAll('*')) if (e.shadowRoot) walk(e.shadowRoot);
  };
  walk(document);
  return hits.some((e) => texts.every((t) => e.textContent.includes(t)));
}
"""


@dataclass(frozen=True)
class Seeded:
    app: RunningApp
    first: str  # annotation ids
    second: str
    text: str
    token: str  # the session cookie of the guest called NAME, who wrote `first`


def _seed(app: RunningApp) -> Seeded:
    store = Store.open(app.db_url)
    try:
        add_text(store, BODY.encode("utf-8"),
                 actor=Actor.console(), name="hostile.txt", title=TITLE,
                 perspective=DOC_PERSPECTIVE, document_id=DOC, source_kind=SOURCE_KIND)
        with store.transaction() as session:
            sid = seminar_id(session, "demo")
            code = add_code(session, sid, CodeSpec(CODE, "#aa3355", definition=DEFINITION,
                                                   example=IMG))
            code.position = -1  # first in the codebook: the sidebar lists it for key 1
            add_perspective(session, sid, PerspectiveSpec(PERSPECTIVE, "#3355aa",
                                                          description=SCRIPT))
        text = get_text(store, DOC).text
        s = text.index(f"perhaps 5 million {IMG}")
        e = s + len(f"perhaps 5 million {IMG} people starved")
        # The reader is a guest of their own (a server-made id): the browser gets its cookie.
        reader = guests.join(store, get_seminar(store, "demo"), NAME)
        first = create_annotation(store, seminar="demo", document_id=DOC, start=s, end=e,
                                  quote=text[s:e], annotator=reader.guest.id,
                                  perspective=PERSPECTIVE,
                                  codes=[CODE, "hedging"], note=NOTE_1)
        s2 = text.index(IMG, s)
        e2 = text.index(SVG, s2) + len(SVG)
        second = create_annotation(store, seminar="demo", document_id=DOC, start=s2, end=e2,
                                   quote=text[s2:e2], annotator=OTHER,
                                   perspective=PERSPECTIVE, codes=[CODE], note=NOTE_2)
        add_reply(store, first.id, seminar="demo", author=REPLIER, text=REPLY)
    finally:
        store.dispose()
    return Seeded(app, first.id, second.id, text, reader.token)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    app = start_app(Path(tmp_path_factory.mktemp("security")), extra_texts=False)
    try:
        yield _seed(app)
    finally:
        stop_app(app)


@pytest.fixture(scope="module")
def module_browser() -> Iterator[Any]:
    yield from launched_chromium()


@pytest.fixture
def page(module_browser: Any, seeded: Seeded) -> Iterator[Any]:
    context = module_browser.new_context(viewport={"width": 1600, "height": 1000})
    p = context.new_page()
    yield p
    context.close()


def assert_clean(page: Any) -> None:
    """No payload ran or became markup, in the page or any of its frames."""
    for frame in page.frames:
        assert frame.evaluate(_INJECTED_JS) == [], frame.url


def wait_text(page: Any, selector: str, *texts: str) -> None:
    """Wait until one element matching `selector` shows every text verbatim."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(_HAS_TEXT_JS, arg=[selector, list(texts)], timeout=WAIT)
    except PlaywrightTimeout:
        shown = page.eval_on_selector_all(selector, "es => es.map(e => e.innerHTML)")
        raise AssertionError(f"no {selector} shows {texts!r}; they show {shown!r}") from None


MARKDOWN_BLOCK = "[data-testid='stMarkdownContainer'], [data-testid='stCaptionContainer']"
SIDEBAR = "section[data-testid='stSidebar']"
TEXT = ".hl-root .hl-text"


def _open_hostile(page: Any, seeded: Seeded, name: str) -> None:
    if name == NAME:  # come back as that guest, as a reload does
        page.context.add_cookies([{"name": COOKIE, "value": seeded.token,
                                   "url": seeded.app.url}])
        page.goto(seeded.app.url)
        page.wait_for_selector(".hl-root[data-ready='1']", timeout=WAIT)
    else:
        join(page, seeded.app.url, name)
    open_document(page, TITLE)


# ---------------------------------------------------------------- the text itself


def test_title_and_text_render_as_text(page: Any, seeded: Seeded) -> None:
    page.goto(seeded.app.url)
    wait_text(page, MARKDOWN_BLOCK, TITLE)  # the home page's corpus list
    wait_text(page, MARKDOWN_BLOCK, f"Perspective: {DOC_PERSPECTIVE}", SOURCE_KIND)
    assert_clean(page)
    _open_hostile(page, seeded, "Reader")
    wait_text(page, TEXT, TITLE, SCRIPT, IMG, SVG, MARKDOWN)
    assert page.eval_on_selector(TEXT, "e => e.textContent") == seeded.text.replace("\n", "")
    wait_text(page, "[data-testid='stHeading']", TITLE)
    wait_text(page, MARKDOWN_BLOCK, f"Perspective: {DOC_PERSPECTIVE}", SOURCE_KIND)
    page.wait_for_function(  # the chosen document, as the selectbox's input value
        "t => document.querySelector(\"input[aria-label='Document']\")?.value === t",
        arg=TITLE, timeout=WAIT)
    wait_text(page, ".hl-root .hl-legend", PERSPECTIVE)
    assert_clean(page)


# ---------------------------------------------------------------- annotations


def test_annotations_names_codes_and_thread_render_as_text(page: Any, seeded: Seeded) -> None:
    _open_hostile(page, seeded, NAME)
    wait_text(page, SIDEBAR, f"Signed in as {NAME}")
    wait_text(page, SIDEBAR, f"toggle codes: 1 {CODE}, 2 loaded language")
    for a in (seeded.first, seeded.second):
        wait_highlight(page, a, timeout=WAIT)
    # The cards of the list: quote, annotator · perspective · codes, note.
    for key, who, note in ((seeded.first, SHOWN, NOTE_1), (seeded.second, OTHER, NOTE_2)):
        wait_text(page, f".st-key-entry_{key}", f"{who} · {PERSPECTIVE} · {CODE}", note)
    wait_text(page, f".st-key-entry_{seeded.first}", IMG)  # in the quote
    assert_clean(page)

    # Hover, then click where both highlights lie: the picker lists labels and notes.
    both = f"{TEXT} .seg[data-ids~='{seeded.first}'][data-ids~='{seeded.second}']"
    page.hover(both)
    assert_clean(page)
    click_at(page, seeded.text.index(IMG, seeded.text.index("perhaps")) + 2)
    picker = page.locator(".hl-root .hl-picker")
    picker.wait_for(state="visible", timeout=WAIT)
    wait_text(page, ".hl-root .hl-picker", f"{SHOWN} · {PERSPECTIVE} · {CODE}, hedging", NOTE_1,
              f"{OTHER} · {PERSPECTIVE} · {CODE}", NOTE_2)
    picker.locator(f"button.hl-pick[data-id='{seeded.first}']").hover()
    assert_clean(page)
    picker.locator(f"button.hl-pick[data-id='{seeded.first}']").click()

    # The opened annotation with its thread.
    opened = f".st-key-opened_{seeded.first}"
    page.get_by_placeholder(f"Reply to {NAME}").wait_for(timeout=WAIT)
    wait_text(page, opened, f"{SHOWN} · {PERSPECTIVE}", CODE, NOTE_1, REPLIER, REPLY)
    wait_text(page, opened, f"perhaps 5 million {IMG} people starved")
    assert_clean(page)

    # A reply typed in the browser comes back as text too.
    page.get_by_placeholder(f"Reply to {NAME}").fill(UI_REPLY)
    page.locator(f".st-key-reply_send_{seeded.first} button").click()
    wait_text(page, opened, f"{SHOWN} · ", UI_REPLY)
    assert_clean(page)

    # Editing your own: the codebook's definition and example beside the code.
    page.locator(f".st-key-ann_edit_{seeded.first} button").click()
    wait_text(page, opened, f"{CODE}: {DEFINITION}", f"Example: “{IMG}”")
    assert_clean(page)


# ---------------------------------------------------------------- other views


def test_compare_view_renders_titles_and_annotations_as_text(page: Any, seeded: Seeded) -> None:
    join(page, seeded.app.url, "Compare reader")  # each guest's label is its own
    page.locator(SIDEBAR).get_by_text("Compare texts", exact=True).click()
    page.get_by_role("heading", name="Framing comparison").wait_for(timeout=WAIT)
    wait_text(page, "[data-testid='stHeading']", TITLE)
    wait_text(page, MARKDOWN_BLOCK, TITLE)  # above its vocabulary table
    wait_text(page, MARKDOWN_BLOCK, f"{DOC_PERSPECTIVE} · {SOURCE_KIND}")
    wait_text(page, TEXT, SCRIPT, IMG, SVG, MARKDOWN)  # the passage on the theme
    wait_text(page, MARKDOWN_BLOCK, f"{SHOWN} · {CODE}, hedging — {NOTE_1}")
    wait_text(page, MARKDOWN_BLOCK, f"{OTHER} · {CODE} — {NOTE_2}")
    assert_clean(page)
    mark = page.locator(f"{TEXT} .seg[data-ids~='{seeded.first}']").first
    mark.hover()
    mark.click()
    assert_clean(page)


def test_suggestions_panel_renders_codes_as_text(page: Any, seeded: Seeded) -> None:
    _open_hostile(page, seeded, "Suggestions reader")
    page.get_by_text("Machine suggestions", exact=True).click()
    panel = page.locator("[data-testid='stExpander']").filter(has_text="Machine suggestions")
    panel.get_by_text("“perhaps”").wait_for(timeout=WAIT)
    assert_clean(page)
    panel.locator("[data-testid='stMultiSelect']").first.click()
    page.get_by_role("option", name=CODE).wait_for(timeout=WAIT)
    wait_text(page, "[role='option']", CODE)
    assert_clean(page)
