"""Entry points: analyse a text's framing and extract its claims.

Both share one cached parse per text version (parsing.Parser); everything
after the parse is matcher and rule work measured in milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from spacy.tokens import Doc

from ..document import SourceText
from .attribution import attribution_profile
from .checks import Check, corpus_checks, document_checks
from .claims import claims_from_doc
from .lexicon import matchers_for
from .metrics import (
    collect_evidence,
    document_metrics,
    paragraph_metrics,
    split_by_voice,
    voice_metrics,
    word_count,
)
from .models import Claim, DocumentAnalysis, ParagraphAnalysis
from .notes import read_notes
from .parsing import Parser, default_parser
from .themes import count_themes, themes_digest
from .vocabulary import DistinctiveWord, distinctive_words
from .voices import Voice, voices_from_doc

T = TypeVar("T")


def _key(kind: str, source: SourceText) -> tuple[object, ...]:
    """Results depend on the text version, its metadata and the seminar's themes."""
    return (kind, source.sha256, source.meta, themes_digest())


def _memo(parser: Parser, kind: str, source: SourceText, make: Callable[[], T]) -> T:
    """Compute once per text version and metadata, kept in memory and on disk."""
    return parser.result(_key(kind, source), make)


def _doc(parser: Parser, parsed: dict[str, Doc], source: SourceText) -> Doc:
    """The batch-parsed Doc, or a parse now (a cached result that could not be read)."""
    return parsed.get(source.sha256) or parser.parse(source.text, source.sha256)


def _parse_missing(parser: Parser, kind: str, items: list[SourceText]) -> dict[str, Doc]:
    """Parse, in one batch, only the texts whose results are not cached yet."""
    todo = [s for s in items if not parser.has_result(_key(kind, s))]
    docs = parser.parse_many([(s.text, s.sha256) for s in todo])
    return {s.sha256: d for s, d in zip(todo, docs, strict=True)}


def _voices(parser: Parser, source: SourceText, doc: Doc) -> list[Voice]:
    """One voice segmentation per text version, shared by the analysis and the claims."""
    return _memo(parser, "voices", source, lambda: voices_from_doc(source, doc))


def _analyse_doc(source: SourceText, doc: Doc, parser: Parser) -> DocumentAnalysis:
    m = matchers_for(doc.vocab)
    notes = read_notes(source)
    attributions = attribution_profile(doc, notes)
    voices = _voices(parser, source, doc)
    evidence, embedded = split_by_voice(
        collect_evidence(source, doc, m, notes, attributions), voices
    )
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
        voices=voice_metrics(embedded, voices, source.text),
    )


def analyse(source: SourceText, parser: Parser | None = None) -> DocumentAnalysis:
    """Document and paragraph metrics, attribution profile and themes of one text."""
    p = parser or default_parser()
    return _memo(
        p, "analysis", source, lambda: _analyse_doc(source, p.parse(source.text, source.sha256), p)
    )


def analyse_corpus(
    sources: Iterable[SourceText], parser: Parser | None = None
) -> list[DocumentAnalysis]:
    """`analyse` for many texts, parsing the uncached ones in one batch."""
    items = list(sources)
    p = parser or default_parser()
    docs = _parse_missing(p, "analysis", items)
    return [
        _memo(p, "analysis", s, lambda s=s: _analyse_doc(s, _doc(p, docs, s), p))  # type: ignore[misc]
        for s in items
    ]


def extract_claims(source: SourceText, parser: Parser | None = None) -> list[Claim]:
    """Every quantitative claim in one text, in text order."""
    p = parser or default_parser()
    return _memo(
        p, "claims", source, lambda: _claims(source, p.parse(source.text, source.sha256), p)
    )


def _claims(source: SourceText, doc: Doc, parser: Parser) -> list[Claim]:
    return claims_from_doc(
        source, doc, read_notes(source), matchers_for(doc.vocab).theme_spans(doc),
        _voices(parser, source, doc),
    )


def extract_corpus_claims(
    sources: Iterable[SourceText], parser: Parser | None = None
) -> list[Claim]:
    """Claims of many texts, parsing the uncached ones in one batch."""
    items = list(sources)
    p = parser or default_parser()
    docs = _parse_missing(p, "claims", items)
    out: list[Claim] = []
    for s in items:
        out.extend(_memo(p, "claims", s, lambda s=s: _claims(s, _doc(p, docs, s), p)))  # type: ignore[misc]
    return out


def extract_voices(source: SourceText, parser: Parser | None = None) -> list[Voice]:
    """The author's voice and every embedded voice of one text, in text order."""
    p = parser or default_parser()
    return _memo(
        p, "voices", source, lambda: voices_from_doc(source, p.parse(source.text, source.sha256))
    )


def extract_corpus_voices(
    sources: Iterable[SourceText], parser: Parser | None = None
) -> list[Voice]:
    """Voices of many texts, parsing the uncached ones in one batch."""
    items = list(sources)
    p = parser or default_parser()
    docs = _parse_missing(p, "voices", items)
    out: list[Voice] = []
    for s in items:
        out.extend(_memo(p, "voices", s, lambda s=s: voices_from_doc(s, _doc(p, docs, s))))  # type: ignore[misc]
    return out


def consistency_checks(
    sources: Iterable[SourceText], parser: Parser | None = None
) -> list[Check]:
    """Every "check this" the texts allow, alone and against each other, cached per set."""
    items = list(sources)
    p = parser or default_parser()
    key = ("checks", tuple((s.meta.document_id, s.sha256, s.meta) for s in items))

    def make() -> list[Check]:
        docs = p.parse_many([(s.text, s.sha256) for s in items])
        out: list[Check] = []
        for s, d in zip(items, docs, strict=True):
            claims = _memo(p, "claims", s, lambda s=s, d=d: _claims(s, d, p))  # type: ignore[misc]
            out += document_checks(s, claims, read_notes(s))
        out += corpus_checks({s.meta.document_id: d for s, d in zip(items, docs, strict=True)})
        return sorted(out, key=lambda c: (c.document_id, c.start, c.kind))

    return p.result(key, make)


def distinctive_vocabulary(
    sources: Iterable[SourceText], parser: Parser | None = None
) -> dict[str, list[DistinctiveWord]]:
    """Each text's distinctive words against the others (Fightin' Words), cached per set."""
    items = list(sources)
    p = parser or default_parser()
    key = ("vocabulary", tuple((s.meta.document_id, s.sha256) for s in items))

    def make() -> dict[str, list[DistinctiveWord]]:
        docs = p.parse_many([(s.text, s.sha256) for s in items])
        return distinctive_words({s.meta.document_id: d for s, d in zip(items, docs, strict=True)})

    return p.result(key, make)
