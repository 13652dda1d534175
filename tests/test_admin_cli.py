"""The seminar-admin console commands, through CliRunner and the installed script."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main
from typer.testing import CliRunner

from annotations import admin_cli, corpus
from annotations.annotation import Filters, create_annotation
from annotations.cli import app
from annotations.db.engine import Store
from annotations.export import export_annotations

runner = CliRunner()
ADMIN_COMMANDS = ["agreement", "backup", "restore", "desk", "audit", "codebook export",
                  "codebook import", "user create", "user grant"]


def run(*args: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=stdin, catch_exceptions=True)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code == 0, result.output
    return result.stdout


def script(*args: str) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("annotations")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c",
                                             "from annotations.cli import main; main()"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ))


@pytest.mark.parametrize("path", ADMIN_COMMANDS)
def test_every_command_has_help_with_an_example(path: str) -> None:
    command = typer.main.get_command(app)
    for part in path.split():
        command = command.commands[part]  # type: ignore[attr-defined]
    assert "Example: annotations " in (command.help or "")
    assert "Usage:" in run(*path.split(), "--help")


@pytest.fixture
def filled(env_store: str) -> Store:
    run("init")
    run("seminar", "create", "hist", "--join-code", "HIST01")
    store = Store.open(env_store)
    text = corpus.get_text(store, "steel-and-sacrifice").text
    for who, start, end, codes in (("ada", 0, 20, ["hedging"]), ("bob", 10, 30, ["hedging"]),
                                   ("bob", 40, 50, ["omission"])):
        create_annotation(store, seminar="hist", document_id="steel-and-sacrifice",
                          start=start, end=end, quote=text[start:end], annotator=who,
                          codes=codes, note="a short note")
    return store


def test_users_and_roles(filled: Store) -> None:
    out = run("user", "create", "Ada", "--display-name", "Ada L.", "--password-stdin",
              stdin="a long secret\n")
    assert out.strip() == "user ada created"
    assert run("user", "grant", "ada", "--seminar", "hist").strip() == "ada is instructor in hist"
    rows = list(csv.reader(io.StringIO(run("audit", "--seminar", "hist", "--format", "csv"))))
    assert rows[0] == ["id", "at", "seminar", "actor", "action", "target", "detail"]
    # The fixture's three annotations are audited too (issue 6: every write is).
    assert [(r[3], r[4]) for r in rows[1:]] == [
        ("ada", "annotation.create"), ("bob", "annotation.create"),
        ("bob", "annotation.create"), ("console", "member.set")]


def test_agreement_and_desk_csv(filled: Store) -> None:
    rows = list(csv.DictReader(io.StringIO(run("agreement", "--seminar", "hist",
                                               "--format", "csv"))))
    assert list(rows[0]) == ["seminar", "document_id", "code", "alpha", "annotators", "units"]
    hedging = next(r for r in rows if (r["document_id"], r["code"]) ==
                   ("steel-and-sacrifice", "hedging"))
    assert hedging["annotators"] == "2" and float(hedging["alpha"]) > 0
    pairs = run("agreement", "--seminar", "hist", "--format", "csv", "--pairs")
    assert pairs.startswith("seminar,document_id,code,annotator_a,annotator_b,units,")
    passages = run("agreement", "--seminar", "hist", "--format", "csv", "--disagreements")
    assert ",bob,omission," in passages
    desk_rows = list(csv.DictReader(io.StringIO(run("desk", "--seminar", "hist",
                                                    "--format", "csv"))))
    assert [(r["username"], r["annotations"], r["words"]) for r in desk_rows] == [
        ("ada", "1", "3"), ("bob", "2", "6")]
    heat = run("desk", "--seminar", "hist", "--document", "steel-and-sacrifice",
               "--format", "csv")
    assert heat.splitlines()[1].startswith("0,0,56,3,,Steel and Sacrifice")


def test_codebook_files(filled: Store, tmp_path: Path) -> None:
    run("seminar", "create", "next", "--join-code", "NEXT01")
    for fmt in ("csv", "json"):
        path = tmp_path / f"codes.{fmt}"
        run("codebook", "export", "--seminar", "hist", "--format", fmt, "-o", str(path))
        out = run("codebook", "import", str(path), "--seminar", "next")
        assert out.strip() == "codebook imported: 0 added, 0 updated, 13 unchanged"


def test_backup_and_restore(filled: Store, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    file = tmp_path / "hist.json"
    assert "3 annotations" in run("backup", "--seminar", "hist", "-o", str(file))
    before = io.StringIO()
    export_annotations(filled, before, Filters(seminar="hist"))
    target = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    monkeypatch.setenv("ANNOTATIONS_DATABASE_URL", target)
    run("init")
    assert run("restore", str(file)).startswith("seminar hist restored: 3 annotations")
    after = io.StringIO()
    export_annotations(Store.open(target), after, Filters(seminar="hist"))
    assert after.getvalue() == before.getvalue()


def test_errors_go_to_stderr_with_exit_1(filled: Store, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,name,colour\ncode,x,red\n", encoding="utf-8")
    for args, message in (
        (["codebook", "import", str(bad), "--seminar", "hist"], "row 2: colour 'red'"),
        (["desk", "--seminar", "nope"], "no seminar 'nope'"),
        (["restore", str(tmp_path / "missing.json")], "no file"),
        (["agreement", "--seminar", "hist", "--format", "xml"], "unknown format 'xml'"),
    ):
        result = script(*args)
        assert result.returncode == 1, args
        assert result.stderr.startswith("Error: ") and message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_register_adds_commands_to_a_fresh_app() -> None:
    fresh = typer.Typer()
    admin_cli.register(fresh)
    names = set(typer.main.get_command(fresh).commands)  # type: ignore[attr-defined]
    assert {"agreement", "backup", "restore", "desk", "audit", "codebook", "user"} <= names
