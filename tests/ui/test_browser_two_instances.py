"""A department deployment: two app processes on one PostgreSQL database (issue 13).

A save made in a browser on one instance is drawn, without a reload, in a
browser served by the other: the write's NOTIFY reaches the other process's
LISTEN, which pushes the revision to its pages. The time it took is printed
(bench_live measures such times); the test waits on the page, never on a clock.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ui_browser_kit import RunningApp, drag_select, join, start_app, stop_app, wait_highlight

from annotations.annotation import Filters, list_annotations
from annotations.corpus import get_text
from annotations.db.engine import Store

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

DOC = "allied-powers-ussr"
WAIT = 30_000  # ms: a ceiling for a loaded machine, not a timing check


@pytest.fixture
def two_apps(tmp_path: Path, pg_server: Any) -> Iterator[tuple[RunningApp, RunningApp]]:
    url = pg_server.create_database()
    env = {"ANNOTATIONS_SECRET_KEY": "one-key-for-every-instance-of-this-department"}
    first = start_app(tmp_path / "a", db_url=url, env=env)
    try:
        second = start_app(tmp_path / "b", db_url=url, env=env)
        try:
            yield first, second
        finally:
            stop_app(second)
    finally:
        stop_app(first)


def test_a_save_on_one_instance_is_drawn_on_the_other(
        browser: Any, two_apps: tuple[RunningApp, RunningApp]) -> None:
    one, other = two_apps
    pages = []
    for app, name in ((one, "Ana"), (other, "Ben")):
        page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
        join(page, app.url, name)
        pages.append(page)
    ana, ben = pages
    store = Store.open(one.db_url, migrate=False)
    try:
        text = get_text(store, DOC).text
        start = text.index("totalitarian")
        drag_select(ana, start, start + len("totalitarian rule"))
        ana.wait_for_selector(".hl-root[data-pending]:not([data-pending=''])", timeout=WAIT)
        ana.get_by_role("button", name="Save annotation").click()
        ana.get_by_text("Annotation saved").wait_for(timeout=WAIT)
        saved = time.monotonic()
        [a] = list_annotations(store, Filters(seminar="demo", document=DOC))
        wait_highlight(ben, a.id, timeout=WAIT)
        print(f"saved on {one.url}, drawn on {other.url} {time.monotonic() - saved:.2f} s later")
        assert (a.start, a.quote) == (start, "totalitarian rule")
    finally:
        store.dispose()
