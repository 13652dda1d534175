"""What every command module needs at the edge: where output goes, how files are read."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from .errors import InvalidInput, NotFound


@contextmanager
def output_to(path: Path | None) -> Iterator[TextIO]:
    """A file opened for CSV (UTF-8, no newline translation), or stdout set up the same."""
    if path is None:
        sys.stdout.reconfigure(newline="")  # type: ignore[union-attr]
        yield sys.stdout
    else:
        with path.open("w", encoding="utf-8", newline="") as f:
            yield f


def read_text_file(path: Path) -> str:
    """A UTF-8 file's exact text (CR, CRLF and LF kept as written), or an error saying what to fix.

    Read with newline="" so a CR inside a quoted CSV cell comes back as a CR.
    """
    try:
        with path.open(encoding="utf-8", newline="") as f:
            return f.read()
    except FileNotFoundError:
        raise NotFound(f"no file {str(path)!r}: check the path") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path.name} is not UTF-8: re-save it as UTF-8") from None


def read_file_bytes(path: Path) -> bytes:
    """A file's bytes, for readers that check the UTF-8 themselves (see csvread)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise NotFound(f"no file {str(path)!r}: check the path") from None


def decode_upload(data: bytes, name: str) -> str:
    """An uploaded file's UTF-8 text (a BOM is dropped), or an error that says what to fix."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{name} is not UTF-8 (bad byte at position {exc.start}): "
                           "re-save it as UTF-8") from None


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Rows as aligned columns under a header, for people (CSV is for programs).

    Numbers align right; line breaks inside a cell become spaces.
    """
    cells = [[str(c).replace("\r", " ").replace("\n", " ") for c in r] for r in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(header)]
    right = [bool(rows) and all(isinstance(r[i], int | float) for r in rows)
             for i in range(len(header))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if r else v.ljust(w)
                         for v, w, r in zip(values, widths, right, strict=True)).rstrip()

    return "\n".join([line(header), *(line(r) for r in cells)])
