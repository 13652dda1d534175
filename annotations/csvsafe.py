"""Every CSV the project writes goes through here, so no cell runs as a spreadsheet formula.

OWASP CSV injection: a cell whose first non-blank character (after spaces,
tabs, NBSP or zero-width characters) is = + - @, their full-width forms
＝ ＋ － ＠, a tab or a CR, possibly after apostrophes, gets one more
apostrophe in front. `restore` removes exactly that apostrophe, so the pair is
a bijection: import(export(x)) == x for every string, including strings that
already start with apostrophes. A plain signed number ("-5", "+0.25") is data,
not a formula, and is left alone so numeric columns stay numeric.

The writer is RFC 4180: CRLF row ends, quotes only where needed; `raw` turns
the guard off (for tools that never open the file in a spreadsheet).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from typing import TextIO

# Blanks a spreadsheet skips before it decides a cell is a formula, and what it
# then takes for one. Public so a database can pre-filter rows (see export).
BLANKS = " \t\u00a0\u200b\u200c\u200d\u2060\ufeff"
TRIGGERS = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"
_BLANKS, _TRIGGERS = BLANKS, TRIGGERS
# Characters a cell may start with and still need a look; anything else is safe.
_FIRST = frozenset(TRIGGERS + BLANKS + "'")
_RISKY = f"[{re.escape(_BLANKS)}]*[{re.escape(_TRIGGERS)}]"
_NEEDS_GUARD = re.compile(f"'*{_RISKY}")
_GUARDED = re.compile(f"'+{_RISKY}")
_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")

LINE_END = "\r\n"


def neutralise(cell: str) -> str:
    """`cell`, with one apostrophe in front if a spreadsheet would run it."""
    # Most cells start with a letter or digit: decide on the first character first.
    if not cell or cell[0] not in _FIRST:
        return cell
    if _NEEDS_GUARD.match(cell) and not _NUMBER.fullmatch(cell.lstrip("'")):
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """The exact inverse of `neutralise`, for every string."""
    if not cell or cell[0] != "'":
        return cell
    if _GUARDED.match(cell) and not _NUMBER.fullmatch(cell.lstrip("'")):
        return cell[1:]
    return cell


def _guard_cell(value: object) -> object:
    return neutralise(value) if isinstance(value, str) else value


class CsvWriter:
    """A csv writer that guards every text cell (unless `raw`); numbers and None pass as is."""

    def __init__(self, out: TextIO, *, raw: bool = False) -> None:
        self._writer = csv.writer(out, lineterminator=LINE_END)
        self.raw = raw

    def writerow(self, row: Sequence[object]) -> None:
        self._writer.writerow(row if self.raw else [_guard_cell(v) for v in row])

    def writerows(self, rows: Iterable[Sequence[object]]) -> None:
        if self.raw:
            self._writer.writerows(rows)
        else:
            self._writer.writerows([_guard_cell(v) for v in row] for row in rows)

    def guarded(self, row: Sequence[object]) -> Sequence[object]:
        """`row` as `writerow` would write it: text cells guarded unless raw."""
        return row if self.raw else [_guard_cell(v) for v in row]

    def writerows_checked(self, rows: Iterable[Sequence[object]]) -> None:
        """Rows whose text cells the caller has checked need no guard (see `neutralise`).

        The fast path of large exports: no look at each cell in Python.
        """
        self._writer.writerows(rows)


def write_csv(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[object]], *,
              raw: bool = False) -> None:
    """Write a header and rows as RFC 4180 CSV, text cells guarded unless `raw`.

    `out` must be opened with newline="" (see cliutil.output_to) so CRLF stays CRLF.
    """
    w = CsvWriter(out, raw=raw)
    w.writerow(header)
    w.writerows(rows)
