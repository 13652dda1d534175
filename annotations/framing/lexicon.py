"""spaCy matchers built from the data files, once per vocabulary.

Building a Matcher with a few hundred patterns costs milliseconds; matching
is fast. So matchers are built lazily, cached per Vocab (a cached Doc read
from disk lives in a blank English vocab, a fresh parse in the model's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from spacy.matcher import DependencyMatcher, Matcher, PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans
from spacy.vocab import Vocab

from .datafiles import load
from .themes import seminar_themes, themes_digest

# data file -> table of categories matched as lexical metrics
LEXICAL_FILES = ("metadiscourse.toml", "evaluative.toml", "quantifiers.toml", "address.toml")


def words_of(phrase: str) -> list[str]:
    """A phrase split the way spaCy's tokenizer splits it ("five-year" -> five, -, year)."""
    return re.findall(r"\w+|[^\w\s]", phrase.lower())


def phrase_patterns(phrase: str) -> list[list[dict[str, Any]]]:
    """Matcher patterns for a phrase: lowercase words, the last word also by lemma."""
    words = words_of(phrase)
    head = [{"LOWER": w} for w in words[:-1]]
    return [head + [{"LOWER": words[-1]}], head + [{"LEMMA": words[-1]}]]


def inflections(word: str) -> list[str]:
    """The word and its regular inflections, standing in for lemma matching in phrases."""
    forms = [word, word + "s", word + "es", word + "ed", word + "d", word + "ing"]
    if word.endswith("y"):
        forms += [word[:-1] + "ies", word[:-1] + "ied"]
    if word.endswith("e"):
        forms.append(word[:-1] + "ing")
    return forms


class _Lookup:
    """Phrases matched by lowercase word or lemma, quickly.

    One-word entries are a dictionary lookup on each token's lowercase form and
    lemma; longer phrases go to a PhraseMatcher with the last word's regular
    inflections. spaCy's token Matcher does the same job ten times slower; it is
    kept for the context-dependent `patterns` of the data files.
    """

    def __init__(self, vocab: Vocab, entries: dict[str, list[str]]) -> None:
        self.words: dict[str, set[str]] = {}
        self.phrases = PhraseMatcher(vocab, attr="LOWER")
        self.matcher = Matcher(vocab)
        for label, phrases in entries.items():
            docs = []
            for phrase in phrases:
                words = words_of(phrase)
                if len(words) == 1:
                    self.words.setdefault(words[0], set()).add(label)
                else:
                    docs += [Doc(vocab, words=words[:-1] + [f]) for f in inflections(words[-1])]
            if docs:
                self.phrases.add(label, docs)

    def add_patterns(self, label: str, patterns: list[list[dict[str, Any]]]) -> None:
        if patterns:
            self.matcher.add(label, patterns)

    def __call__(self, doc: Doc) -> list[Span]:
        spans = list(self.matcher(doc, as_spans=True)) if len(self.matcher) else []
        spans += self.phrases(doc, as_spans=True)
        for tok in doc:
            labels = self.words.get(tok.lower_) or self.words.get(tok.lemma_.lower())
            for label in labels or ():
                spans.append(Span(doc, tok.i, tok.i + 1, label=label))
        return spans


def lexical_categories() -> dict[str, dict[str, Any]]:
    """Every lexical metric name -> its entry (description, phrases, patterns)."""
    out: dict[str, dict[str, Any]] = {}
    for name in LEXICAL_FILES:
        out.update(load(name)["category"])
    return out


@dataclass(frozen=True)
class DepRule:
    metric: str
    exclude_child: list[dict[str, str]]
    exclude_lemma: frozenset[str]

    def keeps(self, token: Token) -> bool:
        """False when the anchor names its actor (a 'by' agent, a possessive) or is excluded."""
        if token.lemma_.lower() in self.exclude_lemma:
            return False
        for child in token.children:
            for cond in self.exclude_child:
                if all(
                    getattr(child, f"{k.lower()}_").lower() == v.lower() for k, v in cond.items()
                ):
                    return False
        return True


