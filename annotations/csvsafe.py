"""Neutralising cells that a spreadsheet would run as a formula (OWASP CSV injection).

A cell that starts with = + - @ tab or CR, possibly after apostrophes, gets one
more apostrophe in front. `restore` removes exactly that apostrophe, so the
pair is a bijection: import(export(x)) == x for every string, including
strings that already start with apostrophes.
"""

from __future__ import annotations

import re

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
