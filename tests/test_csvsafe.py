"""Formula neutralising: spreadsheets must not run cells, imports must get them back."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.csvsafe import neutralise, restore


@pytest.mark.parametrize("cell", ["=1+1", "+49 30", "-5", "@SUM(A1)", "\tx", "\rx",
                                  "=HYPERLINK(\"http://x\")"])
def test_triggers_get_an_apostrophe(cell: str) -> None:
    assert neutralise(cell) == "'" + cell
    assert restore(neutralise(cell)) == cell


@pytest.mark.parametrize("cell", ["", "plain", " =not first", "a=b", "'quoted", "''", "1-2",
                                  "\n=x", "—dash"])
def test_harmless_cells_are_left_alone(cell: str) -> None:
    assert neutralise(cell) == cell
    assert restore(cell) == cell


def test_existing_apostrophes_are_kept() -> None:
    assert neutralise("'=x") == "''=x"
    assert restore("''=x") == "'=x"
    assert restore("'plain") == "'plain"


@given(st.text(alphabet=st.sampled_from("'=+-@\t\r a;\"\n")) | st.text())
def test_restore_inverts_neutralise(cell: str) -> None:
    assert restore(neutralise(cell)) == cell


@given(st.text())
def test_neutralised_cell_never_starts_with_a_trigger(cell: str) -> None:
    out = neutralise(cell)
    assert not out[:1] or out[0] not in "=+-@\t\r"
