"""Figures set out as a table: lines of a name and a number under a line ending in ':'.

"… we get this:" followed by "Hitler 34M" / "Stalin 20M" / "Mao 10M": each row's name
says whose figure it is, not what it counts; what the rows count is named by a
header's value column ("Census year   Population"), by the line that introduces them
("If we confine our indictment to deliberate killings, we get this:"), or, when that
line names nothing ("our numbers should go back to:"), is what the text's previous
table counted. A row named by a year ("1841   8,175,124") is dated by it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from .numbers import find_years

# A row: a name of one to three words, or a year ("1841", "1846-51"), then one token with a
# digit ("Mao 40Million", "1841    8,175,124").
_ROW = re.compile(
    r"(?:[^\W\d_][\w’'.-]*(?:[ \t]+[^\W\d_][\w’'.-]*){0,2}|\d{4}(?:[-–]\d{2,4})?)[ \t]+\S*\d\S*"
)
# Or a name with a date, a colon, then the number: "Niemen, 24 June 1812: 422,000".
_DATED_ROW = re.compile(r"(?P<name>[^\W\d_][^:\n]{0,60}):[ \t]+\S*\d\S*")
# A header: column names set apart by a tab or two spaces, no digits ("Census year   Population").
_HEADER = re.compile(r"[^\W\d_][^\d\t]*?(?:\t|[ ]{2,})\s*[^\W\d_][^\d]*")
# Verbs that present a table: "The strength of the army ... is shown below:".
PRESENTING = frozenset({"show", "give", "list", "set", "tabulate", "present", "summarise",
                        "summarize", "follow"})
_YEARS = re.compile(r"(\d{4})(?:[-–](\d{2,4}))?")


@dataclass(frozen=True)
class Row:
    """A table row: what introduces its table, its header's value column, its name."""

    intro: tuple[int, int]  # the line ending in ':'
    column: str  # the header's last column name ("Population"), "" without a header
    label: str  # the row's name: whose figure ("Stalin"), where ("Niemen") or when ("1841")
    years: tuple[int, int] | None  # the years the label gives

    @property
    def place(self) -> str:
        """Where or whose the row's figure is: its name, unless the name is only years."""
        return "" if _YEARS.fullmatch(self.label) else self.label


def is_row(text: str, para: tuple[int, int]) -> bool:
    line = text[para[0] : para[1]].strip()
    return bool(_ROW.fullmatch(line) or _DATED_ROW.fullmatch(line))


def row(text: str, paras: list[tuple[int, int]], para: tuple[int, int]) -> Row | None:
    """The table row `para` is, or None: rows hang from a line ending in ':', with at most
    a header line of column names between."""
    if not is_row(text, para):
        return None
    i = paras.index(para)
    while i > 0 and is_row(text, paras[i - 1]):
        i -= 1
    column = ""
    if i > 0 and _HEADER.fullmatch(text[paras[i - 1][0] : paras[i - 1][1]].strip()):
        column = re.split(r"\t|[ ]{2,}", text[paras[i - 1][0] : paras[i - 1][1]].strip())[-1]
        i -= 1
    if i == 0 or not text[paras[i - 1][0] : paras[i - 1][1]].rstrip().endswith(":"):
        return None
    line = text[para[0] : para[1]].strip()
    dated = _DATED_ROW.fullmatch(line)
    if dated is not None:  # "Niemen, 24 June 1812": the place, dated by the year in it
        name = dated.group("name")
        found = find_years(name)
        years = (min(y.first for y in found), max(y.last for y in found)) if found else None
        return Row(paras[i - 1], column.strip(), name.split(",")[0].strip(), years)
    name = line.rsplit(None, 1)[0]
    found = find_years(name) if _YEARS.fullmatch(name) else []
    whole = len(found) == 1 and (found[0].start, found[0].end) == (0, len(name))
    years = (found[0].first, found[0].last) if whole else None  # "1841", "1846-51"
    return Row(paras[i - 1], column.strip(), name, years)


def _noun_phrase(t: Token) -> str:
    """The noun with the words that describe it, as written ("cold-blooded murder")."""
    mods = [c for c in t.children if c.dep_ in ("amod", "compound") and c.i < t.i]
    start = min((m.left_edge.i for m in mods), default=t.i)
    return t.doc[start : t.i + 1].text.lower()


def measure(doc: Doc, intro: tuple[int, int],
            measures: list[tuple[str, frozenset[str]]]) -> str:
    """What the sentence that introduces the rows (the one its colon ends) says they
    count: its last noun of a known measure ("deliberate killings", "death toll"); else,
    for a heading (it opens with a noun or an adjective), its noun ("estimated loss of
    population"); else the subject of a verb that presents them ("The strength of the
    army ... is shown below:"); or ""."""
    line = doc.text[intro[0] : intro[1]]
    last = max((m.end() for m in re.finditer(r"[.!?]\s+", line)), default=0)
    span = doc.char_span(intro[0] + last, intro[1], alignment_mode="expand")
    if span is None:
        return ""
    lemmas = frozenset().union(*(m for _, m in measures))
    found = [t for t in span if t.pos_ == "NOUN" and t.lemma_.lower() in lemmas]
    if found:
        return _noun_phrase(found[-1])
    nouns = [t for t in span if t.pos_ == "NOUN"]
    if span[0].pos_ in ("NOUN", "ADJ") or span[0].tag_ == "VBN":  # "Estimated loss ...:"
        head = span.root if span.root.pos_ == "NOUN" else (nouns[0] if nouns else None)
    elif span.root.lemma_.lower() in PRESENTING:
        subjects = [c for c in span.root.children if c.dep_ in ("nsubj", "nsubjpass")]
        head = subjects[0] if subjects and subjects[0].pos_ == "NOUN" else None
    else:
        return ""  # a sentence ("Adding the wars, the list goes back to:")
    if head is None:
        return ""
    of = [o for c in head.children if c.lower_ == "of" for o in c.children if o.dep_ == "pobj"]
    return " ".join([_noun_phrase(head), *(f"of {_noun_phrase(o)}" for o in of[:1])])
