"""Browser helpers shared by the Playwright tests and bench/bench_ui.py.

Selections are made with the real mouse: the helper asks the page where the
characters at two code-point offsets are drawn, then presses, drags and
releases there, so the component sees exactly what a reader's drag produces.
"""

from __future__ import annotations

from typing import Any

TEXT = ".hl-root .hl-text"

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
    if (scroll) r.startContainer.parentElement.scrollIntoView({block: 'center'});
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


def open_document(page: Any, title: str) -> None:
    """Pick a document in the sidebar selectbox and wait for its text."""
    page.locator("section[data-testid='stSidebar'] [data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name=title).click()
    page.wait_for_function(
        "t => document.querySelector('.hl-root .hl-text')?.textContent.startsWith(t)",
        arg=title.split(":")[0][:12], timeout=30_000,
    )


def render_key(page: Any) -> str:
    return str(page.eval_on_selector(".hl-root", "e => e.dataset.renderKey || ''"))


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


def click_at(page: Any, cp: int) -> None:
    page.evaluate(_POINT_JS, [cp, "start", True])
    p = page.evaluate(_POINT_JS, [cp, "start", False])
    page.mouse.click(p["x"], p["y"])


def wait_highlight(page: Any, annotation_id: str, timeout: float = 10_000) -> None:
    page.wait_for_selector(f".hl-root .seg[data-ids~='{annotation_id}']", timeout=timeout)


def wait_no_highlight(page: Any, annotation_id: str, timeout: float = 10_000) -> None:
    page.wait_for_selector(f".hl-root .seg[data-ids~='{annotation_id}']", state="detached",
                           timeout=timeout)
