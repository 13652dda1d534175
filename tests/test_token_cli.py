"""`annotations token create|list|revoke` (issue 13, open API): thin adapters over api_tokens."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
import typer.main
from typer.testing import CliRunner

from annotations import accounts, api_tokens, roles
from annotations.cli import app
from annotations.db.engine import Store

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("fast_hasher")  # cheap argon2 (conftest)


def run(*args: str) -> tuple[str, str]:
    result = runner.invoke(app, list(args), catch_exceptions=True)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.stdout, result.stderr


@pytest.fixture
def store(env_store: str, open_signup: None) -> Iterator[Store]:
    run("init")
    s = Store.open(env_store)
    olga = accounts.create_user(s, "olga", "Olga", "a long enough password")
    accounts.create_user(s, "xavier", "Xavier", "a long enough password")
    roles.create_seminar_as(s, olga.id, "hist", "History", "HIST01")
    yield s
    s.dispose()


@pytest.mark.parametrize("path", ["token create", "token list", "token revoke"])
def test_every_token_command_has_help_with_an_example(path: str) -> None:
    command = typer.main.get_command(app)
    for part in path.split():
        command = command.commands[part]  # type: ignore[attr-defined]
    assert "Example: annotations " in (command.help or "")


def test_create_list_revoke(store: Store) -> None:
    out, err = run("token", "create", "olga", "--seminar", "hist", "--label", "R scripts",
                   "--expires-days", "30")
    token = out.strip()
    assert token.startswith(api_tokens.PREFIX) and "not shown again" in err
    caller = api_tokens.verify(store, token)
    assert caller.username == "olga"
    listed, _ = run("token", "list", "olga", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(listed)))
    assert [(r["id"], r["label"], r["seminars"], r["state"], r["scope"]) for r in rows] == [
        (str(caller.token_id), "R scripts", "hist", "active", "read")]
    assert token not in listed and rows[0]["hint"] == token[:8] and rows[0]["expires_at"]
    assert "R scripts" in run("token", "list", "olga")[0]
    assert "revoked" in run("token", "revoke", str(caller.token_id))[0]
    with pytest.raises(api_tokens.TokenRejected):
        api_tokens.verify(store, token)
    assert "revoked" in run("token", "list", "olga")[0]


def test_a_non_member_gets_a_message_not_a_traceback(store: Store) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from annotations.cli import main; main()", "token", "create",
         "xavier", "--seminar", "hist", "--label", "x"],
        capture_output=True, text=True, timeout=120, env=dict(os.environ))
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith("Error: ") and "not a member" in done.stderr
    assert "Traceback" not in done.stderr
