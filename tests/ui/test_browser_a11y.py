"""Accessibility in chromium: axe-core's WCAG 2.1 A/AA rules on every page, and the
highlighter's keyboard and screen-reader paths, read from the accessibility tree
(Playwright's aria snapshot and role queries).

axe-core comes with the `axe-playwright-python` package (pinned in the `test`
extra); it runs in the page as Playwright drives it. Every page must have 0
violations of the rules tagged wcag2a, wcag2aa, wcag21a and wcag21aa.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from lti_platform import LmsPlatform
from playwright.sync_api import expect
from ui_browser_kit import (
    RunningApp,
    click_at,
    drag_select,
    join,
    launched_chromium,
    settle,
    start_app,
    stop_app,
)

from annotations import accounts, roles
from annotations.annotation import Filters, create_annotation, list_annotations
from annotations.corpus import get_text
from annotations.db.engine import Store
from annotations.guests import is_guest
from annotations.permissions import SITE_INSTRUCTOR_ROLE, Actor
from annotations.ui import desk

pytestmark = pytest.mark.browser

DOC = "allied-powers-ussr"
WAIT = 30_000  # ms: generous ceilings, never timing assertions
SIDEBAR = "section[data-testid='stSidebar']"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": WCAG}, "resultTypes": ["violations"]}
TEACHER, PASSWORD = "teacher", "long enough pw"
CY = "cult of personality"  # Cy's highlight, apart from the nested pair


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    """The app with three annotations on DOC (two nested) and a seminar `teacher` teaches."""
    running = start_app(Path(tmp_path_factory.mktemp("a11y")))
    store = Store.open(running.db_url)
    try:
        text = get_text(store, DOC).text
        base = text.index("During Stalin")
        for s, e, who, codes in ((base, base + 60, "Ana", ["loaded language"]),
                                 (base + 10, base + 25, "Ben", ["hedging", "omission"]),
                                 (text.index(CY), text.index(CY) + len(CY), "Cy", [])):
            create_annotation(store, seminar="demo", document_id=DOC, start=s, end=e,
                              quote=text[s:e], annotator=who, perspective="textbook",
                              codes=codes, note=f"note by {who}")
        teacher = accounts.create_user(store, TEACHER, "Tea Cher", PASSWORD).id
        accounts.grant_site_role(store, Actor.console(), TEACHER, SITE_INSTRUCTOR_ROLE)
        roles.create_seminar_as(store, teacher, "class", "A class", join_code="CLASS1")
    finally:
        store.dispose()
    yield running
    stop_app(running)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    yield from launched_chromium()


@pytest.fixture
def page(chromium: Any, app: RunningApp) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    yield context.new_page()
    context.close()


@pytest.fixture
def store(app: RunningApp) -> Iterator[Store]:
    s = Store.open(app.db_url)
    yield s
    s.dispose()


def violations(page: Any) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now, one line per element."""
    # While a rerun runs, Streamlit fades the previous run's elements (stale):
    # audit the page as a reader sees it at rest, not mid-run.
    page.wait_for_function(
        "!document.querySelector('[data-testid=stElementContainer][data-stale=true]')",
        timeout=WAIT)
    page.wait_for_timeout(500)  # let Streamlit finish painting the last delta
    found = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    return [f"{v['id']}: {n['target']} {n['failureSummary']!r}" for v in found
            for n in v["nodes"]]


def offset(store: Store, phrase: str) -> int:
    return get_text(store, DOC).text.index(phrase)


# ---------------------------------------------------------------- axe, page by page


def test_axe_first_page(page: Any, app: RunningApp) -> None:
    page.goto(app.url)
    page.get_by_label("Display name", exact=True).wait_for(timeout=WAIT)
    assert violations(page) == []


def test_axe_workspace_with_an_opened_annotation(page: Any, app: RunningApp,
                                                 store: Store) -> None:
    join(page, app.url, "Dee")
    page.wait_for_selector(".hl-root[data-highlights='3']", timeout=WAIT)
    click_at(page, offset(store, CY) + 2)
    page.get_by_placeholder("Reply to Cy").wait_for(timeout=WAIT)
    assert violations(page) == []


