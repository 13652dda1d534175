"""The period of a figure: the years its own clause states, carried over from an earlier
sentence only when the text links the two.

A figure's years come from its own clause, else from the clauses around it in its
sentence (never a publication year, a base year or a neighbouring anecdote's date).
A sentence that states no year borrows the period of an earlier sentence of the same
paragraph and voice only through a link the text makes: an opening that points back
("Its", "Under it", "In the same years"), a time word that needs an earlier date
("then", "by the summer", "in February", "in just 47 days", "the month"), the same
named source going on ("Greer's own tables"), or the same event named again in the
sentence just before ("mass drownings ... people drowned"). Without a link it stays
empty: a change of subject is a change of event. Word lists are in data/claims.toml.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Span, Token

from .datafiles import load
from .numbers import Quantity, YearSpan, find_years

Period = tuple[int | None, int | None]
NONE: Period = (None, None)
CLAUSE_DEPS = {"ROOT", "conj", "ccomp", "advcl", "relcl", "xcomp", "parataxis", "acl", "csubj"}
SUBORDINATE = {"advcl", "relcl", "acl", "csubj"}


@dataclass(frozen=True)
class PeriodRules:
    end_words: frozenset[str]
    start_words: frozenset[str]
    bounding: frozenset[str]
    report: frozenset[str]
    back_reference: tuple[str, ...]
    time_adverbs: frozenset[str]
    time_nouns: frozenset[str]
    months: frozenset[str]
    definite: frozenset[str]
    frame_prepositions: frozenset[str]
    light_verbs: frozenset[str]
    source_nouns: frozenset[str]


@cache
def period_rules() -> PeriodRules:
    raw = load("claims.toml")
    attribution = load("attribution.toml")
    months = frozenset(raw["months"])
    return PeriodRules(
        end_words=frozenset(raw["period_end_words"]),
        start_words=frozenset(raw["period_start_words"]),
        bounding=frozenset(raw["period_bounding_words"]),
        report=frozenset(load("verbs.toml")["report"]),
        back_reference=tuple(raw["back_reference"]),
        time_adverbs=frozenset(raw["relative_time"]["adverbs"]),
        time_nouns=frozenset(raw["relative_time"]["nouns"]) | months,
        months=months,
        definite=frozenset(raw["relative_time"]["determiners"]),
        frame_prepositions=frozenset(raw["relative_time"]["duration_prepositions"]),
        light_verbs=frozenset(raw["relative_time"]["light_verbs"]),
        source_nouns=frozenset(
            attribution["frame_nouns"] + attribution["source_nouns"] + attribution["record_nouns"]
        ),
    )


def _year_is_period(tok: Token | None, rules: PeriodRules, within: Span | None = None) -> bool:
    """False for a publication year ("In 1986 X claimed", "a study ... in 2007 estimated")
    and a base year ("their 1790 level"): those date the telling, not the figure."""
    if tok is None:
        return True
    prev = tok.doc[tok.i - 1] if tok.i > 0 else None
    if (
        tok.dep_ in ("nummod", "compound", "amod")
        and tok.head.pos_ == "NOUN"
        and prev is not None
        and (prev.tag_ in ("PRP$", "DT", "POS") or prev.dep_ == "poss")
    ):
        return False  # "their 1790 level", "the 1986 edition"
    child = tok
    for anc in tok.ancestors:
        if (
            anc.pos_ == "VERB"
            and anc.lemma_.lower() in rules.report
            and any(  # "X claimed that ...", that clause on the year's side of a semicolon
                c.dep_ == "ccomp" and (within is None or within.start <= c.i < within.end)
                for c in anc.children
            )
        ):
            return child.dep_ in ("ccomp", "xcomp", "dobj", "advcl", "conj")
        child = anc
    return True


def _clauses(tok: Token) -> list[Token]:
    """The heads of the clauses a token sits in, innermost first, up to the sentence root."""
    out = [t for t in [tok, *tok.ancestors] if t.pos_ in ("VERB", "AUX") and t.dep_ in CLAUSE_DEPS]
    root = [tok, *tok.ancestors][-1]
    return out if out and out[-1] == root else [*out, root]


def _apposition(tok: Token) -> Token | None:
    for anc in [tok, *tok.ancestors]:
        if anc.dep_ == "appos":
            return anc
        if anc.pos_ in ("VERB", "AUX"):
            return None
    return None


def _in_other_apposition(year: Token, figure: Token) -> bool:
    """A year and a figure on two sides of an apposition: 'Danton, the hero of 1792, went
    ...'; 'At the 1945 conference Stalin held up ten fingers, an admission of ten million
    deaths' (the year dates the telling, not the deaths)."""
    for a, b in ((year, figure), (figure, year)):
        appos = _apposition(a)
        if appos is None or appos.left_edge.i <= b.i <= appos.right_edge.i:
            continue
        if a is year and appos.ent_type_ in ("DATE", "TIME"):
            continue  # "executed the next day, 28 July 1794": the apposition is the date
        return True
    return False


