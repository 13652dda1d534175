"""Authorisation and audit in the write paths (issue 6), on SQLite and PostgreSQL.

`class` is a closed seminar taught by `teacher` with students `ada` and `bob`;
`other` is a closed seminar taught by `olga`; `eve` has an account but joined
nothing. The open `demo` seminar must behave as before accounts existed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from annotations import accounts, audit, corpus, roles
from annotations.annotation import (
    add_reply,
    create_annotation,
    create_annotation_in,
    delete_annotation,
    get_annotation,
    update_annotation,
)
from annotations.db.engine import Store
from annotations.db.migrate import upgrade
from annotations.db.models import Annotation, AnnotationLink, AuditEntry, User
from annotations.errors import InvalidInput, NotFound, PermissionDenied
from annotations.link import create_link, delete_link, list_links
from annotations.seminar import get_seminar, set_closed
from annotations.suggestion import Suggestion, accept, reject

A, B = "steel-and-sacrifice", "stalinism-inner-truth"
TEXTS: dict[str, str] = {}


# Seminars here are created by ordinary accounts (tests/security covers who may).
pytestmark = pytest.mark.usefixtures("open_signup", "fast_hasher")


def text(store: Store, doc: str) -> str:
    if doc not in TEXTS:
        TEXTS[doc] = corpus.get_text(store, doc).text
    return TEXTS[doc]


def annotate(store: Store, seminar: str, who: str, doc: str = A, start: int = 0,
             end: int = 5) -> str:
    return create_annotation(store, seminar=seminar, document_id=doc, start=start, end=end,
                             quote=text(store, doc)[start:end], annotator=who).id


def suggestion(store: Store, key: str = "framing:hedges:x:0:5") -> Suggestion:
    return Suggestion(key, "framing:hedges", A, 0, 5, text(store, A)[0:5], ("hedging",),
                      "Suggested.")


def audit_count(store: Store) -> int:
    with store.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry)) or 0


@dataclass
class World:
    store: Store
    ada_note: str  # ada's annotation in `class`, document A
    bob_note: str  # bob's, document B
    bob_link: str  # bob links ada_note -> bob_note
    other_note: str  # olga's annotation in `other`, document A
    other_note_b: str  # olga's, document B
    other_link: str


@pytest.fixture
def world(any_store: Store) -> World:
    ids = {u: accounts.create_user(any_store, u, u.title(), "long enough pw").id
           for u in ("teacher", "ada", "bob", "olga", "eve")}
    roles.create_seminar_as(any_store, ids["teacher"], "class", join_code="CLASS1")
    roles.create_seminar_as(any_store, ids["olga"], "other", join_code="OTHER1")
    for u in ("ada", "bob"):
        roles.join_seminar(any_store, ids[u], "CLASS1")
    ada_note = annotate(any_store, "class", "ada")
    bob_note = annotate(any_store, "class", "bob", B, 10, 20)
    bob_link = create_link(any_store, seminar="class", kind="same claim",
                           from_annotation_id=ada_note, to_annotation_id=bob_note,
                           annotator="bob").id
    other_note = annotate(any_store, "other", "olga")
    other_note_b = annotate(any_store, "other", "olga", B, 10, 20)
    other_link = create_link(any_store, seminar="other", kind="contradicts",
                             from_annotation_id=other_note, to_annotation_id=other_note_b,
                             annotator="olga").id
    return World(any_store, ada_note, bob_note, bob_link, other_note, other_note_b,
                 other_link)


def test_seminars_made_by_a_signed_in_user_are_closed(world: World) -> None:
    assert get_seminar(world.store, "class").closed
    assert not get_seminar(world.store, "demo").closed  # made by create_seminar (CLI, demo)


# --- another seminar's ids, through every write path ------------------------------------

def _cross_seminar_writes(w: World) -> list[tuple[str, Callable[[], object]]]:
    """Every write of `class` pointed at `other`'s ids, by class's own instructor."""
    s = w.store
    return [
        ("update", lambda: update_annotation(s, w.other_note, seminar="class",
                                             actor="teacher", note="mine now")),
        ("delete", lambda: delete_annotation(s, w.other_note, seminar="class",
                                             actor="teacher")),
        ("reply", lambda: add_reply(s, w.other_note, seminar="class", author="teacher",
                                    text="hello")),
        ("link from", lambda: create_link(s, seminar="class", kind="omits",
                                          from_annotation_id=w.other_note,
                                          to_annotation_id=w.bob_note, annotator="teacher")),
        ("link to", lambda: create_link(s, seminar="class", kind="omits",
                                        from_annotation_id=w.ada_note,
                                        to_annotation_id=w.other_note_b,
                                        annotator="teacher")),
        ("delete link", lambda: delete_link(s, w.other_link, seminar="class",
                                            actor="teacher")),
        ("read", lambda: get_annotation(s, w.other_note, "class", viewer="teacher")),
    ]


@pytest.mark.parametrize("path", ["update", "delete", "reply", "link from", "link to",
                                  "delete link", "read"])
def test_another_seminars_ids_are_not_found(world: World, path: str) -> None:
    before = audit_count(world.store)
    call = dict(_cross_seminar_writes(world))[path]
    with pytest.raises(NotFound):
        call()
    assert audit_count(world.store) == before
    note = get_annotation(world.store, world.other_note, "other")
    assert (note.note, note.replies) == ("", [])
    assert len(list_links(world.store, "other")) == 1


def test_an_annotation_id_of_another_seminar_cannot_be_reused(world: World) -> None:
    """A caller-chosen id that `other` already holds gets a fresh id (issue 10: no oracle)."""
    made = create_annotation(world.store, seminar="class", document_id=A, start=0, end=5,
                             quote=text(world.store, A)[0:5], annotator="teacher",
                             annotation_id=world.other_note)
    assert made.id != world.other_note
    with pytest.raises(PermissionDenied):  # olga is no member of class, whatever the id
        create_annotation(world.store, seminar="class", document_id=A, start=0, end=5,
                          quote=text(world.store, A)[0:5], annotator="olga")


def test_a_link_id_of_another_seminar_cannot_be_reused(world: World) -> None:
    """Repeating a link id used to return the other seminar's link: now a fresh link."""
    made = create_link(world.store, seminar="class", kind="omits",
                       from_annotation_id=world.ada_note, to_annotation_id=world.bob_note,
                       annotator="ada", link_id=world.other_link)
    assert made.id != world.other_link and made.annotator == "ada"


