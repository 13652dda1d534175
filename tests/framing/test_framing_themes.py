"""A seminar names its own themes (ANNOTATIONS_THEMES_FILE, issue 12): the project ships no
theme list built from its seed texts, and results follow the file when it changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.document import DocumentMeta, SourceText, sha256_hex
from annotations.errors import InvalidInput
from annotations.framing import Parser, analyse, extract_claims
from annotations.framing.themes import theme_labels

TEXT = (
    "In Nantes the guillotine was too slow. Between 1793 and 1794 about 4,000 people "
    "were drowned in the Loire and the toll of the repression kept rising.\n"
)
THEMES = """
[theme.tolls]
label = "Death tolls"
keywords = ["toll", "drowned"]
generic = true

[theme.noyades]
label = "The drownings at Nantes"
keywords = ["Loire", "Nantes"]
"""


def _source() -> SourceText:
    meta = DocumentMeta("nantes", "Nantes", "test", author="The Author")
    return SourceText(meta, TEXT, sha256_hex(TEXT.encode()))


def test_a_seminar_names_its_own_themes(
    parser: Parser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    themes = tmp_path / "themes.toml"
    themes.write_text(THEMES, encoding="utf-8")
    monkeypatch.setenv("ANNOTATIONS_THEMES_FILE", str(themes))
    assert theme_labels() == {"tolls": "Death tolls", "noyades": "The drownings at Nantes"}
    a = analyse(_source(), parser)
    assert set(a.themes) == {"tolls", "noyades"}
    (claim,) = extract_claims(_source(), parser)
    assert claim.theme == "noyades"  # a generic theme only when the sentence names no other


def test_without_a_themes_file_there_are_no_themes_and_claims_still_align(
    parser: Parser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANNOTATIONS_THEMES_FILE", str(tmp_path / "missing.toml"))
    assert theme_labels() == {}
    assert analyse(_source(), parser).themes == {}
    (claim,) = extract_claims(_source(), parser)  # the same parser: results follow the file
    assert claim.theme == "" and claim.category == "drown" and claim.place == "Loire"


def test_a_broken_themes_file_says_what_to_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    themes = tmp_path / "themes.toml"
    themes.write_text('[theme.x]\nlabel = "X"\nkeywords = "one word"\n', encoding="utf-8")
    monkeypatch.setenv("ANNOTATIONS_THEMES_FILE", str(themes))
    with pytest.raises(InvalidInput, match="needs keywords"):
        theme_labels()


FARM = "In 1932 the state farms received some 40,000 tractors and 2,000 prisoners.\n"


def _farm() -> SourceText:
    meta = DocumentMeta("farm", "Farm", "test", author="The Author")
    return SourceText(meta, FARM, sha256_hex(FARM.encode()))


def test_a_seminar_names_its_own_measures(
    parser: Parser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the library kept the seed texts' measures (tractors, grain, livestock...)
    monkeypatch.setenv("ANNOTATIONS_THEMES_FILE", str(tmp_path / "missing.toml"))
    tractors, prisoners = extract_claims(_farm(), parser)
    assert tractors.category == "tractor" and prisoners.category == "prisoners"
    themes = tmp_path / "themes.toml"
    themes.write_text(
        '[[measure]]\nname = "machinery"\nlemmas = ["tractor", "combine"]\n', encoding="utf-8"
    )
    monkeypatch.setenv("ANNOTATIONS_THEMES_FILE", str(themes))
    tractors, prisoners = extract_claims(_farm(), parser)  # results follow the file
    assert tractors.category == "machinery" and prisoners.category == "prisoners"


def test_a_broken_measure_says_what_to_fix(
    parser: Parser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    themes = tmp_path / "themes.toml"
    themes.write_text('[[measure]]\nname = "machinery"\nlemmas = "tractor"\n', encoding="utf-8")
    monkeypatch.setenv("ANNOTATIONS_THEMES_FILE", str(themes))
    with pytest.raises(InvalidInput, match="measure"):
        extract_claims(_farm(), parser)
