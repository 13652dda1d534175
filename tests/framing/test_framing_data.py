"""Every lexicon and pattern file says where it comes from and loads."""

from __future__ import annotations

import pytest

from annotations.framing.datafiles import data_files, load


def test_there_are_data_files() -> None:
    assert "metadiscourse.toml" in data_files()
    # themes are the seminar's own (ANNOTATIONS_THEMES_FILE), not a lexicon of the project
    assert "themes.toml" not in data_files()


@pytest.mark.parametrize("name", data_files())
def test_each_data_file_records_source_and_licence(name: str) -> None:
    about = load(name)["about"]
    assert about["source"].strip() and about["licence"].strip()


def test_no_lexicon_keeps_words_taken_from_the_seed_texts() -> None:
    # issue 12: these entries came from the seed texts and are in no published list
    for name in data_files():
        raw = str(load(name))
        body = raw.split("'about'")[0]
        for word in ("powerhouse", "crowning", "emasculated", "cosmetically", "grandiloquent"):
            assert f"'{word}'" not in body, (name, word)


def test_the_library_keeps_only_general_measures() -> None:
    # issue 12: the seed texts' topic measures are the demo seminar's (texts/seminar)
    names = {c["name"] for c in load("claims.toml")["counted"]}
    assert names == {
        "executions", "deaths", "deportees", "arrests", "prisoners", "forced labourers",
    }  # fmt: skip
