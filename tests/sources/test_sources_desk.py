"""The desk's upload in two steps (AppTest): upload -> preview (text, paratext, pages,
warnings) -> publish or discard; then the original is offered for download."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from source_files import HTML, make_scanned_pdf
from streamlit.testing.v1 import AppTest

from annotations import accounts, corpus, roles, sources
from annotations.db.engine import Store
from annotations.seminar import SeminarInfo, get_seminar
from annotations.ui import desk, desk_texts

pytestmark = pytest.mark.usefixtures("open_signup", "fast_hasher")


@dataclass(frozen=True)
class Who:
    username: str
    display_name: str
    seminar: SeminarInfo
    role: str
    user_id: int | None


def _script() -> None:
    import streamlit as st

    from annotations.ui import desk

    desk.render(st.session_state["t_store"], st.session_state["t_who"])


@pytest.fixture
def at(store: Store) -> AppTest:
    uid = accounts.create_user(store, "teacher", "Teacher", "long enough pw").id
    roles.create_seminar_as(store, uid, "class", "A class", join_code="CLASS1")
    app = AppTest.from_function(_script, default_timeout=60)
    app.session_state["t_store"] = store
    app.session_state["t_who"] = Who("teacher", "Teacher", get_seminar(store, "class"),
                                     roles.INSTRUCTOR, uid)
    app.run()
    app.segmented_control(key=desk.SECTION).set_value(desk.TEXTS).run()
    assert not app.exception, app.exception
    return app


def _unescaped(value: str) -> str:
    return re.sub(r"\\(.)", r"\1", value)


def _upload(at: AppTest, name: str, data: bytes, title: str = "The famine") -> None:
    at.file_uploader(key=desk_texts.FILE).upload(name, data, "application/octet-stream")
    at.text_input(key=desk_texts.TITLE).input(title)
    at.selectbox(key=desk_texts.PERSPECTIVE).set_value("textbook")
    at.text_input(key=desk_texts.AUTHOR).input("R. Conquest")
    at.button(key=desk_texts.PREVIEW).click().run()
    assert not at.exception, at.exception


def _own(store: Store) -> list[str]:
    return [t.document_id for t in corpus.list_texts(store, "class") if t.own]


def test_preview_then_publish_a_pdf(at: AppTest, store: Store, pdf_file: bytes) -> None:
    _upload(at, "famine.pdf", pdf_file)
    assert not at.error, [e.value for e in at.error]
    assert _own(store) == []  # nothing is stored before publishing
    shown = [_unescaped(m.value) for m in at.markdown]
    assert ":orange-badge[heading] The Famine of 1932" in shown
    assert ":orange-badge[caption] Figure 1: A village in 1933." in shown
    assert ":orange-badge[endnotes] 1. Conquest, The Harvest of Sorrow, p. 12." in shown
    assert "The second page begins here." in shown
    captions = [_unescaped(c.value) for c in at.caption]
    assert "— page 2 —" in captions
    assert any("PDF" in c and "heading × 1" in c and "page break × 1" in c for c in captions)
    at.button(key=desk_texts.PUBLISH).click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert _own(store) == ["class-the-famine"]
    assert desk_texts.PENDING not in at.session_state
    stored = corpus.get_text(store, "class-the-famine", seminar="class")
    assert stored.paratext == sources.extract(pdf_file, "famine.pdf").paratext
    assert {t.document_id: t.author for t in corpus.list_texts(store, "class")}[
        "class-the-famine"] == "R. Conquest"
    downloads = at.get("download_button")
    assert len(downloads) == 1 and "famine.pdf" in downloads[0].proto.label


def test_discard_stores_nothing(at: AppTest, store: Store, docx_file: bytes) -> None:
    _upload(at, "famine.docx", docx_file)
    assert desk_texts.PENDING in at.session_state
    at.button(key=desk_texts.DISCARD).click().run()
    assert not at.exception
    assert desk_texts.PENDING not in at.session_state and _own(store) == []
    assert any("discarded" in _unescaped(i.value) for i in at.info)
    assert not at.get("download_button")


def test_markup_in_a_web_page_stays_text(at: AppTest, store: Store) -> None:
    _upload(at, "page.html", HTML.encode(), title="A page")
    values = [m.value for m in at.markdown]
    assert r"\<b\>not bold\</b\> and \<script\>" in values  # escaped, never rendered
    assert not any("injected" in v or "color:red" in v for v in values)


def test_a_scanned_pdf_shows_what_to_do(at: AppTest, store: Store) -> None:
    _upload(at, "scan.pdf", make_scanned_pdf(1))
    errors = [_unescaped(e.value) for e in at.error]
    assert any("no text layer" in e and "Run OCR" in e for e in errors), errors
    assert desk_texts.PENDING not in at.session_state and _own(store) == []


def test_warnings_come_with_the_preview(at: AppTest, store: Store) -> None:
    _upload(at, "mixed.pdf", make_scanned_pdf(2, text_on=(0,)))
    assert any("page(s) 2 have no text layer" in _unescaped(w.value) for w in at.warning)
    at.button(key=desk_texts.PUBLISH).click().run()
    assert _own(store) == ["class-the-famine"]
