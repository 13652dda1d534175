"""Regenerate the workspace screenshots: `python docs/make_screenshots.py`.

Starts the app on a temp store, seeds a small seminar discussion on all three
texts through the library (nested and crossing highlights, a long note,
replies), and photographs the workspace in chromium at 1366x768, plus the
home page, a narrow window and the layout at 390, 800, 1366 and 1600 px.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "ui"))

from playwright.sync_api import sync_playwright  # noqa: E402
from ui_browser_kit import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    click_at,
    join,
    start_app,
    stop_app,
)

from annotations.annotation import add_reply, create_annotation  # noqa: E402
from annotations.corpus import get_text  # noqa: E402
from annotations.db.engine import Store  # noqa: E402

LONG_NOTE = (
    "The textbook states the death toll as settled fact without naming a source or a range. "
    "Compare how the polemic attributes its figures to Applebaum and gives a range: which "
    "framing would you trust more, and why? Also note the passive constructions that hide "
    "who did the killing. " * 2
).strip()

SEED = {
    "allied-powers-ussr": [
        ("Ana", "totalitarian rule", "textbook", ["loaded language"],
         "Strong label for a textbook."),
        ("Ben", "During Stalin’s totalitarian rule of the Soviet Union, he transformed the state",
         "textbook", ["agency and passive voice"], "Who is the agent here?"),
        ("Cy", "the murder of millions of Soviet citizens", "textbook",
         ["unattributed statistic"], LONG_NOTE),
        ("Ana", "so-called “enemies of the working class,”", "textbook", ["emotive framing"], ""),
    ],
    "steel-and-sacrifice": [
        ("Ben", "came at a high cost", "popular history", ["emotive framing"],
         "Standfirst sets the tone."),
        ("Ana", "brutal yet powerful Soviet economy", "popular history", ["loaded language"], ""),
        ("Cy", "We are 50–100 years behind the advanced countries.", "popular history",
         ["attribution"], "Quoted, but no source given for the speech."),
        ("Ana", "Millions of citizens toiled day and night", "popular history",
         ["unattributed statistic", "emotive framing"], ""),
    ],
    "stalinism-inner-truth": [
        ("Cy", "brutal counter-revolution and Red Terror", "libertarian-socialist polemic",
         ["loaded language"], "The codebook's own example."),
        ("Ana", "may have belatedly warned", "libertarian-socialist polemic", ["hedging"], ""),
        ("Ben", "in Anne Applebaum’s estimation, between six and seven million people",
         "libertarian-socialist polemic", ["attribution", "hedging"],
         "A named source and a range."),
        ("Ana", "in fact permanently weakened", "libertarian-socialist polemic", ["boosting"], ""),
    ],
}


def seed(store: Store) -> None:
    for doc, rows in SEED.items():
        text = get_text(store, doc).text
        for who, quote, perspective, codes, note in rows:
            s = text.index(quote)
            a = create_annotation(store, seminar="demo", document_id=doc, start=s,
                                  end=s + len(quote), quote=quote, annotator=who,
                                  perspective=perspective, codes=codes, note=note)
            if note == LONG_NOTE:
                add_reply(store, a.id, seminar="demo", author="Ana",
                          text="Good catch: the polemic gives a range, the textbook does not.")
                add_reply(store, a.id, seminar="demo", author="Ben",
                          text="Agreed. Let us code the missing agent too.")


PASSWORD = "seminar-pass-1"


def seed_class(store: Store) -> None:
    """A closed seminar taught by Inès, with two students who coded the same passages."""
    from annotations import accounts, roles

    ines = accounts.create_user(store, "ines", "Inès Martin", PASSWORD)
    roles.create_seminar_as(store, ines.id, "hist-201", "Soviet history, spring term", "HIST01")
    text = get_text(store, "steel-and-sacrifice").text
    for username, name, picks in [
        ("ada", "Ada Lovelace", [("5 million kulaks", ["unattributed statistic"]),
                                  ("were forcibly removed", ["agency and passive voice"])]),
        ("bo", "Bo Chen", [("5 million kulaks", ["unattributed statistic", "hedging"]),
                            ("staggering cost", ["emotive framing"])]),
    ]:
        user = accounts.create_user(store, username, name, PASSWORD)
        roles.join_seminar(store, user.id, "HIST01")
        for quote, codes in picks:
            s = text.index(quote)
            create_annotation(store, seminar="hist-201", document_id="steel-and-sacrifice",
                              start=s, end=s + len(quote), quote=quote, annotator=username,
                              perspective="popular history", codes=codes)


def desk_view(browser: object, url: str, out: Path) -> None:
    """The instructor's desk: agreement between the two students, as Inès sees it."""
    page = browser.new_page(viewport={"width": 1366, "height": 900})  # type: ignore[attr-defined]
    page.goto(url)
    page.get_by_label("Username", exact=True).fill("ines")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("button", name="Open", exact=True).first.click()
    page.get_by_text("Instructor's desk", exact=True).click()
    page.get_by_text("Agreement", exact=True).first.click()
    page.get_by_text("Krippendorff", exact=False).first.wait_for(timeout=60_000)
    page.wait_for_timeout(2000)
    page.screenshot(path=str(out / "desk.png"))
    page.close()


