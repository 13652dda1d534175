"""From the blocks an extractor reads to one verbatim text and its paratext ranges.

Every format goes through `compose`, so one rule decides what the stored text
is, and offsets are counted only here:

- within a block: Unicode NFC; CR, CRLF, NEL, VT, FF, U+2028 and U+2029 become
  a line end; soft hyphens, zero-width spaces and BOMs are removed; any other
  control character and every run of white space (NBSP and tabs included)
  becomes one space; lines are stripped and empty lines dropped;
- blocks (paragraphs, headings, captions, notes) are joined by one blank line
  ("\\n\\n") and the text ends with one "\\n"; blocks left empty are dropped.

Paratext: a heading or caption block is one range of its kind; consecutive
note blocks are one "endnotes" range; a page break is an empty range
(start == end) at the first code point of the new page (at the end of the
text for trailing empty pages).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..document import Paratext

PAGE_BREAK = "page break"
HEADING = "heading"
CAPTION = "caption"
NOTES = "endnotes"  # the kind the framing analysis reads notes from (attribution.toml)
KINDS = (PAGE_BREAK, HEADING, CAPTION, NOTES)

_LINE_ENDS = re.compile("\r\n?|[\x0b\x0c\x85\u2028\u2029]")
_REMOVED = {ord(c): None for c in "\u00ad\u200b\ufeff"}
_MARKS = [chr(c) for c in range(0xFDD0, 0xFDF0)]  # noncharacters: never part of a text


@dataclass(frozen=True)
class Block:
    """A paragraph-like unit; a page break comes before each piece after the first."""

    pieces: tuple[str, ...]
    kind: str = ""  # "" for running text, else HEADING, CAPTION or NOTES


@dataclass
class Blocks:
    """What an extractor fills while it walks a file: text, page breaks, block ends."""

    blocks: list[Block] = field(default_factory=list)
    _pieces: list[str] = field(default_factory=lambda: [""])

    def add(self, text: str) -> None:
        self._pieces[-1] += text

    def page_break(self) -> None:
        self._pieces.append("")

    def end(self, kind: str = "") -> None:
        """Close the current block (a block of only page breaks is kept for them)."""
        if len(self._pieces) > 1 or self._pieces[0].strip():
            self.blocks.append(Block(tuple(self._pieces), kind))
        self._pieces = [""]


def _block_text(pieces: tuple[str, ...]) -> tuple[str, list[int]]:
    """One block's normalised text and the offsets of its page breaks in it."""
    mark = next(m for m in _MARKS if not any(m in p for p in pieces))
    raw = _LINE_ENDS.sub("\n", unicodedata.normalize("NFC", mark.join(pieces)))
    out: list[str] = []
    breaks: list[int] = []
    space = newline = pending = False
    for ch in raw.translate(_REMOVED):
        if ch == mark:
            breaks.append(-1)  # resolved to the next kept character
            pending = True
        elif ch == "\n":
            newline = True
        elif ch.isspace() or unicodedata.category(ch) == "Cc":
            space = True
        else:
            if out and (newline or space):
                out.append("\n" if newline else " ")
            if pending:
                breaks = [len(out) if b < 0 else b for b in breaks]
                pending = False
            space = newline = False
            out.append(ch)
    text = "".join(out)
    return text, [len(text) if b < 0 else b for b in breaks]


def compose(blocks: Iterable[Block]) -> tuple[str, tuple[Paratext, ...]]:
    """The stored text and its paratext ranges (code points, end exclusive)."""
    parts: list[str] = []
    ranges: list[Paratext] = []
    pos = 0
    carried = 0  # page breaks waiting for the next block with text
    previous = ""
    for block in blocks:
        text, breaks = _block_text(block.pieces)
        if not text:
            carried += len(breaks)
            continue
        start = pos + (2 if parts else 0)
        inner = [b for b in breaks if b < len(text)]
        ranges += [Paratext(PAGE_BREAK, start, start)] * carried
        ranges += [Paratext(PAGE_BREAK, start + b, start + b) for b in inner]
        carried = len(breaks) - len(inner)
        end = start + len(text)
        if block.kind == NOTES and previous == NOTES and ranges:
            last = max(i for i, r in enumerate(ranges) if r.kind == NOTES)
            ranges[last] = Paratext(NOTES, ranges[last].start, end)
        elif block.kind:
            ranges.append(Paratext(block.kind, start, end))
        parts.append(("\n\n" if parts else "") + text)
        pos, previous = end, block.kind
    text = "".join(parts) + ("\n" if parts else "")
    ranges += [Paratext(PAGE_BREAK, len(text), len(text))] * carried
    ranges.sort(key=lambda r: (r.start, r.end))
    return text, tuple(ranges)
