"""Formula neutralising: spreadsheets must not run cells, imports must get them back."""

from __future__ import annotations

import csv
import io
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotations.csvsafe import CsvWriter, neutralise, restore, write_csv

BLANKS = " \t\u00a0\u200b\u200c\u200d\u2060\ufeff"
TRIGGERS = "=+-@\t\r＝＋－＠"
NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?")


@pytest.mark.parametrize("cell", [
    "=1+1", "+49 30", "-5+5", "-1-cmd|' /C calc'!A0", "@SUM(A1)", "- 5", "-5e", "\tx", "\rx", "=HYPERLINK(\"http://x\")",
    " =not first", "  +1", "\t-1", "\u00a0=1+1", "\u200b@SUM(A1)", "\ufeff=x", " \u2060 -x",
    "＝1+1", "＋1", "－1", "＠SUM(A1)", " ＝x",
])
def test_triggers_get_an_apostrophe(cell: str) -> None:
    assert neutralise(cell) == "'" + cell
    assert restore(neutralise(cell)) == cell


@pytest.mark.parametrize("cell", ["", "plain", "a=b", "-5", "+0.25", "-1e-3", "'-5", "'quoted",
                                  "''", "1-2", "\n=x", "—dash", " plain", "\u00a0x", "x =1", "' x"])
def test_harmless_cells_are_left_alone(cell: str) -> None:
    assert neutralise(cell) == cell
    assert restore(cell) == cell


def test_existing_apostrophes_are_kept() -> None:
    assert neutralise("'=x") == "''=x"
    assert restore("''=x") == "'=x"
    assert restore("'plain") == "'plain"
    assert neutralise("' =x") == "'' =x"
    assert restore("'' =x") == "' =x"


@given(st.text(alphabet=st.sampled_from("'=+-@\t\r a;\"\n.e15" + BLANKS + TRIGGERS))
       | st.text())
def test_restore_inverts_neutralise(cell: str) -> None:
    assert restore(neutralise(cell)) == cell


@given(st.text(alphabet=st.sampled_from("'=+-@\t\r a;\"\n" + BLANKS + TRIGGERS)) | st.text())
def test_neutralised_cell_never_starts_a_formula(cell: str) -> None:
    out = neutralise(cell)
    first = out.lstrip(BLANKS)[:1]
    assert not first or first not in TRIGGERS or NUMBER.fullmatch(out)


@given(st.lists(st.lists(st.text() | st.integers() | st.none(), min_size=3, max_size=3),
                max_size=5))
def test_write_csv_reads_back_with_restore(rows: list[list[object]]) -> None:
    out = io.StringIO(newline="")
    write_csv(out, ("a", "b", "c"), rows)
    back = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert back[0] == ["a", "b", "c"]
    want = [["" if v is None else str(v) for v in r] for r in rows]
    assert [[restore(c) for c in r] for r in back[1:]] == want


def test_write_csv_guards_text_unless_raw() -> None:
    out = io.StringIO(newline="")
    write_csv(out, ("title", "n"), [("=cmd()", -3), ("ok", "-0.5")])
    assert out.getvalue() == "title,n\r\n'=cmd(),-3\r\nok,-0.5\r\n"
    out = io.StringIO(newline="")
    write_csv(out, ("title", "n"), [("=cmd()", -3)], raw=True)
    assert out.getvalue() == "title,n\r\n=cmd(),-3\r\n"


def test_writer_object_guards_each_row() -> None:
    out = io.StringIO(newline="")
    w = CsvWriter(out)
    w.writerow(["@x", None])
    w.writerows([["－1", 1.5]])
    assert out.getvalue() == "'@x,\r\n'－1,1.5\r\n"
