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
    # metrics count the author's voice; each embedded voice ("quotation: Robespierre",
    # "comment: Whitaker", "paratext: image caption") is counted here apart
    voices: dict[str, list[Metric]] = field(default_factory=dict)

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
    value_low: float | None  # None for an upper bound ("up to 40,000")
    value_high: float | None  # None for a lower bound ("more than 1,600")
    unit: str  # the word after the number as written ("people", "%", "ton"), or ""
    counted: str  # what the number quantifies, from the parse ("people executed"), or ""
    period_start: int | None
    period_end: int | None
    # the quoted speaker or commenter, the note called in the figure's sentence (its
    # author first), a source named in the sentence; "" when nobody
    attributed_to: str
    theme: str  # the seminar's theme (ANNOTATIONS_THEMES_FILE) nearest the figure, or ""
    # how the figure is bounded: point, approx ("about"), lower ("more than"),
    # upper ("up to") or range; the open side of lower/upper is None
    bound: str = "point"
    # where attributed_to comes from: voice (a quoted speaker or commenter),
    # endnote (called in the same sentence), named (a source named in the sentence),
    # base (the source of the earlier count a share is taken of), vague, or none
    attribution_from: str = "none"
    # the kind of quantity, from data/claims.toml ("executions", "deaths"), for alignment
    category: str = ""
    place: str = ""  # where the figure applies: a place its sentence or paragraph names
    kind: str = "count"  # count (a stock or a flow), share (a percentage) or rate ("a day")
    # what else the figure's own clause says it is about, as lemmas from the parse: a
    # named event or the nouns its words take through a preposition or as their subject
    # ("died in the camps" -> "camp", "a famine that killed" -> "famine"), ", "-joined
    event: str = ""
    # for a figure that names no place, the places and names its text gives (casefolded,
    # ", "-joined): the figure can only be about one of them, so it never joins figures
    # about a place its text never names
    scope: str = ""
