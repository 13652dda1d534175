"""Finding 2: a crafted backup restored at the desk forged data in other seminars, forced
memberships, created accounts with chosen hashes, took any role, dropped `closed` and
`blind`, held the write lock for the whole file and crashed on deep nesting, huge
numbers and colliding ids."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from sec_world import World
from sqlalchemy import func, select

from annotations import accounts, backup, backup_schema, blind, corpus, permissions
from annotations.annotation import add_reply, create_annotation
from annotations.db.models import Membership, Reply, Seminar, User
from annotations.errors import InvalidInput, PermissionDenied
from annotations.seminar import get_seminar

DOC = "steel-and-sacrifice"


def _note(world: World, seminar: str, who: str) -> str:
    text = corpus.get_text(world.store, DOC).text
    return create_annotation(world.store, seminar=seminar, document_id=DOC, start=0, end=5,
                             quote=text[:5], annotator=who).id


def _class_backup(world: World) -> dict[str, Any]:
    aid = _note(world, "class", "ada")
    add_reply(world.store, aid, seminar="class", author="bob", text="agreed")
    data = backup.backup_seminar(world.store, "class")
    data = json.loads(json.dumps(data))
    data["seminar"].update(slug="copy", join_code="COPY01")
    return data


def _renumbered(data: dict[str, Any]) -> dict[str, Any]:
    """The same backup with fresh ids, as a copy restored next to its original needs."""
    import uuid

    out = copy.deepcopy(data)
    new = {a["id"]: str(uuid.uuid4()) for a in out["annotations"]}
    for a in out["annotations"]:
        a["id"] = new[a["id"]]
    for r in out["replies"]:
        r["id"], r["annotation_id"] = str(uuid.uuid4()), new[r["annotation_id"]]
    return out


def _count(world: World, model: Any) -> int:
    with world.store.read() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_a_reply_into_another_seminar_is_refused_before_writing(world: World) -> None:
    theirs = _note(world, "other", "oscar")
    data = _renumbered(_class_backup(world))
    data["replies"][0].update(annotation_id=theirs, author="olga")
    before = _count(world, Reply)
    with pytest.raises(InvalidInput, match="which is not in this backup"):
        backup.restore_seminar(world.store, data, actor=world.actor("teacher"))
    assert _count(world, Reply) == before
    with world.store.read() as s:
        assert s.scalar(select(Seminar.id).where(Seminar.slug == "copy")) is None


def test_a_desk_restore_creates_no_account_and_forces_no_membership(world: World) -> None:
    data = _renumbered(_class_backup(world))
    data["members"].append({**data["members"][0], "username": "mallory",
                            "password_hash": "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA"})
    data["members"].append({**data["members"][0], "username": "olga", "role": "student"})
    report = backup.restore_seminar(world.store, data, actor=world.actor("teacher"))
    assert set(report.members_left_out) == {"mallory", "olga"}
    with world.store.read() as s:
        assert s.scalar(select(User.id).where(User.username == "mallory")) is None
        sid = s.scalar(select(Seminar.id).where(Seminar.slug == "copy"))
        olga = s.scalar(select(User.id).where(User.username == "olga"))
        assert s.scalar(select(Membership.id).where(Membership.seminar_id == sid,
                                                    Membership.user_id == olga)) is None


def test_a_student_cannot_restore(world: World) -> None:
    data = _renumbered(_class_backup(world))
    with pytest.raises(PermissionDenied):
        backup.restore_seminar(world.store, data, actor=world.actor("ada"))
    with pytest.raises(PermissionDenied):
        backup.restore_seminar(world.store, data, actor=world.actor("teacher"), into="other")


def test_restore_into_a_seminar_with_work_is_refused(world: World) -> None:
    data = _renumbered(_class_backup(world))
    with pytest.raises(InvalidInput, match="already has work in it"):
        backup.restore_seminar(world.store, data, actor=world.actor("teacher"), into="class")


@pytest.mark.parametrize("role", ["superuser", "instructor ", "", None])
def test_roles_come_from_the_fixed_set(world: World, role: object) -> None:
    data = _renumbered(_class_backup(world))
    data["members"][0]["role"] = role
    with pytest.raises(InvalidInput, match="role .* is not one of instructor, student"):
        backup.restore_seminar(world.store, data, actor=permissions.Actor.console())


def test_closed_and_blind_survive_a_restore(world: World) -> None:
    _class_backup(world)
    blind.set_blind(world.store, "class", world.actor("teacher"), True)
    data = json.loads(json.dumps(backup.backup_seminar(world.store, "class")))
    data["seminar"].update(slug="copy", join_code="COPY01")
    backup.restore_seminar(world.store, _renumbered(data), actor=world.actor("teacher"))
    copy_ = get_seminar(world.store, "copy")
    assert copy_.closed and copy_.blind and not copy_.revealed
    for key in ("closed", "blind", "revealed"):  # a backup written before issue 10
        data["seminar"].pop(key)
    data["seminar"].update(slug="copy-2", join_code="COPY02")
    backup.restore_seminar(world.store, _renumbered(data), actor=world.actor("teacher"))
    assert get_seminar(world.store, "copy-2").closed  # members only unless the file says so


def test_console_restore_refuses_a_hash_that_is_not_argon2(world: World) -> None:
    data = _renumbered(_class_backup(world))
    data["members"].append({**data["members"][0], "username": "mallory",
                            "password_hash": "plaintext"})
    with pytest.raises(InvalidInput, match="not argon2id"):
        backup.restore_seminar(world.store, data, actor=permissions.Actor.console())


def test_size_is_checked_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backup_schema, "MAX_BACKUP_BYTES", 1000)
    with pytest.raises(InvalidInput, match="over the limit of 1,000"):
        backup.read_backup(b"[" * 2000)  # not even JSON: the size answers first


@pytest.mark.parametrize(("text", "message"), [
    ('{"format": "annotations-seminar-backup", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
     "nests deeper than"),
    ('{"format": "annotations-seminar-backup", "version": 1' + "0" * 5000 + "}",
     "digits"),
    ('{"format": "annotations-seminar-backup", "version": NaN}', "not JSON"),
    ('{"format": "annotations-seminar-backup", "version": 1e999}', "not a whole number"),
])
def test_hostile_json_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        backup.read_backup(text)


def test_colliding_ids_are_a_clear_error(world: World) -> None:
    data = _class_backup(world)  # ids of `class`, which still exists
    with pytest.raises(InvalidInput, match="id .* already exists in this store"):
        backup.restore_seminar(world.store, data, actor=permissions.Actor.console())
    twice = _renumbered(data)
    twice["replies"].append(dict(twice["replies"][0]))
    with pytest.raises(InvalidInput, match="appears twice"):
        backup.restore_seminar(world.store, twice, actor=permissions.Actor.console())


def test_a_failing_batch_leaves_nothing(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _renumbered(_class_backup(world))
    calls = 0
    real = backup._batches

    def failing(store: Any, model: Any, rows: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:  # annotations are in, replies fail
            raise InvalidInput("simulated failure")
        real(store, model, rows)

    monkeypatch.setattr(backup, "_batches", failing)
    with pytest.raises(InvalidInput, match="simulated"):
        backup.restore_seminar(world.store, data, actor=world.actor("teacher"))
    with world.store.read() as s:
        assert s.scalar(select(Seminar.id).where(Seminar.slug == "copy")) is None


def test_rows_are_written_in_bounded_transactions(world: World,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Many small transactions instead of one that holds the write lock for the file."""
    data = _renumbered(_class_backup(world))
    for _ in range(5):
        extra = _renumbered(data)
        data["annotations"] += extra["annotations"]
    monkeypatch.setattr(backup, "BATCH", 2)
    opened = 0
    real = world.store.transaction

    def counting() -> Any:
        nonlocal opened
        opened += 1
        return real()

    monkeypatch.setattr(world.store, "transaction", counting)
    backup.restore_seminar(world.store, data, actor=world.actor("teacher"))
    assert opened >= len(data["annotations"]) // 2
    with world.store.read() as s:
        assert accounts.user_count(s) == 6
