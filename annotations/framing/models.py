"""The typed results of framing analysis and the claims ledger.

Every span is (start, end, text) in Unicode code points into the verbatim
text, end exclusive, with `text == source.text[start:end]`, so a student can
jump from a figure to the words behind it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Evidence = tuple[int, int, str]


@dataclass(frozen=True)
class Metric:
    """One measure of a document or paragraph and the spans that make it up."""

    name: str
    count: int
    per_1000_words: float
    evidence: list[Evidence] = field(default_factory=list)
    value: float | None = None  # a score that is not a count (readability), else None


@dataclass(frozen=True)
class Attribution:
    """Who a sentence says its claim comes from.

    kind is "named" (a person or organisation, archives included), "vague"
    ("some historians"), "agentless" ("it is estimated that") or "absent".
    """

    sentence: Evidence
    kind: str
    reporting: Evidence | None  # the reporting verb or frame ("according to")
    source: Evidence | None  # the words naming the source


@dataclass(frozen=True)
class ParagraphAnalysis:
    index: int  # position among `document.paragraphs(text)`, from 0
    start: int
    end: int
    metrics: list[Metric]
    themes: list[str]  # most mentioned first


@dataclass(frozen=True)
class DocumentAnalysis:
    document_id: str
    sha256: str
    words: int
    metrics: list[Metric]
    paragraphs: list[ParagraphAnalysis]
    attributions: list[Attribution]
    themes: dict[str, int]  # theme -> mentions in the whole text

    def metric(self, name: str) -> Metric:
        """The document-level metric `name`; KeyError names the ones that exist."""
        for m in self.metrics:
            if m.name == name:
                return m
        raise KeyError(f"no metric {name!r}; known: {', '.join(m.name for m in self.metrics)}")


@dataclass(frozen=True)
class Claim:
    """One quantitative claim: a number or range as written and what it counts."""

    claim_id: str  # f"{document_id}:{start}", stable while the text is unchanged
    document_id: str
    start: int
    end: int
    quote: str  # the number or range exactly as written
    value_low: float
    value_high: float
    unit: str  # the word after the number as written ("people", "%", "ton"), or ""
    counted: str  # what is counted, from data/claims.toml ("deaths", "camps"), or ""
    period_start: int | None
    period_end: int | None
    attributed_to: str  # endnote text, named source, "archives"; "" when nobody
    theme: str  # from data/themes.toml, or ""
