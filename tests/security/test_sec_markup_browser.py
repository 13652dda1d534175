"""Finding 5: user strings reached st.caption/st.markdown/st.error unescaped: a live
phishing link and an image request to another host were produced in chromium.

Each field is rendered by the real app in Debian's chromium; the page must show the
payload as text and contain no link or image made from it. Join codes and roles
are validated where they are created, so a hostile one cannot be stored at all.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "ui"))

from ui_browser_kit import (  # noqa: E402
    RunningApp,
    launched_chromium,
    sign_up,
    start_app,
    stop_app,
)

from annotations import roles  # noqa: E402
from annotations.db.engine import Store  # noqa: E402
from annotations.errors import InvalidInput  # noqa: E402
from annotations.seminar import create_seminar  # noqa: E402

PHISH = "[Sign in again](https://evil.example/login)"
PIXEL = "![t](http://127.0.0.1:9/pixel.png)"
HOSTILE = f"{PHISH} {PIXEL} **loud**"
INJECTED = """() => [
  ...document.querySelectorAll("a[href*='evil.example'], img[src*='127.0.0.1:9'], strong")
].filter(e => e.tagName !== 'STRONG' || e.textContent.trim() === 'loud')
 .map(e => e.outerHTML)"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApp]:
    running = start_app(Path(tmp_path_factory.mktemp("markup")), extra_texts=False)
    yield running
    stop_app(running)


@pytest.fixture
def page(app: RunningApp) -> Iterator[Any]:
    for browser in launched_chromium():
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        yield context.new_page()
        context.close()


def _shows(page: Any, text: str) -> None:
    """The text is on the page as typed (word joiners that stop autolinks aside)."""
    page.wait_for_function(
        "t => document.body.innerText.replaceAll('\\u2060', '').includes(t)", arg=text,
        timeout=30_000)


@pytest.mark.browser
def test_display_name_renders_as_text(page: Any, app: RunningApp) -> None:
    sign_up(page, app.url, "mallory", HOSTILE, "long enough password")
    _shows(page, PHISH)
    assert page.evaluate(INJECTED) == []


@pytest.mark.browser
def test_an_error_quoting_the_input_renders_as_text(page: Any, app: RunningApp) -> None:
    sign_up(page, app.url, "trudy", "Trudy", "long enough password")
    page.get_by_label("Join with a code", exact=True).fill(HOSTILE)
    page.get_by_role("button", name="Join seminar", exact=True).click()
    _shows(page, PHISH)
    assert page.evaluate(INJECTED) == []


@pytest.mark.parametrize("code", [HOSTILE, "A B C D", "ABC", "X" * 41, "<b>CODE</b>"])
def test_join_codes_are_validated_where_they_are_made(store: Store, code: str) -> None:
    with pytest.raises(InvalidInput, match="join code .* is not allowed"):
        create_seminar(store, "hostile", join_code=code)


def test_roles_are_validated_where_they_are_made(store: Store) -> None:
    with pytest.raises(InvalidInput, match="role .* is unknown"):
        roles.check_role(HOSTILE)
