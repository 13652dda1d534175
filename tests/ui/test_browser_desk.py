"""The instructor's heat strip draws real cells (issue 11, item 5).

Before: the rects had an ordinal x, no y and a fixed height, and Vega dropped
"fit-y" for the discrete height, so every cell was 0 px high.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from ui_browser_kit import RunningApp, sign_up

from annotations import accounts, roles
from annotations.annotation import create_annotation
from annotations.corpus import get_text
from annotations.db.engine import Store
from annotations.permissions import SITE_INSTRUCTOR_ROLE, Actor

pytestmark = pytest.mark.browser

WAIT = 30_000  # ms: generous ceilings, never timing assertions
DOC = "allied-powers-ussr"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    yield context.new_page()
    context.close()


def test_heat_strip_cells_have_a_size(page: Any, running_app: RunningApp) -> None:
    sign_up(page, running_app.url, "ines", "Ines", "correct horse battery")
    store = Store.open(running_app.db_url)
    try:
        with store.read() as session:
            ines = accounts.find_user(session, "ines")
        accounts.grant_site_role(store, Actor.console(), "ines", SITE_INSTRUCTOR_ROLE)
        roles.create_seminar_as(store, ines.id, "hist-201", "Soviet history", "HIST22")
        text = get_text(store, DOC).text
        for phrase in ("totalitarian rule", "cult of personality"):
            s = text.index(phrase)
            create_annotation(store, seminar="hist-201", document_id=DOC, start=s,
                              end=s + len(phrase), quote=phrase, annotator="ines")
    finally:
        store.dispose()
    page.reload()  # the session cookie keeps the instructor signed in
    page.get_by_role("button", name="Open").click()
    page.get_by_text("Instructor's desk").click()
    page.get_by_text("Documents", exact=True).click()
    cells = page.locator("[data-testid='stVegaLiteChart'] .mark-rect path")
    cells.first.wait_for(timeout=WAIT)
    sizes = cells.evaluate_all(
        "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })")
    paragraphs = len([p for p in text.split("\n") if p.strip()])
    assert len(sizes) >= paragraphs // 2
    assert all(w > 0 and h > 0 for w, h in sizes), sizes[:5]
