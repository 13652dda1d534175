"""Browser helpers shared by the Playwright tests and bench/bench_ui.py.

Selections are made with the real mouse: the helper asks the page where the
characters at two code-point offsets are drawn, then presses, drags and
releases there, so the component sees exactly what a reader's drag produces.
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
from typing import Any

from annotations.corpus import load_corpus
from annotations.db.engine import Store
from annotations.seminar import ensure_seminar

ROOT = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

TEXT = ".hl-root .hl-text"
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



def make_texts_dir(base: Path, extra: bool = True) -> Path:
    """The built-in texts plus a small one full of emoji (astral code points)."""
    texts = base / "texts"
    shutil.copytree(ROOT / "texts", texts)
    if not extra:
        return texts
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


def app_dir(base: Path, secrets: str) -> Path:
    """A working directory for the app with the project's config.toml and these secrets.

    Streamlit reads `.streamlit/secrets.toml` (and config.toml) from its working
    directory, so a test with its own `[auth]` never touches the project's files.
    """
    home = base / "app"
    (home / ".streamlit").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / ".streamlit" / "config.toml", home / ".streamlit" / "config.toml")
    (home / ".streamlit" / "secrets.toml").write_text(secrets, encoding="utf-8")
    return home


def start_app(base: Path, extra_texts: bool = True, secrets: str | None = None,
              db_url: str | None = None, env: dict[str, str] | None = None) -> RunningApp:
    """`streamlit run app.py` on a free port; `secrets` is a secrets.toml text (e.g. [auth]).

    `db_url`: a store to share with other instances (default: a new SQLite file in
    `base`); `env`: more environment variables for the app process.
    """
    port = free_port()
    db_url = db_url or f"sqlite:///{base / 'app.sqlite3'}"
    texts = make_texts_dir(base, extra_texts)
    # Seed the store as the app does on start, so tests can read texts before a page loads.
    store = Store.open(db_url)
    load_corpus(store, texts)
    ensure_seminar(store, "demo", "Demo seminar", "DEMO")
    store.dispose()
    env = {**os.environ, "ANNOTATIONS_DATABASE_URL": db_url,
           "ANNOTATIONS_TEXTS_DIR": str(texts), **(env or {})}
    log = open(base / "streamlit.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT if secrets is None else app_dir(base, secrets), env=env, stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    if wait_healthy(url, proc, 60):
        return RunningApp(url, db_url, texts, proc)
    if proc.poll() is not None:
        raise RuntimeError((base / "streamlit.log").read_text())
    proc.kill()
    raise RuntimeError("streamlit did not start within 60 s")


def wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout_s: float) -> bool:
    """Until `url`/_stcore/health answers 200 (True), `proc` ends or time is up (False)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return True
        except OSError:
            time.sleep(0.1)
    return False


def stop_app(app: RunningApp) -> None:
    app.process.terminate()
    try:
        app.process.wait(10)
    except subprocess.TimeoutExpired:
        app.process.kill()



# Where the caret should land for code-point offset `cp`: the client rect of
# that character's left edge (or the right edge of the previous one),
# optionally scrolling it to the middle of the text box first.
_POINT_JS = """
([cp, edge, scroll]) => {
  const segs = Array.from(document.querySelectorAll('.hl-root .hl-text .seg'));
  for (const seg of segs) {
    const s = Number(seg.dataset.s);
    const node = seg.firstChild;
    const cps = Array.from(node.data);
    if (cp < s || cp > s + cps.length) continue;
    if (cp === s + cps.length && edge === 'start') continue;
    const k = cp - s;
    const u16 = cps.slice(0, k).join('').length;
    const r = document.createRange();
    if (edge === 'start') { r.setStart(node, u16); r.setEnd(node, u16 + cps[k].length); }
    else {
      const p = cps.slice(0, k - 1).join('').length;
      r.setStart(node, p); r.setEnd(node, u16);
    }
    if (scroll) {
      const box = document.querySelector('.hl-root .hl-text');
      const top = r.getClientRects()[0].top - box.getBoundingClientRect().top;
      box.scrollTop += top - box.clientHeight / 2;
      box.scrollIntoView({block: 'nearest'});
    }
    const rect = r.getClientRects()[0];
    return {x: edge === 'start' ? rect.left + 1 : rect.right - 1, y: rect.top + rect.height / 2};
  }
  return null;
}
"""


def join(page: Any, base_url: str, name: str, code: str = "DEMO") -> None:
    page.goto(base_url)
    page.get_by_label("Display name", exact=True).fill(name)
    page.get_by_label("Join code", exact=True).fill(code)
    page.get_by_role("button", name="Join", exact=True).click()
    page.wait_for_selector(".hl-root[data-ready='1']", timeout=30_000)
    settle(page)