def _bounding_clause(year: Token, rules: PeriodRules) -> tuple[Token, str] | None:
    """The subordinate clause a year sits in when a bounding conjunction opens it ('before
    Carrier was recalled in 1794', 'since the court began in 1793'): (clause, word)."""
    for anc in year.ancestors:
        if anc.pos_ in ("VERB", "AUX") and anc.dep_ in SUBORDINATE:
            marks = [c.lower_ for c in anc.children if c.dep_ == "mark"]
            word = marks[0] if marks else ""
            return (anc, word) if word in rules.bounding else None
    return None


def _in_other_subordinate(year: Token, chain: list[Token], rules: PeriodRules) -> bool:
    """A year inside a subordinate clause that does not hold the figure ('when Churchill
    asked ... in 1945'): it dates a neighbouring anecdote. A clause that bounds the
    figure's own ('before Carrier was recalled in 1794') is not one."""
    for anc in [year, *year.ancestors]:
        if anc in chain:
            return False
        if anc.pos_ in ("VERB", "AUX") and anc.dep_ in SUBORDINATE:
            bound = _bounding_clause(year, rules)
            return not (bound is not None and bound[0] is anc and anc.head in chain)
    return False


def _years(sent: Span, q: Quantity, figure: Token, rules: PeriodRules) -> list[YearSpan]:
    """The years of the figure's own clause, else of the clauses around it (never those of
    a neighbouring clause, such as an anecdote's 'when ... in 1945')."""
    doc = sent.doc
    chain = _clauses(figure)
    levels: dict[int, list[YearSpan]] = {}
    for y in find_years(sent.text):
        s = sent.start_char + y.start
        if q.start <= s < q.end:
            continue
        span = doc.char_span(s, sent.start_char + y.end, alignment_mode="expand")
        if span is None:
            continue
        tok = span.root
        if not _year_is_period(tok, rules, sent) or _in_other_apposition(tok, figure):
            continue
        home = _clauses(tok)[0]
        bound = _bounding_clause(tok, rules)
        if bound is not None and bound[0].head in chain:
            levels.setdefault(1, []).append(y)  # "... drowned before X was recalled in 1794"
        elif home == chain[0] or figure.head in home.ancestors or figure in home.ancestors:
            levels.setdefault(0, []).append(y)  # its own clause, or one inside its noun phrase
        elif not _in_other_subordinate(tok, chain, rules):
            levels.setdefault(2, []).append(y)  # a clause it is coordinated with or inside
    return levels[min(levels)] if levels else []


def _side(sent: Span, y: YearSpan, rules: PeriodRules) -> str:
    """'end' for a year after 'by', 'before', 'until' ('before the summer of 1794', 'before
    X was recalled in 1794'), 'start' after 'since', 'from', 'after'; '' otherwise."""
    text = sent.doc.text
    words = re.findall(r"\w+", text[sent.start_char : sent.start_char + y.start].lower())[-1:]
    span = sent.doc.char_span(
        sent.start_char + y.start, sent.start_char + y.end, alignment_mode="expand"
    )
    if not words and span is None:
        return ""
    word = words[0] if words else ""
    if span is not None and word not in rules.end_words | rules.start_words:
        for anc in span.root.ancestors:  # "before the summer of 1794": the governing preposition
            if anc.pos_ == "ADP" and anc.lower_ != "of":
                word = anc.lower_ if anc.lower_ in rules.bounding else ""
                break
            if anc.pos_ not in ("NOUN", "PROPN", "NUM", "ADP"):
                break
        bound = _bounding_clause(span.root, rules)
        if bound is not None and word not in rules.end_words | rules.start_words:
            word = bound[1]
    if word in rules.end_words:
        return "end"
    if word in rules.start_words:
        return "start"
    return ""


