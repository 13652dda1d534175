"""Agreement: hand-computed alphas and kappas, the package's reference value, real stores."""

from __future__ import annotations

import numpy as np
import pytest

from annotations import agreement, corpus
from annotations.agreement import ALL, DocumentCoding, Span
from annotations.annotation import create_annotation
from annotations.db.engine import Store
from annotations.permissions import Actor
from annotations.seminar import create_seminar

nan = np.nan
TINY = "alpha beta gamma delta\n"  # tokens [0,5) [6,10) [11,16) [17,22)


def test_reference_example_from_the_krippendorff_docstring() -> None:
    data = [[nan, nan, nan, nan, nan, 3, 4, 1, 2, 1, 1, 3, 3, nan, 3],
            [1, nan, 2, 1, 3, 3, 4, 3, nan, nan, nan, nan, nan, nan, nan],
            [nan, nan, 2, 1, 3, 4, 4, nan, 2, 1, 1, 3, 3, nan, 4]]
    assert agreement.alpha(data) == pytest.approx(0.691358, abs=1e-6)


def test_two_coders_by_hand() -> None:
    # Coincidences: o00=2, o11=2, o01=o10=2, n=8 -> Do=0.5, De=2*4*4/(8*7)=4/7, alpha=1/8.
    assert agreement.alpha([[1, 1, 0, 0], [0, 1, 1, 0]]) == pytest.approx(0.125)
    # po=2/4, pe=.5*.5+.5*.5 -> kappa 0.
    assert agreement.pair_agreement(np.array([1., 1, 0, 0]), np.array([0., 1, 1, 0])) == (
        4, 0.5, 0.0)
    assert agreement.pair_agreement(np.array([1., 0, nan]), np.array([1., 0, 1])) == (
        2, 1.0, 1.0)


@pytest.mark.parametrize("matrix", [
    [[0, 0, 0], [0, 0, 0]],  # nobody used the code: one value, alpha undefined
    [[1, 0, 1]],  # one annotator
    [[1, nan, nan], [nan, 0, nan]],  # no unit coded twice
])
def test_undefined_alpha_is_none(matrix: list[list[float]]) -> None:
    assert agreement.alpha(matrix) is None


def test_tokens_and_partial_overlap() -> None:
    assert agreement.tokens(TINY) == [(0, 5), (6, 10), (11, 16), (17, 22)]
    # A selection from inside "beta" to the end of "gamma" covers both words.
    per = agreement.token_codes(agreement.tokens(TINY), [Span("bob", 7, 16, ("x",))])
    assert per["bob"] == [frozenset(), {"x"}, {"x"}, frozenset()]


def test_passages_split_where_annotators_agree() -> None:
    doc = DocumentCoding("t", "a b c d", (Span("A", 0, 3, ("X",)), Span("B", 2, 5, ("X",))))
    got = [(p.text, p.coded) for p in agreement.passages(doc)]
    assert got == [("a", {"A": ("X",), "B": ()}), ("c", {"A": (), "B": ("X",)})]


def note(store: Store, doc: str, who: str, start: int, end: int, codes: list[str],
         seminar: str = "demo") -> None:
    text = corpus.get_text(store, doc).text
    create_annotation(store, seminar=seminar, document_id=doc, start=start, end=end,
                      quote=text[start:end], annotator=who, codes=codes)


@pytest.fixture
def coded(any_store: Store) -> Store:
    """ada: hedging on alpha+beta; bob: hedging on (b)eta+gamma; cy: omission on delta."""
    corpus.add_text(any_store, TINY.encode(),
                    actor=Actor.console(), name="tiny.txt", title="Tiny",
                    perspective="textbook", document_id="tiny")
    note(any_store, "tiny", "ada", 0, 10, ["hedging"])
    note(any_store, "tiny", "bob", 7, 16, ["hedging"])
    note(any_store, "tiny", "cy", 17, 22, ["omission"])
    note(any_store, "steel-and-sacrifice", "ada", 0, 5, ["hedging"])  # only ada: all unpaired
    create_seminar(any_store, "other", join_code="OTHER1")
    note(any_store, "tiny", "eve", 0, 22, ["hedging"], seminar="other")  # must not count
    return any_store


def test_alpha_rows_by_hand(coded: Store) -> None:
    rows = {(r.document_id, r.code): r for r in agreement.agreement_rows(coded, "demo")}
    # hedging on tiny: ada 1100, bob 0110, cy 0000. o00=5 o11=1 o01=o10=3, n=12,
    # n0=8 n1=4: Do=1/2, De=2*8*4/(12*11)=64/132 -> alpha = 1 - 66/64 = -1/32.
    assert rows["tiny", "hedging"].alpha == pytest.approx(-1 / 32)
    assert (rows["tiny", "hedging"].annotators, rows["tiny", "hedging"].units) == (3, 4)
    # omission: 0000, 0000, 0001 -> o00=10, o01=o10=1: Do=De=1/6, alpha 0.
    assert rows["tiny", "omission"].alpha == pytest.approx(0.0)
    # pooled over codes: o00=15 o11=1 o01=o10=4, n=24, n0=19 n1=5 -> alpha = 18/570.
    assert rows["tiny", ALL].alpha == pytest.approx(18 / 570)
    assert rows["tiny", ALL].units == 8
    # steel: one annotator, undefined; pooled over documents, her units pair with no one.
    assert rows["steel-and-sacrifice", "hedging"].alpha is None
    pooled = rows[ALL, "hedging"]
    assert pooled.alpha == pytest.approx(-1 / 32)
    steel_units = len(agreement.tokens(corpus.get_text(coded, "steel-and-sacrifice").text))
    assert (pooled.annotators, pooled.units) == (3, 4 + steel_units)


def test_pairwise_by_hand(coded: Store) -> None:
    pairs = {(p.document_id, p.code, p.annotator_a, p.annotator_b): p
             for p in agreement.pairwise(coded, "demo")}
    ab = pairs["tiny", "hedging", "ada", "bob"]
    assert (ab.units, ab.agreement, ab.kappa) == (4, 0.5, 0.0)
    # pooled: ada 1100|0000, cy 0000|0001 -> agree on 5 of 8; pa=2/8, pc=1/8,
    # pe = 2/8*1/8 + 6/8*7/8 = 44/64, kappa = (40/64 - 44/64) / (20/64) = -0.2
    ac = pairs["tiny", ALL, "ada", "cy"]
    assert (ac.units, ac.agreement) == (8, 5 / 8)
    assert ac.kappa == pytest.approx(-0.2)
    assert not any("eve" in key for key in pairs)


def test_disagreement_listing(coded: Store) -> None:
    got = agreement.disagreements(coded, "demo", "tiny")
    assert [(p.start, p.end, p.text, p.coded) for p in got] == [
        (0, 22, "alpha beta gamma delta",
         {"ada": ("hedging",), "bob": ("hedging",), "cy": ("omission",)})]
