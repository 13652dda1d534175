"""`annotations grades rule|preview`: thin adapters over annotations.grading."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from annotations import accounts, corpus, grading, roles
from annotations.annotation import create_annotation
from annotations.cli import app
from annotations.db.engine import Store
from annotations.errors import InvalidInput

runner = CliRunner()


pytestmark = pytest.mark.usefixtures("fast_hasher")  # cheap argon2 (conftest)


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def store(env_store: str, open_signup: None) -> Iterator[Store]:
    run("init")
    s = Store.open(env_store)
    olga = accounts.create_user(s, "olga", "Olga", "a long enough password")
    ana = accounts.create_user(s, "ana", "Ana", "a long enough password")
    roles.create_seminar_as(s, olga.id, "hist", "History", "HIST01")
    roles.join_seminar(s, ana.id, "HIST01")
    doc = corpus.list_texts(s)[0]
    text = corpus.get_text(s, doc.document_id).text
    create_annotation(s, seminar="hist", document_id=doc.document_id, start=0, end=5,
                      quote=text[:5], annotator="ana", codes=[], note="a note")
    yield s
    s.dispose()


def test_rule_shows_and_changes(store: Store) -> None:
    assert "4 annotations or replies in all for 10 points" in run("grades", "rule", "hist")
    out = run("grades", "rule", "hist", "--mode", "separate", "--annotations", "1",
              "--replies", "0", "--points", "5")
    assert "1 annotation and 0 replies for 5 points" in out
    assert grading.get_rule(store, "hist", "olga").points == 5


def test_preview_csv(store: Store) -> None:
    run("grades", "rule", "hist", "--annotations", "2", "--replies", "0")
    rows = list(csv.DictReader(io.StringIO(run("grades", "preview", "hist", "--format", "csv"))))
    assert [(r["username"], r["grade"], r["fraction"]) for r in rows] == [("ana", "5", "0.5000")]


def test_bad_rule_names_the_fix(store: Store) -> None:
    result = runner.invoke(app, ["grades", "rule", "hist", "--mode", "sum"])
    assert isinstance(result.exception, InvalidInput)  # `main` prints it as "Error: ..."
    assert "use cumulative or separate" in str(result.exception)
    assert grading.get_rule(store, "hist", "olga") == grading.DEFAULT_RULE
