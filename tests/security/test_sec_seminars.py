"""Finding 1: any signed-in user could create a seminar and so become an instructor."""

from __future__ import annotations

import pytest
from sec_world import PW, World

from annotations import accounts, permissions, roles
from annotations.db.engine import Store
from annotations.errors import PermissionDenied
from annotations.permissions import Action, Principal, Resource, allowed
from annotations.seminar import seminar_id


def test_a_student_cannot_create_a_seminar(world: World) -> None:
    with pytest.raises(PermissionDenied, match="only instructors can create seminars"):
        roles.create_seminar_as(world.store, world.ids["ada"], "mine", "Mine", "MINE01")
    assert not roles.may_create_seminar(world.store, world.ids["ada"])


def test_open_signup_is_a_setting(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATIONS_OPEN_SIGNUP", "1")
    assert roles.create_seminar_as(world.store, world.ids["eve"], "demo-2").closed


def test_only_the_console_or_a_site_admin_grants_site_roles(world: World) -> None:
    with pytest.raises(PermissionDenied, match="site admin"):
        accounts.grant_site_role(world.store, world.actor("teacher"), "eve", "instructor")
    accounts.grant_site_role(world.store, permissions.Actor.console(), "eve", "admin")
    accounts.grant_site_role(world.store, world.actor("eve"), "ada", "instructor")
    assert roles.may_create_seminar(world.store, world.ids["ada"])


def test_an_instructor_reaches_no_other_seminar(world: World) -> None:
    """Desk actions through another seminar's id are refused."""
    with world.store.transaction() as s:
        other = seminar_id(s, "other")
        for action in (Action.MANAGE_MEMBERS, Action.CODEBOOK_EDIT, Action.BACKUP,
                       Action.RESTORE, Action.UPLOAD_TEXT, Action.REPLACE_TEXT,
                       Action.BLIND_REVEAL):
            with pytest.raises(PermissionDenied, match="not a member"):
                permissions.require(s, world.actor("teacher"), action, other)


def test_a_guest_actor_is_never_an_instructor(world: World) -> None:
    """An Actor without an account used to count as the console in `role_in`."""
    with world.store.read() as s:
        sid = seminar_id(s, "class")
        assert roles.role_in(s, permissions.Actor.guest("teacher"), sid) is None


def test_the_map_has_every_action_for_every_principal() -> None:
    for action in Action:
        assert set(permissions.PERMISSION_MAP[action]) == set(Principal)
    assert not allowed(Principal.STUDENT, Action.EDIT, Resource(owner="bob"), "ada")
    assert allowed(Principal.SITE_ADMIN, Action.EDIT_CORPUS)
    assert not allowed(Principal.INSTRUCTOR, Action.EDIT_CORPUS)


def test_cli_grants_site_roles(store: Store, env_store: str) -> None:
    from typer.testing import CliRunner

    from annotations.cli import app

    s = Store.open(env_store)
    accounts.create_user(s, "ines", "Ines", PW)
    result = CliRunner().invoke(app, ["admin", "grant", "ines", "instructor"])
    assert result.exit_code == 0, result.output
    with s.read() as session:
        ines = accounts.find_user(session, "ines").id
    assert roles.may_create_seminar(s, ines)
    s.dispose()