def test_axe_composer(page: Any, app: RunningApp, store: Store) -> None:
    join(page, app.url, "Eve")
    start = offset(store, "Joseph Stalin sought")
    drag_select(page, start, start + len("Joseph"))
    page.get_by_role("button", name="Save annotation").wait_for(timeout=WAIT)
    assert violations(page) == []


def test_axe_compare(page: Any, app: RunningApp) -> None:
    join(page, app.url, "Fay")
    page.locator(SIDEBAR).get_by_text("Compare texts", exact=True).click()
    page.get_by_text("Distinctive vocabulary").wait_for(timeout=120_000)
    assert violations(page) == []


def test_axe_every_desk_section(page: Any, app: RunningApp) -> None:
    page.goto(app.url)
    page.get_by_label("Username", exact=True).fill(TEACHER)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("button", name="Open").first.click()
    page.wait_for_selector(".hl-root[data-ready='1']", timeout=WAIT)
    page.locator(SIDEBAR).get_by_text("Instructor's desk", exact=True).click()
    main = page.locator("[data-testid='stMain']")
    main.get_by_text("Instructor's desk").first.wait_for(timeout=WAIT)
    found = {}
    for section in desk.SECTIONS:
        main.get_by_text(section, exact=True).first.click()
        page.wait_for_function(
            "s => [...document.querySelectorAll('[data-testid=stMain] [aria-checked=true],"
            " [data-testid=stMain] [aria-pressed=true], [data-testid=stMain] "
            "[aria-selected=true]')].some(e => e.innerText.trim() === s)",
            arg=section, timeout=WAIT)
        page.wait_for_timeout(1500)  # the section's own elements
        found[section] = violations(page)
    assert found == {s: [] for s in desk.SECTIONS}


# ---------------------------------------------------------------- the highlighter


def test_axe_lms_content_picker_and_refusal(page: Any, app: RunningApp, store: Store) -> None:
    """The pages an LMS shows in its frame: the content picker and a refused launch."""
    with LmsPlatform().running() as lms:
        lms.use_tool(app.url)
        lms.register_in(store)
        lms.add_user("t9", "Tia Nine", "tia@example.edu", LmsPlatform.INSTRUCTOR)
        page.goto(lms.deep_link_url("t9"))
        page.get_by_role("button", name="Link it").wait_for(timeout=WAIT)
        picker = violations(page)
        lms.add_user("s9", "Sam Nine", "sam@example.edu", LmsPlatform.LEARNER)
        page.goto(lms.deep_link_url("s9"))  # a student may not pick content: refused
        page.get_by_text("only the course's instructors").wait_for(timeout=WAIT)
        refusal = violations(page)
    assert (picker, refusal) == ([], [])


def test_skip_link_reaches_the_text_in_two_keys(page: Any, app: RunningApp) -> None:
    join(page, app.url, "Gus")
    link = page.get_by_role("link", name="Skip to text")

    def first_tab_reaches_the_link() -> bool:
        # From the top of the page, as on arrival: focus on <body> puts the start of
        # the Tab order there (blur() alone leaves it where the last focus was).
        # A redraw the stream brings meanwhile moves focus, so a miss is tried
        # again once the page has settled (a few tries at most).
        page.evaluate("""() => {
            document.activeElement && document.activeElement.blur();
            document.body.tabIndex = -1;
            document.body.focus();
            document.body.removeAttribute('tabindex');
        }""")
        page.keyboard.press("Tab")
        return bool(link.evaluate("e => e === document.activeElement"))

    for _ in range(4):
        if first_tab_reaches_the_link():
            break
        settle(page)
    assert link.evaluate("e => e === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.classList.contains('hl-text')")


