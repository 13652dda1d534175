"""What every command module needs at the edge: where output goes, how files are read."""

from __future__ import annotations

import sys
from collections.abc import Iterator
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
    """A UTF-8 file's text, or an error that says what to fix."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFound(f"no file {str(path)!r}: check the path") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"{path.name} is not UTF-8: re-save it as UTF-8") from None


def decode_upload(data: bytes, name: str) -> str:
    """An uploaded file's UTF-8 text (a BOM is dropped), or an error that says what to fix."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{name} is not UTF-8 (bad byte at position {exc.start}): "
                           "re-save it as UTF-8") from None
