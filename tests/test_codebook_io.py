"""Codebook editing (codebook.py additions) and codebook files (codebook_io.py)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from annotations import accounts, codebook, codebook_io, corpus, roles
from annotations.annotation import Filters, create_annotation, list_annotations
from annotations.audit import list_entries
from annotations.codebook import CodeSpec, PerspectiveSpec
from annotations.db.engine import Store
from annotations.db.models import Annotation, Code
from annotations.errors import ImportRejected, InvalidInput, NotFound, PermissionDenied
from annotations.roles import Actor
from annotations.seminar import create_seminar, get_seminar, seminar_id

DOC = "steel-and-sacrifice"
ADMIN = Actor.console("teacher")


pytestmark = pytest.mark.usefixtures("fast_hasher")  # cheap argon2 (conftest)


def note(store: Store, codes: list[str], seminar: str = "demo", perspective: str = "",
         start: int = 0) -> str:
    text = corpus.get_text(store, DOC).text
    return create_annotation(store, seminar=seminar, document_id=DOC, start=start,
                             end=start + 5, quote=text[start:start + 5], annotator="ada",
                             codes=codes, perspective=perspective).id


def codes_of(store: Store, aid: str) -> str:
    with store.read() as s:
        return s.get(Annotation, aid).codes


def parents(store: Store, seminar: str = "demo") -> dict[str, str]:
    with store.read() as s:
        return {c.name: c.parent for c in codebook.codes(s, seminar_id(s, seminar))}


def test_rename_rewrites_annotations_in_its_seminar_only(any_store: Store) -> None:
    create_seminar(any_store, "other", join_code="OTHER1")
    a = note(any_store, ["boosting", "hedging"])
    b = note(any_store, ["hedging"], start=10)
    elsewhere = note(any_store, ["hedging"], seminar="other")
    before = get_seminar(any_store, "demo").revision
    with any_store.transaction() as s:
        sid = seminar_id(s, "demo")
        codebook.update_code(s, ADMIN, sid, "omission", parent="hedging")
        assert codebook.rename_code(s, ADMIN, sid, "hedging", "hedge") == 2
    assert codes_of(any_store, a) == "boosting; hedge"
    assert codes_of(any_store, b) == "hedge"
    assert codes_of(any_store, elsewhere) == "hedging"
    assert parents(any_store)["omission"] == "hedge"
    assert get_seminar(any_store, "demo").revision == before + 2
    assert [len(v) for v in (list_annotations(any_store, Filters(seminar="demo", code="hedge")),
                             list_annotations(any_store, Filters(seminar="demo",
                                                                 code="hedging")))] == [2, 0]
    rename = list_entries(any_store, "demo", action="code.rename")[0]
    assert (rename.actor, rename.detail) == ("teacher", {"from": "hedging", "to": "hedge",
                                                         "annotations": 2})


def test_merge_keeps_order_and_drops_duplicates(any_store: Store) -> None:
    a = note(any_store, ["boosting", "hedging", "omission"])
    b = note(any_store, ["omission", "attribution", "boosting"], start=10)
    c = note(any_store, ["attribution"], start=20)
    with any_store.transaction() as s:
        sid = seminar_id(s, "demo")
        assert codebook.merge_codes(s, ADMIN, sid, ["boosting", "omission"], "hedging") == 2
        assert "boosting" not in codebook.code_names(s, sid)
    assert codes_of(any_store, a) == "hedging"
    assert codes_of(any_store, b) == "hedging; attribution"
    assert codes_of(any_store, c) == "attribution"


def test_merge_never_leaves_a_loop_in_the_hierarchy(store: Store) -> None:
    with store.transaction() as s:
        sid = seminar_id(s, "demo")
        codebook.update_code(s, ADMIN, sid, "boosting", parent="hedging")
        codebook.update_code(s, ADMIN, sid, "omission", parent="boosting")
        codebook.update_code(s, ADMIN, sid, "attribution", parent="hedging")
        # omission sits under boosting under hedging; fold hedging into omission
        codebook.merge_codes(s, ADMIN, sid, ["hedging"], "omission")
    p = parents(store)
    assert (p["boosting"], p["attribution"], p["omission"]) == ("omission", "omission", "")


def test_parent_rules(store: Store) -> None:
    with store.transaction() as s:
        sid = seminar_id(s, "demo")
        codebook.update_code(s, ADMIN, sid, "boosting", parent="hedging")
        with pytest.raises(InvalidInput, match="loop"):
            codebook.update_code(s, ADMIN, sid, "hedging", parent="boosting")
        with pytest.raises(InvalidInput, match="not a code of this seminar"):
            codebook.update_code(s, ADMIN, sid, "hedging", parent="nope")


def test_create_update_fields_and_delete(any_store: Store) -> None:
    used = note(any_store, ["hedging", "omission"])
    with any_store.transaction() as s:
        sid = seminar_id(s, "demo")
        code = codebook.create_code(s, ADMIN, sid, CodeSpec("euphemism", "#AABBCC"),
                                    ["plain word", "plain word"])
        assert (code.colour, codebook.code_fields(s, code.id)) == ("#aabbcc", ["plain word"])
        with pytest.raises(InvalidInput, match="already exists"):
            codebook.create_code(s, ADMIN, sid, CodeSpec("euphemism"))
        agency = codebook.update_code(s, ADMIN, sid, "agency and passive voice",
                                      fields=["hidden agent"], definition="Who did it?")
        assert codebook.code_fields(s, agency.id) == ["hidden agent"]
        with pytest.raises(InvalidInput, match="used by 1 annotation"):
            codebook.delete_code(s, ADMIN, sid, "hedging")
        assert codebook.delete_code(s, ADMIN, sid, "hedging", detach=True) == 1
        assert codebook.delete_code(s, ADMIN, sid, "euphemism") == 0
    assert codes_of(any_store, used) == "omission"
    actions = [e.action for e in list_entries(any_store, "demo")]
    # The annotation the test starts with is audited too (issue 6: every write is).
    assert actions == ["annotation.create", "code.add", "code.update", "code.delete",
                       "code.delete"]


def test_perspectives(any_store: Store) -> None:
    a = note(any_store, [], perspective="textbook")
    b = note(any_store, [], perspective="popular history", start=10)
    with any_store.transaction() as s:
        sid = seminar_id(s, "demo")
        codebook.create_perspective(s, ADMIN, sid, PerspectiveSpec("memoir", "#123456"))
        codebook.update_perspective(s, ADMIN, sid, "memoir", description="First person")
        assert codebook.rename_perspective(s, ADMIN, sid, "textbook", "schoolbook") == 1
        assert codebook.merge_perspectives(s, ADMIN, sid, ["popular history"], "memoir") == 1
        with pytest.raises(InvalidInput, match="used by 1"):
            codebook.delete_perspective(s, ADMIN, sid, "memoir")
        codebook.delete_perspective(s, ADMIN, sid, "memoir", detach=True)
        assert codebook.perspective_names(s, sid) == ["schoolbook",
                                                      "libertarian-socialist polemic"]
        rows = {r.id: r.perspective for r in s.scalars(select(Annotation))}
    assert rows == {a: "schoolbook", b: ""}


def test_students_and_other_seminars_cannot_edit(any_store: Store) -> None:
    other = create_seminar(any_store, "other", join_code="OTHER1")
    ada = accounts.create_user(any_store, "ada", "Ada", "long enough pw").id
    roles.join_seminar(any_store, ada, "DEMO01")
    with any_store.transaction() as s:
        student = Actor.of_user(s, ada)
        sid = seminar_id(s, "demo")
        with pytest.raises(PermissionDenied):
            codebook.rename_code(s, student, sid, "hedging", "x")
        with pytest.raises(PermissionDenied):
            codebook.update_code(s, student, other.id, "hedging", colour="#000000")
        other_code = s.scalar(select(Code).where(Code.seminar_id == other.id))
        with pytest.raises(NotFound):  # another seminar's code is not reachable by id or name
            codebook.delete_code(s, ADMIN, sid, other_code.name + "x")
        assert codebook.get_code(s, sid, other_code.name).seminar_id == sid


def test_csv_and_json_round_trip_into_next_year(any_store: Store) -> None:
    with any_store.transaction() as s:
        sid = seminar_id(s, "demo")
        codebook.create_code(s, ADMIN, sid, CodeSpec("=euphemism", "#aabbcc", "Soft words",
                                                     parent="loaded language"),
                             ["plain word"])
        codebook.update_code(s, ADMIN, sid, "factual error",
                             fields=["correction", "source", "page"])
    create_seminar(any_store, "next-year", join_code="NEXT01")
    create_seminar(any_store, "json-year", join_code="JSON01")
    csv_text = codebook_io.export_text(any_store, "demo", "csv")
    assert csv_text.splitlines()[0] == ",".join(codebook_io.CODEBOOK_COLUMNS)
    assert "code,'=euphemism,#aabbcc,Soft words,,,loaded language,plain word\r\n" in csv_text
    assert "code,factual error," in csv_text and "correction; source; page\r\n" in csv_text
    summary = codebook_io.import_text(any_store, "next-year", csv_text, "csv")
    assert summary.added == ["code '=euphemism'"]
    assert summary.updated == ["code 'factual error'"]
    summary = codebook_io.import_text(any_store, "json-year",
                                      codebook_io.export_text(any_store, "demo", "json"), "json")
    assert summary.added == ["code '=euphemism'"]
    demo = codebook_io.read_codebook(any_store, "demo")
    assert codebook_io.read_codebook(any_store, "next-year") == demo
    assert codebook_io.read_codebook(any_store, "json-year") == demo
    again = codebook_io.import_text(any_store, "next-year", csv_text, "csv")
    assert again.added == again.updated == []
    assert [e.action for e in list_entries(any_store, "next-year")][-1] == "codebook.import"


def test_bad_csv_lists_every_bad_row_and_writes_nothing(store: Store) -> None:
    bad = ("kind,name,colour,parent\r\n"
           "code,new one,#112233,\r\n"
           "code,red,red,\r\n"
           "code,new one,,\r\n"
           "category,x,,\r\n"
           "code,short\r\n"
           "code,a;b,,\r\n")
    with pytest.raises(ImportRejected) as exc:
        codebook_io.import_text(store, "demo", bad, "csv")
    assert [e.row for e in exc.value.errors] == [3, 4, 5, 6, 7]
    message = str(exc.value)
    assert "row 3: colour 'red' is not of the form #rrggbb" in message
    assert "row 4: code 'new one' appears twice (first in row 2)" in message
    assert "row 5: kind 'category'" in message
    assert "row 6: has 2 cells" in message
    assert "contains ';'" in message
    with store.read() as s:
        assert "new one" not in codebook.code_names(s, seminar_id(s, "demo"))


def test_parent_loop_in_file_is_rejected_whole(store: Store) -> None:
    text = "kind,name,parent\r\ncode,aa,bb\r\ncode,bb,aa\r\n"
    with pytest.raises(ImportRejected, match="row 3: .*loop"):
        codebook_io.import_text(store, "demo", text, "csv")
    with store.read() as s:
        assert "aa" not in codebook.code_names(s, seminar_id(s, "demo"))


@pytest.mark.parametrize("text, message", [
    ("{", "row 1: not valid JSON"),
    ('{"format": "other"}', "not a codebook file"),
    ('{"format": "annotations-codebook", "version": 9}', "version 9 is not supported"),
    (json.dumps({"format": "annotations-codebook", "version": 1,
                 "perspectives": [{"name": "p", "colour": 5}],
                 "codes": [{"name": "c", "fields": "x; y"}, {"name": ""}]}),
     r"row 1: perspective: colour must be text.*\nrow 3: code: code name is empty"),
])
def test_bad_json(store: Store, text: str, message: str) -> None:
    with pytest.raises(ImportRejected, match=message):
        codebook_io.import_text(store, "demo", text, "json")
