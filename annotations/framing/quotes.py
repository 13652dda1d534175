"""Quotations and scare quotes, found on the raw text.

The seed texts mix curly (‘ ’ “ ”) and straight (' ") marks, and ’ doubles as
the apostrophe, so pairing is done per line with rules from data/quotes.toml
rather than by spaCy, which does not pair quotation marks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .datafiles import load


@dataclass(frozen=True)
class Quotation:
    start: int  # the opening mark
    end: int  # after the closing mark, or the end of the line when it never closes
    kind: str  # "direct" or "scare"
    distanced: bool = False  # "so-called ‘X’": the author holds the words at a distance


def _opens(line: str, i: int) -> bool:
    return (i == 0 or not line[i - 1].isalnum()) and i + 1 < len(line) and not line[i + 1].isspace()


def _closes(line: str, i: int) -> bool:
    return i + 1 >= len(line) or not line[i + 1].isalnum()


def _possessive(line: str, i: int, close: str, open_: str) -> bool:
    """ "‘the Bolsheviks’ experiment…’": a ’ after s, before a lowercase word, with a later ’."""
    if close != "’" or line[i - 1] != "s" or not re.match(r" [a-z]", line[i + 1 : i + 3]):
        return False
    later = line.find(close, i + 1)
    reopen = line.find(open_, i + 1)
    return later != -1 and (reopen == -1 or later < reopen)


def _pairs_in_line(line: str, open_: str, close: str) -> list[tuple[int, int, bool]]:
    """(start, end, closed) for each quotation marked by this pair in one line."""
    found: list[tuple[int, int, bool]] = []
    i = 0
    single = len(open_) == 1 and open_ in "‘'"
    while (start := line.find(open_, i)) != -1:
        if not _opens(line, start):
            i = start + 1
            continue
        j = start + 1
        end = -1
        while (k := line.find(close, j)) != -1:
            if _closes(line, k) and k > start + 1 and not _possessive(line, k, close, open_):
                end = k
                break
            j = k + 1
        if end == -1:
            if not single:  # an unclosed double mark quotes to the end of its paragraph
                found.append((start, len(line), False))
            break
        found.append((start, end + 1, True))
        i = end + 1
    return found


def find_quotations(text: str) -> list[Quotation]:
    """Direct quotations and scare quotes in `text`, outermost only, in order."""
    raw = load("quotes.toml")
    max_words = int(raw["scare_max_words"])
    distancing = re.compile(
        r"\b(?:" + "|".join(re.escape(w) for w in raw["distancing"]) + r")\s*$", re.IGNORECASE
    )
    spans: list[tuple[int, int, bool]] = []
    pos = 0
    for line in text.split("\n"):
        for open_, close in raw["pairs"]:
            spans.extend((pos + s, pos + e, c) for s, e, c in _pairs_in_line(line, open_, close))
        pos += len(line) + 1
    spans.sort(key=lambda s: (s[0], -s[1]))
    out: list[Quotation] = []
    last_end = -1
    for start, end, closed in spans:
        if start < last_end:
            continue  # nested or overlapping: the outer quotation already covers it
        inner = text[start + 1 : end - 1 if closed else end].strip()
        before = text[max(0, start - 3) : start].strip()
        words = len(re.findall(r"\w+(?:[-’']\w+)*", inner))
        distanced = distancing.search(text[max(0, start - 30) : start]) is not None
        direct = not distanced and (
            words > max_words
            or before.endswith(":")
            or bool(re.search(r"[.?!…]$", inner))
            or not closed
        )
        out.append(Quotation(start, end, "direct" if direct else "scare", distanced))
        last_end = end
    return out