# --- students, instructors, outsiders in a closed seminar --------------------------------

def test_a_student_cannot_change_someone_elses_work(world: World) -> None:
    s = world.store
    with pytest.raises(PermissionDenied, match="only bob or an instructor"):
        update_annotation(s, world.bob_note, seminar="class", actor="ada", note="ha")
    with pytest.raises(PermissionDenied, match="only bob or an instructor"):
        delete_annotation(s, world.bob_note, seminar="class", actor="ada")
    with pytest.raises(PermissionDenied, match="only bob or an instructor can delete"):
        delete_link(s, world.bob_link, seminar="class", actor="ada")
    assert get_annotation(s, world.bob_note, "class").note == ""
    assert [x.id for x in list_links(s, "class")] == [world.bob_link]
    # Their own, and a reply on anyone's: allowed.
    assert update_annotation(s, world.ada_note, seminar="class", actor="ada",
                             codes=["hedging"]).codes == ["hedging"]
    add_reply(s, world.bob_note, seminar="class", author="ada", text="why this?")


def test_an_instructor_can_change_any_work_in_their_seminar(world: World) -> None:
    s = world.store
    changed = update_annotation(s, world.ada_note, seminar="class", actor="teacher",
                                note="see the codebook")
    assert (changed.note, changed.annotator) == ("see the codebook", "ada")
    delete_link(s, world.bob_link, seminar="class", actor="teacher")
    delete_annotation(s, world.bob_note, seminar="class", actor="teacher")
    assert list_links(s, "class") == []
    with pytest.raises(NotFound):
        get_annotation(s, world.bob_note, "class")
    last = audit.list_entries(s, "class")[-3:]
    assert [(e.actor, e.action, e.target, e.detail["annotator"]) for e in last] == [
        ("teacher", "annotation.update", world.ada_note, "ada"),
        ("teacher", "link.delete", world.bob_link, "bob"),
        ("teacher", "annotation.delete", world.bob_note, "bob"),
    ]


def test_an_instructor_elsewhere_is_an_outsider_here(world: World) -> None:
    with pytest.raises(PermissionDenied, match="not a member"):
        update_annotation(world.store, world.ada_note, seminar="class", actor="olga",
                          note="x")
    with pytest.raises(PermissionDenied, match="not a member"):
        delete_link(world.store, world.bob_link, seminar="class", actor="olga")


@pytest.mark.parametrize("who", ["eve", "stranger", "console"])
def test_a_non_member_cannot_write_into_a_closed_seminar(world: World, who: str) -> None:
    """eve has an account, stranger none; "console" is just a name, never trusted."""
    s = world.store
    before = audit_count(s)
    writes: list[Callable[[], object]] = [
        lambda: annotate(s, "class", who),
        lambda: update_annotation(s, world.ada_note, seminar="class", actor=who, note="x"),
        lambda: delete_annotation(s, world.ada_note, seminar="class", actor=who),
        lambda: add_reply(s, world.ada_note, seminar="class", author=who, text="hi"),
        lambda: create_link(s, seminar="class", kind="omits",
                            from_annotation_id=world.ada_note,
                            to_annotation_id=world.bob_note, annotator=who),
        lambda: delete_link(s, world.bob_link, seminar="class", actor=who),
        lambda: accept(s, "class", who, suggestion(s)),
        lambda: reject(s, "class", who, suggestion(s)),
        lambda: set_closed(s, "class", who, False),
    ]
    for write in writes:
        with pytest.raises(PermissionDenied, match="not a member"):
            write()
    assert audit_count(s) == before
    with s.read() as session:
        assert session.scalar(select(func.count()).select_from(Annotation)) == 4


