"""Findings 6 and 7: ids answered "already used" for other seminars' and blind rounds'
rows, accepted-suggestion ids were predictable (uuid5 of public values), `create_link`
with a classmate's hidden link id returned that link and its note; the links import
moved a link between seminars and skipped the note checks."""

from __future__ import annotations

import io
import uuid

import pytest
from sec_world import World

from annotations import blind, corpus, link
from annotations.annotation import add_reply, create_annotation
from annotations.errors import ImportRejected
from annotations.suggestion import Suggestion, accept

A, B = "steel-and-sacrifice", "stalinism-inner-truth"


def _note(world: World, seminar: str, who: str, doc: str = A, start: int = 0,
          annotation_id: str | None = None) -> str:
    text = corpus.get_text(world.store, doc).text
    return create_annotation(world.store, seminar=seminar, document_id=doc, start=start,
                             end=start + 5, quote=text[start:start + 5], annotator=who,
                             annotation_id=annotation_id).id


def test_an_id_of_another_seminar_answers_like_a_fresh_one(world: World) -> None:
    theirs = _note(world, "other", "oscar")
    mine = _note(world, "class", "ada", annotation_id=theirs)
    fresh = _note(world, "class", "ada", start=10, annotation_id=str(uuid.uuid4()))
    assert mine != theirs and uuid.UUID(mine).version == 4 and fresh


def test_an_id_in_a_blind_round_answers_like_a_fresh_one(world: World) -> None:
    blind.set_blind(world.store, "class", world.actor("teacher"), True)
    hidden = _note(world, "class", "bob")
    assert _note(world, "class", "ada", annotation_id=hidden) != hidden


def test_the_same_write_again_is_idempotent(world: World) -> None:
    aid = str(uuid.uuid4())
    assert _note(world, "class", "ada", annotation_id=aid) == aid
    assert _note(world, "class", "ada", annotation_id=aid) == aid


def test_a_reply_id_of_another_seminar_answers_like_a_fresh_one(world: World) -> None:
    theirs = add_reply(world.store, _note(world, "other", "oscar"), seminar="other",
                       author="olga", text="secret").id
    mine = add_reply(world.store, _note(world, "class", "ada"), seminar="class",
                     author="bob", text="hello", reply_id=theirs)
    assert mine.id != theirs and mine.text == "hello"


def test_a_hidden_link_id_returns_nothing_of_it(world: World) -> None:
    blind.set_blind(world.store, "class", world.actor("teacher"), True)
    bob_a, bob_b = _note(world, "class", "bob"), _note(world, "class", "bob", B)
    hidden = link.create_link(world.store, seminar="class", kind="omits",
                              from_annotation_id=bob_a, to_annotation_id=bob_b,
                              annotator="bob", note="bob's private thought").id
    ada_a, ada_b = _note(world, "class", "ada", start=20), _note(world, "class", "ada", B, 20)
    got = link.create_link(world.store, seminar="class", kind="omits",
                           from_annotation_id=ada_a, to_annotation_id=ada_b,
                           annotator="ada", link_id=hidden)
    assert got.id != hidden and got.note == "" and got.annotator == "ada"


def test_accepted_suggestion_ids_are_not_predictable(world: World) -> None:
    text = corpus.get_text(world.store, A).text
    s = Suggestion(f"framing:hedges:{A}:0:5", "framing:hedges", A, 0, 5, text[:5],
                   ("hedging",), "Suggested.")
    first = accept(world.store, "class", "ada", s)
    predicted = uuid.uuid5(uuid.UUID("6d1f2a1e-5b8e-4f0c-9a55-2a7c1c6e2b10"),
                           f"class\nada\n{s.key}")
    assert first.id != str(predicted) and uuid.UUID(first.id).version == 4
    assert accept(world.store, "class", "ada", s).id == first.id  # a double click


def _links_csv(rows: list[list[str]]) -> str:
    head = ",".join(link.LINK_COLUMNS)
    return "\r\n".join([head, *(",".join(r) for r in rows)]) + "\r\n"


def test_links_import_never_moves_a_link_between_seminars(world: World) -> None:
    theirs = link.create_link(world.store, seminar="other", kind="omits",
                              from_annotation_id=_note(world, "other", "oscar"),
                              to_annotation_id=_note(world, "other", "oscar", B),
                              annotator="oscar", note="theirs").id
    a, b = _note(world, "class", "ada"), _note(world, "class", "ada", B)
    bad = _links_csv([[theirs, "omits", a, b, "moved", "ada",
                       "2026-11-25T10:00:00Z"]])
    with pytest.raises(ImportRejected, match="never moves a link between seminars"):
        link.import_links(world.store, bad, raw=True)
    out = io.StringIO()
    link.export_links(world.store, out, "other")
    assert "theirs" in out.getvalue()


@pytest.mark.parametrize(("note", "message"), [("a\x00b", "NUL"),
                                               ("x" * 30_009, "over")])
def test_links_import_checks_notes_like_create_link(world: World, note: str,
                                                     message: str) -> None:
    a, b = _note(world, "class", "ada"), _note(world, "class", "ada", B)
    bad = _links_csv([[str(uuid.uuid4()), "omits", a, b, note, "ada",
                       "2026-11-25T10:00:00Z"]])
    with pytest.raises(ImportRejected, match=message):
        link.import_links(world.store, bad, raw=True)


def test_links_import_refuses_a_link_within_one_document(world: World) -> None:
    a, b = _note(world, "class", "ada"), _note(world, "class", "ada", A, 30)
    bad = _links_csv([[str(uuid.uuid4()), "omits", a, b, "", "ada",
                       "2026-11-25T10:00:00Z"]])
    with pytest.raises(ImportRejected, match="same document"):
        link.import_links(world.store, bad, raw=True)
