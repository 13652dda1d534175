"""Themes and measures: what the seminar itself names in its own file.

A seminar names its themes in its own file (ANNOTATIONS_THEMES_FILE; the demo seminar's
is texts/seminar/themes.toml): one `[theme.<id>]` table each, with a `label`, `keywords`
matched on lowercase words (the last word also by lemma, so "camp" finds "camps") and,
for a theme that only says what kind of figure it is ("death tolls"), `generic = true`.
They pick the passages and claims the Compare view shows; no measure and no alignment
depends on them, so the analysis fits texts on any subject without them.

The same file may name the seminar's own measures (`[[measure]]` with a `name` and
`lemmas`: "tractors", "grain"): the library's claims.toml keeps only general measures of
human loss and repression, and a seminar on industry or harvests adds what its texts
count. A measure of the library's name widens it; the others are tried after the
library's, in the file's order.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from spacy.tokens import Span

from .. import config
from ..errors import InvalidInput


@dataclass(frozen=True)
class Theme:
    label: str
    keywords: tuple[str, ...]
    generic: bool  # names a kind of figure, not an event: given only when nothing else fits


def seminar_themes() -> dict[str, Theme]:
    """Theme id -> theme, in the order of the seminar's file; {} when it has none."""
    return _parse(_read(config.themes_file()))


def themes_digest() -> str:
    """A digest of the seminar's themes, so results computed under other themes are stale."""
    return hashlib.sha256(_read(config.themes_file())).hexdigest()[:16]


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return b""


@cache
def _parse(raw: bytes) -> dict[str, Theme]:
    where = f"themes file {config.themes_file()}"
    try:
        tables = tomllib.loads(raw.decode("utf-8")).get("theme", {})
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InvalidInput(f"{where} is not valid UTF-8 TOML ({exc}): fix the file") from None
    themes: dict[str, Theme] = {}
    for key, t in tables.items():
        words = t.get("keywords") if isinstance(t, dict) else None
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            raise InvalidInput(f"{where}: [theme.{key}] needs keywords = [\"...\", ...]")
        themes[key] = Theme(str(t.get("label", key)), tuple(words), bool(t.get("generic")))
    return themes


def seminar_measures() -> list[tuple[str, tuple[str, ...]]]:
    """(name, lemmas) of each measure the seminar's file names, in its order; [] when none."""
    return _measures(_read(config.themes_file()))


@cache
def _measures(raw: bytes) -> list[tuple[str, tuple[str, ...]]]:
    try:
        tables = tomllib.loads(raw.decode("utf-8")).get("measure", [])
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []  # reading the themes reports the broken file
    out: list[tuple[str, tuple[str, ...]]] = []
    for t in tables if isinstance(tables, list) else [tables]:
        name, lemmas = t.get("name"), t.get("lemmas")
        if not (isinstance(name, str) and name and isinstance(lemmas, list)) or not all(
            isinstance(w, str) for w in lemmas
        ):
            where = f"themes file {config.themes_file()}"
            raise InvalidInput(f'{where}: each [[measure]] needs name = "..." and lemmas = [...]')
        out.append((name, tuple(w.lower() for w in lemmas)))
    return out


def theme_labels() -> dict[str, str]:
    """Theme id -> readable label, in the order of the seminar's file."""
    return {k: t.label for k, t in seminar_themes().items()}


def count_themes(spans: list[Span], start: int = 0, end: int | None = None) -> dict[str, int]:
    """Mentions per theme among keyword matches inside [start, end), most mentioned first."""
    counts = Counter(
        s.label_ for s in spans if s.start_char >= start and (end is None or s.end_char <= end)
    )
    order = list(theme_labels())
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], order.index(kv[0]))))


def nearest_theme(spans: list[Span], start: int, end: int, lo: int, hi: int) -> str:
    """The theme whose keyword lies nearest to [start, end) within [lo, hi), or ""."""
    best: tuple[int, str] | None = None
    for s in spans:
        if s.start_char < lo or s.end_char > hi:
            continue
        distance = max(s.start_char - end, start - s.end_char, 0)
        if best is None or distance < best[0]:
            best = (distance, s.label_)
    return best[1] if best else ""
