"""Blind rounds (issue 6): who sees what before and after submitting and the reveal."""

from __future__ import annotations

import pytest

from annotations import accounts, audit, blind, corpus, roles
from annotations.annotation import (
    Filters,
    add_reply,
    create_annotation,
    get_annotation,
    list_annotations,
)
from annotations.db.engine import Store
from annotations.errors import InvalidInput, NotFound, PermissionDenied
from annotations.link import create_link, list_links
from annotations.seminar import get_seminar, revision

A, B = "steel-and-sacrifice", "stalinism-inner-truth"


# Seminars here are created by ordinary accounts (tests/security covers who may).
pytestmark = pytest.mark.usefixtures("open_signup", "fast_hasher")


def annotate(store: Store, seminar: str, who: str, doc: str = A, start: int = 0,
             end: int = 5) -> str:
    quote = corpus.get_text(store, doc).text[start:end]
    return create_annotation(store, seminar=seminar, document_id=doc, start=start, end=end,
                             quote=quote, annotator=who).id


def seen_by(store: Store, viewer: str | None, seminar: str = "class") -> list[str]:
    return sorted(v.annotator for v in list_annotations(store, Filters(seminar=seminar),
                                                        viewer=viewer))


@pytest.fixture
def round_(any_store: Store) -> dict[str, str]:
    """A closed seminar in a blind round: teacher, students ada and bob; eve is outside."""
    ids = {u: accounts.create_user(any_store, u, u.title(), "long enough pw").id
           for u in ("teacher", "ada", "bob", "eve")}
    roles.create_seminar_as(any_store, ids["teacher"], "class", join_code="CLASS1")
    for u in ("ada", "bob"):
        roles.join_seminar(any_store, ids[u], "CLASS1")
    status = blind.set_blind(any_store, "class", "teacher", True)
    assert (status.blind, status.revealed, status.label) == (True, False,
                                                             "blind: 0 of 2 submitted")
    notes = {"ada": annotate(any_store, "class", "ada"),
             "ada_b": annotate(any_store, "class", "ada", B, 30, 40),
             "bob": annotate(any_store, "class", "bob", B, 10, 20),
             "teacher": annotate(any_store, "class", "teacher", A, 6, 9)}
    add_reply(any_store, notes["ada"], seminar="class", author="teacher", text="good start")
    create_link(any_store, seminar="class", kind="same claim", from_annotation_id=notes["ada"],
                to_annotation_id=notes["bob"], annotator="teacher")
    return notes


def test_before_submitting_a_student_sees_only_their_own(any_store: Store,
                                                         round_: dict[str, str]) -> None:
    assert seen_by(any_store, "ada") == ["ada", "ada"]
    assert seen_by(any_store, "bob") == ["bob"]
    own = next(v for v in list_annotations(any_store, Filters(seminar="class"), viewer="ada")
               if v.id == round_["ada"])
    assert [r.text for r in own.replies] == ["good start"]  # replies on their own work
    assert seen_by(any_store, "teacher") == ["ada", "ada", "bob", "teacher"]
    assert seen_by(any_store, None) == ["ada", "ada", "bob", "teacher"]  # trusted caller
    with pytest.raises(NotFound):
        get_annotation(any_store, round_["bob"], "class", viewer="ada")
    assert get_annotation(any_store, round_["bob"], "class", viewer="teacher").annotator == "bob"
    assert list_links(any_store, "class", viewer="ada") == []  # bob's end is hidden
    assert len(list_links(any_store, "class", viewer="teacher")) == 1
    assert not blind.visible_to(any_store, "class", "ada").sees_all
    assert blind.visible_to(any_store, "class", "teacher").sees_all


def test_hidden_work_cannot_be_reached_by_its_id(any_store: Store,
                                                 round_: dict[str, str]) -> None:
    with pytest.raises(NotFound):
        add_reply(any_store, round_["bob"], seminar="class", author="ada", text="copying?")
    with pytest.raises(NotFound):
        create_link(any_store, seminar="class", kind="omits",
                    from_annotation_id=round_["ada"], to_annotation_id=round_["bob"],
                    annotator="ada")
    # Their own two, in different texts, link fine.
    create_link(any_store, seminar="class", kind="omits", from_annotation_id=round_["ada"],
                to_annotation_id=round_["ada_b"], annotator="ada")
    assert len(list_links(any_store, "class", viewer="ada")) == 1


