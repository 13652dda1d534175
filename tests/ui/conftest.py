"""Fixtures for the UI tests: AppTest on a temp store, and the real app for Playwright.

The browser tests start `streamlit run app.py` on a free port against a temp
SQLite file and drive Debian's chromium. In CI (CI=true) they always run;
elsewhere they skip only when /usr/bin/chromium is missing.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from ui_browser_kit import RunningApp, launched_chromium, start_app, stop_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """ANNOTATIONS_DATABASE_URL pointing at a fresh SQLite file, for AppTest."""
    url = f"sqlite:///{tmp_path / 'ui.sqlite3'}"
    monkeypatch.setenv("ANNOTATIONS_DATABASE_URL", url)
    monkeypatch.setenv("ANNOTATIONS_TEXTS_DIR", str(ROOT / "texts"))
    return url


@pytest.fixture
def running_app(tmp_path: Path) -> Iterator[RunningApp]:
    app = start_app(tmp_path)
    try:
        yield app
    finally:
        stop_app(app)


@pytest.fixture
def browser() -> Iterator[object]:
    yield from launched_chromium()


@pytest.fixture(autouse=True)
def cheap_password_hashing(fast_hasher: None) -> None:
    """argon2 at its lowest costs: sign-ins in AppTest run in this process."""
