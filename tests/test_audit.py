"""The audit log: entries ride the caller's transaction, stay in their seminar, export as CSV."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from annotations import audit
from annotations.db.engine import Store
from annotations.db.models import AuditEntry
from annotations.errors import InvalidInput
from annotations.seminar import create_seminar, seminar_id


def test_record_and_list(any_store: Store) -> None:
    with any_store.transaction() as s:
        sid = seminar_id(s, "demo")
        audit.record(s, "ada", "code.rename", sid, 7, {"from": "bias", "to": "loaded"})
        audit.record(s, "bob", "code.delete", sid, "omission", None)
    rows = audit.list_entries(any_store, "demo")
    assert [(e.actor, e.action, e.target, e.detail) for e in rows] == [
        ("ada", "code.rename", "7", {"from": "bias", "to": "loaded"}),
        ("bob", "code.delete", "omission", {}),
    ]
    assert [e.actor for e in audit.list_entries(any_store, "demo", action="code.delete")] == [
        "bob"]


def test_rolled_back_write_leaves_no_entry(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction() as s:
        audit.record(s, "ada", "code.add", seminar_id(s, "demo"), "x", {})
        raise RuntimeError("the write failed")
    with store.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == 0


def test_bad_entries_are_refused(store: Store) -> None:
    with store.transaction() as s:
        with pytest.raises(InvalidInput, match="not JSON"):
            audit.record(s, "ada", "x", None, "", {"when": object()})
        with pytest.raises(InvalidInput, match="actor"):
            audit.record(s, " ", "x", None, "", {})


def test_entries_stay_in_their_seminar(store: Store) -> None:
    create_seminar(store, "other", join_code="OTHER1")
    with store.transaction() as s:
        audit.record(s, "eve", "code.add", seminar_id(s, "other"), "secret", {})
    assert audit.list_entries(store, "demo") == []
    assert len(audit.list_entries(store, "other")) == 1


def test_csv_export(store: Store) -> None:
    with store.transaction() as s:
        audit.record(s, "ada", "code.update", seminar_id(s, "demo"), "=cmd",
                     {"b": 1, "a": "é"})
    out = io.StringIO()
    assert audit.export_csv(store, out, "demo") == 1
    lines = out.getvalue().split("\r\n")
    assert lines[0] == "id,at,seminar,actor,action,target,detail"
    cells = lines[1].split(",", 6)
    assert cells[0] == "1" and cells[1].endswith("Z")
    assert cells[2:] == ["demo", "ada", "code.update", "'=cmd", '"{""a"":""é"",""b"":1}"']


def test_an_import_is_written_to_the_audit_log(store):
    from annotations import corpus, export, importer
    from annotations.annotation import create_annotation
    from annotations.audit import list_entries

    text = corpus.get_text(store, "steel-and-sacrifice").text
    i = text.index("Magnitogorsk")
    create_annotation(store, seminar="demo", document_id="steel-and-sacrifice", start=i,
                      end=i + 12, quote="Magnitogorsk", annotator="Ana")
    out = io.StringIO()
    export.export_annotations(store, out)
    importer.import_csv(store, out.getvalue())
    last = list_entries(store, "demo")[-1]
    assert (last.actor, last.action) == ("console", "annotations.import")
