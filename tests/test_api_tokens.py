"""Personal API tokens (issue 13, open API): created once, stored hashed, scoped, revocable,
never reaching more than their owner; on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from annotations import accounts, api_tokens, audit, blind, corpus, downloads, protocol, roles
from annotations.annotation import create_annotation
from annotations.db.engine import Store
from annotations.db.models import ApiToken
from annotations.errors import InvalidInput, NotFound, PermissionDenied
from annotations.permissions import PERMISSION_MAP, Action, Actor, Grant, Principal
from annotations.timeutil import now

DOC = "steel-and-sacrifice"

pytestmark = pytest.mark.usefixtures("open_signup", "fast_hasher")


@pytest.fixture
def seminar(any_store: Store) -> Store:
    """`hist` (closed): olga teaches, ana and ben study; `other` (closed): olga and ana."""
    olga = accounts.create_user(any_store, "olga", "Olga", "a long enough password")
    ana = accounts.create_user(any_store, "ana", "Ana", "a long enough password")
    ben = accounts.create_user(any_store, "ben", "Ben", "a long enough password")
    roles.create_seminar_as(any_store, olga.id, "hist", "History", "HIST01")
    roles.create_seminar_as(any_store, olga.id, "other", "Other", "OTHR01")
    for user, code in ((ana, "HIST01"), (ben, "HIST01"), (ana, "OTHR01")):
        roles.join_seminar(any_store, user.id, code)
    return any_store


def _annotate(store: Store, who: str, start: int) -> str:
    quote = corpus.get_text(store, DOC).text[start:start + 8]
    return create_annotation(store, seminar="hist", document_id=DOC, start=start,
                             end=start + 8, quote=quote, annotator=who).id


def _user(store: Store, name: str) -> Actor:
    with store.read() as session:
        return Actor.named(session, name)


def test_a_token_is_shown_once_and_stored_only_as_its_digest(seminar: Store) -> None:
    ana = _user(seminar, "ana")
    made = api_tokens.create_token(seminar, ana, "ana", "R scripts", ["hist"])
    assert made.token.startswith(api_tokens.PREFIX) and len(made.token) > 40
    assert made.info.hint == made.token[:8] and made.info.scope == "read"
    assert made.info.seminars == ("hist",) and made.info.state() == "active"
    with seminar.read() as session:
        rows = session.scalars(select(ApiToken)).all()
    assert [r.token_sha256 for r in rows] == [api_tokens.digest(made.token)]
    assert all(made.token not in str(vars(r)) for r in rows)
    listed = api_tokens.list_tokens(seminar, ana, "ana")
    assert [t.id for t in listed] == [made.info.id] and listed[0].last_used_at is None
    caller = api_tokens.verify(seminar, made.token)
    assert (caller.username, caller.scope) == ("ana", "read")
    assert api_tokens.list_tokens(seminar, ana, "ana")[0].last_used_at is not None
    created = audit.list_entries(seminar, "hist", action="api_token.create")
    assert [(e.actor, e.target, e.detail["owner"]) for e in created] == [
        ("ana", str(made.info.id), "ana")]


def test_revoked_expired_and_unknown_tokens_are_rejected(seminar: Store) -> None:
    ana = _user(seminar, "ana")
    revoked = api_tokens.create_token(seminar, ana, "ana", "old", ["hist", "other"])
    api_tokens.revoke_token(seminar, ana, revoked.info.id)
    api_tokens.revoke_token(seminar, ana, revoked.info.id)  # again: nothing more happens
    with pytest.raises(api_tokens.TokenRejected, match="revoked"):
        api_tokens.verify(seminar, revoked.token)
    for slug in ("hist", "other"):
        assert len(audit.list_entries(seminar, slug, action="api_token.revoke")) == 1
    short = api_tokens.create_token(seminar, ana, "ana", "a day", ["hist"], expires_in_days=1)
    api_tokens.verify(seminar, short.token)
    with pytest.raises(api_tokens.TokenRejected, match="expired"):
        api_tokens.verify(seminar, short.token, at=now() + timedelta(days=1, seconds=1))
    assert api_tokens.list_tokens(seminar, ana, "ana")[0].state(
        now() + timedelta(days=2)) == "expired"
    for bad in ("", "ann_" + "x" * 43, revoked.token[:-1] + "A", "Bearer " + short.token):
        with pytest.raises(api_tokens.TokenRejected):
            api_tokens.verify(seminar, bad)


def test_only_members_create_tokens_and_only_for_their_seminars(seminar: Store) -> None:
    ben = _user(seminar, "ben")
    with pytest.raises(PermissionDenied, match="not a member"):
        api_tokens.create_token(seminar, ben, "ben", "sneaky", ["hist", "other"])
    with pytest.raises(PermissionDenied):  # the open demo seminar: a guest there, not a member
        api_tokens.create_token(seminar, ben, "ben", "demo", ["demo"])
    assert PERMISSION_MAP[Action.CREATE_API_TOKEN][Principal.GUEST] is Grant.NEVER
    with pytest.raises(NotFound):
        api_tokens.create_token(seminar, ben, "ben", "typo", ["hsit"])
    with pytest.raises(InvalidInput, match="at least one seminar"):
        api_tokens.create_token(seminar, ben, "ben", "none", [])
    with pytest.raises(InvalidInput, match="days"):
        api_tokens.create_token(seminar, ben, "ben", "long", ["hist"], expires_in_days=0)
    assert api_tokens.list_tokens(seminar, ben, "ben") == []
    # The console makes a token for an account, under the account's rights.
    made = api_tokens.create_token(seminar, Actor.console(), "ben", "by console", ["hist"])
    assert made.info.owner == "ben"


def test_nobody_else_lists_or_revokes_a_token(seminar: Store) -> None:
    ana, ben = _user(seminar, "ana"), _user(seminar, "ben")
    made = api_tokens.create_token(seminar, ana, "ana", "mine", ["hist"])
    with pytest.raises(PermissionDenied):
        api_tokens.list_tokens(seminar, ben, "ana")
    with pytest.raises(PermissionDenied):
        api_tokens.create_token(seminar, ben, "ana", "for ana", ["hist"])
    with pytest.raises(NotFound):
        api_tokens.revoke_token(seminar, ben, made.info.id)
    api_tokens.verify(seminar, made.token)  # still valid
    assert api_tokens.revoke_token(seminar, Actor.console(), made.info.id).state() == "revoked"


def test_a_token_reaches_its_seminars_and_never_more_than_its_owner(seminar: Store) -> None:
    ben = _user(seminar, "ben")
    caller = api_tokens.verify(
        seminar, api_tokens.create_token(seminar, ben, "ben", "t", ["hist"]).token)
    sid, rule = api_tokens.reader(seminar, caller, "hist")
    assert rule.sees_all
    messages = set()
    for slug in ("other", "demo", "no-such-seminar"):  # not on the token, or not there at all
        with pytest.raises(NotFound) as refused:
            api_tokens.reader(seminar, caller, slug)
        messages.add(str(refused.value).replace(slug, "S"))
    assert len(messages) == 1  # the same answer: existence does not leak
    assert api_tokens.readable_seminars(seminar, caller) == ["hist"]
    with seminar.transaction() as session:  # ben leaves the class: his token goes with him
        roles.remove_member(session, Actor.console(), sid, caller.user_id)
    with pytest.raises(NotFound):
        api_tokens.reader(seminar, caller, "hist")
    assert api_tokens.readable_seminars(seminar, caller) == []


def test_a_students_token_sees_only_their_work_during_a_blind_round(seminar: Store) -> None:
    _annotate(seminar, "ana", 0)
    _annotate(seminar, "ben", 20)
    blind.set_blind(seminar, "hist", "olga", True)
    ana = _user(seminar, "ana")
    caller = api_tokens.verify(
        seminar, api_tokens.create_token(seminar, ana, "ana", "t", ["hist"]).token)
    _, rule = api_tokens.reader(seminar, caller, "hist")
    assert (rule.sees_all, rule.own) == (False, "ana")
    blind.submit(seminar, "hist", "ana")
    assert api_tokens.reader(seminar, caller, "hist")[1].sees_all


def test_a_site_admins_token_reads_any_seminar_it_names(seminar: Store) -> None:
    root = accounts.create_user(seminar, "root", "Root", "a long enough password")
    accounts.grant_site_role(seminar, Actor.console(), "root", "admin")
    _annotate(seminar, "ben", 20)
    blind.set_blind(seminar, "hist", "olga", True)
    caller = api_tokens.verify(seminar, api_tokens.create_token(
        seminar, Actor("root", root.id, "user"), "root", "audit", ["hist"]).token)
    assert api_tokens.reader(seminar, caller, "hist")[1].sees_all


def test_what_a_token_reads_on_each_backend(seminar: Store) -> None:
    """The container's items and the CSV download follow the reader's rule (blind round)."""
    own, theirs = _annotate(seminar, "ana", 0), _annotate(seminar, "ben", 20)
    blind.set_blind(seminar, "hist", "olga", True)
    with seminar.read() as session:
        ana = Actor.named(session, "ana")
    caller = api_tokens.verify(
        seminar, api_tokens.create_token(seminar, ana, "ana", "t", ["hist"]).token)
    _, rule = api_tokens.reader(seminar, caller, "hist")
    base = "http://h/api/seminars/hist/annotations/"
    found = protocol.seminar_items(seminar, "hist", rule, base, "hist")
    assert [i["canonical"] for i in found.items] == [f"urn:uuid:{own}"]
    assert found.item(theirs) is None and found.item(own)["id"] == base + own  # type: ignore[index]
    rows = list(csv.DictReader(io.StringIO(downloads.download(seminar, "hist", rule,
                                                              "annotations"))))
    assert [r["annotation_id"] for r in rows] == [own]
    everyone = protocol.seminar_items(seminar, "hist", blind.EVERYTHING, base, "hist")
    assert everyone.total == 2
