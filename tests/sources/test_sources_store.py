"""The store keeps the original file beside the extracted text, byte for byte, on SQLite and
PostgreSQL, and gives it back; plain-text versions give their text."""

from __future__ import annotations

import hashlib

import pytest
from source_files import make_scanned_pdf
from sqlalchemy import func, select

from annotations import accounts, corpus, roles, sources
from annotations.db.engine import Store
from annotations.db.models import SourceFile
from annotations.errors import PermissionDenied, TextRejected
from annotations.permissions import Actor

pytestmark = pytest.mark.usefixtures("open_signup", "fast_hasher")


@pytest.fixture
def teacher(any_store: Store) -> Actor:
    uid = accounts.create_user(any_store, "teacher", "T", "long enough pw").id
    roles.create_seminar_as(any_store, uid, "class", "A class", join_code="CLASS1")
    return Actor("teacher", uid)


def _kept(store: Store) -> int:
    with store.read() as session:
        return int(session.scalar(select(func.count()).select_from(SourceFile)) or 0)


def _add(store: Store, who: Actor, data: bytes, name: str) -> tuple[str, str, tuple[str, ...]]:
    return corpus.add_text(store, data, name=name, title="The famine", perspective="textbook",
                           actor=who, seminar="class")


def test_a_pdf_is_stored_as_its_text_with_the_file_beside_it(
        any_store: Store, teacher: Actor, pdf_file: bytes) -> None:
    doc, outcome, _ = _add(any_store, teacher, pdf_file, "famine.pdf")
    assert (doc, outcome) == ("class-the-famine", "added")
    expected = sources.extract(pdf_file, "famine.pdf")
    stored = corpus.get_text(any_store, doc, seminar="class")
    assert stored.text == expected.text and stored.paratext == expected.paratext
    assert stored.sha256 == hashlib.sha256(stored.text.encode()).hexdigest()
    original = corpus.original_file(any_store, doc, actor=teacher, seminar="class")
    assert original.data == pdf_file  # byte-identical
    assert (original.name, original.media_type) == ("famine.pdf", "application/pdf")
    assert original.sha256 == hashlib.sha256(pdf_file).hexdigest()
    assert {t.document_id: t.original for t in corpus.list_texts(any_store, "class")}[doc] == \
        "famine.pdf"
    assert _add(any_store, teacher, pdf_file, "famine.pdf")[1] == "unchanged"
    assert _kept(any_store) == 1


def test_replacing_keeps_each_versions_original(
        any_store: Store, teacher: Actor, pdf_file: bytes, docx_file: bytes) -> None:
    doc, _, _ = _add(any_store, teacher, pdf_file, "famine.pdf")
    first = corpus.get_text(any_store, doc, seminar="class")
    result = corpus.replace_text(any_store, doc, docx_file, name="famine-2.docx", actor=teacher,
                                 seminar="class")
    assert result.outcome == "new version"
    now = corpus.get_text(any_store, doc, seminar="class")
    assert now.paratext == sources.extract(docx_file, "x.docx").paratext
    assert corpus.original_file(any_store, doc, actor=teacher, seminar="class").data == docx_file
    assert corpus.original_file(any_store, doc, actor=teacher, seminar="class",
                                sha256=first.sha256).data == pdf_file
    assert _kept(any_store) == 2


def test_a_plain_text_version_gives_its_text(any_store: Store, teacher: Actor) -> None:
    data = "A memo\r\nwith CRLF ✓\r\n".encode()
    doc, _, _ = _add(any_store, teacher, data, "memo.txt")
    original = corpus.original_file(any_store, doc, actor=teacher, seminar="class")
    assert original.data == data and original.name == f"{doc}.txt"
    assert _kept(any_store) == 0


def test_a_refused_or_forbidden_upload_leaves_nothing(
        any_store: Store, teacher: Actor, pdf_file: bytes) -> None:
    before = len(corpus.list_texts(any_store, "class"))
    student = accounts.create_user(any_store, "ada", "Ada", "long enough pw").id
    roles.join_seminar(any_store, student, "CLASS1")
    with pytest.raises(PermissionDenied, match="only the seminar's instructors"):
        _add(any_store, Actor("ada", student), pdf_file, "famine.pdf")
    with pytest.raises(TextRejected, match="no text layer"):
        _add(any_store, teacher, make_scanned_pdf(1), "scan.pdf")
    assert len(corpus.list_texts(any_store, "class")) == before and _kept(any_store) == 0


def test_the_console_adds_a_built_in_text_from_a_file(any_store: Store, epub_file: bytes
                                                      ) -> None:
    doc, outcome, _ = corpus.add_text(any_store, epub_file, name="book.epub", title="A book",
                                      perspective="memoir", actor=Actor.console())
    assert (doc, outcome) == ("a-book", "added")
    assert corpus.original_file(any_store, doc, actor=Actor.console()).data == epub_file
