"""Reading the seminar-editable data files under `annotations/framing/data/`.

Every lexicon and pattern lives in a TOML file so that a seminar can read and
change it without touching code; each file must say where its entries come
from and under which licence, so a missing `[about]` is an error, not a shrug.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from ..errors import InvalidInput

DATA_DIR = Path(__file__).resolve().parent / "data"


@cache
def load(name: str) -> dict[str, Any]:
    """The parsed data file `name` (e.g. "hedges.toml"), checked for provenance."""
    path = DATA_DIR / name
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInput(f"framing data file {path} is missing: restore it from git") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path.name} is not valid TOML ({exc}): fix the data file") from None
    about = raw.get("about", {})
    if not about.get("source") or not about.get("licence"):
        raise InvalidInput(
            f"{path.name} lacks [about] source and licence: say where its entries come from"
        )
    return raw


def data_files() -> list[str]:
    """Names of every data file, for tests and documentation."""
    return sorted(p.name for p in DATA_DIR.glob("*.toml"))