@dataclass
class Matchers:
    """All matchers for one vocabulary."""

    vocab: Vocab
    lexical: _Lookup = field(init=False)
    # the seminar's themes file can change while a process runs: one lookup per version
    themes: dict[str, _Lookup] = field(init=False, default_factory=dict)
    dependency: DependencyMatcher = field(init=False)
    dep_rules: dict[str, DepRule] = field(init=False)

    def __post_init__(self) -> None:
        categories = lexical_categories()
        self.lexical = _Lookup(self.vocab, {k: v.get("phrases", []) for k, v in categories.items()})
        for name, entry in categories.items():
            self.lexical.add_patterns(name, entry.get("patterns", []))
        self.dependency = DependencyMatcher(self.vocab)
        self.dep_rules = {}
        for rule in load("syntax.toml")["rule"]:
            self.dependency.add(rule["metric"], rule["pattern"])
            self.dep_rules[rule["metric"]] = DepRule(
                rule["metric"],
                rule.get("exclude_child", []),
                frozenset(x.lower() for x in rule.get("exclude_lemma", [])),
            )

    def lexical_spans(self, doc: Doc) -> dict[str, list[Span]]:
        """Matches per lexical metric, overlaps resolved to the longest span."""
        categories = lexical_categories()
        by_label: dict[str, list[Span]] = {name: [] for name in categories}
        in_context = {k: frozenset(v.get("in_context", [])) for k, v in categories.items()}
        for span in self.lexical(doc):
            if len(span) == 1 and span[0].lemma_.lower() in in_context[span.label_]:
                if not _speaks_for_herself(span[0]):
                    continue
            enabling = categories[span.label_].get("enabling")
            if len(span) == 1 and enabling and _enables(span[0], enabling):
                continue
            by_label[span.label_].append(span)
        return {k: sorted(filter_spans(v), key=lambda s: s.start) for k, v in by_label.items()}

    def theme_spans(self, doc: Doc) -> list[Span]:
        """Theme keyword matches; a stretch counts for each theme whose keyword it is."""
        digest = themes_digest()
        if digest not in self.themes:
            keywords = {k: list(t.keywords) for k, t in seminar_themes().items()}
            self.themes[digest] = _Lookup(self.vocab, keywords)
        out: list[Span] = []
        by_label: dict[str, list[Span]] = {}
        for span in self.themes[digest](doc):
            by_label.setdefault(span.label_, []).append(span)
        for spans in by_label.values():
            out.extend(filter_spans(spans))
        return sorted(out, key=lambda s: s.start)

    def dependency_spans(self, doc: Doc) -> dict[str, list[Span]]:
        """Matches per dependency rule, without those whose anchor names an actor."""
        out: dict[str, list[Span]] = {name: [] for name in self.dep_rules}
        for match_id, token_ids in self.dependency(doc):
            name = self.vocab.strings[match_id]
            anchor = doc[token_ids[0]]
            if self.dep_rules[name].keeps(anchor):
                out[name].append(doc[min(token_ids) : max(token_ids) + 1])
        return {k: sorted(filter_spans(v), key=lambda s: s.start) for k, v in out.items()}


FIRST_PERSON = {"i", "we"}


def _speaks_for_herself(verb: Token) -> bool:
    """A thinking verb that hedges: with a first-person subject ("I suspect that") or in
    the raising passive ("is supposed to have written"); not a noun ("estimates")."""
    if verb.pos_ != "VERB":
        return False
    subjects = [c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")]
    if any(s.lower_ in FIRST_PERSON for s in subjects):
        return True
    passive = any(c.dep_ == "auxpass" for c in verb.children)
    return passive and any(c.dep_ == "xcomp" for c in verb.children)


def _enables(word: Token, rule: dict[str, list[str]]) -> bool:
    """ "made possible X", "make it possible", "as soon as possible", "everything possible":
    what is enabled or an extreme, not the writer's doubt."""
    if word.lower_ not in rule["words"] or word.i == 0:
        return False
    before = word.doc[max(0, word.i - 2) : word.i]
    if before[-1].lower_ in rule["extremes"]:
        return True
    return any(t.lemma_.lower() in rule["verbs"] for t in before) and (
        before[-1].lemma_.lower() in rule["verbs"] or before[-1].pos_ == "PRON"
    )


_cache: dict[int, Matchers] = {}


def matchers_for(vocab: Vocab) -> Matchers:
    """The matchers for `vocab`, built on first use."""
    found = _cache.get(id(vocab))
    if found is None or found.vocab is not vocab:
        found = _cache[id(vocab)] = Matchers(vocab)
    return found
