"""Neutralising cells that a spreadsheet would run as a formula (OWASP CSV injection).

A cell that starts with = + - @ tab or CR, possibly after apostrophes, gets one
more apostrophe in front. `restore` removes exactly that apostrophe, so the
pair is a bijection: import(export(x)) == x for every string, including
strings that already start with apostrophes.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from typing import TextIO

_TRIGGERS = "=+-@\t\r"
_NEEDS_GUARD = re.compile(r"^'*[=+\-@\t\r]")
_GUARDED = re.compile(r"^'+[=+\-@\t\r]")


def neutralise(cell: str) -> str:
    # Most cells start with a letter: decide on the first character before any regex.
    if not cell or (cell[0] not in _TRIGGERS and cell[0] != "'"):
        return cell
    return "'" + cell if _NEEDS_GUARD.match(cell) else cell


def restore(cell: str) -> str:
    return cell[1:] if _GUARDED.match(cell) else cell


def write_csv(
    out: TextIO, header: Sequence[str], rows: Iterable[Sequence[object]], *, raw: bool = False
) -> None:
    """The one CSV writer: a header, then rows, each text cell neutralised unless `raw`."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [neutralise(c) if isinstance(c, str) and not raw else c for c in row]
        )