# A year set right after a figure (and at most two words naming what it counts) dates that
# figure alone: "cattle fell from 33.2 million in 1928 to 24.6 million by 1950".
ATTACHED_YEAR = re.compile(
    r"(?:\s+[a-z][\w’'-]*){0,2}?\s+(?P<prep>in|by|as of)\s+"
    r"(?P<year>1\d{3}|20\d{2})\b(?![’']?s\b|\s*[-–—])"  # not "1930s", not "1930-33"
)


def _attached_year(sent: Span, q: Quantity) -> Period | None:
    """The year a figure carries with it: "33.2 million in 1928", "24.6 million by 1950"."""
    if q.start < 0:
        return None
    m = ATTACHED_YEAR.match(sent.doc.text, q.end, sent.end_char)
    return None if m is None else (int(m.group("year")), int(m.group("year")))


def _semicolon_part(sent: Span, figure: Token) -> Span:
    """The stretch of the sentence between the semicolons around the figure: a clause of
    its own, whatever the parser hangs it on."""
    start, end = sent.start, sent.end
    for t in sent:
        if t.text == ";":
            if t.i < figure.i:
                start = t.i + 1
            elif t.i > figure.i:
                end = t.i
                break
    return sent if (start, end) == (sent.start, sent.end) else sent.doc[start:end]


def own_period(q: Quantity, sent: Span, figure: Token, rules: PeriodRules) -> Period:
    """The years the figure's own clause states: from the first to the last, or the one
    year set right after the figure.

    One year after 'by' or 'before' ends a period, after 'since' starts one."""
    attached = _attached_year(sent, q)
    if attached is not None:
        return attached
    part = _semicolon_part(sent, figure)
    if part is not sent and any(not (q.start <= part.start_char + y.start < q.end)
                                for y in find_years(part.text)):
        sent = part  # "In 1841 it counted 8.2 million; in 1851 it counted 6.6 million"
    years = _years(sent, q, figure, rules)
    if not years:
        return NONE
    if len(years) == 1 and years[0].first == years[0].last:
        y = years[0]
        side = _side(sent, y, rules)
        if side == "end":
            return None, y.last
        if side == "start":
            return y.first, None
    return min(y.first for y in years), max(y.last for y in years)


def sentence_period(sent: Span, rules: PeriodRules) -> Period:
    """The years a whole sentence states for its main clause, for a later sentence that is
    linked to it; none when its only years date the telling (a publication year)."""
    none = Quantity(-1, -1, "", 0, 0, False, False, False, False, False)
    return own_period(none, sent, sent.root, rules)


def refers_back(sent: Span, rules: PeriodRules) -> bool:
    """A sentence that opens by pointing at the one before: "Its...", "In the same years",
    "Under it", "After this"."""
    words = [t for t in sent[:5] if not t.is_punct]
    if len(words) >= 2 and words[0].pos_ == "ADP" and words[1].pos_ == "PRON":
        return True  # "Under it", "After this": a preposition and a pronoun
    text = " ".join(t.lower_ for t in words[:4])
    text = re.sub(r"^(?:of|in|on|at|by|for|from|during|under|among|over)\s+", "", text)
    return any(text == w or text.startswith(w + " ") for w in rules.back_reference)


def _has_year(tok: Token) -> bool:
    return any(find_years(t.text) for t in tok.subtree)


