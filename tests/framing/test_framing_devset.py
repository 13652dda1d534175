"""The development set (tests/data/devset, CC0) scored as its README says, by the same code
as bench/score_devset.py: held-out texts on another topic guard against rules that only
fit the seed texts. The seed texts are scored against their own gold (tests/data/seeds)
too, so that a rule written for the development set does not undo the seeds."""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from annotations import config
from annotations.document import SourceText
from annotations.framing import Parser


def _scorer() -> ModuleType:
    path = config.PROJECT_ROOT / "bench" / "score_devset.py"
    spec = importlib.util.spec_from_file_location("score_devset", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["score_devset"] = module
    spec.loader.exec_module(module)
    return module


def _gold(folder: Path) -> dict[str, Any]:
    return tomllib.loads((folder / "gold.toml").read_text(encoding="utf-8"))


def _assert_needles_occur_once(gold: dict[str, Any], sources: list[SourceText]) -> None:
    """Every gold row's needle stands exactly once in its text."""
    texts = {f"{s.meta.document_id}.txt": s.text for s in sources}
    for table, rows in gold.items():
        for r in rows:
            assert texts[r["doc"]].count(r["needle"]) == 1, (table, r["needle"])


@pytest.fixture(scope="module")
def report(parser: Parser) -> object:
    scorer = _scorer()
    return scorer.score(scorer.devset_sources(), _gold(scorer.DEVSET), parser)


def test_gold_needles_occur_once_in_the_vendored_texts() -> None:
    scorer = _scorer()
    _assert_needles_occur_once(_gold(scorer.DEVSET), scorer.devset_sources())


def test_claims_on_the_development_set(report: object) -> None:
    c = report.claims  # type: ignore[attr-defined]
    assert c.recall >= 0.95 and c.precision >= 0.95
    assert report.non_claims == 0  # type: ignore[attr-defined]
    assert c.fields["value"] / c.matched >= 0.97
    assert c.fields["bound"] / c.matched >= 0.97
    # the goal is 90%; floors a little below what is reached (97%, 91%, 100%)
    assert c.fields["counted"] / c.matched >= 0.94
    assert c.fields["period"] / c.matched >= 0.90
    assert c.fields["attributed_to"] / c.matched >= 0.96


def test_voices_and_hedges_on_the_development_set(report: object) -> None:
    v = report.voices  # type: ignore[attr-defined]
    assert v.fields["speaker"] / v.gold >= 0.9
    h = report.hedges  # type: ignore[attr-defined]
    assert h.precision >= 0.85


def test_no_aligned_group_mixes_russia_with_france(report: object) -> None:
    assert report.alignment.mixed_places == []  # type: ignore[attr-defined]


def test_alignment_on_the_development_set(report: object) -> None:
    al = report.alignment  # type: ignore[attr-defined]
    # reached: recall 10/44, precision 10/10 (with the seed-built themes: 4/44 and 4/11)
    assert al.aligned >= 10 and al.precision == 1.0


@pytest.fixture(scope="module")
def seed_report(parser: Parser) -> object:
    scorer = _scorer()
    return scorer.score(
        scorer.seed_sources(), _gold(scorer.SEEDS), parser, scorer.SEEDS_FOREIGN,
        scorer.SEEDS_MIXING,
    )


def test_seed_gold_needles_occur_once_in_the_seed_texts() -> None:
    scorer = _scorer()
    gold = _gold(scorer.SEEDS)
    assert set(gold) == {"claim", "non_claim", "voice", "hedge"}
    _assert_needles_occur_once(gold, scorer.seed_sources())


def test_claims_on_the_seeds_do_not_fall(seed_report: object) -> None:
    # floors at what is measured (75 gold claims; 61 found when the gold was written, 73
    # since a plural scale alone ("millions") and a duration are read); counted 68 since
    # a table's rows count what its introduction names (50 when the gold was written)
    c = seed_report.claims  # type: ignore[attr-defined]
    assert c.matched >= 73 and c.precision == 1.0
    assert seed_report.non_claims == 0  # type: ignore[attr-defined]
    assert c.fields["value"] >= 73 and c.fields["bound"] >= 73
    assert c.fields["counted"] >= 69  # 68 before a bare number's verb kept where it went
    assert c.fields["period"] >= 68  # 66 before a year set right after a figure dated it
    assert c.fields["attributed_to"] >= 72  # 71 before a letter credited its writer


def test_voices_hedges_and_alignment_on_the_seeds_do_not_fall(seed_report: object) -> None:
    v = seed_report.voices  # type: ignore[attr-defined]
    # 13/19 with their speaker (22 found) before the rules of test_framing_speakers.py
    assert v.matched == 19 and v.fields["speaker"] >= 19 and v.precision == 1.0
    h = seed_report.hedges  # type: ignore[attr-defined]
    assert h.matched >= 6 and h.precision == 1.0  # 6/7 before "made possible" was told apart
    al = seed_report.alignment  # type: ignore[attr-defined]
    assert al.mixed_places == [] and al.precision == 1.0 and al.aligned >= 1


@pytest.fixture(scope="module")
def heldout_report(parser: Parser) -> object:
    scorer = _scorer()
    return scorer.score(
        scorer.heldout_sources(), _gold(scorer.HELDOUT), parser, scorer.HELDOUT_FOREIGN,
        scorer.HELDOUT_MIXING,
    )


def test_heldout_gold_needles_occur_once() -> None:
    scorer = _scorer()
    _assert_needles_occur_once(_gold(scorer.HELDOUT), scorer.heldout_sources())


def test_the_held_out_set_does_not_fall(heldout_report: object) -> None:
    # written blind (tests/data/heldout/README.md); first sight: recall 61/66, precision
    # 61/63, one non-claim, value 56/61, counted 43/61, period 52/61, attributed_to 52/61,
    # voices 16/18 with their speaker, one group mixing Bengal with Ireland
    c = heldout_report.claims  # type: ignore[attr-defined]
    assert c.matched >= 64 and c.precision == 1.0
    assert heldout_report.non_claims == 0  # type: ignore[attr-defined]
    assert c.fields["value"] >= 64 and c.fields["bound"] >= 64
    assert c.fields["counted"] >= 57 and c.fields["period"] >= 62
    assert c.fields["attributed_to"] >= 64
    v = heldout_report.voices  # type: ignore[attr-defined]
    assert v.matched == 18 and v.fields["speaker"] >= 18
    al = heldout_report.alignment  # type: ignore[attr-defined]
    assert al.mixed_places == [] and al.precision == 1.0


@pytest.mark.parametrize(
    ("folder", "sources", "foreign", "floors"),
    [
        # the Thirty Years' War, written blind; first sight 36/46 found, counted 32,
        # period 28, attributed_to 30 (see the README)
        ("BLIND", "blind_sources", "BLIND_FOREIGN", (45, 45, 41, 37, 44, 14)),
        # 1812, written blind; first sight 65/73 found, counted 48, period 20 (its gold
        # dates figures by their narrative's year, which the issue rules out)
        ("BLIND2", "blind2_sources", "BLIND2_FOREIGN", (68, 67, 58, 25, 68, 14)),
    ],
)
def test_the_blind_sets_do_not_fall(
    parser: Parser, folder: str, sources: str, foreign: str, floors: tuple[int, ...]
) -> None:
    scorer = _scorer()
    gold = _gold(getattr(scorer, folder))
    texts = getattr(scorer, sources)()
    _assert_needles_occur_once(gold, texts)
    report = scorer.score(texts, gold, parser, getattr(scorer, foreign), "")
    c = report.claims
    found, value, counted, period, credited, speakers = floors
    assert c.matched >= found and c.fields["value"] >= value
    assert c.fields["counted"] >= counted and c.fields["period"] >= period
    assert c.fields["attributed_to"] >= credited
    assert report.voices.fields["speaker"] >= speakers
    assert report.alignment.mixed_places == [] and report.alignment.precision == 1.0
