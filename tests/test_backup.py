"""Backup and restore: a seminar restored into an empty store exports byte for byte the same."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from sqlalchemy import insert

from annotations import accounts, backup, codebook, corpus, placement, roles
from annotations.annotation import Filters, add_reply, create_annotation, delete_annotation
from annotations.audit import list_entries
from annotations.codebook import CodeSpec
from annotations.db.engine import Store
from annotations.db.models import SuggestionDecision
from annotations.errors import InvalidInput
from annotations.export import export_annotations, export_replies
from annotations.link import create_link, export_links
from annotations.roles import Actor
from annotations.seminar import create_seminar, seminar_id
from annotations.timeutil import now

ROOT = Path(__file__).resolve().parent.parent
PW = "long enough pw"


# Seminars here are created by ordinary accounts (tests/security covers who may).
pytestmark = pytest.mark.usefixtures("open_signup", "fast_hasher")


def note(store: Store, seminar: str, doc: str, who: str, start: int, end: int,
         codes: list[str], text: str = "") -> str:
    quote = corpus.get_text(store, doc).text[start:end]
    return create_annotation(store, seminar=seminar, document_id=doc, start=start, end=end,
                             quote=quote, annotator=who, codes=codes, note=text).id


@pytest.fixture
def source(store: Store) -> Store:
    """Seminar `hist` with members, an edited codebook, notes, replies, a link, a decision."""
    teacher = accounts.create_user(store, "teacher", "The Teacher", PW).id
    ada = accounts.create_user(store, "ada", "Ada, \"quoted\"", PW).id
    roles.create_seminar_as(store, teacher, "hist", "History, 2026", "HIST26")
    roles.join_seminar(store, ada, "HIST26")
    with store.transaction() as s:
        sid = seminar_id(s, "hist")
        codebook.create_code(s, Actor.console(), sid, CodeSpec("euphemism", "#aabbcc",
                                                               parent="hedging"), ["plain"])
        codebook.rename_code(s, Actor.console(), sid, "omission", "silence")
    a = note(store, "hist", "steel-and-sacrifice", "ada", 57, 90, ["hedging", "silence"],
             "=SUM(A1), with\nnewline ü")
    b = note(store, "hist", "allied-powers-ussr", "teacher", 10, 40, ["euphemism"])
    note(store, "demo", "steel-and-sacrifice", "bob", 0, 5, [])  # another seminar: not copied
    add_reply(store, a, seminar="hist", author="teacher", text="Good catch; source?")
    gone = note(store, "hist", "allied-powers-ussr", "ada", 50, 60, ["hedging"], "withdrawn")
    add_reply(store, gone, seminar="hist", author="teacher", text="Keep this thread")
    delete_annotation(store, gone, seminar="hist", actor="ada")  # a tombstone travels too
    create_link(store, seminar="hist", kind="contradicts", from_annotation_id=a,
                to_annotation_id=b, annotator="ada", note="see both")
    with store.transaction() as s:
        s.execute(insert(SuggestionDecision), [{
            "seminar_id": seminar_id(s, "hist"), "annotator": "ada", "decision": "rejected",
            "suggestion_key": "framing:hedges:steel-and-sacrifice:1:5", "annotation_id": None,
            "created_at": now()}])
    return store


def exports(store: Store) -> tuple[str, str, str]:
    outs = [io.StringIO(newline="") for _ in range(3)]
    export_annotations(store, outs[0], Filters(seminar="hist"))
    export_replies(store, outs[1], Filters(seminar="hist"))
    export_links(store, outs[2], "hist")
    return outs[0].getvalue(), outs[1].getvalue(), outs[2].getvalue()


def test_restore_into_empty_store_is_identical(source: Store, any_url: str) -> None:
    buf = io.StringIO()
    counts = backup.write_backup(source, "hist", buf)
    assert counts == {"annotations": 3, "replies": 2, "links": 1, "members": 2}
    target = Store.open(any_url.replace("store.sqlite3", "target.sqlite3"))  # not the source
    corpus.load_corpus(target, ROOT / "texts")
    report = backup.restore_seminar(target, backup.read_backup(buf.getvalue()))
    assert (report.annotations, report.users_created) == (3, ["ada", "teacher"])
    before, after = exports(source), exports(target)
    assert before[0].count("\r\n") == 4 and after == before
    assert "[deleted by its author]" in after[0]
    original, restored = json.loads(buf.getvalue()), backup.backup_seminar(target, "hist")
    for key in ("documents", "perspectives", "codes", "members", "annotations", "replies",
                "links", "suggestion_decisions"):
        assert restored[key] == original[key], key
    assert restored["audit"][:-1] == original["audit"]
    assert restored["audit"][-1]["action"] == "seminar.restore"
    assert accounts.verify_password(target, "ada", PW).display_name == 'Ada, "quoted"'
    with target.read() as s:
        assert roles.role_in(s, accounts.find_user(s, "teacher").id,
                             seminar_id(s, "hist")) == "instructor"
    target.dispose()


def test_a_placement_awaiting_review_keeps_its_old_place(source: Store, tmp_path: Path
                                                         ) -> None:
    doc = "steel-and-sacrifice"
    old = corpus.get_text(source, doc).text
    start = old.index("were forcibly removed")
    aid = note(source, "hist", doc, "ada", start, start + 21, [])
    new = old.replace("forcibly removed", "forcibly deported").encode()
    corpus.replace_text(source, doc, new, name="v2.txt", actor=Actor.console(), seminar="hist")
    buf = io.StringIO()
    backup.write_backup(source, "hist", buf)
    target = Store.open(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    try:
        corpus.load_corpus(target, ROOT / "texts")
        corpus.add_text(target, new, actor=Actor.console(), name="v2.txt", title="Steel",
                        perspective="x",
                        document_id=doc)
        backup.restore_seminar(target, backup.read_backup(buf.getvalue()))
        restored = backup.backup_seminar(target, "hist")["annotations"]
        [item] = [a for a in restored if a["id"] == aid]
        assert item["anchor_status"] == "review"
        assert item["previous"]["start"] == start
        placement.orphan(target, "hist", aid, Actor.console())
        [back] = [a for a in backup.backup_seminar(target, "hist")["annotations"]
                  if a["id"] == aid]
        assert (back["quote"], back["anchor_status"]) == ("were forcibly removed", "orphan")
    finally:
        target.dispose()


def test_restore_refuses_unknown_documents(source: Store, tmp_path: Path) -> None:
    data = backup.backup_seminar(source, "hist")
    empty = Store.open(f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    with pytest.raises(InvalidInput) as exc:
        backup.restore_seminar(empty, data)
    message = str(exc.value)
    assert "allied-powers-ussr (sha256 " in message and "steel-and-sacrifice (sha256 " in message
    assert "`annotations init`" in message
    with empty.read() as s:
        assert accounts.user_count(s) == 0  # nothing written
    empty.dispose()


def test_restore_refuses_an_existing_seminar(source: Store) -> None:
    data = backup.backup_seminar(source, "hist")
    with pytest.raises(InvalidInput, match="'hist' already exists"):
        backup.restore_seminar(source, data)
    data["seminar"]["slug"] = "hist-copy"
    with pytest.raises(InvalidInput, match="join code 'HIST26' is used"):
        backup.restore_seminar(source, data)
    data["seminar"]["join_code"] = "COPY01"
    with pytest.raises(InvalidInput, match="annotation id"):
        backup.restore_seminar(source, data)


def test_empty_seminar_round_trips(store: Store, tmp_path: Path) -> None:
    create_seminar(store, "blank", join_code="BLANK1")
    text = io.StringIO()
    backup.write_backup(store, "blank", text)
    target = Store.open(f"sqlite:///{tmp_path / 't.sqlite3'}")
    assert backup.restore_seminar(target, backup.read_backup(text.getvalue())).annotations == 0
    assert [e.action for e in list_entries(target, "blank")] == ["seminar.restore"]
    target.dispose()


@pytest.mark.parametrize("text, message", [
    ("[", "invalid JSON"),
    ('{"format": "x"}', "not a seminar backup"),
    ('{"format": "annotations-seminar-backup", "version": 2}', "version 2 is not supported"),
])
def test_bad_backup_files(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        backup.read_backup(text)


def test_damaged_backup_is_a_clear_error(store: Store) -> None:
    data = {"format": backup.FORMAT, "version": backup.VERSION, "seminar": {"slug": "x"}}
    with pytest.raises(InvalidInput, match="nothing was written: .* problem") as e:
        backup.restore_seminar(store, data)
    assert "seminar: title must be text" in str(e.value)
