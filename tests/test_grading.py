"""The instructor's grading rule: the arithmetic, the store, who may, and the preview."""

from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations import accounts, audit, corpus, grading, roles
from annotations.annotation import add_reply, create_annotation
from annotations.db.engine import Store
from annotations.errors import InvalidInput, PermissionDenied
from annotations.grading import Rule
from annotations.permissions import Actor

TEXT = "alpha beta gamma\n\ndelta epsilon zeta\n"
OTHER = "one two three four\n"

pytestmark = pytest.mark.usefixtures("open_signup", "fast_hasher")


def _note(store: Store, who: str, doc: str, text: str, start: int, end: int, note: str) -> str:
    return create_annotation(store, seminar="class", document_id=doc, start=start, end=end,
                             quote=text[start:end], annotator=who, codes=[], note=note).id


@pytest.fixture
def seminar(any_store: Store) -> Store:
    for doc, text in (("one", TEXT), ("two", OTHER)):
        corpus.add_text(any_store, text.encode(), actor=Actor.console(), name=f"{doc}.txt",
                        title=doc, perspective="textbook", document_id=doc)
    ids = {u: accounts.create_user(any_store, u, u.title(), "long enough pw").id
           for u in ("teacher", "ada", "bob", "cy")}
    roles.create_seminar_as(any_store, ids["teacher"], "class", join_code="CLASS1")
    for u in ("ada", "bob", "cy"):
        roles.join_seminar(any_store, ids[u], "CLASS1")
    first = _note(any_store, "ada", "one", TEXT, 0, 5, "a long enough note here")
    _note(any_store, "ada", "one", TEXT, 6, 10, "")
    _note(any_store, "ada", "two", OTHER, 0, 3, "short")
    add_reply(any_store, first, seminar="class", author="bob", text="I agree with this reading")
    add_reply(any_store, first, seminar="class", author="teacher", text="good")
    return any_store


@given(st.sampled_from(grading.MODES), st.integers(0, 50), st.integers(0, 50),
       st.integers(0, 200), st.integers(0, 200))
def test_fraction_is_a_share_that_grows_with_work(mode: str, want_a: int, want_r: int,
                                                  did_a: int, did_r: int) -> None:
    if want_a + want_r == 0:
        want_a = 1
    rule = Rule(mode, want_a, want_r).checked()
    share = grading.fraction(rule, did_a, did_r)
    assert 0.0 <= share <= 1.0
    assert grading.fraction(rule, did_a + 1, did_r) >= share
    assert grading.fraction(rule, did_a, did_r + 1) >= share
    assert grading.fraction(rule, want_a, want_r) == 1.0  # meeting the targets is full marks


def test_modes_differ_where_instructors_expect() -> None:
    # Cumulative: three replies stand in for annotations; separate: they earn half at most.
    assert grading.fraction(Rule("cumulative", 2, 1), 0, 3) == 1.0
    assert grading.fraction(Rule("separate", 2, 1), 0, 3) == 0.5
    assert grading.fraction(Rule("separate", 2, 0), 1, 9) == 0.5  # no reply target: no half


@pytest.mark.parametrize(("rule", "names"), [
    (Rule(mode="sum"), "cumulative or separate"),
    (Rule(annotations=0, replies=0), "at least one annotation or reply"),
    (Rule(min_words=-1), "min_words"),
    (Rule(annotations=30000), "annotations must be"),
    (Rule(points=0), "points must be above 0"),
])
def test_bad_rules_name_the_fix(rule: Rule, names: str) -> None:
    with pytest.raises(InvalidInput, match=names):
        rule.checked()


def test_grades_follow_the_rule(seminar: Store) -> None:
    default = {g.username: g for g in grading.grades(seminar, "class", "teacher")}
    assert sorted(default) == ["ada", "bob", "cy"]  # students only, idle ones too
    ada, bob, cy = default["ada"], default["bob"], default["cy"]
    assert (ada.annotations, ada.counted_annotations, ada.grade) == (3, 3, 7.5)  # 3 of 4
    assert (bob.replies, bob.fraction, bob.grade) == (1, 0.25, 2.5)
    assert cy.grade == 0 and "0 annotations and 0 replies counted" in cy.comment

    strict = Rule("separate", annotations=2, replies=1, min_words=3, document_id="one",
                  points=20)
    preview = {g.username: g for g in grading.grades(seminar, "class", "teacher", strict)}
    # Only ada's long note on "one" counts: 1 of 2 annotations is half of the first half.
    assert (preview["ada"].annotations, preview["ada"].counted_annotations) == (2, 1)
    assert preview["ada"].grade == 5.0
    assert preview["bob"].grade == 10.0  # his reply is long enough: the reply half
    # A preview writes nothing: the stored rule is still the default.
    assert grading.get_rule(seminar, "class", "teacher") == grading.DEFAULT_RULE


def test_set_rule_is_stored_and_audited(seminar: Store) -> None:
    rule = Rule("separate", 1, 1, 2, "two", 5)
    grading.set_rule(seminar, "class", "teacher", rule)
    assert grading.get_rule(seminar, "class", "teacher") == rule
    assert {g.username: g.grade for g in grading.grades(seminar, "class", "teacher")} == {
        "ada": 0.0, "bob": 0.0, "cy": 0.0}  # ada's note on "two" has one word, bob replied on one
    entry = audit.list_entries(seminar, "class", action="grading.rule")[0]
    assert entry.actor == "teacher" and "5 points" in str(entry.detail["after"])


def test_unknown_document_is_refused(seminar: Store) -> None:
    with pytest.raises(InvalidInput, match="no document 'nope' in class"):
        grading.set_rule(seminar, "class", "teacher", Rule(document_id="nope"))


@pytest.mark.parametrize("who", ["ada", "stranger"])
def test_only_instructors_grade(seminar: Store, who: str) -> None:
    with pytest.raises(PermissionDenied):
        grading.grades(seminar, "class", who)
    with pytest.raises(PermissionDenied):
        grading.set_rule(seminar, "class", who, Rule())


def test_csv_is_formula_safe(seminar: Store) -> None:
    ids = accounts.create_user(seminar, "mal", "=HYPERLINK(1)", "long enough pw").id
    roles.join_seminar(seminar, ids, "CLASS1")
    out = io.StringIO(newline="")
    assert grading.export_csv(out, grading.grades(seminar, "class", "teacher")) == 4
    lines = out.getvalue().splitlines()
    assert lines[0] == ",".join(grading.GRADE_COLUMNS)
    assert "'=HYPERLINK(1)" in out.getvalue()