def test_members_accept_and_reject_suggestions(world: World) -> None:
    s = world.store
    saved = accept(s, "class", "ada", suggestion(s))
    assert accept(s, "class", "ada", suggestion(s)).id == saved.id  # a double click
    reject(s, "class", "bob", suggestion(s, "framing:hedges:x:6:9"))
    actions = [(e.actor, e.action) for e in audit.list_entries(s, "class")][-3:]
    assert actions == [("ada", "annotation.create"), ("ada", "suggestion.accept"),
                       ("bob", "suggestion.reject")]


def test_closing_and_opening_is_for_instructors(world: World) -> None:
    s = world.store
    with pytest.raises(PermissionDenied, match="only the seminar's instructors"):
        set_closed(s, "class", "ada", False)
    assert not set_closed(s, "class", "teacher", False).closed
    annotate(s, "class", "stranger")  # open now: any name writes
    assert set_closed(s, "class", roles.Actor.console(), True).closed
    with pytest.raises(PermissionDenied):
        annotate(s, "class", "stranger", start=6, end=9)
    assert [(e.actor, e.action) for e in audit.list_entries(s, "class", action="seminar.open")
            ] == [("teacher", "seminar.open")]


# --- open seminars: as before ----------------------------------------------------------

def test_open_seminars_keep_the_old_rules(world: World) -> None:
    s = world.store
    mine = annotate(s, "demo", "Anyone At All")
    other = annotate(s, "demo", "someone", B, 10, 20)
    with pytest.raises(PermissionDenied, match=r"^only someone can change this annotation; "
                                               r"reply to it instead$"):
        update_annotation(s, other, seminar="demo", actor="Anyone At All", note="x")
    # Even an account that teaches elsewhere (or here) cannot change others' work here.
    with s.transaction() as session:
        uid = session.scalar(select(User.id).where(User.username == "teacher"))
        assert uid is not None
        demo = get_seminar(s, "demo").id
        roles.add_member(session, roles.Actor.console(), demo, uid, roles.INSTRUCTOR)
    with pytest.raises(PermissionDenied, match="^only someone can change"):
        delete_annotation(s, other, seminar="demo", actor="teacher")
    link = create_link(s, seminar="demo", kind="omits", from_annotation_id=mine,
                       to_annotation_id=other, annotator="Anyone At All")
    with pytest.raises(PermissionDenied, match="^only Anyone At All can delete this link$"):
        delete_link(s, link.id, seminar="demo", actor="teacher")
    add_reply(s, other, seminar="demo", author="passer-by", text="a reply")
    delete_link(s, link.id, seminar="demo", actor="Anyone At All")
    delete_annotation(s, mine, seminar="demo", actor="Anyone At All")
    actions = [(e.actor, e.action) for e in audit.list_entries(s, "demo")]
    assert actions == [
        ("Anyone At All", "annotation.create"), ("someone", "annotation.create"),
        ("console", "member.set"), ("Anyone At All", "link.create"),
        ("passer-by", "reply.create"), ("Anyone At All", "link.delete"),
        ("Anyone At All", "annotation.delete"),
    ]


# --- audit entries ride the write's transaction -----------------------------------------

def test_every_write_is_audited_with_its_actor(world: World) -> None:
    entries = audit.list_entries(world.store, "class")
    assert [(e.actor, e.action) for e in entries if not e.action.startswith(("member.",
                                                                             "seminar."))
            ] == [("ada", "annotation.create"), ("bob", "annotation.create"),
                  ("bob", "link.create")]
    create = next(e for e in entries if e.target == world.bob_note)
    assert create.detail == {"document": B, "start": 10, "end": 20, "perspective": "",
                             "codes": [], "source": ""}


def test_a_failed_write_leaves_no_audit_entry(world: World) -> None:
    s = world.store
    before = audit_count(s)
    with pytest.raises(RuntimeError), s.transaction() as session:
        create_annotation_in(session, seminar="class", document_id=A, start=0, end=5,
                             quote=text(s, A)[0:5], annotator="ada", perspective="",
                             codes=[], note="", source="",
                             annotation_id="00000000-0000-4000-8000-000000000001")
        assert session.scalar(select(func.count()).select_from(AuditEntry)) == before + 1
        raise RuntimeError("the write failed after its audit entry was added")
    assert audit_count(s) == before
    with s.read() as session:
        assert session.get(Annotation, "00000000-0000-4000-8000-000000000001") is None
    with pytest.raises(InvalidInput, match="not in this seminar's codebook"):
        create_annotation(s, seminar="class", document_id=A, start=0, end=5,
                          quote=text(s, A)[0:5], annotator="ada", codes=["no such code"])
    assert audit_count(s) == before
    with s.read() as session:
        assert session.scalar(select(func.count()).select_from(AnnotationLink)) == 2


def test_the_migration_keeps_old_seminars_open(any_url: str) -> None:
    store = Store.open(any_url, migrate=False)
    upgrade(store.engine, "0003")
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO seminars (slug, title, join_code, revision, created_at) "
            "VALUES ('old', 'Old', 'OLD001', 0, '2026-01-01 00:00:00')")
    upgrade(store.engine)
    info = get_seminar(store, "old")
    store.dispose()
    assert (info.closed, info.blind, info.revealed) == (False, False, False)
