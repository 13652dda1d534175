"""Figures set out as a table: lines of a name and a number under a line ending in ':'.

"… we get this:" followed by "Hitler 34M" / "Stalin 20M" / "Mao 10M": each row's name
says whose figure it is, not what it counts; what the rows count is named by the
line that introduces them ("If we confine our indictment to deliberate killings, we
get this:"), or, when that line names nothing ("our numbers should go back to:"),
is what the text's previous table counted.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Token

# A row: one or two words that are not numbers, then one token with a digit ("Mao 40Million").
_ROW = re.compile(r"[^\W\d_][\w’'.-]*(?:[ \t]+[^\W\d_][\w’'.-]*)?[ \t]+\S*\d\S*")


def is_row(text: str, para: tuple[int, int]) -> bool:
    return bool(_ROW.fullmatch(text[para[0]:para[1]].strip()))


def label(text: str, para: tuple[int, int]) -> str:
    """The row's name: whose figure it is ("Stalin" in "Stalin 20M")."""
    return text[para[0]:para[1]].strip().rsplit(None, 1)[0]


def introduction(text: str, paras: list[tuple[int, int]], para: tuple[int, int]
                 ) -> tuple[int, int] | None:
    """The line a row's table hangs from (it ends with ':'), or None: not a table."""
    i = paras.index(para)
    while i > 0:
        i -= 1
        if not is_row(text, paras[i]):
            return paras[i] if text[paras[i][0]:paras[i][1]].rstrip().endswith(":") else None
    return None


def _noun_phrase(t: Token) -> str:
    """The noun with the words that describe it, as written ("cold-blooded murder")."""
    mods = [c for c in t.children if c.dep_ in ("amod", "compound") and c.i < t.i]
    start = min((m.left_edge.i for m in mods), default=t.i)
    return t.doc[start : t.i + 1].text.lower()


def measure(doc: Doc, intro: tuple[int, int],
            measures: list[tuple[str, frozenset[str]]]) -> str:
    """What the introducing line says the rows count: its last noun of a known measure
    ("deliberate killings", "death toll"), or ""."""
    span = doc.char_span(intro[0], intro[1], alignment_mode="expand")
    if span is None:
        return ""
    lemmas = frozenset().union(*(m for _, m in measures))
    found = [t for t in span if t.pos_ == "NOUN" and t.lemma_.lower() in lemmas]
    return _noun_phrase(found[-1]) if found else ""
