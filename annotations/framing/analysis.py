"""Entry points: analyse a text's framing and extract its claims.

Both share one cached parse per text version (parsing.Parser); everything
after the parse is matcher and rule work measured in milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import TypeVar

from spacy.tokens import Doc

from ..document import SourceText
from .attribution import attribution_profile
from .claims import claims_from_doc
from .lexicon import matchers_for
from .metrics import collect_evidence, document_metrics, paragraph_metrics, word_count
from .models import Claim, DocumentAnalysis, ParagraphAnalysis
from .notes import read_notes
from .parsing import Parser, default_parser
from .themes import count_themes

T = TypeVar("T")


def _memo(parser: Parser, kind: str, source: SourceText, make: Callable[[], T]) -> T:
    """Compute once per text version and metadata for this parser's lifetime."""
    key = (kind, source.sha256, source.meta)
    if key not in parser.results:
        parser.results[key] = make()
    return parser.results[key]  # type: ignore[return-value]


def _analyse_doc(source: SourceText, doc: Doc) -> DocumentAnalysis:
    m = matchers_for(doc.vocab)
    notes = read_notes(source)
    attributions = attribution_profile(doc, notes)
    evidence = collect_evidence(source, doc, m, notes, attributions)
    theme_spans = m.theme_spans(doc)
    paragraphs = [
        ParagraphAnalysis(i, start, end, metrics, list(count_themes(theme_spans, start, end)))
        for i, (start, end, metrics) in enumerate(paragraph_metrics(doc, source.text, evidence))
    ]
    return DocumentAnalysis(
        document_id=source.meta.document_id,
        sha256=source.sha256,
        words=word_count(doc),
        metrics=document_metrics(doc, source.text, evidence),
        paragraphs=paragraphs,
        attributions=attributions,
        themes=count_themes(theme_spans),
    )


def analyse(source: SourceText, parser: Parser | None = None) -> DocumentAnalysis:
    """Document and paragraph metrics, attribution profile and themes of one text."""
    p = parser or default_parser()
    return _memo(
        p, "analysis", source, lambda: _analyse_doc(source, p.parse(source.text, source.sha256))
    )


def analyse_corpus(
    sources: Iterable[SourceText], parser: Parser | None = None
) -> list[DocumentAnalysis]:
    """`analyse` for many texts, parsing the uncached ones in one batch."""
    items = list(sources)
    p = parser or default_parser()
    docs = p.parse_many([(s.text, s.sha256) for s in items])
    return [
        _memo(p, "analysis", s, partial(_analyse_doc, s, d))
        for s, d in zip(items, docs, strict=True)
    ]


def extract_claims(source: SourceText, parser: Parser | None = None) -> list[Claim]:
    """Every quantitative claim in one text, in text order."""
    p = parser or default_parser()
    return _memo(p, "claims", source, lambda: _claims(source, p.parse(source.text, source.sha256)))


def _claims(source: SourceText, doc: Doc) -> list[Claim]:
    return claims_from_doc(
        source, doc, read_notes(source), matchers_for(doc.vocab).theme_spans(doc)
    )


def extract_corpus_claims(
    sources: Iterable[SourceText], parser: Parser | None = None
) -> list[Claim]:
    """Claims of many texts, parsing the uncached ones in one batch."""
    items = list(sources)
    p = parser or default_parser()
    docs = p.parse_many([(s.text, s.sha256) for s in items])
    out: list[Claim] = []
    for s, d in zip(items, docs, strict=True):
        out.extend(_memo(p, "claims", s, partial(_claims, s, d)))
    return out
