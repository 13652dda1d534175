"""The claims ledger: every quantitative claim, what it counts, when, and on whose word.

Numbers are found by the pure parser (numbers.py) on the raw text; spaCy's
parse of the same text then supplies the noun counted, the sentence's years
(periods.py) and its attribution; voices.py says whose voice a figure sits in;
references.py follows figures that point at an earlier one ("the figure", "28
percent of those sentenced"). Rules are in data/claims.toml. Each rule looks at
the figure's own sentence: a period or a source is left empty rather than
borrowed, unless the text itself links the figure to an earlier sentence.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from typing import Any

from spacy.tokens import Doc, Span, Token

from ..document import SourceText, paragraphs
from . import tables
from .attribution import sentence_attribution, sentences
from .datafiles import load
from .models import Attribution, Claim
from .notes import Notes
from .numbers import Quantity, as_year, find_quantities
from .periods import (
    NONE,
    PeriodRules,
    complete,
    linked_period,
    own_period,
    period_rules,
    sentence_period,
)
from .references import added_members, base_count, referent, restated, sentence_claims, share_base
from .themes import count_themes, nearest_theme, seminar_measures, seminar_themes
from .voices import Voice, voice_at, voices_from_doc

MEASURES = {
    "ton", "tonne", "kilometer", "kilometre", "km", "mile", "metre", "meter", "foot", "inch",
    "hectare",
}  # fmt: skip
SKIPPABLE = {"ADJ", "ADV", "DET"}
PREPOSITIONS = {"at", "in", "of", "with", "to", "from", "by", "for", "on", "as", "about", "over"}
QUOTE_OR_DASH = set("-‐‑“”‘’\"'")
SUBJECTS = ("nsubj", "nsubjpass")
DURATIONS = frozenset(load("claims.toml")["duration_nouns"])
FIRST_PERSON = {"i", "we", "me", "us", "my", "our"}


@dataclass(frozen=True)
class _Rules:
    excluded: list[tuple[int, int]]
    min_word_value: float
    skip_capitalised: bool
    durations: frozenset[str]
    bare_number_floor: float
    counted: list[tuple[str, frozenset[str]]]
    bounds: list[tuple[str, str]]  # (phrase, label), longest first
    age_before: tuple[str, ...]
    age_max: int
    street: frozenset[str]
    body: frozenset[str]
    person_measures: frozenset[str]
    list_nouns: frozenset[str]
    list_heads: tuple[str, ...]
    rate_words: frozenset[str]
    generic_nouns: frozenset[str]
    deictic_time: frozenset[str]
    present_time: re.Pattern[str]  # a word of the writer's present after a figure
    currencies: dict[str, str]
    value_prepositions: frozenset[str]
    aggregate: frozenset[str]
    additive: frozenset[str]
    residents: frozenset[str]
    anaphoric: frozenset[str]
    months: frozenset[str]


def _measures(library: list[dict[str, Any]]) -> list[tuple[str, frozenset[str]]]:
    """The library's general measures, each widened by the seminar's lemmas of its name,
    then the seminar's own measures in its file's order (themes.seminar_measures)."""
    out = {c["name"]: set(c["lemmas"]) for c in library}
    for name, lemmas in seminar_measures():
        out.setdefault(name, set()).update(lemmas)
    return [(name, frozenset(lemmas)) for name, lemmas in out.items()]


def _rules(source: SourceText) -> _Rules:
    raw = load("claims.toml")
    excluded = [
        (m.start(), m.end())
        for rule in raw["exclude"]
        for m in re.finditer(rule["regex"], source.text)
    ]
    excluded += [(p.start, p.end) for p in source.meta.paratext if p.kind in raw["skip_paratext"]]
    bounds = [(w, label) for label in ("lower", "upper", "approx") for w in raw["bounds"][label]]
    return _Rules(
        excluded=excluded,
        min_word_value=float(raw["min_word_value"]),
        skip_capitalised=bool(raw["skip_capitalised_words"]),
        durations=frozenset(raw["duration_nouns"]),
        bare_number_floor=float(raw["bare_number_floor"]),
        counted=_measures(raw["counted"]),
        bounds=sorted(bounds, key=lambda b: -len(b[0])),
        age_before=tuple(raw["age_before"]),
        age_max=int(raw["age_max"]),
        street=frozenset(raw["street_words"]),
        body=frozenset(raw["body_nouns"]),
        person_measures=frozenset(raw["person_measures"]),
        list_nouns=frozenset(raw["list_nouns"]),
        list_heads=tuple(raw["list_heads"]),
        rate_words=frozenset(raw["rate_words"]),
        generic_nouns=frozenset(raw["generic_nouns"]),
        deictic_time=frozenset(raw["deictic_time"]),
        present_time=re.compile(
            r"(?:\s+[a-z][\w-]*){0,2}?\s+(?:"
            + "|".join(re.escape(w) for w in raw["present_time"])
            + r")\b"
        ),
        currencies=dict(load("numbers.toml")["currency"]),
        value_prepositions=frozenset(raw["value_prepositions"]),
        aggregate=frozenset(raw["aggregate_nouns"]),
        additive=frozenset(raw["additive_words"]),
        residents=frozenset(raw["resident_nouns"]),
        anaphoric=frozenset(raw["anaphoric_nouns"]),
        months=frozenset(raw["months"]),
    )


def _words_before(text: str, pos: int, n: int) -> list[str]:
    return re.findall(r"[\w’'.]+", text[max(0, pos - 40) : pos].lower())[-n:]


def _is_candidate(q: Quantity, text: str, rules: _Rules) -> bool:
    """False for years, days of a month, section numbers, note calls, page numbers, ages,
    house numbers and names like 'Five-Year'."""
    if as_year(q) is not None:
        return False
    if re.fullmatch(r"\d{2}", q.text) and text[q.start - 1 : q.start] in ("’", "'"):
        return False  # "Black ’47": a year cut short
    if any(s < q.end and q.start < e for s, e in rules.excluded):
        return False
    if (
        q.in_words
        and not (q.scaled or q.is_range or q.percent)
        and q.high < rules.min_word_value
        and q.high.is_integer()  # "a quarter of an acre" is a figure, "two" a word
        and not _is_rate(text, q)  # "two pounds of bread a day" is a figure
        and not _lasts(text, q, rules)  # "for three days" is a figure: how long
    ):
        return False
    after = re.match(r"[\s,]*([^\W\d_]+)", text[q.end : q.end + 30])
    next_word = after.group(1).lower() if after else ""
    if q.high <= 31 and not q.percent and next_word in rules.months:
        return False  # "16 October 1793", "9 Thermidor", "16–17 November"
    if next_word in rules.street and not q.percent:
        return False  # "398 rue Saint-Honoré"
    before = " ".join(_words_before(text, q.start, 3))
    if (
        q.high <= rules.age_max
        and not (q.percent or q.scaled or q.is_range)
        and (
            any(before.endswith(w) for w in rules.age_before)
            and re.match(r"\s*(?:when|years? old|at|in\b|,|\.|;)", text[q.end : q.end + 12])
        )
    ):
        return False  # "was 26 when he died": an age
    if any(f"{h} of" in " ".join(_words_before(text, q.start, 6)) for h in rules.list_heads):
        return False  # "a list of the next fourteen ...": the list's length
    if q.in_words and rules.skip_capitalised and q.text[:1].isupper():
        prev = text[max(0, q.start - 3) : q.start]
        if not (q.start == 0 or re.search(r"(^|[.!?:\n]\s*)$", prev)):
            return False  # "Five-Year Plan", "Two Hundred Pharaohs": a name, not a count
    return True


APPROX_SIGNS = ("~", "≈", "∼")
# A negation up to two words before a bound turns it round: "not kill more than" is at most.
NEGATION = re.compile(r"(?<!\w)(?:not|never|n[’']t)(?:\s+[\w’'-]+){0,2}\s+$")
FLIPPED = {"lower": "upper", "upper": "lower"}
# A bound after the figure and at most three words naming what it counts: "12 pounds or
# more", "a third of their people or more".
TRAILING_BOUND = re.compile(
    r"(?:\s+[a-z][\w-]*){0,3}?\s+or\s+(?P<w>more|over|above|so|thereabouts|fewer|less|under)\b",
    re.IGNORECASE,
)
TRAILING = {
    "more": "lower", "over": "lower", "above": "lower", "so": "approx", "thereabouts": "approx",
    "fewer": "upper", "less": "upper", "under": "upper",
}  # fmt: skip


def _lasts(text: str, q: Quantity, rules: _Rules) -> bool:
    """A number of days, weeks, months or years: "for three days", "after five weeks"."""
    unit = re.match(r"\s+([a-z]+)", text[q.end : q.end + 20])
    before = text[max(0, q.start - 8) : q.start].lower()
    pointing = re.search(r"\b(?:the|those|these|that|this|its|their)\s+$", before)
    return (  # "over those two years" points back to a stretch already given
        unit is not None and unit.group(1).removesuffix("s") in rules.durations and not pointing
    )


def _bound(q: Quantity, text: str, rules: _Rules) -> tuple[str, int]:
    """How the figure is bounded and where its quote starts (with the bounding words)."""
    if q.is_range:
        return "range", q.start
    after = TRAILING_BOUND.match(text, q.end)
    if after is not None:  # "a dozen pounds or more a day", "300 or so"
        return TRAILING[after.group("w").lower()], q.start
    if text[max(0, q.start - 1) : q.start] in APPROX_SIGNS:  # "~10k", "≈ 400,000"
        return "approx", q.start - 1
    before = text[max(0, q.start - 60) : q.start].lower()
    for phrase, label in rules.bounds:  # longest first: "not more than" before "more than"
        m = re.search(rf"(?<!\w)({re.escape(phrase)})\s+$", before)
        if m:
            negated = NEGATION.search(before[: m.start(1)]) is not None
            if negated and label in FLIPPED:  # "would not kill more than a million": at most
                label = FLIPPED[label]
            return label, q.start - (len(before) - m.start(1))
    return "point", q.start


def _unit(span: Span) -> tuple[str, str] | None:
    """The counted noun, (text, lemma): 'kulaks' in '5 million kulaks', 'ton' in '2-million-ton',
    'supporters' in '21 of his supporters'."""
    doc = span.doc
    seen_of = False
    for t in doc[span.end : min(span.end + 6, span.sent.end)]:
        if any(c.isdigit() for c in t.text):
            word = re.match(r"[A-Za-z]+", t.text)  # "tractors—40": a dash the tokenizer kept
            return (word.group(), word.group().lower().removesuffix("s")) if word else None
        if t.pos_ in ("NOUN", "PROPN") and t.dep_ == "poss" and t.head.pos_ == "NOUN":
            t = t.head  # "40 per cent of that year's harvest": the harvest, not the year
        if t.pos_ in ("NOUN", "PROPN"):
            head = t.head
            if t.lemma_.lower() in DURATIONS:
                return t.text, t.lemma_.lower()  # "ten year sentences": a length, not a count
            if (
                t.dep_ == "compound"
                and t.lemma_.lower() not in MEASURES
                and head.pos_ == "NOUN"
                and 0 < head.i - t.i <= 3
            ):
                t = head
            return t.text, t.lemma_.lower()
        if t.lower_ == "of" and not seen_of and t.i == span.end:
            seen_of = True
            continue
        if t.pos_ == "PRON" and t.tag_ == "PRP$" and seen_of:
            continue
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


def _noun_phrase(noun: Token, conjuncts: bool = False) -> str:
    """The noun with its compounds, as written: 'death sentences', 'nobles and priests'."""
    parts = [c for c in noun.children if c.dep_ == "compound" and c.i < noun.i and c.is_alpha]
    parts.append(noun)
    words = " ".join(t.lower_ for t in sorted(parts, key=lambda t: t.i))
    if conjuncts:
        for c in noun.children:
            if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN"):
                words += f" and {_noun_phrase(c)}"
    return words


def _verbs(noun: Token) -> list[Token]:
    """The verb a noun is the subject or object of (through 'are thought to have been ...'),
    with the verbs coordinated with it."""
    head = noun.head
    if noun.dep_ not in (*SUBJECTS, "dobj") or head.pos_ not in ("VERB", "AUX"):
        return []
    while True:
        xcomp = [c for c in head.children if c.dep_ == "xcomp" and c.pos_ == "VERB"]
        if not xcomp or noun.dep_ == "dobj":
            break
        head = xcomp[0]
    return [head, *[c for c in head.children if c.dep_ == "conj" and c.pos_ == "VERB"]]


def _with_verb(phrase: str, noun: Token) -> str:
    """'people executed', 'people thrown into prisons': the verb says what is counted."""
    verbs = [v for v in _verbs(noun) if v.pos_ == "VERB"]
    if not verbs:
        return phrase
    words = f"{phrase} {' and '.join(v.lower_ for v in verbs)}"
    if noun.dep_ in SUBJECTS:
        for prep in verbs[-1].children:
            objs = [o for o in prep.children if o.dep_ == "pobj" and o.pos_ == "NOUN"]
            if prep.dep_ == "prep" and prep.i > verbs[-1].i and objs:
                return f"{words} {prep.lower_} {_noun_phrase(objs[0])}"
    return words


def _hyphenated_noun(span: Span, sent: Span) -> str:
    """'co-accused' in 'a dozen co-accused': a hyphenated word right after the number that
    no noun follows (the parser splits it and tags its parts as verbs)."""
    doc = span.doc
    m = re.match(r"\s+([^\W\d_]+(?:-[^\W\d_]+)+)\b", doc.text[span.end_char : sent.end_char])
    if not m:
        return ""
    end = span.end_char + m.end(1)
    nxt = next((t for t in doc[span.end : sent.end] if t.idx >= end and not t.is_space), None)
    if nxt is not None and nxt.pos_ in ("NOUN", "PROPN", "ADJ"):
        return ""  # "so-called kulaks": the hyphenated word modifies the noun after it
    return m.group(1).lower()


def _gapped_subject(span: Span, sent: Span) -> Token | None:
    """B in 'A made up 30 percent and B about 12 percent': after a conjunction, a word and
    a share with no verb between, following an earlier share of the same sentence (the
    parser reads such gapped clauses in many wrong ways, so this reads the words)."""
    doc = span.doc
    i = span.start - 1
    while i > sent.start and doc[i].pos_ in ("ADV", "ADP", "DET") and span.start - i <= 3:
        i -= 1  # the bounding words: "about", "some", "nearly"
    word = doc[i]
    before = doc[i - 1] if i > sent.start else None
    earlier_share = any(t.lower_ in ("percent", "cent", "%") for t in doc[sent.start : i])
    if (
        earlier_share
        and before is not None
        and before.lower_ in ("and", "but", "while")
        and word.is_alpha
        and word.pos_ in ("NOUN", "PROPN", "VERB")
    ):
        return word
    return None


def _counted_phrase(
    span: Span, q: Quantity, unit: tuple[str, str] | None, sent: Span, rules: _Rules
) -> str:
    """What the number quantifies, from the parse: its noun with the verb that says what
    happened to it ('people executed'), the noun after "of" ('of its houses'), a share's
    subject ('nobles' in 'nobles made up 8.5 percent'), or the verb of a bare number."""
    root = span.root
    doc = span.doc
    inside = range(span.start, span.end)

    def usable(t: Token) -> bool:
        return (
            sent.start <= t.i < sent.end
            and t.i not in inside
            and t.is_alpha
            and t.lower_ not in rules.deictic_time
        )

    noun: Token | None = None
    if (
        root.head.pos_ in ("NOUN", "PROPN")
        and root.dep_ in ("nummod", "quantmod", "amod", "compound")
        and usable(root.head)
    ):
        noun = root.head
    if noun is None:  # "of" on the figure, or on a word of it ("one-half of the crop")
        for c in [c for t in span for c in t.children]:
            if c.dep_ == "prep" and c.lower_ == "of":
                objs = [o for o in c.children if o.dep_ == "pobj"]
                if objs and objs[0].pos_ in ("NOUN", "PROPN", "ADJ") and usable(objs[0]):
                    noun = objs[0]
    if noun is None and unit is not None and not q.percent:
        after = doc[span.end : min(span.end + 6, sent.end)]
        cand = [t for t in after if t.lower_ == unit[0].lower() and usable(t)]
        noun = cand[0] if cand else None
    hyphened = "" if q.percent else _hyphenated_noun(span, sent)
    if hyphened and (noun is None or noun.idx < span.end_char + len(hyphened) + 2):
        return hyphened  # "a dozen co-accused": one word, whatever its tags
    if noun is not None and noun.lemma_.lower() == "worth":  # "£100,000 worth of Indian corn"
        of = [c for c in noun.children if c.lower_ == "of"]
        objs = [o for c in of for o in c.children if o.dep_ == "pobj"]
        noun = objs[0] if objs else noun
    if noun is not None and noun.lemma_.lower() in rules.generic_nouns:
        participles = [c for c in noun.children if c.dep_ == "acl" and c.pos_ == "VERB"]
        acl = [c for c in participles if c.i == noun.i + 1]
        if acl:  # "two million people left Sweden", the verb parsed as a participle on "people"
            return f"{_noun_phrase(noun)} {acl[0].lower_}"
    if noun is not None and noun.pos_ != "PRON":
        if noun.lemma_.lower() in ("total", "number", "figure", "toll") and noun.dep_ in SUBJECTS:
            pass
        else:
            return _with_verb(_noun_phrase(noun), noun)
    if root.dep_ == "pobj" and root.head.lower_ in rules.value_prepositions:
        verb = root.head.head  # "fixed the prices at one-third", "put the dead at 170,000"
        objs = [c for c in verb.children if c.dep_ == "dobj" and usable(c)]
        if verb.pos_ == "VERB" and objs and objs[0].pos_ in ("NOUN", "PROPN"):
            return _noun_phrase(objs[0])
    if root.dep_ in SUBJECTS and root.head.lemma_ == "be":
        attrs = [c for c in root.head.children if c.dep_ == "attr" and usable(c)]
        if attrs and attrs[0].pos_ == "NOUN":  # "a hundred of them are small children"
            return _noun_phrase(attrs[0], conjuncts=True)
    gapped = _gapped_subject(span, sent) if q.percent else None
    if gapped is not None:
        return gapped.lower_  # "nobles made up 8.5 percent and clergy 6.5": the verb left out
    if q.percent:  # a share: of whom, then who makes it up
        if root.dep_ in SUBJECTS:
            attrs = [c for c in root.head.children if c.dep_ in ("attr", "acomp") and usable(c)]
            if attrs:
                return _noun_phrase(attrs[0], conjuncts=True)
        proportion = re.fullmatch(r"\w+ ([a-z]+) in \w+", q.text)
        if proportion is not None:  # "lost one person in eight": persons lost
            who = next(t for t in span if t.lower_ == proportion.group(1))
            verbs = [a for a in root.ancestors if a.pos_ == "VERB"][:1]
            return " ".join([who.lower_, *(v.lower_ for v in verbs)])
        for anc in [root, *root.ancestors]:
            subj = [c for c in anc.children if c.dep_ in SUBJECTS and usable(c)]
            if subj and subj[0].pos_ not in ("PRON", "ADP", "DET"):
                return _noun_phrase(subj[0], conjuncts=True)
            if anc.pos_ in ("VERB", "AUX"):
                break
    if root.dep_ in SUBJECTS and root.head.pos_ == "VERB":
        return _verb_phrase(root.head)  # "at least 117,257 disappeared", "went into captivity"
    for anc in root.ancestors:  # "put the dead ... at about 170,000"
        if anc.pos_ in ("NOUN", "PROPN") and anc.i not in inside:
            break  # "the toll ... climbs to 35,000": the noun the number is about
        if anc.pos_ == "VERB":
            objs = [c for c in anc.children if c.dep_ == "dobj" and usable(c)]
            if objs and objs[0].pos_ != "PRON":
                return _noun_phrase(objs[0])
            break
    return ""


def _verb_phrase(verb: Token) -> str:
    """A verb with the particle or place it goes with, which say what befell those counted:
    "went into captivity", "came back", "come home"; the verb alone when it has none."""
    words = [verb]
    for c in verb.children:
        if c.i < verb.i:
            continue
        if c.dep_ == "prt" or (c.dep_ == "advmod" and c.lower_ in ("home", "back", "out", "away")):
            words.append(c)
        elif c.dep_ == "prep" and c.i <= verb.i + 3:
            objs = [o for o in c.children if o.dep_ == "pobj" and o.pos_ == "NOUN"]
            if objs:
                words += [c, objs[0]]
                break
    return " ".join(t.lower_ for t in sorted(words, key=lambda t: t.i))


def _noun_above(span: Span) -> bool:
    """The number sits in a phrase about a noun ('the toll ... climbs to 35,000'), not bare
    beside a verb ('compared with 1,251', 'did not stop at seventeen thousand')."""
    for anc in span.root.ancestors:
        if anc.pos_ in ("VERB", "AUX"):
            return False
        if anc.pos_ in ("NOUN", "PROPN") and not (span.start <= anc.i < span.end):
            return True
    return False


def _refers_to_a_figure(span: Span, phrase: str, rules: _Rules) -> str:
    """'put the figure as high as 500,000', 'Higher totals, up to 250,000', 'his estimate of
    the total is 35,000': the anaphoric noun by which the number restates a quantity the
    text has already named, or ""."""
    if phrase:
        first = phrase.split(" ")[0]
        return first if first in rules.anaphoric else ""
    for anc in span.root.ancestors:
        if anc.lower_ in rules.anaphoric:
            return anc.lower_
        if anc.pos_ in ("VERB", "AUX"):
            subjects = [c for c in anc.children if c.dep_ in SUBJECTS]
            words = [t.lower_ for s in subjects for t in s.subtree if t.lower_ in rules.anaphoric]
            sums = [w for w in words if w in rules.aggregate]  # "his estimate of the total"
            return (sums or words or [""])[0]
    return ""


def _measure(phrase: str, sent: Span, rules: _Rules) -> str:
    """What kind of quantity a counted phrase names, to align figures across texts. The
    head noun (what is counted, before the words about it) decides: its category in
    data/claims.toml ('executions'), else the category of the first other word that has
    one ('people executed' -> executions; the head's own modifiers do not count: 'death
    sentences' are not deaths), else the head with its compounds ('death sentence'),
    else, when the head is a general noun ('people drowned') or a people ('Russians
    fled'), the verb's lemma; "" when a people is all the phrase says (the caller then
    reads the words around)."""
    words = phrase.split()
    tokens = [t for t in sent if t.lower_ in set(words)]
    if not tokens:  # a phrase taken from an earlier sentence
        return _category(words, rules.counted) or phrase
    nouns = [t for t in tokens if t.pos_ in ("NOUN", "PROPN") and t.dep_ != "compound"]
    head = nouns[0] if nouns else None
    named = [c for c in head.children if c.dep_ == "compound" and c.i < head.i] if head else []
    joined = [c for c in (head.conjuncts if head else ()) if c in tokens and c.pos_ == "NOUN"]
    if head is not None and joined:  # "peasants and working people": not the peasants alone
        parts = [_measure(t.lower_, sent, rules) or t.lemma_.lower() for t in [head, *joined]]
        return " and ".join(dict.fromkeys(parts))
    if head is not None:
        found = _category([head.lemma_.lower()], rules.counted)
        if found:
            return found
    for t in tokens:  # in text order: the first word that says what befell the counted
        found = "" if t is head or t in named else _category([t.lemma_.lower()], rules.counted)
        if found:
            return found
    people = head is not None and head.ent_type_ == "NORP"  # "5 million Ukrainians": a place
    if head is not None and not people and head.lemma_.lower() not in rules.generic_nouns:
        return " ".join(t.lemma_.lower() for t in [*named, head])
    verbs = [t for t in tokens if t.pos_ == "VERB"]  # "people drowned": what befell them
    if people and not verbs:
        return ""  # the words around the figure say what happened to them
    best = verbs or ([head] if head is not None else tokens)
    return best[-1].lemma_.lower()


def _counted_category(
    span: Span, unit: tuple[str, str] | None, sent: Span, claims: list[Span], rules: _Rules
) -> str:
    """A category from data/claims.toml when the parse names no noun: the unit noun,
    then each governing word (nearest first) with its subject, then the words around."""
    levels: list[list[str]] = [[unit[1]] if unit is not None else []]
    levels.append([c.lemma_.lower() for c in span.root.children if c.dep_ in ("acl", "relcl")])
    governing: list[list[str]] = []
    for tok in span.root.ancestors:
        level = [tok.lemma_.lower()]
        for child in tok.children:
            if child.dep_ in SUBJECTS and not (span.start <= child.i < span.end):
                sub = child.doc[
                    child.left_edge.i : min(child.right_edge.i + 1, child.left_edge.i + 10)
                ]
                level.extend(t.lemma_.lower() for t in sub)
        governing.append(level)
    first_verb = next((i for i, lv in enumerate(governing) if lv and lv[0] not in PREPOSITIONS), 0)
    levels.extend(governing[: first_verb + 1])
    nxt = min([c.start for c in claims if c.start >= span.end] + [sent.end])
    right = list(span.doc[span.end : min(nxt, span.end + 12)])
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


def _credit(
    q: Quantity, sent: Span, attribution: Attribution | None, notes: Notes, voice: Voice | None
) -> tuple[str, str]:
    """(attributed_to, where it comes from): the voice the figure sits in, else a note called
    in its sentence, else a source named in its sentence, else nobody."""
    named = ""
    if attribution and attribution.kind == "named" and attribution.reporting and attribution.source:
        words = {w.lower() for w in re.findall(r"\w+", attribution.source[2])}
        if not words & FIRST_PERSON:
            named = attribution.source[2]
    if voice is not None and voice.kind in ("quotation", "block_quotation") and voice.speaker:
        return voice.speaker, "voice"
    calls = [
        c
        for c in notes.calls
        if sent.start_char <= c.start < sent.end_char + 3
        and notes.text[sent.start_char : c.start].strip()  # "(2) Next sentence": the last one's
    ]
    if calls and voice is None:
        c = calls[0]
        who = notes.author(c.number)
        lead = f"{named}; " if named else (f"{who}; " if who else "")
        return f"{lead}note {c.number}: {notes.texts[c.number]}", "endnote"
    if named:
        return named, "named"
    if voice is not None and voice.kind == "comment" and voice.speaker:
        return voice.speaker, "voice"
    if attribution and attribution.kind == "vague":
        return "", "vague"
    return "", "none"


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


def _is_rate(text: str, q: Quantity) -> bool:
    """'30 a day', 'over 1,000 executions a day', '5 per cent a year', '30 per 1,000'."""
    units = "|".join(DURATIONS)
    return q.per is not None or bool(
        re.match(rf"\s*(?:[\w-]+\s+){{0,3}}?(?<!of )(?:a|an|per|each|every)\s+(?:{units})\b",
                 text[q.end : q.end + 60], re.IGNORECASE)
    )  # fmt: skip


def _unit_label(q: Quantity, unit: tuple[str, str] | None) -> str:
    """The unit column: "%", the base of a rate ("per 1,000"), or the counted noun."""
    if q.percent:
        return "%"
    if q.currency:
        return q.currency
    if q.per is not None:
        return f"per {q.per:,.0f}"
    return unit[0] if unit is not None else ""


def _not_a_count(unit: tuple[str, str] | None, q: Quantity, text: str, rules: _Rules) -> bool:
    """Body parts and measures of a person, list and document parts.

    A duration is a claim ("in just 47 days", "ten year sentences"): how long something
    lasted is a figure a text gives about the past, as the issue's list of non-claims
    (body parts, a person's measures, list counts, page numbers, ages) implies.
    """
    if unit is None:
        return False
    lemma = unit[1]
    if lemma in rules.person_measures or unit[0].lower() in rules.person_measures:
        after = text[q.end : q.end + 60]
        at = re.search(rf"\b{re.escape(unit[0])}\b", after)
        rest = after[at.end() :] if at else ""
        return not (re.match(r"\s+of\s", rest) or _is_rate(text, q))  # "pounds of potatoes"
    return lemma in rules.body or unit[0].lower() in rules.body or lemma in rules.list_nouns


PLACES = ("GPE", "LOC")


def _places(doc: Doc, rules: _Rules) -> list[Span]:
    """The places a text names: what the tagger calls a place, and a proper noun after
    "of" that a noun of residents heads ('citizens of rebel Lyon'), which the tagger
    may call a person, an organisation or nothing."""
    found = [e for e in doc.ents if e.label_ in PLACES]
    for t in doc:
        prep = t.head
        if not (
            t.pos_ == "PROPN" and t.dep_ == "pobj" and t.ent_type_ in ("", "PERSON", "ORG")
            and prep.lower_ == "of" and prep.head.lemma_.lower() in rules.residents
        ):  # fmt: skip
            continue
        ent = next((e for e in doc.ents if e.start <= t.i < e.end), None)
        first = min([c.i for c in t.children if c.dep_ == "compound"] + [t.i])
        found.append(ent if ent is not None else doc[first : t.i + 1])
    return sorted(found, key=lambda s: s.start)


def _places_in(places: list[Span], sent: Span) -> set[str]:
    return {_clean_place(p.text) for p in places if sent.start <= p.start < sent.end}


def _clean_place(text: str) -> str:
    return re.sub(r"^(?:the)\s+|[’']s$", "", text.strip(), flags=re.IGNORECASE)


def _actor(span: Span, sent: Span) -> str:
    """Whose deed a figure counts when no place is named: 'Mao’s total victims', or the
    name beside it on a table row ('Hitler 34M')."""
    outside = [t for t in sent if not (span.start <= t.i < span.end)]
    if not any(t.pos_ in ("VERB", "AUX") for t in sent):
        names = [t for t in outside if t.pos_ == "PROPN"]
        return names[0].text if len(names) == 1 else ""
    sources = period_rules().source_nouns
    owners = [
        t for t in outside
        if t.dep_ == "poss" and t.ent_type_ == "PERSON" and t.head.lemma_.lower() not in sources
    ]  # fmt: skip  ("Greer's own estimate" names the source, not whose deed is counted)
    return owners[0].text if owners else ""


def _place(span: Span, sent: Span, places: list[Span]) -> str:
    """Where the figure applies, when its sentence says: a people counted ('1.5 million
    Russians'), else the place named nearest to it, else whose deed it counts; "" else."""
    root = span.root
    if root.head.ent_type_ == "NORP" and root.dep_ in ("nummod", "quantmod"):
        return _clean_place(root.head.text)
    ents = [
        e for e in places
        if sent.start <= e.start < sent.end and not (span.start <= e.start < span.end)
    ]  # fmt: skip
    if not ents:
        return _actor(span, sent) or _named_modifier(span, sent)
    near = min(ents, key=lambda e: min(abs(e.start - span.end), abs(span.start - e.end)))
    return _clean_place(near.text)


# Prepositions that say where or when an event happened: "died in the Bengal famine".
WHERE_WHEN = frozenset({"in", "during", "after", "before", "under", "throughout", "across", "at"})


def _named_modifier(span: Span, sent: Span) -> str:
    """A name set before a noun of its sentence ("died in the Bengal famine", which the
    tagger may call a person or an adjective): where or whose the event is."""
    doc = span.doc
    found = [
        t for t in sent
        if not (span.start <= t.i < span.end) and not t.is_sent_start
        and t.dep_ in ("amod", "compound") and t.head.pos_ == "NOUN" and t.text[:1].isupper()
        and t.head.dep_ == "pobj" and t.head.head.lower_ in WHERE_WHEN
        and t.ent_type_ in ("GPE", "LOC", "NORP", "PERSON", "ORG")
        and not (t.head.i + 1 < len(doc) and doc[t.head.i + 1].ent_type_ == "PERSON")
    ]  # fmt: skip  (not "the Oxford scholar Benjamin Jowett", "worth of Indian corn",
    #   "according to declassified Soviet archives": a title, a kind, a source)
    verb = next((a for a in span.root.ancestors if a.pos_ in ("VERB", "AUX")), None)
    subjects = [c for c in verb.children if c.dep_ in SUBJECTS] if verb is not None else []
    found += [  # whose: "The two Russian western armies ... numbered around 200,000 men"
        t for s in subjects for t in s.children
        if t.dep_ == "amod" and t.ent_type_ == "NORP" and t.text[:1].isupper()
    ]  # fmt: skip
    if not found:
        return ""
    near = min(found, key=lambda t: min(abs(t.i - span.end), abs(span.start - t.i)))
    return _clean_place(near.text)


# Entities that name a place, a people or whose deeds are counted: what a figure that
# names no place can be about (Claim.scope).
NAMES = ("GPE", "LOC", "NORP", "PERSON", "ORG", "FAC")


def _with_scopes(
    doc: Doc, places: list[Span], claims: list[Claim], paras: list[tuple[int, int]], main: str
) -> list[Claim]:
    """Each figure that names no place with what it can be about, as a figure's place would
    read them: the places and names its text gives, but not the place of a comparison, that
    another paragraph's figure is about and only that paragraph names (Senior's "would not
    kill more than a million" is not about the Bengal famine a last paragraph compares),
    unless it is the place the text names most."""
    starts = [s for s, _ in paras]

    def para_of(pos: int) -> int:
        k = bisect_right(starts, pos) - 1
        return k if k >= 0 and pos < paras[k][1] else -1

    seen: dict[str, set[int]] = defaultdict(set)
    for e in [*places, *(e for e in doc.ents if e.label_ in NAMES)]:
        seen[_clean_place(e.text)].add(para_of(e.start_char))
    placed = [(c.place, para_of(c.start)) for c in claims if c.place]
    everything = set(seen) | {p for p, _ in placed}
    out: list[Claim] = []
    for c in claims:
        if c.place:
            out.append(c)
            continue
        own = para_of(c.start)
        compared = {p for p, k in placed if k != own and seen.get(p, set()) <= {k}} - {main}
        names = sorted({n.casefold() for n in everything - compared if n})
        out.append(replace(c, scope=", ".join(names)))
    return out


# Entities that say who or where or when, not what happened: place, period and
# attribution are kept in their own fields.
NOT_EVENTS = frozenset({
    "PERSON", "GPE", "LOC", "NORP", "DATE", "TIME", "CARDINAL", "ORDINAL", "PERCENT",
    "QUANTITY", "MONEY",
})  # fmt: skip


def _event_word(t: Token, numbers: list[Span], skip: frozenset[str]) -> str:
    """The lemma of a noun that can name what a figure is about, or ""."""
    if t.pos_ not in ("NOUN", "PROPN") or t.ent_type_ in NOT_EVENTS or not t.is_alpha:
        return ""
    if any(n.start <= t.i < n.end for n in numbers) or {t.lemma_.lower(), t.lower_} & skip:
        return ""  # "per cent" of a figure, "the dead" a figure is the value of
    return t.lemma_.lower()


def _event(
    span: Span,
    sent: Span,
    numbers: list[Span],
    counted_words: list[str],
    unit: tuple[str, str] | None,
    prules: PeriodRules,
    rules: _Rules,
) -> str:
    """What else the figure's clause says it is about, from the parse alone: the nouns
    its counted noun and governing words take through a preposition or a by-agent ('died
    in the camps', 'inhabitants of the region', 'passed through the Gulag'), the subject
    of the verb a figure is the object of ('a famine that killed 30M'), that verb's own
    object ('created the conditions for famines') and named events. People, places,
    dates, time and record nouns are left out (place and period have their own fields);
    so are the words of the sentence's figures, `counted_words` (the noun counted and the
    measure), what a share is taken of ('14 per cent of the whole') and whoever reports
    the figure ('Greer counted')."""
    skip = rules.durations | prules.time_nouns | prules.source_nouns | rules.anaphoric
    skip |= {unit[1]} if unit is not None else set()
    skip |= set(counted_words)
    root = span.root
    counted = root.head if root.dep_ in ("nummod", "quantmod") else root
    chain: list[Token] = [root, *([counted] if counted is not root else [])]
    for anc in counted.ancestors:
        chain.append(anc)
        if anc.pos_ in ("VERB", "AUX"):
            break
    chain += [c for c in counted.children if c.dep_ in ("acl", "relcl")]
    words: set[str] = set()
    for head in chain:
        for child in head.children:
            objects: list[Token] = []
            if child.dep_ in ("prep", "agent") and not (head is root and child.lower_ == "of"):
                objects = [o for o in child.children if o.dep_ == "pobj"]
            elif (
                child.dep_ == "nsubj" and head.pos_ == "VERB" and child.i != counted.i
                and head.lemma_.lower() not in prules.report
            ):
                relative = child.pos_ == "PRON" and head.dep_ == "relcl"
                objects = [head.head] if relative else [child]  # "a famine that killed"
            elif child.dep_ == "dobj" and head.pos_ == "VERB" and child.i != counted.i:
                objects = [child, *(o for p in child.children if p.dep_ == "prep"
                                    for o in p.children if o.dep_ == "pobj")]  # fmt: skip
            for o in objects:
                parts = [o, *(c for c in o.children if c.dep_ == "compound")]
                words.update(w for t in parts if (w := _event_word(t, [span, *numbers], skip)))
    words.update(e.lemma_.lower() for e in sent.ents if e.label_ == "EVENT")
    return ", ".join(sorted(words))


def claims_from_doc(
    source: SourceText,
    doc: Doc,
    notes: Notes,
    theme_spans: list[Span],
    voices: list[Voice] | None = None,
) -> list[Claim]:
    """Claims of one parsed document, in text order."""
    rules = _rules(source)
    themes = seminar_themes()
    prules = period_rules()
    text = source.text
    voices = voices if voices is not None else voices_from_doc(source, doc)
    found = [q for q in find_quantities(text) if _is_candidate(q, text, rules)]
    places = _places(doc, rules)
    named = Counter(_clean_place(p.text) for p in places)
    main_place = named.most_common(1)[0][0] if named else ""  # the place the text is about
    spans = [doc.char_span(q.start, q.end, alignment_mode="expand") for q in found]
    paras = paragraphs(text)
    segments, attributions = _attributions(doc, notes)
    seg_starts = [seg.start for seg in segments]
    claims: list[Claim] = []
    bases: dict[int, list[str]] = {}  # sentence -> what its last share is taken of
    spoken: list[Voice | None] = []  # the voice of each claim found so far
    table_counted = ""  # what the text's last table counted (tables.py)
    for q, span in zip(found, spans, strict=True):
        if span is None:
            continue
        unit = _unit(span)
        if _not_a_count(unit, q, text, rules):
            continue
        para = next(((s, e) for s, e in paras if s <= q.start < e), (0, len(text)))
        row = tables.row(text, paras, para)
        stated = q.scaled or q.grouped or q.percent or q.is_range or q.per or q.currency
        if unit is None and not stated and row is None:  # a table's row is always a figure
            subject = span.root.dep_ in SUBJECTS and span.root.head.pos_ == "VERB"
            bounded = _bound(q, text, rules)[0] != "point"  # "some 300 or so deserted"
            if q.high < rules.bare_number_floor and not subject and not bounded:
                continue  # "Spectacle, 104": a thesis or list number; "300 died" is a count
        k = max(bisect_right(seg_starts, span.start) - 1, 0)
        sent = segments[k]
        voice = voice_at(voices, q.start, q.end)
        skip = range(span.start, span.end)
        period = own_period(q, sent, span.root, prules)
        if rules.present_time.match(text, q.end, q.end + 40):
            period = NONE  # "about 7 million today": the writer's present, not a past year
        elif None in period:

            here = _places_in(places, sent) & {main_place}

            def usable(
                prev: Span,
                para: tuple[int, int] = para,
                voice: Voice | None = voice,
                here: set[str] = here,
            ) -> bool:
                """Same paragraph, same voice, not only about elsewhere when this figure is
                about the text's main place ("The Finnish famine of 1866-68 ..." does not
                date "Ireland lost one in eight in a few short years")."""
                there = _places_in(places, prev)
                return (
                    prev.start_char >= para[0]
                    and voice_at(voices, prev.start_char, prev.start_char + 1) == voice
                    and not (here and there and not here & there)
                )

            borrowed = linked_period(segments, k, span.root, skip, usable, prules)
            period = borrowed if period == NONE else complete(period, borrowed)
        specific = [t for t in theme_spans if t.label_ in themes and not themes[t.label_].generic]
        theme = nearest_theme(specific, q.start, q.end, sent.start_char, sent.end_char) or (
            nearest_theme(theme_spans, q.start, q.end, sent.start_char, sent.end_char)
        )
        if not theme:
            theme = next(iter(count_themes(theme_spans, *para)), "")
        bound, quote_start = _bound(q, text, rules)
        low: float | None = q.low
        high: float | None = q.high
        if bound == "lower":
            high = None
        elif bound == "upper":
            low = None
        phrase = _counted_phrase(span, q, unit, sent, rules)
        intro = None  # the segment a table's introduction ends, for a row
        if row is not None:  # a table's row: its name says whose figure or when, the table what
            measure = row.column.lower() or tables.measure(doc, row.intro, rules.counted)
            phrase = table_counted = measure or table_counted
            intro = next(i for i, seg in enumerate(segments) if seg.end_char >= row.intro[1])
            period = row.years or sentence_period(segments[intro], prules)
        same_voice = [c for c, v in zip(claims, spoken, strict=True) if v == voice]
        earlier = [c for c in same_voice if c.start >= para[0]]
        word = _refers_to_a_figure(span, phrase, rules)
        meant: Claim | None = None  # the earlier figure this one restates, if any
        added = None  # what a sum adds beyond that figure: (word, category)
        if word:
            ref = meant = referent(word, earlier, rules.aggregate)
            if ref is not None:  # "the figure", "higher totals": what the figure counts
                phrase = ref.counted
                period = period if period != NONE else (ref.period_start, ref.period_end)
            if ref is not None and word in rules.aggregate:
                added = added_members(doc, ref.end, q.start, rules.additive, rules.counted)
            if added is not None:  # "many more died; the total is": a broader quantity
                phrase, meant = added[0], None
        others = [s for s in spans if s is not None]
        counted = phrase or _counted_category(span, unit, sent, others, rules)
        if q.currency and not phrase:
            counted = rules.currencies[q.currency]  # "about £7 million": a sum of money
        if not counted and not word and unit is None and not q.percent:
            ref = None if _noun_above(span) else restated(
                q.high, sentence_claims(same_voice, sent), same_voice
            )  # a bare number that nothing around explains: the figure it stands beside
            phrase = counted = ref.counted if ref is not None else ""
            meant = ref
        category = (added and added[1]) or (_measure(phrase, sent, rules) if phrase else "")
        if not category or category in rules.generic_nouns:
            category = (
                _counted_category(span, unit, sent, others, rules) or category
            )
        inside = [o for o in others if sent.start <= o.start < sent.end]
        place = _place(span, sent, places)
        if row is not None and row.place:  # whose deed, as "Mao's total victims" says, or where
            place = row.place
        event = _event(span, sent, inside, [*counted.split()[:1], category], unit, prules, rules)
        if meant is not None:  # the same quantity as the figure it restates, for alignment
            category = meant.category or category
            place, event = place or meant.place, event or meant.event
        if unit is not None and unit[1] in rules.durations:
            # "5 per cent a year" is a rate; "ten years", "ten year sentences" a duration
            between = text[q.end : text.find(unit[0], q.end)].strip().lower()
            counted = f"per {unit[1]}" if between in rules.rate_words else unit[0].lower()
            beside = sentence_claims(same_voice, sent)
            alone = phrase.split()[0] == unit[0].lower() if phrase else True  # "week" only
            if between in rules.rate_words and alone and beside and beside[-1].counted:
                counted = f"{beside[-1].counted} {counted}"  # "250,000 emigrants, 5,000 a week"
        credit, credit_from = _credit(q, sent, attributions[k], notes, voice)
        if intro is not None and credit_from == "none":  # the source its introduction names
            credit, credit_from = _credit(q, segments[intro], attributions[intro], notes, voice)
        if q.percent:
            base = share_base(span.root) or bases.get(k, [])
            bases[k] = base
            of = base_count(base, earlier, rules.generic_nouns)
            if of is not None and period == NONE:
                period = (of.period_start, of.period_end)  # a share of a count given earlier
            if of is not None and credit_from in ("none", "vague") and of.attributed_to:
                credit, credit_from = of.attributed_to, "base"
        spoken.append(voice)
        claims.append(
            Claim(
                claim_id=f"{source.meta.document_id}:{quote_start}",
                document_id=source.meta.document_id,
                start=quote_start,
                end=q.end,
                quote=text[quote_start : q.end],
                value_low=low,
                value_high=high,
                unit=_unit_label(q, unit),
                counted=counted,
                period_start=period[0],
                period_end=period[1],
                attributed_to=credit,
                theme=theme,
                bound=bound,
                attribution_from=credit_from,
                category=category,
                place=place,
                event=event,
                kind="share" if q.percent else ("rate" if _is_rate(text, q) else "count"),
            )
        )
    return _with_scopes(doc, places, claims, paras, main_place)
