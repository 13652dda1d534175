"""The claims ledger: every quantitative claim, what it counts, when, and on whose word.

Numbers are found by the pure parser (numbers.py) on the raw text; spaCy's
parse of the same text then supplies the noun counted, the governing verbs,
the sentence's years and its attribution. Rules are in data/claims.toml.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from spacy.tokens import Doc, Span

from ..document import SourceText, paragraphs
from .attribution import sentence_attribution, sentences
from .datafiles import load
from .models import Attribution, Claim
from .notes import Notes
from .numbers import Quantity, as_year, find_quantities, find_years
from .themes import count_themes, nearest_theme

MEASURES = {
    "ton",
    "tonne",
    "kilometer",
    "kilometre",
    "km",
    "mile",
    "metre",
    "meter",
    "foot",
    "inch",
    "hectare",
}
SKIPPABLE = {"ADJ", "ADV", "DET"}
PREPOSITIONS = {"at", "in", "of", "with", "to", "from", "by", "for", "on", "as", "about", "over"}
QUOTE_OR_DASH = set("-‐‑“”‘’\"'")


@dataclass(frozen=True)
class _Rules:
    excluded: list[tuple[int, int]]
    min_word_value: float
    skip_capitalised: bool
    durations: frozenset[str]
    bare_number_floor: float
    generic_themes: frozenset[str]
    counted: list[tuple[str, frozenset[str]]]
    end_words: frozenset[str]
    start_words: frozenset[str]


def _rules(source: SourceText) -> _Rules:
    raw = load("claims.toml")
    excluded = [
        (m.start(), m.end())
        for rule in raw["exclude"]
        for m in re.finditer(rule["regex"], source.text)
    ]
    excluded += [(p.start, p.end) for p in source.meta.paratext if p.kind in raw["skip_paratext"]]
    return _Rules(
        excluded=excluded,
        min_word_value=float(raw["min_word_value"]),
        skip_capitalised=bool(raw["skip_capitalised_words"]),
        durations=frozenset(raw["duration_nouns"]),
        bare_number_floor=float(raw["bare_number_floor"]),
        generic_themes=frozenset(raw["generic_themes"]),
        counted=[(c["name"], frozenset(c["lemmas"])) for c in raw["counted"]],
        end_words=frozenset(raw["period_end_words"]),
        start_words=frozenset(raw["period_start_words"]),
    )


def _is_candidate(q: Quantity, text: str, rules: _Rules) -> bool:
    """False for years, section numbers, note calls, page numbers and names like 'Five-Year'."""
    if as_year(q) is not None:
        return False
    if any(s < q.end and q.start < e for s, e in rules.excluded):
        return False
    if q.in_words and not (q.scaled or q.is_range) and q.high < rules.min_word_value:
        return False
    if q.in_words and rules.skip_capitalised and q.text[:1].isupper():
        before = text[max(0, q.start - 3) : q.start]
        if not (q.start == 0 or re.search(r"(^|[.!?:\n]\s*)$", before)):
            return False  # "Five-Year Plan", "Two Hundred Pharaohs": a name, not a count
    return True


def _unit(span: Span) -> tuple[str, str] | None:
    """The counted noun, (text, lemma): 'kulaks' in '5 million kulaks', 'ton' in '2-million-ton'."""
    doc = span.doc
    for t in doc[span.end : min(span.end + 5, span.sent.end)]:
        if any(c.isdigit() for c in t.text):
            word = re.match(r"[A-Za-z]+", t.text)  # "tractors—40": a dash the tokenizer kept
            return (word.group(), word.group().lower().removesuffix("s")) if word else None
        if t.pos_ in ("NOUN", "PROPN"):
            head = t.head
            if (
                t.dep_ == "compound"
                and t.lemma_.lower() not in MEASURES
                and head.pos_ == "NOUN"
                and 0 < head.i - t.i <= 3
            ):
                t = head
            return t.text, t.lemma_.lower()
        if not (t.pos_ in SKIPPABLE or t.text in QUOTE_OR_DASH or t.dep_ in ("amod", "compound")):
            return None
    return None


def _category(lemmas: list[str], counted: list[tuple[str, frozenset[str]]]) -> str:
    """The first category, in data-file order, that any of these lemmas belongs to."""
    present = set(lemmas)
    for name, words in counted:
        if present & words:
            return name
    return ""


def _counted(
    span: Span, unit: tuple[str, str] | None, sent: Span, claims: list[Span], rules: _Rules
) -> str:
    """What is counted: the unit noun, then each governing word (nearest first) with its
    subject, then the words after the number, then those before it."""
    levels: list[list[str]] = [[unit[1]] if unit is not None else []]
    levels.append([c.lemma_.lower() for c in span.root.children if c.dep_ in ("acl", "relcl")])
    governing: list[list[str]] = []
    for tok in span.root.ancestors:
        level = [tok.lemma_.lower()]
        for child in tok.children:
            if child.dep_ in ("nsubj", "nsubjpass") and not (span.start <= child.i < span.end):
                sub = child.doc[
                    child.left_edge.i : min(child.right_edge.i + 1, child.left_edge.i + 10)
                ]
                level.extend(t.lemma_.lower() for t in sub)
        governing.append(level)
    first_verb = next((i for i, lv in enumerate(governing) if lv and lv[0] not in PREPOSITIONS), 0)
    levels.extend(governing[: first_verb + 1])
    nxt = min([c.start for c in claims if c.start >= span.end] + [sent.end])
    right = [t for t in span.doc[span.end : min(nxt, span.end + 12)]]
    cut = next((k for k, t in enumerate(right) if t.text in (";", ":")), len(right))
    levels.append([t.lemma_.lower() for t in right[:cut]])
    prv = max([c.end for c in claims if c.end <= span.start] + [sent.start])
    levels.append([t.lemma_.lower() for t in span.doc[max(prv, span.start - 8) : span.start]])
    levels.extend(governing[first_verb + 1 :])
    for lemmas in levels:
        found = _category(lemmas, rules.counted)
        if found:
            return found
    return ""


def _period(q: Quantity, sent: Span, text: str, rules: _Rules) -> tuple[int | None, int | None]:
    """The years nearest the claim in its sentence.

    'by 1937' ends a period, 'since 1930' starts one; other years give both ends.
    """
    years = [
        y
        for y in find_years(sent.text)
        if not (q.start - sent.start_char <= y.start < q.end - sent.start_char)
    ]
    if not years:
        return None, None
    lo, hi = q.start - sent.start_char, q.end - sent.start_char
    # nearest by gap; on a tie the year after the number ("24.6 million by 1950")
    y = min(years, key=lambda y: (max(y.start - hi, lo - y.end, 0), y.start < lo))
    before = re.findall(r"\w+", text[sent.start_char : sent.start_char + y.start].lower())[-1:]
    if before and before[0] in rules.end_words and y.first == y.last:
        return None, y.last
    if before and before[0] in rules.start_words and y.first == y.last:
        return y.first, None
    return y.first, y.last


def _credit(q: Quantity, sent: Span, attribution: Attribution | None, notes: Notes) -> str:
    """Named or vague source of the sentence, and the note that covers the claim."""
    parts: list[str] = []
    if attribution and attribution.kind in ("named", "vague") and attribution.reporting:
        text = attribution.source[2] if attribution.source else ""
        if text:
            parts.append(text if attribution.kind == "named" else f"{text} (vague)")
    call = notes.call_after(q.end)
    if call is not None:
        where = "" if call.start < sent.end_char + 3 else ", called later in the text"
        parts.append(f"note {call.number}{where}: {notes.texts[call.number]}")
    return "; ".join(parts)


def _attributions(doc: Doc, notes: Notes) -> tuple[list[Span], list[Attribution]]:
    """Every line-bounded sentence with its attribution; a pronoun source ("they
    estimate") takes the kind of the sentence before it."""
    segments = sentences(doc)
    out: list[Attribution] = []
    previous: Attribution | None = None
    for seg in segments:
        previous = sentence_attribution(seg, notes, previous)
        out.append(previous)
    return segments, out


def claims_from_doc(
    source: SourceText, doc: Doc, notes: Notes, theme_spans: list[Span]
) -> list[Claim]:
    """Claims of one parsed document, in text order."""
    rules = _rules(source)
    found = [q for q in find_quantities(source.text) if _is_candidate(q, source.text, rules)]
    spans = [doc.char_span(q.start, q.end, alignment_mode="expand") for q in found]
    paras = paragraphs(source.text)
    segments, attributions = _attributions(doc, notes)
    seg_starts = [seg.start for seg in segments]
    claims: list[Claim] = []
    for q, span in zip(found, spans, strict=True):
        if span is None:
            continue
        unit = _unit(span)
        if unit is not None and unit[1] in rules.durations:
            continue  # "ten years", "50–100 years behind": a duration, not a count
        if unit is None and not (q.scaled or q.grouped or q.percent or q.is_range):
            if q.high < rules.bare_number_floor:
                continue  # "Spectacle, 104": a thesis or list number, not a count
        k = max(bisect_right(seg_starts, span.start) - 1, 0)
        sent = segments[k]
        start, end = _period(q, sent, source.text, rules)
        specific = [t for t in theme_spans if t.label_ not in rules.generic_themes]
        theme = nearest_theme(specific, q.start, q.end, sent.start_char, sent.end_char) or (
            nearest_theme(theme_spans, q.start, q.end, sent.start_char, sent.end_char)
        )
        if not theme:
            para = next(((s, e) for s, e in paras if s <= q.start < e), (0, len(source.text)))
            theme = next(iter(count_themes(theme_spans, *para)), "")
        claims.append(
            Claim(
                claim_id=f"{source.meta.document_id}:{q.start}",
                document_id=source.meta.document_id,
                start=q.start,
                end=q.end,
                quote=q.text,
                value_low=q.low,
                value_high=q.high,
                unit="%" if q.percent else (unit[0] if unit is not None else ""),
                counted=_counted(span, unit, sent, [s for s in spans if s is not None], rules),
                period_start=start,
                period_end=end,
                attributed_to=_credit(q, sent, attributions[k], notes),
                theme=theme,
            )
        )
    return claims
