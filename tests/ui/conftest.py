"""Fixtures for the UI tests: AppTest on a temp store, and the real app for Playwright.

The browser tests start `streamlit run app.py` on a free port against a temp
SQLite file and drive Debian's chromium. In CI (CI=true) they always run;
elsewhere they skip only when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from annotations.corpus import load_corpus
from annotations.db.engine import Store
from annotations.seminar import ensure_seminar

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
EMOJI_DOC = "emoji-note"
EMOJI_TEXT = (
    "Emoji notes 🧪 for testing\n"
    "The plan 📈 promised growth 🚀 and the report 👍🏽 praised it.\n"
    "\n"
    "Second paragraph: output rose 🏭 while wages fell.\n"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def app_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """ANNOTATIONS_DATABASE_URL pointing at a fresh SQLite file, for AppTest."""
    url = f"sqlite:///{tmp_path / 'ui.sqlite3'}"
    monkeypatch.setenv("ANNOTATIONS_DATABASE_URL", url)
    monkeypatch.setenv("ANNOTATIONS_TEXTS_DIR", str(ROOT / "texts"))
    return url


def make_texts_dir(base: Path) -> Path:
    """The built-in texts plus a small one full of emoji (astral code points)."""
    texts = base / "texts"
    shutil.copytree(ROOT / "texts", texts)
    (texts / f"{EMOJI_DOC}.txt").write_text(EMOJI_TEXT, encoding="utf-8")
    (texts / f"{EMOJI_DOC}.toml").write_text(
        f'document_id = "{EMOJI_DOC}"\nfile = "{EMOJI_DOC}.txt"\n'
        'title = "Emoji notes"\nperspective = "test"\nsource_kind = "test fixture"\n',
        encoding="utf-8",
    )
    return texts


@dataclass
class RunningApp:
    url: str
    db_url: str
    texts_dir: Path
    process: subprocess.Popen[bytes]


def start_app(base: Path) -> RunningApp:
    port = free_port()
    db_url = f"sqlite:///{base / 'app.sqlite3'}"
    texts = make_texts_dir(base)
    # Seed the store as the app does on start, so tests can read texts before a page loads.
    store = Store.open(db_url)
    load_corpus(store, texts)
    ensure_seminar(store, "demo", "Demo seminar", "DEMO")
    store.dispose()
    env = {**os.environ, "ANNOTATIONS_DATABASE_URL": db_url,
           "ANNOTATIONS_TEXTS_DIR": str(texts)}
    log = open(base / "streamlit.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((base / "streamlit.log").read_text())
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return RunningApp(url, db_url, texts, proc)
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("streamlit did not start within 60 s")


def stop_app(app: RunningApp) -> None:
    app.process.terminate()
    try:
        app.process.wait(10)
    except subprocess.TimeoutExpired:
        app.process.kill()


@pytest.fixture
def running_app(tmp_path: Path) -> Iterator[RunningApp]:
    app = start_app(tmp_path)
    try:
        yield app
    finally:
        stop_app(app)


@pytest.fixture
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail(f"{CHROMIUM} is missing: the browser tests must run in CI")
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()
