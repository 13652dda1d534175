"""Endnotes: the note calls in the running text and the notes they point to.

A claim's credibility often rests on its note, and "Ibid." only makes sense
with the note before it, so each note's text is resolved once here.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from ..document import SourceText
from .datafiles import load


@dataclass(frozen=True)
class NoteCall:
    start: int
    end: int
    number: int


@dataclass(frozen=True)
class Notes:
    calls: list[NoteCall]  # in the running text, in order
    texts: dict[int, str]  # note number -> its text, "Ibid." resolved in brackets
    text: str  # the whole document, so callers need not rebuild Doc.text (slow)

    def author(self, number: int) -> str:
        """The name note `number` opens with, its "Ibid." resolved: "A. Applebaum"."""
        note = self.texts[number]
        base = re.search(r"\[Ibid\. = (?P<base>.+)\]$", note)
        return cited_name(base.group("base") if base else note)

    def call_after(self, pos: int) -> NoteCall | None:
        """The first note call at or after `pos`: a note covers the text since the previous call."""
        i = bisect_left([c.start for c in self.calls], pos)
        return self.calls[i] if i < len(self.calls) else None


def _number(call: re.Match[str]) -> int:
    """The number of a note call, whichever of its forms matched: (8) or [8]."""
    return int(next(g for g in call.groups() if g))


NAME = re.compile(
    r"(?:[A-Z]\.|[A-Z][\w’'-]+)(?:\s+(?:[A-Z]\.|[A-Z][\w’'-]+|&|and|de|von|van|du|la|le))*"
)


def cited_name(citation: str) -> str:
    """The name a citation or note opens with: "Guy Debord", "A. Peacock, Title, p. 77" and
    "Donald Greer (1935)" give "Guy Debord", "A. Peacock", "Donald Greer"; "Ibid., p. 5",
    "p. 77", a title ("Mao. The Unknown Story") and "Taken from the entry in ..." give ""."""
    first = re.split(r"[,(:]", citation, maxsplit=1)[0].strip().rstrip(".")
    words = first.split()
    if not words or len(words) > 6 or words[0] in load("attribution.toml")["not_names"]:
        return ""
    return first if NAME.fullmatch(first) else ""


def read_notes(source: SourceText) -> Notes:
    """Note calls outside the endnotes, and each note's text with "Ibid." resolved."""
    raw = load("attribution.toml")
    areas = [(p.start, p.end) for p in source.meta.paratext if p.kind == raw["endnote_paratext"]]
    texts: dict[int, str] = {}
    base = ""
    for start, end in areas:
        for line in source.text[start:end].split("\n"):
            m = re.match(raw["endnote_line"], line)
            if not m:
                continue
            body = m.group(2)
            if re.match(raw["ibid"], body) and base:
                texts[int(m.group(1))] = f"{body} [Ibid. = {base}]"
            else:
                base = body
                texts[int(m.group(1))] = body
    calls = [
        NoteCall(m.start(), m.end(), _number(m))
        for m in re.finditer(raw["endnote_marker"], source.text)
        if _number(m) in texts and not any(s <= m.start() < e for s, e in areas)
    ]
    return Notes(calls, texts, source.text)