def test_highlights_are_reached_in_text_order_and_named(page: Any, app: RunningApp,
                                                        store: Store) -> None:
    join(page, app.url, "Hal")
    page.wait_for_selector(".hl-root[data-highlights='3']", timeout=WAIT)
    page.focus(".hl-root .hl-text")
    starts = sorted((a.start, -a.end, a.annotator) for a in
                    list_annotations(store, Filters(seminar="demo", document=DOC))
                    if a.annotator in ("Ana", "Ben", "Cy"))
    heard = []
    for _ in starts:
        page.keyboard.press("j")
        focused = page.locator(":focus")
        assert focused.get_attribute("role") == "button"
        heard.append(focused.get_attribute("aria-label") or "")
    assert [re.search(r"by (\w+)", h).group(1) for h in heard] == [w for *_, w in starts]
    ben = next(h for h in heard if "by Ben" in h)
    assert "perspective textbook" in ben and "codes hedging, omission" in ben
    assert "no codes" in next(h for h in heard if "by Cy" in h)
    # The accessibility tree holds the focused highlight as a button with that name.
    tree = page.locator(".hl-root .hl-text").aria_snapshot()
    assert f'button "{heard[-1]}"' in tree, tree[:2000]
    page.get_by_role("button", name=heard[-1], exact=True).wait_for(timeout=WAIT)
    assert page.get_by_role("button", name=heard[-1], exact=True).count() == 1
    assert violations(page) == []  # a focused highlight breaks no rule either
    page.keyboard.press("Enter")  # opens it in the panel
    last = starts[-1][2]
    page.get_by_placeholder(f"Reply to {last}").wait_for(timeout=WAIT)
    # Once the panel's run has drawn, focus is back on that highlight, the one button.
    expect(page.get_by_role("button", name=re.compile(f"by {last}"))).to_have_count(
        1, timeout=WAIT)


def test_picker_traps_focus_and_gives_it_back(page: Any, app: RunningApp,
                                              store: Store) -> None:
    join(page, app.url, "Ivy")
    page.wait_for_selector(".hl-root[data-highlights='3']", timeout=WAIT)
    click_at(page, offset(store, "During Stalin") + 15)  # inside Ana's and Ben's
    menu = page.get_by_role("menu")
    menu.wait_for(timeout=WAIT)
    items = menu.get_by_role("menuitem")
    assert items.count() == 2
    assert violations(page) == []  # nor the open picker
    for _ in range(5):  # Tab never leaves the open menu
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('.hl-picker') !== null")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.closest('.hl-picker') !== null")
    page.keyboard.press("Escape")
    menu.wait_for(state="hidden", timeout=WAIT)
    assert page.evaluate("document.activeElement.closest('.hl-text') !== null")


def test_composer_takes_traps_and_returns_focus(page: Any, app: RunningApp,
                                                store: Store) -> None:
    join(page, app.url, "Jo")
    page.focus(".hl-root .hl-text")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    for _ in range(6):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Enter")
    in_composer = "document.activeElement.closest('.st-key-ws_composer') !== null"
    page.wait_for_function(in_composer, timeout=WAIT)
    for key in ("Shift+Tab", "Shift+Tab", "Tab", "Tab", "Tab"):
        page.keyboard.press(key)
        assert page.evaluate(in_composer), key
    page.keyboard.press("Escape")  # cancels
    page.get_by_role("button", name="Save annotation").wait_for(state="detached",
                                                                 timeout=WAIT)
    page.wait_for_function("document.activeElement.closest('.hl-text') !== null",
                           timeout=WAIT)
    # Saved: focus lands on the new highlight, named with its author.
    for _ in range(6):
        page.keyboard.press("Shift+ArrowRight")
    page.keyboard.press("Enter")
    page.wait_for_function(in_composer, timeout=WAIT)
    page.get_by_role("button", name="Save annotation").click()
    # A guest is named by its label with a guest mark, never by its server-made id.
    page.get_by_role("button", name=re.compile(r"by Jo \(guest\),")).wait_for(
        timeout=WAIT)
    assert page.evaluate("document.activeElement.getAttribute('aria-label') || ''").count(
        "by Jo (guest)") == 1
    saved = list_annotations(store, Filters(seminar="demo", document=DOC))
    assert any(is_guest(a.annotator) for a in saved)
    assert all(a.annotator != "Jo" for a in saved)