WIDTHS = (390, 800, 1366, 1600)


def layouts(page: object, out: Path) -> None:
    """The workspace at a phone's, a tablet's, a laptop's and a wide screen's width."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})  # type: ignore[attr-defined]
        page.wait_for_timeout(1200)  # type: ignore[attr-defined]
        page.evaluate("document.querySelectorAll('section, [data-testid=stMain]')"  # type: ignore[attr-defined]
                      ".forEach(e => { e.scrollTop = 0; })")
        page.screenshot(path=str(out / f"layout-{width}.png"))  # type: ignore[attr-defined]


def compare_view(page: object, out: Path) -> None:
    """The framing comparison on the famine theme, hedges lit up."""
    page.set_viewport_size({"width": 1366, "height": 900})  # type: ignore[attr-defined]
    page.get_by_text("Compare texts", exact=True).click()  # type: ignore[attr-defined]
    page.get_by_text("Framing comparison").wait_for()  # type: ignore[attr-defined]
    page.get_by_text("Numbers and whom each text credits").wait_for(  # type: ignore[attr-defined]
        timeout=120_000)
    page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").first.click()  # type: ignore[attr-defined]
    page.get_by_role("option", name="Famine (Holodomor)").click()  # type: ignore[attr-defined]
    page.locator(".hl-root").first.wait_for()  # type: ignore[attr-defined]
    page.wait_for_timeout(2500)  # type: ignore[attr-defined]
    page.screenshot(path=str(out / "compare.png"))  # type: ignore[attr-defined]


def main() -> None:
    out = ROOT / "docs"
    base = Path(tempfile.mkdtemp(prefix="shots-"))
    app = start_app(base, extra_texts=False)
    store = Store.open(app.db_url)
    seed(store)
    seed_class(store)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(app.url)
            page.get_by_role("button", name="Join", exact=True).wait_for()
            page.get_by_placeholder("How classmates will see you").wait_for()
            page.wait_for_timeout(500)
            page.screenshot(path=str(out / "home.png"))
            join(page, app.url, "Ana")
            for i, (doc, rows) in enumerate(SEED.items()):
                if i:
                    page.locator("section[data-testid='stSidebar'] "
                                 "[data-testid='stSelectbox']").first.click()
                    page.get_by_role("option", name=get_text(store, doc).title).click()
                page.wait_for_function(
                    "n => document.querySelector('.hl-root').dataset.highlights === String(n)",
                    arg=len(rows))
                # Open the annotation with the long note and its thread.
                target = max(rows, key=lambda r: len(r[4]))
                page.locator(".hl-root .seg.hl-mark").first.wait_for()
                text = get_text(store, doc).text
                click_at(page, text.index(target[1]) + len(target[1]) - 3)
                page.get_by_placeholder(f"Reply to {target[0]}").wait_for()
                page.wait_for_timeout(1800)  # let the flash animation finish
                page.evaluate("document.querySelectorAll('section, [data-testid=stMain]')"
                              ".forEach(e => { e.scrollTop = 0; })")
                page.screenshot(path=str(out / f"workspace-{doc}.png"))
                if doc == "allied-powers-ussr":
                    page.screenshot(path=str(out / "workspace.png"))
            page.set_viewport_size({"width": 700, "height": 900})
            page.wait_for_timeout(500)
            page.screenshot(path=str(out / "workspace-narrow.png"))
            layouts(page, out)
            compare_view(page, out)
            desk_view(browser, app.url, out)
            browser.close()
    finally:
        store.dispose()
        stop_app(app)


if __name__ == "__main__":
    main()
