"""Finding 3: texts were global. An instructor of any seminar could overwrite a
built-in document, replace a text and orphan every seminar's annotations, and an
upload showed on the public first page and in every seminar's lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from sec_world import World
from streamlit.testing.v1 import AppTest

from annotations import corpus
from annotations.annotation import Filters, create_annotation, list_annotations
from annotations.errors import NotFound, PermissionDenied
from annotations.permissions import Actor

DOC = "steel-and-sacrifice"
ESSAY = b"A short essay on the seminar's own reading, with a quotable line.\n"


def _upload(world: World, seminar: str = "class", who: str = "teacher", doc: str = "") -> str:
    return corpus.add_text(world.store, ESSAY, name="essay.txt", title="Our essay",
                           perspective="textbook", actor=world.actor(who), seminar=seminar,
                           document_id=doc)[0]


def test_an_instructor_cannot_overwrite_a_built_in_document(world: World) -> None:
    before = corpus.get_text(world.store, DOC)
    doc = _upload(world, doc=DOC)
    assert doc != DOC and doc.startswith("class-")
    after = corpus.get_text(world.store, DOC)
    assert (after.sha256, after.title) == (before.sha256, before.title)
    with pytest.raises(PermissionDenied, match="site admin"):
        corpus.add_text(world.store, ESSAY, name="e.txt", title="T", perspective="textbook",
                        actor=world.actor("teacher"), document_id=DOC)


def test_an_instructor_cannot_replace_a_built_in_text(world: World) -> None:
    with pytest.raises(PermissionDenied, match="site admin"):
        corpus.replace_text(world.store, DOC, ESSAY, name="x.txt",
                            actor=world.actor("teacher"), seminar="class")
    with pytest.raises(PermissionDenied):
        corpus.reanchor_document(world.store, DOC, actor=world.actor("teacher"),
                                 seminar="class")


def test_an_upload_is_seen_only_in_its_seminar(world: World) -> None:
    doc = _upload(world)
    assert doc in {t.document_id for t in corpus.list_texts(world.store, "class")}
    assert doc not in {t.document_id for t in corpus.list_texts(world.store, "other")}
    assert doc not in {t.document_id for t in corpus.list_texts(world.store)}
    with pytest.raises(NotFound):
        corpus.get_text(world.store, doc, seminar="other")
    with pytest.raises(NotFound, match="no document"):
        create_annotation(world.store, seminar="other", document_id=doc, start=0, end=7,
                          quote="A short", annotator="oscar")


def test_another_seminars_upload_cannot_be_replaced(world: World) -> None:
    doc = _upload(world)
    with pytest.raises(NotFound):
        corpus.replace_text(world.store, doc, b"Hijacked.\n", name="x.txt",
                            actor=world.actor("olga"), seminar="other")


def test_an_id_held_elsewhere_answers_like_a_fresh_one(world: World) -> None:
    """Olga's upload under the id of class's text gets her own id, not an error."""
    mine = _upload(world, doc="essay")
    theirs = _upload(world, seminar="other", who="olga", doc=mine)
    assert theirs != mine and theirs.startswith("other-")
    assert corpus.get_text(world.store, mine, seminar="class").title == "Our essay"


def test_replacing_a_seminar_text_moves_only_its_annotations(world: World) -> None:
    doc = _upload(world)
    create_annotation(world.store, seminar="class", document_id=doc, start=0, end=7,
                      quote="A short", annotator="ada")
    result = corpus.replace_text(world.store, doc, b"Intro. " + ESSAY, name="v2.txt",
                                 actor=world.actor("teacher"), seminar="class")
    assert result.report.moved == 1
    [a] = list_annotations(world.store, Filters(seminar="class", document=doc))
    assert a.start == 7


def test_the_console_still_changes_the_built_in_corpus(world: World) -> None:
    doc, outcome, _ = corpus.add_text(world.store, ESSAY, name="e.txt", title="Shared",
                                      perspective="textbook", actor=Actor.console())
    assert outcome == "added" and doc in {t.document_id for t in corpus.list_texts(world.store)}


def test_first_page_lists_the_built_in_corpus_only(world: World, sqlite_url: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _upload(world)
    monkeypatch.setenv("ANNOTATIONS_DATABASE_URL", sqlite_url)
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"),
                           default_timeout=60).run()
    assert not at.exception
    shown = " ".join(m.value for m in at.markdown)
    assert "Steel and Sacrifice" in shown
    assert "Our essay" not in shown
