"""AppTest flows for the instructor's desk, driven through the widget keys of annotations.ui.desk*.

The script puts a store and an instructor's identity in session_state and calls
`desk.render`, so the desk is tested without the sign-in pages.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from annotations import accounts, audit, backup, codebook, codebook_io, corpus, grading, roles
from annotations.annotation import (
    Filters,
    create_annotation,
    get_annotation,
    list_annotations,
)
from annotations.db.engine import Store
from annotations.permissions import Actor
from annotations.seminar import SeminarInfo, get_seminar
from annotations.ui import (
    desk,
    desk_agreement,
    desk_blind,
    desk_codebook,
    desk_codes,
    desk_documents,
    desk_grades,
    desk_perspectives,
    desk_records,
    desk_review,
    desk_students,
    desk_texts,
)

ROOT = Path(__file__).resolve().parents[2]
TEXT = "The famine was man-made.\n\nOthers say the harvest failed.\nNobody knows more.\n"
STORE, WHO = "t_store", "t_who"


@dataclass(frozen=True)
class Who:
    """The identity of the design contract (state.Identity), built here so the test does not
    depend on the sign-in pages."""

    username: str
    display_name: str
    seminar: SeminarInfo
    role: str
    user_id: int | None


# Seminars here are created by ordinary accounts (tests/security covers who may).
pytestmark = pytest.mark.usefixtures("open_signup", "fast_hasher")


TINY = "class-tiny"  # the class's own upload: its id starts with the seminar's slug


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    """A seminar `class` taught by `teacher`, with students ada and bob who annotated `tiny`."""
    s = Store.open(f"sqlite:///{tmp_path / 'desk.sqlite3'}")
    ids = {u: accounts.create_user(s, u, f"{u.title()} X", "long enough pw").id
           for u in ("teacher", "ada", "bob")}
    roles.create_seminar_as(s, ids["teacher"], "class", "A class", join_code="CLASS1")
    corpus.add_text(s, TEXT.encode(), name="tiny.txt", title="Tiny", perspective="textbook",
                    actor=Actor.console(), seminar="class", document_id="tiny")
    for u in ("ada", "bob"):
        roles.join_seminar(s, ids[u], "CLASS1")
    _note(s, "ada", "man-made", ["omission"])
    _note(s, "bob", "man-made", ["hedging"])
    _note(s, "ada", "harvest failed", ["hedging"])
    yield s
    s.dispose()


def _note(s: Store, who: str, phrase: str, codes: list[str]) -> str:
    i = TEXT.index(phrase)
    return create_annotation(s, seminar="class", document_id=TINY, start=i,
                             end=i + len(phrase), quote=phrase, annotator=who,
                             perspective="textbook", codes=codes).id


def _script() -> None:
    import streamlit as st

    from annotations.ui import desk

    desk.render(st.session_state["t_store"], st.session_state["t_who"])


def _identity(s: Store, username: str = "teacher", role: str = roles.INSTRUCTOR) -> Who:
    seminar: SeminarInfo = get_seminar(s, "class")
    with s.read() as session:
        user = accounts.find_user(session, username)
    return Who(username, user.display_name, seminar, role, user.id)


def _desk(s: Store, section: str = desk.STUDENTS, who: Who | None = None) -> AppTest:
    at = AppTest.from_function(_script, default_timeout=60)
    at.session_state[STORE] = s
    at.session_state[WHO] = who or _identity(s)
    at.run()
    assert not at.exception, at.exception
    if section != desk.STUDENTS:
        at.segmented_control(key=desk.SECTION).set_value(section).run()
        assert not at.exception, at.exception
    return at


def _errors(at: AppTest) -> list[str]:
    return [re.sub(r"\\(.)", r"\1", e.value) for e in at.error]  # escapes removed


def _frames(at: AppTest, column: str) -> list:  # type: ignore[type-arg]
    return [d.value for d in at.dataframe if column in d.value.columns]


def test_every_section_draws(store: Store) -> None:
    at = _desk(store)
    for section in desk.SECTIONS:
        at.segmented_control(key=desk.SECTION).set_value(section).run()
        assert not at.exception, (section, at.exception)
        assert not _errors(at), (section, _errors(at))


def test_students_table_and_grading_csv(store: Store) -> None:
    at = _desk(store)
    table = _frames(at, "codes_used")[0]
    assert sorted(table["username"]) == ["ada", "bob"]
    ada = table[table["username"] == "ada"].iloc[0]
    assert (ada["annotations"], ada["documents"], ada["display_name"]) == (2, 1, "Ada X")
    assert at.download_button(key=desk_students.CSV).label.startswith("Download")
    at.toggle(key=desk_students.INCLUDE_INSTRUCTORS).set_value(True).run()
    assert "teacher" in set(_frames(at, "codes_used")[0]["username"])


def test_the_instructor_lifts_a_students_sign_in_hold(store: Store) -> None:
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(accounts.AuthenticationFailed):
            accounts.verify_password(store, "ada", "wrong password")
    with pytest.raises(accounts.TooManyAttempts):
        accounts.verify_password(store, "ada", "long enough pw")
    at = _desk(store)
    at.selectbox(key=desk_students.UNLOCK_WHO).set_value("ada")
    at.button(key=desk_students.UNLOCK).click().run()
    assert not at.exception and not _errors(at), _errors(at)
    assert accounts.verify_password(store, "ada", "long enough pw").username == "ada"


def test_a_student_or_guest_is_refused(store: Store) -> None:
    at = _desk(store, who=_identity(store, "ada", roles.STUDENT))
    assert any("instructor" in e for e in _errors(at))
    assert not at.segmented_control
    seminar = get_seminar(store, "class")
    at = _desk(store, who=Who("guest", "Guest", seminar, "guest", None))
    assert any("sign" in e for e in _errors(at))


def test_heat_strip_and_untouched_passages(store: Store) -> None:
    at = _desk(store, desk.DOCUMENTS)
    assert at.selectbox(key=desk_documents.DOCUMENT).value == TINY
    assert len(at.get("vega_lite_chart")) == 1
    untouched = [m.value for m in at.markdown if m.value.startswith("¶")]
    assert len(untouched) == 1 and "Nobody knows more" in untouched[0]


def test_agreement_tables_and_disagreements(store: Store) -> None:
    at = _desk(store, desk.AGREEMENT)
    alpha = _frames(at, "alpha")[0]
    assert {"omission", "hedging"} <= set(alpha["code"])
    # Never "None": a number with three decimals, or the word (issue 11, item 8).
    assert all(v == desk_agreement.UNDEFINED or float(v) <= 1 for v in alpha["alpha"])
    assert "None" not in {str(v) for v in alpha["alpha"]}
    pairs = _frames(at, "kappa")[0]
    assert set(pairs["annotator A"]) == {"Ada X (ada)"}
    assert at.selectbox(key=desk_agreement.DISAGREE_DOCUMENT).value == TINY
    coded = _frames(at, "annotator")
    assert coded, "a passage where ada and bob differ"
    first = dict(zip(coded[0]["annotator"], coded[0]["codes"], strict=True))
    assert first == {"Ada X (ada)": "omission", "Bob X (bob)": "hedging"}


def test_add_rename_merge_delete_a_code(store: Store) -> None:
    at = _desk(store, desk.CODEBOOK)
    at.text_input(key=desk_codes.NEW_NAME).input("gap")
    at.color_picker(key=desk_codes.NEW_COLOUR).pick("#123456")
    at.text_area(key=desk_codes.NEW_DEFINITION).input("Something left out.")
    at.text_input(key=desk_codes.NEW_FIELDS).input("what; where")
    at.selectbox(key=desk_codes.NEW_PARENT).set_value("omission")
    at.button(key=desk_codes.NEW_SUBMIT).click().run()
    assert not at.exception and not _errors(at), _errors(at)
    book = codebook_io.read_codebook(store, "class")
    gap = next(c for c in book.codes if c.spec.name == "gap")
    assert (gap.spec.colour, gap.spec.parent, gap.fields) == ("#123456", "omission",
                                                              ("what", "where"))
    # Rename a code annotations use: they keep it under its new name.
    at.selectbox(key=desk_codes.PICK).set_value("omission").run()
    at.text_input(key=desk_codes.RENAME_TO).input("silence")
    at.button(key=desk_codes.RENAME).click().run()
    assert not at.exception and not _errors(at), _errors(at)
    assert at.selectbox(key=desk_codes.PICK).value == "silence"
    codes = {a.annotator: a.codes for a in list_annotations(store, Filters(seminar="class"))
             if "man-made" in a.quote}
    assert codes["ada"] == ["silence"]
    parent = next(c for c in codebook_io.read_codebook(store, "class").codes
                  if c.spec.name == "gap").spec.parent
    assert parent == "silence"
    # Edit its definition through the prefilled form.
    at.text_area(key=desk_codes.DEFINITION).input("Left unsaid.")
    at.button(key=desk_codes.SAVE).click().run()
    assert next(c for c in codebook_io.read_codebook(store, "class").codes
                if c.spec.name == "silence").spec.definition == "Left unsaid."
    # Merge hedging into it, then delete the unused gap.
    at.multiselect(key=desk_codes.MERGE_SOURCES).set_value(["hedging"])
    at.selectbox(key=desk_codes.MERGE_INTO).set_value("silence")
    at.button(key=desk_codes.MERGE).click().run()
    assert not _errors(at), _errors(at)
    assert all("hedging" not in a.codes
               for a in list_annotations(store, Filters(seminar="class")))
    at.selectbox(key=desk_codes.PICK).set_value("gap").run()
    at.button(key=desk_codes.DELETE).click().run()
    assert not _errors(at), _errors(at)
    assert "gap" not in {c.spec.name for c in codebook_io.read_codebook(store, "class").codes}
    actions = [e.action for e in audit.list_entries(store, "class", actor="teacher")]
    assert {"code.add", "code.rename", "code.update", "code.merge", "code.delete"} <= set(
        actions)


def test_code_errors_are_shown(store: Store) -> None:
    at = _desk(store, desk.CODEBOOK)
    at.text_input(key=desk_codes.NEW_NAME).input("a;b")
    at.button(key=desk_codes.NEW_SUBMIT).click().run()
    assert any("';'" in e for e in _errors(at))
    at.selectbox(key=desk_codes.PICK).set_value("omission").run()
    used = codebook.code_uses(store, "class", "omission")
    assert used and f"{used} annotation(s) use “omission”" in " ".join(
        c.value for c in at.caption)  # said before the click (issue 11, item 3)
    at.button(key=desk_codes.DELETE).click().run()
    assert any("used by" in e for e in _errors(at))
    assert codebook.code_uses(store, "class", "omission") == used


def test_perspective_add_and_rename(store: Store) -> None:
    at = _desk(store, desk.CODEBOOK)
    at.text_input(key=desk_perspectives.NEW_NAME).input("memoir")
    at.button(key=desk_perspectives.NEW_SUBMIT).click().run()
    assert not _errors(at), _errors(at)
    at.selectbox(key=desk_perspectives.PICK).set_value("textbook").run()
    at.text_input(key=desk_perspectives.RENAME_TO).input("schoolbook")
    at.button(key=desk_perspectives.RENAME).click().run()
    assert not _errors(at), _errors(at)
    assert {a.perspective for a in list_annotations(store, Filters(seminar="class"))} == {
        "schoolbook"}


def test_codebook_export_and_import(store: Store) -> None:
    at = _desk(store, desk.CODEBOOK)
    assert at.download_button(key=desk_codebook.EXPORT_CSV)
    assert at.download_button(key=desk_codebook.EXPORT_JSON)
    book = json.loads(codebook_io.export_text(store, "class", "json"))
    book["codes"].append({"name": "imported", "colour": "#00ff00", "fields": ["x"]})
    at.file_uploader(key=desk_codebook.IMPORT_FILE).upload(
        "book.json", json.dumps(book).encode(), "application/json")
    at.button(key=desk_codebook.IMPORT).click().run()
    assert not _errors(at), _errors(at)
    assert any("1 added" in re.sub(r"\\(.)", r"\1", s.value) for s in at.success)
    at.file_uploader(key=desk_codebook.IMPORT_FILE).upload(
        "book.csv", b"kind,name\ncode,bad;name\n", "text/csv")
    at.button(key=desk_codebook.IMPORT).click().run()
    assert any("row 2" in e for e in _errors(at))


def test_upload_a_text_and_bad_files(store: Store) -> None:
    at = _desk(store, desk.TEXTS)
    at.file_uploader(key=desk_texts.FILE).upload("latin1.txt", "Café".encode("latin-1"),
                                                 "text/plain")
    at.text_input(key=desk_texts.TITLE).input("Latin one")
    at.selectbox(key=desk_texts.PERSPECTIVE).set_value("textbook")
    at.button(key=desk_texts.PREVIEW).click().run()
    assert any("not UTF-8" in e for e in _errors(at)), _errors(at)
    at.file_uploader(key=desk_texts.FILE).upload("bin.txt", b"ab\x00cd", "text/plain")
    at.text_input(key=desk_texts.TITLE).input("Binary")
    at.selectbox(key=desk_texts.PERSPECTIVE).set_value("textbook")
    at.button(key=desk_texts.PREVIEW).click().run()
    assert any("binary" in e for e in _errors(at)), _errors(at)
    at.file_uploader(key=desk_texts.FILE).upload("memo.txt", "A memo, in UTF-8: ✓\n".encode(),
                                                 "text/plain")
    at.text_input(key=desk_texts.TITLE).input("A memo")
    at.selectbox(key=desk_texts.PERSPECTIVE).set_value("textbook")
    at.text_input(key=desk_texts.AUTHOR).input("Someone")
    at.button(key=desk_texts.PREVIEW).click().run()
    assert not _errors(at), _errors(at)
    at.button(key=desk_texts.PUBLISH).click().run()
    assert not _errors(at), _errors(at)
    info = {t.document_id: t for t in corpus.list_texts(store, "class")}["class-a-memo"]
    assert (info.title, info.perspective, info.author) == ("A memo", "textbook", "Someone")


def test_replace_a_version_lists_orphans_and_reviews(store: Store) -> None:
    at = _desk(store, desk.TEXTS)
    new = "The famine was man-made, they say.\n\nOthers say the harvest was poor.\n"
    at.selectbox(key=desk_texts.REPLACE_DOCUMENT).set_value(TINY)
    at.file_uploader(key=desk_texts.REPLACE_FILE).upload("tiny-2.txt", new.encode(),
                                                         "text/plain")
    at.button(key=desk_texts.REPLACE).click().run()
    assert not at.exception and not _errors(at), _errors(at)
    result = at.session_state[desk_texts.RESULT]
    assert result.report.moved == 3 and len(result.report.review) == 1
    assert result.report.orphans == []
    listed = [d.value for d in at.dataframe if "status" in d.value.columns]
    assert any("harvest was poor" in q for f in listed for q in f["quote"])
    assert corpus.get_text(store, TINY, seminar="class").text == new
    assert corpus.get_text(store, TINY, seminar="class").title == "Tiny"
    assert "text.replace" in {e.action for e in audit.list_entries(store, "class")}


def _replaced(store: Store, new: str) -> AppTest:
    at = _desk(store, desk.TEXTS)
    at.selectbox(key=desk_texts.REPLACE_DOCUMENT).set_value(TINY)
    at.file_uploader(key=desk_texts.REPLACE_FILE).upload("tiny-2.txt", new.encode(),
                                                         "text/plain")
    at.button(key=desk_texts.REPLACE).click().run()
    assert not at.exception and not _errors(at), _errors(at)
    return at


def _markdown(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_review_list_shows_old_and_new_context_and_each_decision(store: Store) -> None:
    new = "The famine was man-made, they say.\n\nOthers say the harvest was poor.\n"
    at = _replaced(store, new)
    result = at.session_state[desk_texts.RESULT]
    (review,) = result.report.review
    text = _markdown(at)
    assert "harvest failed" in text and "harvest was poor" in text  # old and new, side by side
    at.button(key=desk_review.ORPHAN + review).click().run()
    assert not at.exception and not _errors(at), _errors(at)
    gone = get_annotation(store, review, "class")
    assert (gone.anchor_status, gone.quote) == ("orphan", "harvest failed")
    assert "orphan: its words are not in the current text" in _markdown(at)
    # The orphan can still be moved onto the right words, chosen among their occurrences.
    at.text_input(key=desk_review.WORDS + review).input("the harvest was poor").run()
    at.selectbox(key=desk_review.WHERE + review).set_value(0)
    at.button(key=desk_review.MOVE + review).click().run()
    assert not at.exception and not _errors(at), _errors(at)
    moved = get_annotation(store, review, "class")
    assert (moved.anchor_status, moved.quote) == ("anchored", "the harvest was poor")
    assert moved.start == new.index("the harvest was poor")
    actions = [e.action for e in audit.list_entries(store, "class")]
    assert "anchor.orphan" in actions and "anchor.move" in actions
    assert "Nothing to review" in " ".join(c.value for c in at.caption)


def test_review_list_accepts_a_proposed_place(store: Store) -> None:
    at = _replaced(store, "The famine was man-made, they say.\n\nOthers say the harvest "
                          "was poor.\n")
    (review,) = at.session_state[desk_texts.RESULT].report.review
    at.button(key=desk_review.ACCEPT + review).click().run()
    assert not at.exception and not _errors(at), _errors(at)
    a = get_annotation(store, review, "class")
    assert (a.anchor_status, a.quote) == ("anchored", "harvest was poor")
    assert "anchor.accept" in [e.action for e in audit.list_entries(store, "class")]


def test_backup_download_restore_and_audit(store: Store) -> None:
    at = _desk(store, desk.RECORDS)
    assert at.download_button(key=desk_records.BACKUP)
    for key in (desk_records.EXPORT_CSV, desk_records.EXPORT_REPLIES,
                desk_records.EXPORT_LINKS, desk_records.EXPORT_JSONLD):
        assert at.download_button(key=key)
    assert at.download_button(key=desk_records.AUDIT_CSV)
    assert "seminar.create" in set(_frames(at, "action")[0]["action"])
    out = io.StringIO()
    backup.write_backup(store, "class", out)
    at.file_uploader(key=desk_records.RESTORE_FILE).upload(
        "class.json", out.getvalue().encode(), "application/json")
    at.button(key=desk_records.RESTORE).click().run()
    assert any("already exists" in e for e in _errors(at)), _errors(at)
    copy = json.loads(out.getvalue())
    copy["seminar"].update(slug="class-copy", join_code="COPY01")
    for k in ("annotations", "replies", "links", "suggestion_decisions", "documents"):
        copy[k] = []
    at.file_uploader(key=desk_records.RESTORE_FILE).upload(
        "copy.json", json.dumps(copy).encode(), "application/json")
    at.button(key=desk_records.RESTORE).click().run()
    assert not _errors(at), _errors(at)
    assert get_seminar(store, "class-copy").join_code == "COPY01"
    at.file_uploader(key=desk_records.RESTORE_FILE).upload("x.json", b"\xff\xfe",
                                                           "application/json")
    at.button(key=desk_records.RESTORE).click().run()
    assert any("not UTF-8" in e for e in _errors(at)), _errors(at)


def test_blind_mode_toggle_and_reveal(store: Store) -> None:
    from annotations import blind

    at = _desk(store, desk.RECORDS)
    at.toggle(key=desk_blind.BLIND).set_value(True).run()
    assert not _errors(at), _errors(at)
    assert blind.status(store, "class").blind
    at.button(key=desk_blind.REVEAL).click().run()
    assert not _errors(at), _errors(at)
    assert blind.status(store, "class").revealed


def test_label_pages_share_callbacks_under_their_own_keys() -> None:
    from annotations.ui import desk_codes, desk_perspectives

    for page in (desk_codes, desk_perspectives):
        assert [page.KIND.key(k) for k in ("pick", "rename_to", "merge_sources",
                                           "merge_into", "detach")] == [
            page.PICK, page.RENAME_TO, page.MERGE_SOURCES, page.MERGE_INTO, page.DETACH]


def test_grades_preview_follows_the_form_and_saves(store: Store) -> None:
    at = _desk(store, desk.GRADES)
    grades = _frames(at, "grade")[0].set_index("username")
    assert grades.loc["ada", "grade"] == 5.0 and grades.loc["bob", "grade"] == 2.5  # 2 and 1 of 4
    assert at.button(key=desk_grades.SAVE).disabled  # nothing to save yet
    at.number_input(key=desk_grades.ANNOTATIONS).set_value(2).run()
    at.number_input(key=desk_grades.REPLIES).set_value(0).run()
    grades = _frames(at, "grade")[0].set_index("username")
    assert grades.loc["ada", "grade"] == 10.0 and grades.loc["bob", "grade"] == 5.0
    assert "not saved" in at.markdown[-1].value or any("not saved" in m.value
                                                         for m in at.markdown)
    at.button(key=desk_grades.SAVE).click().run()
    assert not at.exception, at.exception
    assert grading.get_rule(store, "class", "teacher").annotations == 2
    assert audit.list_entries(store, "class", action="grading.rule")
    assert at.button(key=desk_grades.SAVE).disabled


def test_grades_are_refused_to_students(store: Store) -> None:
    at = _desk(store, desk.STUDENTS, _identity(store, "ada", roles.STUDENT))
    assert not _frames(at, "grade")
