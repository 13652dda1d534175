"""Docs as tests: every CLI command, setting and CSV column is in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from annotations.cli import app
from annotations.config import SETTINGS
from annotations.export import COLUMNS, REPLY_COLUMNS

README = Path(__file__).resolve().parent.parent / "README.md"
TEXTS_LIST_COLUMNS = ("document_id", "title", "perspective", "sha256", "characters")


def command_paths() -> list[str]:
    """Every command and sub-command of the console script, e.g. "texts add"."""
    paths: list[str] = []

    def walk(cmd: object, prefix: str) -> None:
        for name, sub in sorted(getattr(cmd, "commands", {}).items()):
            path = f"{prefix} {name}".strip()
            paths.append(path)
            walk(sub, path)

    walk(typer.main.get_command(app), "")
    return paths


def _readme() -> str:
    assert README.exists(), "README.md is missing"
    return README.read_text(encoding="utf-8")


def _word(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")


def test_the_cli_has_the_documented_core_commands() -> None:
    assert {"init", "texts list", "texts add", "seminar create", "seminar list", "export",
            "import", "stats", "reanchor", "settings"} <= set(command_paths())


@pytest.mark.parametrize("path", command_paths())
def test_every_command_is_in_the_readme(path: str) -> None:
    assert _word(f"annotations {path}").search(_readme()), f"`annotations {path}` undocumented"


@pytest.mark.parametrize("name", [s.name for s in SETTINGS])
def test_every_setting_is_in_the_readme(name: str) -> None:
    assert _word(name).search(_readme()), f"setting {name} undocumented"


@pytest.mark.parametrize("column", sorted(set(COLUMNS) | set(REPLY_COLUMNS)
                                          | set(TEXTS_LIST_COLUMNS)))
def test_every_csv_column_is_in_the_readme(column: str) -> None:
    assert _word(column).search(_readme()), f"CSV column {column} undocumented"


def test_the_readme_gives_the_column_order() -> None:
    readme = _readme()
    positions = [_word(c).search(readme) for c in COLUMNS]
    table = [readme.find(f"| `{c}` |") for c in COLUMNS]
    if all(p >= 0 for p in table):
        assert table == sorted(table), "the README's column table is out of order"
    else:
        assert ", ".join(COLUMNS) in readme
    assert all(positions)
    assert ", ".join(REPLY_COLUMNS) in readme
    assert ", ".join(TEXTS_LIST_COLUMNS) in readme
