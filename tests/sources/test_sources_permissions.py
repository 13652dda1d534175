"""Only the seminar's instructors upload texts and download originals (the permission map)."""

from __future__ import annotations

import pytest

from annotations import accounts, corpus, roles
from annotations.db.engine import Store
from annotations.errors import NotFound, PermissionDenied
from annotations.permissions import Action, Actor, Principal, Resource, allowed

pytestmark = pytest.mark.usefixtures("open_signup", "fast_hasher")


@pytest.mark.parametrize(("principal", "may"), [
    (Principal.CONSOLE, True), (Principal.SITE_ADMIN, True), (Principal.INSTRUCTOR, True),
    (Principal.STUDENT, False), (Principal.GUEST, False)])
def test_the_map(principal: Principal, may: bool) -> None:
    for closed in (False, True):
        assert allowed(principal, Action.DOWNLOAD_ORIGINAL, Resource(closed)) is may
        assert allowed(principal, Action.UPLOAD_TEXT, Resource(closed)) is may


@pytest.fixture
def people(store: Store, pdf_file: bytes) -> dict[str, Actor]:
    ids = {u: accounts.create_user(store, u, u.title(), "long enough pw").id
           for u in ("teacher", "other", "ada", "stranger")}
    roles.create_seminar_as(store, ids["teacher"], "class", join_code="CLASS1")
    roles.create_seminar_as(store, ids["other"], "elsewhere", join_code="ELSE1")
    roles.join_seminar(store, ids["ada"], "CLASS1")
    who = {u: Actor(u, i) for u, i in ids.items()}
    corpus.add_text(store, pdf_file, name="famine.pdf", title="Famine", perspective="textbook",
                    actor=who["teacher"], seminar="class")
    return who


def test_instructors_download_students_and_others_do_not(
        store: Store, people: dict[str, Actor], pdf_file: bytes) -> None:
    assert corpus.original_file(store, "class-famine", actor=people["teacher"],
                                seminar="class").data == pdf_file
    with pytest.raises(PermissionDenied, match="only the seminar's instructors"):
        corpus.original_file(store, "class-famine", actor=people["ada"], seminar="class")
    with pytest.raises(PermissionDenied, match="not a member"):
        corpus.original_file(store, "class-famine", actor=people["stranger"], seminar="class")
    with pytest.raises(NotFound):  # another seminar's text is not there at all
        corpus.original_file(store, "class-famine", actor=people["other"], seminar="elsewhere")
    with pytest.raises(NotFound):
        corpus.original_file(store, "class-famine", actor=people["teacher"])
    assert corpus.original_file(store, "class-famine", actor=Actor.console()).data == pdf_file


def test_students_cannot_upload(store: Store, people: dict[str, Actor], docx_file: bytes
                                ) -> None:
    with pytest.raises(PermissionDenied):
        corpus.add_text(store, docx_file, name="x.docx", title="X", perspective="p",
                        actor=people["ada"], seminar="class")
    with pytest.raises(PermissionDenied):
        corpus.replace_text(store, "class-famine", docx_file, name="x.docx",
                            actor=people["ada"], seminar="class")