def relative_time(sent: Span, skip: range, rules: PeriodRules) -> bool:
    """A time expression that needs a date given earlier: 'then', 'by the summer', 'in
    February', 'the same year', 'over those two years', 'in just 47 days'."""
    for t in sent:
        if t.i in skip:
            continue
        lemma = t.lemma_.lower()
        if t.pos_ == "ADV" and lemma in rules.time_adverbs:
            return True
        if lemma not in rules.time_nouns or t.pos_ not in ("NOUN", "PROPN") or _has_year(t):
            continue
        if t.lower_ in rules.months:
            return True  # "in February": a month with no year of its own
        dets = {c.lower_ for c in t.children if c.dep_ in ("det", "amod", "predet")}
        if dets & rules.definite:
            return True  # "the month", "that year", "those two years", "the same years"
        counted = any(c.dep_ == "nummod" for c in t.children)
        if counted and t.dep_ == "pobj" and t.head.lower_ in rules.frame_prepositions:
            return True  # "in just 47 days", "within two years": a stretch from a known date
    return False


def _stem(lemma: str) -> str:
    return lemma[:-1] if lemma.endswith("e") else lemma


def _same_lemma(a: str, b: str) -> bool:
    """'drown' ~ 'drowning', 'execute' ~ 'execution': one word derived from the other."""
    sa, sb = _stem(a), _stem(b)
    return min(len(sa), len(sb)) >= 4 and (b.startswith(sa) or a.startswith(sb))


def same_event(figure: Token, prev: Span, rules: PeriodRules) -> bool:
    """The verb that says what happened to the counted thing is named in the sentence
    before, as a verb or a noun ('mass drownings ...' then '... people were drowned')."""
    head = next((t for t in figure.ancestors if t.pos_ == "VERB"), None)
    chain: list[Token] = []
    while head is not None:  # "are thought to have been drowned": down the xcomp chain
        chain.append(head)
        head = next((c for c in head.children if c.dep_ == "xcomp" and c.pos_ == "VERB"), None)
    verbs = [
        t.lemma_.lower() for t in chain if t.lemma_.lower() not in rules.light_verbs | rules.report
    ]
    words = [t.lemma_.lower() for t in prev if t.pos_ in ("VERB", "NOUN")]
    return any(_same_lemma(v, w) for v in verbs for w in words)


def source_names(sent: Span, rules: PeriodRules) -> list[str]:
    """Names that own a source in the sentence: 'Greer' in "Greer's own tables"."""
    return [
        t.text
        for t in sent
        if t.dep_ == "poss" and t.pos_ == "PROPN" and t.head.lemma_.lower() in rules.source_nouns
    ]


def _anchor(period: Period) -> Period:
    """A one-sided period ('From 10 June 1794 ...') lent to a later sentence dates it by its
    one year: what follows is told from that date."""
    start, end = period
    return (start if start is not None else end, end if end is not None else start)


def linked_period(
    segments: list[Span],
    k: int,
    figure: Token,
    skip: range,
    usable: Callable[[Span], bool],
    rules: PeriodRules,
) -> Period:
    """The period an undated sentence takes from an earlier one it is linked to (see the
    module's docstring); `usable` says whether an earlier sentence is in the same
    paragraph and voice."""
    sent = segments[k]
    names = source_names(sent, rules)
    for j in range(k - 1, -1, -1):
        prev = segments[j]
        if not usable(prev):
            break
        if names and any(n in prev.text for n in names):
            found = _anchor(sentence_period(prev, rules))
            if found != NONE:
                return found  # the same source's count ("Greer counted ... 1793-1794")
    prev_sent = segments[k - 1] if k > 0 else None
    if prev_sent is not None and usable(prev_sent) and same_event(figure, prev_sent, rules):
        found = _anchor(sentence_period(prev_sent, rules))
        if found != NONE:
            return found
    if not (refers_back(sent, rules) or relative_time(sent, skip, rules)):
        return NONE
    for j in range(k - 1, -1, -1):
        prev = segments[j]
        if not usable(prev):
            break
        found = _anchor(sentence_period(prev, rules))
        if found != NONE:
            return found
        if find_years(prev.text):
            break  # its only years date the telling: nothing to carry over
    return NONE


def complete(own: Period, borrowed: Period) -> Period:
    """A one-sided period ('before 1794') with its open side from a linked sentence's."""
    start, end = own
    if start is None and end is not None and borrowed[0] is not None and borrowed[0] <= end:
        return borrowed[0], end
    if end is None and start is not None and borrowed[1] is not None and borrowed[1] >= start:
        return start, borrowed[1]
    return own