def test_submitting_opens_the_class_to_that_student_only(any_store: Store,
                                                         round_: dict[str, str]) -> None:
    before = revision(any_store, get_seminar(any_store, "class").id)
    status = blind.submit(any_store, "class", "ada")
    assert (status.submitted, status.viewer_submitted, status.label) == (
        ("ada",), True, "blind: 1 of 2 submitted")
    assert revision(any_store, get_seminar(any_store, "class").id) > before  # live views poll
    assert seen_by(any_store, "ada") == ["ada", "ada", "bob", "teacher"]
    assert seen_by(any_store, "bob") == ["bob"]
    add_reply(any_store, round_["bob"], seminar="class", author="ada", text="now I see it")
    first = audit.list_entries(any_store, "class", action="blind.submit")
    blind.submit(any_store, "class", "ada")  # again: the first time stays
    assert audit.list_entries(any_store, "class", action="blind.submit") == first
    assert blind.status(any_store, "class", "bob").viewer_submitted is False


def test_reveal_shows_everything_to_everyone(any_store: Store, round_: dict[str, str]) -> None:
    with pytest.raises(PermissionDenied, match="only the seminar's instructors"):
        blind.reveal(any_store, "class", "ada")
    status = blind.reveal(any_store, "class", "teacher")
    assert (status.revealed, status.label) == (True, "blind, revealed")
    assert seen_by(any_store, "bob") == ["ada", "ada", "bob", "teacher"]
    assert len(list_links(any_store, "class", viewer="bob")) == 1
    assert get_seminar(any_store, "class").revealed


def test_a_new_round_hides_everything_again(any_store: Store, round_: dict[str, str]) -> None:
    blind.submit(any_store, "class", "bob")
    blind.reveal(any_store, "class", "teacher")
    blind.set_blind(any_store, "class", "teacher", False)
    assert seen_by(any_store, "ada") == ["ada", "ada", "bob", "teacher"]
    status = blind.set_blind(any_store, "class", "teacher", True)
    assert (status.revealed, status.submitted) == (False, ())
    assert seen_by(any_store, "bob") == ["bob"]
    actions = [(e.actor, e.action) for e in audit.list_entries(any_store, "class")
               if e.action.startswith("blind.")]
    assert actions == [("teacher", "blind.start"), ("bob", "blind.submit"),
                       ("teacher", "blind.reveal"), ("teacher", "blind.end"),
                       ("teacher", "blind.start")]


def test_only_instructors_run_the_round(any_store: Store, round_: dict[str, str]) -> None:
    with pytest.raises(PermissionDenied, match="only the seminar's instructors"):
        blind.set_blind(any_store, "class", "ada", False)
    with pytest.raises(PermissionDenied, match="not a member"):
        blind.set_blind(any_store, "class", "eve", False)
    with pytest.raises(PermissionDenied, match="only members can submit"):
        blind.submit(any_store, "class", "eve")
    assert get_seminar(any_store, "class").blind
    blind.set_blind(any_store, "class", "teacher", False)
    with pytest.raises(InvalidInput, match="not in a blind round"):
        blind.submit(any_store, "class", "ada")
    with pytest.raises(InvalidInput, match="not in a blind round"):
        blind.reveal(any_store, "class", "teacher")


def test_outsiders_read_nothing_of_a_closed_seminar(any_store: Store,
                                                    round_: dict[str, str]) -> None:
    annotate(any_store, "demo", "eve")
    with pytest.raises(PermissionDenied, match="not a member"):
        list_annotations(any_store, Filters(seminar="class"), viewer="eve")
    with pytest.raises(PermissionDenied, match="not a member"):
        list_links(any_store, "class", viewer="eve")
    # Across seminars the closed one is left out, the open demo stays.
    assert [(v.seminar, v.annotator) for v in list_annotations(any_store, Filters(),
                                                                viewer="eve")] == [
        ("demo", "eve")]
    # ada sees her own in class (blind) and everything in demo.
    assert sorted((v.seminar, v.annotator) for v in list_annotations(
        any_store, Filters(), viewer="ada")) == [("class", "ada"), ("class", "ada"),
                                                 ("demo", "eve")]


def test_an_open_seminar_can_run_blind(any_store: Store) -> None:
    """Guests have no membership: they see their own until the reveal."""
    annotate(any_store, "demo", "Gus")
    annotate(any_store, "demo", "Hana", B, 10, 20)
    blind.set_blind(any_store, "demo", roles.Actor.console(), True)
    assert seen_by(any_store, "Gus", "demo") == ["Gus"]
    assert seen_by(any_store, "somebody new", "demo") == []
    with pytest.raises(PermissionDenied, match="only members can submit"):
        blind.submit(any_store, "demo", "Gus")
    with pytest.raises(PermissionDenied, match="not a member"):  # a name is not the console
        blind.reveal(any_store, "demo", "console")
    blind.reveal(any_store, "demo", roles.Actor.console())
    assert seen_by(any_store, "Gus", "demo") == ["Gus", "Hana"]
