"""Framing metrics: counts, rates per 1,000 words and the spans behind them.

Each metric is first collected once for the whole document as evidence spans;
paragraph metrics are the same spans bucketed by paragraph, so the two levels
can never disagree.
"""

from __future__ import annotations

from bisect import bisect_right

from spacy.tokens import Doc

from ..document import SourceText, paragraphs
from .attribution import ev
from .datafiles import load
from .lexicon import Matchers
from .models import Attribution, Evidence, Metric
from .notes import Notes
from .quotes import find_quotations
from .readability import scores
from .voices import Voice, voice_at

READABILITY = ("flesch_reading_ease", "flesch_kincaid_grade", "words_per_sentence")


def is_word(token: object) -> bool:
    return bool(getattr(token, "is_alpha", False) or getattr(token, "like_num", False))


def collect_evidence(
    source: SourceText, doc: Doc, m: Matchers, notes: Notes, attributions: list[Attribution]
) -> dict[str, list[Evidence]]:
    """Every count metric's evidence spans over the whole text, by metric name."""
    out: dict[str, list[Evidence]] = {}
    for name, spans in m.lexical_spans(doc).items():
        out[name] = [ev(s) for s in spans]
    for name, spans in m.dependency_spans(doc).items():
        out[name] = [ev(s) for s in spans]
    verbs = load("verbs.toml")
    for cls in ("report", "factive", "assertive"):
        lemmas = {v for v in verbs[cls] if " " not in v}
        out[f"{cls}_verbs"] = [
            ev(doc[t.i : t.i + 1]) for t in doc if t.pos_ == "VERB" and t.lemma_.lower() in lemmas
        ]
    raw = load("attribution.toml")
    nouns = set(raw["source_nouns"]) | set(raw["document_sources"])
    out["source_nouns"] = [
        ev(doc[t.i : t.i + 1]) for t in doc if t.pos_ == "NOUN" and t.lemma_.lower() in nouns
    ]
    out["endnote_references"] = [
        (c.start, c.end, source.text[c.start : c.end]) for c in notes.calls
    ]
    out["named_sources"] = [a.source for a in attributions if a.kind == "named" and a.source]
    out["vague_sources"] = [a.source for a in attributions if a.kind == "vague" and a.source]
    out["agentless_attributions"] = [
        a.reporting for a in attributions if a.kind == "agentless" and a.reporting
    ]
    out["unattributed_sentences"] = [a.sentence for a in attributions if a.kind == "absent"]
    quotes = find_quotations(source.text)
    for kind in ("direct", "scare"):
        out[f"{kind}_quotations"] = [
            (q.start, q.end, source.text[q.start : q.end]) for q in quotes if q.kind == kind
        ]
    return out


def _metric(name: str, evidence: list[Evidence], words: int) -> Metric:
    rate = round(len(evidence) * 1000 / words, 2) if words else 0.0
    return Metric(name, len(evidence), rate, evidence)


def _readability(doc: Doc, sent_starts: list[int], start: int, end: int) -> list[Metric]:
    span = doc.char_span(start, end, alignment_mode="expand")
    tokens: list[str] = [t.text for t in span if t.is_alpha] if span is not None else []
    sentences = bisect_right(sent_starts, end - 1) - bisect_right(sent_starts, start - 1)
    values = scores(tokens, max(sentences, 1))
    values["words_per_sentence"] = round(len(tokens) / max(sentences, 1), 2)
    return [Metric(k, sentences, 0.0, [], values[k]) for k in READABILITY]


def _sentence_starts(doc: Doc) -> list[int]:
    return [s.start_char for s in doc.sents if any(t.is_alpha for t in s)]


# Metrics that describe the voices themselves, counted over the whole text.
WHOLE_TEXT = {"direct_quotations", "scare_quotations", "endnote_references"}


def split_by_voice(
    evidence: dict[str, list[Evidence]], voices: list[Voice]
) -> tuple[dict[str, list[Evidence]], dict[str, dict[str, list[Evidence]]]]:
    """The author's evidence, and each embedded voice's ("quotation: Robespierre") apart:
    a hedge in a reader comment or a first person in a quotation is not the author's."""
    author: dict[str, list[Evidence]] = {}
    others: dict[str, dict[str, list[Evidence]]] = {}
    for name, items in evidence.items():
        author[name] = []
        for item in items:
            v = None if name in WHOLE_TEXT else voice_at(voices, item[0], item[1])
            if v is None:
                author[name].append(item)
            else:
                key = f"{v.kind}: {v.speaker}" if v.speaker else v.kind
                others.setdefault(key, {}).setdefault(name, []).append(item)
    return author, others


def voice_metrics(
    others: dict[str, dict[str, list[Evidence]]], voices: list[Voice], text: str
) -> dict[str, list[Metric]]:
    """Per embedded voice, its metrics, rates per 1,000 of its own words."""
    words: dict[str, int] = {}
    for v in voices:
        if v.kind != "author":
            key = f"{v.kind}: {v.speaker}" if v.speaker else v.kind
            words[key] = words.get(key, 0) + len(text[v.start : v.end].split())
    return {
        key: [_metric(name, items, words.get(key, 0)) for name, items in sorted(found.items())]
        for key, found in sorted(others.items())
    }


def word_count(doc: Doc) -> int:
    return sum(1 for t in doc if is_word(t))


def document_metrics(doc: Doc, text: str, evidence: dict[str, list[Evidence]]) -> list[Metric]:
    words = word_count(doc)
    metrics = [_metric(name, spans, words) for name, spans in evidence.items()]
    return metrics + _readability(doc, _sentence_starts(doc), 0, len(text))


def paragraph_metrics(
    doc: Doc, text: str, evidence: dict[str, list[Evidence]]
) -> list[tuple[int, int, list[Metric]]]:
    """(start, end, metrics) for each paragraph of `document.paragraphs`."""
    spans = paragraphs(text)
    starts = [s for s, _ in spans]
    buckets: list[dict[str, list[Evidence]]] = [{k: [] for k in evidence} for _ in spans]
    for name, items in evidence.items():
        for item in items:
            i = bisect_right(starts, item[0]) - 1
            if i >= 0 and item[0] < spans[i][1]:
                buckets[i][name].append(item)
    word_starts = [t.idx for t in doc if is_word(t)]
    sent_starts = _sentence_starts(doc)
    out = []
    for (start, end), bucket in zip(spans, buckets, strict=True):
        words = bisect_right(word_starts, end - 1) - bisect_right(word_starts, start - 1)
        metrics = [_metric(name, items, words) for name, items in bucket.items()]
        out.append((start, end, metrics + _readability(doc, sent_starts, start, end)))
    return out