def settle(page: Any, quiet_ms: int = 600, timeout_s: float = 15.0) -> None:
    """Wait until the workspace has connected its live updates and stopped redrawing.

    Joining is itself a change of the seminar: the stream may bring one more run
    right after the page first draws, which redraws the text (and moves focus).
    Keyboard tests start after that, as a reader would. A wait, not a timing check.
    """
    page.wait_for_selector(".hl-root[data-live]", timeout=30_000)
    deadline = time.monotonic() + timeout_s
    last, since = render_key(page), time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(100)
        key = render_key(page)
        if key != last:
            last, since = key, time.monotonic()
        elif (time.monotonic() - since) * 1000 >= quiet_ms:
            return


def sign_up(page: Any, base_url: str, username: str, display_name: str,
            password: str) -> None:
    """Create an account on the home page; ends on the signed-in home page."""
    page.goto(base_url)
    page.get_by_role("tab", name="Create account").click()
    page.get_by_label("Choose a username", exact=True).fill(username)
    page.get_by_label("Your name as classmates see it", exact=True).fill(display_name)
    page.get_by_label("Choose a password", exact=True).fill(password)
    page.get_by_role("button", name="Create account", exact=True).click()
    page.get_by_text("My seminars").wait_for(timeout=30_000)


def join_with_code(page: Any, code: str) -> None:
    """Signed in: join a seminar with its code and wait for the workspace."""
    page.get_by_label("Join with a code", exact=True).fill(code)
    page.get_by_role("button", name="Join seminar", exact=True).click()
    page.wait_for_selector(".hl-root[data-ready='1']", timeout=30_000)
    settle(page)


def open_document(page: Any, title: str) -> None:
    """Pick a document in the sidebar selectbox and wait for its text."""
    page.locator("section[data-testid='stSidebar'] [data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name=title).click()
    page.wait_for_function(
        "t => document.querySelector('.hl-root .hl-text')?.textContent.startsWith(t)",
        arg=title.split(":")[0][:12], timeout=30_000,
    )


def render_key(page: Any) -> str:
    """The drawn text's key; "" while Streamlit swaps the component (no root for a moment)."""
    return str(page.evaluate(
        "() => document.querySelector('.hl-root')?.dataset.renderKey || ''"))


def drag_select(page: Any, start: int, end: int) -> None:
    """Select code points [start, end) with a real mouse drag."""
    page.evaluate(_POINT_JS, [start, "start", True])
    a = page.evaluate(_POINT_JS, [start, "start", False])
    b = page.evaluate(_POINT_JS, [end, "end", False])
    page.mouse.move(a["x"], a["y"])
    page.mouse.down()
    page.mouse.move((a["x"] + b["x"]) / 2, (a["y"] + b["y"]) / 2, steps=3)
    page.mouse.move(b["x"], b["y"], steps=3)
    page.mouse.up()


_HOLD_JS = """([s, e]) => { const segs = [...document.querySelectorAll('.hl-text .seg')];
   const find = cp => segs.filter(x => Number(x.dataset.s) <= cp).pop();
   const a = find(s), b = find(e);
   const r = document.createRange();
   r.setStart(a.firstChild, s - Number(a.dataset.s));
   r.setEnd(b.firstChild, e - Number(b.dataset.s));
   getSelection().removeAllRanges(); getSelection().addRange(r); }"""


def hold_selection(page: Any, start: int, end: int) -> None:
    """Select code points [start, end) and leave it so, as a reader still choosing does."""
    page.evaluate(_HOLD_JS, [start, end])


def click_at(page: Any, cp: int) -> None:
    page.evaluate(_POINT_JS, [cp, "start", True])
    p = page.evaluate(_POINT_JS, [cp, "start", False])
    page.mouse.click(p["x"], p["y"])


def wait_highlight(page: Any, annotation_id: str, timeout: float = 10_000) -> None:
    page.wait_for_selector(f".hl-root .seg[data-ids~='{annotation_id}']", timeout=timeout)


def wait_no_highlight(page: Any, annotation_id: str, timeout: float = 10_000) -> None:
    page.wait_for_selector(f".hl-root .seg[data-ids~='{annotation_id}']", state="detached",
                           timeout=timeout)


def launched_chromium() -> Iterator[Any]:
    """Debian's chromium under Playwright, for a fixture to yield from.

    In CI (CI=true) a missing chromium fails the test; elsewhere it skips.
    """
    import pytest

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
