"""The `claims` and `framing` commands, through a Typer app built for the test."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from annotations import corpus
from annotations.db.engine import Store
from annotations.framing import CLAIM_COLUMNS, FRAMING_COLUMNS, Parser, parsing
from annotations.framing.cli import register
from annotations.framing.rows import SUGGESTION_COLUMNS, VOICE_COLUMNS
from annotations.permissions import Actor


@pytest.fixture()
def app(parser: Parser, monkeypatch: pytest.MonkeyPatch, env_store: str) -> typer.Typer:
    """The commands on a fresh store (prepared on first use with the built-in texts)."""
    monkeypatch.setattr(parsing, "_default", parser)  # reuse the session's parses
    app = typer.Typer()
    register(app)
    return app


def test_claims_csv_columns_and_filter(app: typer.Typer) -> None:
    result = CliRunner().invoke(
        app, ["claims", "--format", "csv", "--document", "steel-and-sacrifice"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == CLAIM_COLUMNS
    assert {r[1] for r in rows[1:]} == {"steel-and-sacrifice"}
    kulaks = next(r for r in rows[1:] if r[4] == "5 million")
    assert kulaks[11] == ""  # attributed_to: nobody


def test_framing_json_to_a_file(app: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "framing.json"
    result = CliRunner().invoke(
        app,
        ["framing", "--format", "json", "--document", "allied-powers-ussr", "--output", str(out)],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(out.read_text(encoding="utf-8"))
    assert tuple(rows[0]) == FRAMING_COLUMNS
    assert {r["scope"] for r in rows} >= {"document", "0"}
    hedges = next(r for r in rows if r["scope"] == "document" and r["metric"] == "hedges")
    assert hedges["count"] == len(hedges["evidence"])


def test_framing_csv_evidence_offsets(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["framing", "--document", "steel-and-sacrifice"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    passives = next(
        r for r in rows if r["scope"] == "document" and r["metric"] == "agentless_passives"
    )
    pairs = [tuple(map(int, p.split("-"))) for p in passives["evidence"].split(";")]
    assert len(pairs) == int(passives["count"])


def test_unknown_document_is_a_clear_error(app: typer.Typer) -> None:
    result = CliRunner().invoke(app, ["claims", "--document", "no-such-text"])
    assert result.exit_code == 1
    assert "no document 'no-such-text'" in result.output
    assert "Traceback" not in result.output


def test_unwritable_output_is_a_clear_error(app: typer.Typer, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["claims", "--output", str(tmp_path / "missing" / "x.csv")])
    assert result.exit_code == 1
    assert "cannot write" in result.output


ADDED = (
    "The famine of 1932-33 killed some 5 million peasants, according to Conquest.\n"
    "Perhaps the regime knew; it clearly chose silence.\n"
)


@pytest.mark.parametrize("command", ["claims", "framing"])
def test_a_text_added_to_the_store_is_analysed(app: typer.Typer, env_store: str,
                                               command: str) -> None:
    """`texts add` (or an instructor's upload) puts a text in the store: analysis reads it."""
    runner = CliRunner()
    corpus.add_text(Store.open(env_store), ADDED.encode(), name="famine.txt",
                    title="A famine note", perspective="seminar", actor=Actor.console())
    result = runner.invoke(app, [command, "--document", "a-famine-note"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and {r["document_id"] for r in rows} == {"a-famine-note"}
    if command == "claims":
        assert any(r["quote"].endswith("5 million") and r["attributed_to"] == "Conquest"
                   for r in rows)
    else:
        hedges = next(r for r in rows if r["scope"] == "document" and r["metric"] == "hedges")
        assert int(hedges["count"]) >= 1
    every = runner.invoke(app, [command])
    assert "a-famine-note" in {r["document_id"] for r in csv.DictReader(io.StringIO(every.stdout))}


def test_voices_csv_and_suggestions_json(app: typer.Typer) -> None:
    result = CliRunner().invoke(
        app, ["voices", "--format", "csv", "--document", "stalinism-inner-truth"]
    )
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert tuple(rows[0]) == VOICE_COLUMNS
    kinds = {r["kind"] for r in rows}
    assert {"author", "block_quotation", "paratext", "comment"} <= kinds
    white = next(r for r in rows if r["kind"] == "block_quotation" and r["speaker"] == "White")
    assert int(white["end"]) - int(white["start"]) > 1000  # the whole quoted passage
    result = CliRunner().invoke(app, ["suggestions", "--format", "json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert all(tuple(r) == SUGGESTION_COLUMNS for r in found)
    arithmetic = next(r for r in found if r["kind"] == "check:arithmetic")
    assert arithmetic["document_id"] == "allied-powers-ussr"
    assert "933" in arithmetic["message"] and "681,692" in arithmetic["evidence"]
    assert any(r["kind"] == "framing:hedges" for r in found)


def test_claims_json_says_bounds_and_where_credit_comes_from(app: typer.Typer) -> None:
    result = CliRunner().invoke(
        app, ["claims", "--format", "json", "--document", "allied-powers-ussr"]
    )
    rows = json.loads(result.stdout)
    arrested = next(r for r in rows if r["quote"] == "more than 1.5 million")
    assert (arrested["value_low"], arrested["value_high"]) == (1_500_000, None)
    assert arrested["bound"] == "lower" and arrested["attribution_from"] == "named"
    result = CliRunner().invoke(app, ["claims", "--format", "csv", "--aligned", "--factor", "0.5"])
    assert result.exit_code == 2  # a factor below 1 is refused by the option


def test_framing_reports_embedded_voices_apart(app: typer.Typer) -> None:
    result = CliRunner().invoke(
        app, ["framing", "--format", "json", "--document", "stalinism-inner-truth"]
    )
    rows = json.loads(result.stdout)
    scopes = {r["scope"] for r in rows}
    assert "voice:block_quotation: White" in scopes
    white = next(r for r in rows
                 if r["scope"] == "voice:block_quotation: White" and r["metric"] == "first_person")
    author = next(r for r in rows if r["scope"] == "document" and r["metric"] == "first_person")
    assert white["count"] > 0
    assert not set(map(tuple, white["evidence"])) & set(map(tuple, author["evidence"]))
