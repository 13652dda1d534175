"""The instructor's desk: per-student counts for grading, heat strips, untouched passages."""

from __future__ import annotations

import io

import pytest

from annotations import accounts, corpus, desk, roles
from annotations.annotation import add_reply, create_annotation
from annotations.db.engine import Store
from annotations.errors import InvalidInput, NotFound
from annotations.permissions import Actor
from annotations.seminar import create_seminar, set_closed

TEXT = "alpha beta\n\ngamma delta\n  epsilon \n"  # paragraphs [0,10) [12,23) [26,33)


# Seminars here are created by ordinary accounts (tests/security covers who may).
pytestmark = pytest.mark.usefixtures("open_signup", "fast_hasher")


def note(store: Store, who: str, start: int, end: int, codes: list[str], text: str = "",
         seminar: str = "class") -> str:
    return create_annotation(store, seminar=seminar, document_id="tiny", start=start, end=end,
                             quote=TEXT[start:end], annotator=who, codes=codes, note=text).id


@pytest.fixture
def seminar(any_store: Store) -> Store:
    corpus.add_text(any_store, TEXT.encode(),
                    actor=Actor.console(), name="tiny.txt", title="Tiny",
                    perspective="textbook", document_id="tiny")
    ids = {u: accounts.create_user(any_store, u, f"{u.title()} X", "long enough pw").id
           for u in ("teacher", "ada", "bob", "idle")}
    roles.create_seminar_as(any_store, ids["teacher"], "class", join_code="CLASS1")
    for u in ("ada", "bob", "idle"):
        roles.join_seminar(any_store, ids[u], "CLASS1")
    first = note(any_store, "ada", 0, 5, ["hedging"], "two words")
    note(any_store, "ada", 6, 17, ["omission", "hedging"], "three more words")
    add_reply(any_store, first, seminar="class", author="bob", text="I agree with you")
    # An annotator from before the seminar was closed (issue 6: closed seminars take
    # writes from members only), with no account.
    set_closed(any_store, "class", roles.Actor.console(), False)
    note(any_store, "legacy", 18, 23, [])
    set_closed(any_store, "class", roles.Actor.console(), True)
    note(any_store, "eve", 26, 33, ["hedging"], "elsewhere", seminar="demo")
    return any_store


def test_student_rows(seminar: Store) -> None:
    rows = {r.username: r for r in desk.students(seminar, "class")}
    assert sorted(rows) == ["ada", "bob", "idle", "legacy"]  # not the instructor, not eve
    ada = rows["ada"]
    assert (ada.display_name, ada.role, ada.annotations, ada.replies, ada.words,
            ada.documents, ada.distinct_codes, ada.codes_used) == (
        "Ada X", "student", 2, 0, 5, 1, 2, "hedging (2); omission (1)")
    bob = rows["bob"]
    assert (bob.annotations, bob.replies, bob.words) == (0, 1, 4)
    assert bob.last_activity is not None and ada.last_activity is not None
    assert rows["idle"].last_activity is None and rows["idle"].annotations == 0
    assert rows["legacy"].role == ""
    assert "teacher" in {r.username for r in desk.students(seminar, "class",
                                                           include_instructors=True)}


def test_grading_csv(seminar: Store) -> None:
    out = io.StringIO()
    assert desk.export_students_csv(seminar, out, "class") == 4
    lines = out.getvalue().split("\r\n")
    assert lines[0] == ",".join(desk.DESK_COLUMNS)
    assert lines[1].startswith("class,ada,Ada X,student,2,0,5,1,2,hedging (2); omission (1),")
    assert lines[3] == "class,idle,Idle X,student,0,0,0,0,0,,"


def test_heat_strip_and_untouched(seminar: Store) -> None:
    strip = desk.heat_strip(seminar, "class", "tiny")
    assert [(p.start, p.end, p.count, p.text) for p in strip] == [
        (0, 10, 2, "alpha beta"), (12, 23, 2, "gamma delta"), (26, 33, 0, "epsilon")]
    assert [p.text for p in desk.untouched(seminar, "class", "tiny")] == ["epsilon"]
    assert [p.text for p in desk.untouched(seminar, "demo", "tiny")] == [
        "alpha beta", "gamma delta"]
    buckets = desk.heat_strip(seminar, "class", "tiny", bucket=10)
    assert [(b.start, b.end, b.count) for b in buckets] == [
        (0, 10, 2), (10, 20, 2), (20, 30, 1), (30, 35, 0)]  # [6,17) and [18,23) both


def test_paratext_is_marked(store: Store) -> None:
    strip = desk.heat_strip(store, "demo", "steel-and-sacrifice")
    assert strip[1].paratext and not strip[0].paratext
    everything = desk.untouched(store, "demo", "steel-and-sacrifice")
    running = desk.untouched(store, "demo", "steel-and-sacrifice", include_paratext=False)
    assert len(everything) == len(running) + sum(1 for p in strip if p.paratext)


def test_bad_requests(store: Store) -> None:
    with pytest.raises(NotFound):
        desk.heat_strip(store, "demo", "no-such-doc")
    with pytest.raises(NotFound):
        desk.students(store, "no-such-seminar")
    with pytest.raises(InvalidInput):
        desk.heat_strip(store, "demo", "steel-and-sacrifice", bucket=-1)
    create_seminar(store, "empty", join_code="EMPTY1")
    assert desk.students(store, "empty") == []
