"""Consistency checks offered as suggestions: "check this", never "wrong".

Texts repeat each other's facts and make their own arithmetic; a seminar
learns most where they disagree. Three checks, each pointing at the words
behind it:

- arithmetic inside a text: a rate ("over 1,000 executions a day") against
  the total and the time span it is drawn from (681,692 over two years);
- a citation that names someone its endnote does not (the sentence credits
  Bullock, the note cites Applebaum);
- across the seminar's texts, the same day and month given with different
  years for sentences about the same people, and the same act (drafting,
  ordering) credited by "by ..." to different people.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

from spacy.tokens import Doc, Span, Token

from ..document import SourceText, paragraphs
from .attribution import sentences
from .models import Claim
from .notes import Notes
from .numbers import parse_number

PER = {"day": 1.0, "week": 7.0, "month": 30.44, "year": 365.25}
MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
)


@dataclass(frozen=True)
class Check:
    document_id: str
    start: int
    end: int
    kind: str  # arithmetic, citation, date, credit
    message: str  # "Check this: ..."
    evidence: str  # the other words the check compares with, "document:start-end 'text'"
    quote: str = ""  # the words checked, text[start:end]


def _ref(document_id: str, start: int, end: int, text: str) -> str:
    return f"{document_id}:{start}-{end} {text[start:end]!r}"


def _duration(text: str) -> tuple[float, str] | None:
    """'two years', 'in just 47 days' -> (2, 'year'), (47, 'day')."""
    m = re.search(r"\b(\d[\d,]*|[a-z]+)\s+(day|week|month|year)s?\b", text, re.IGNORECASE)
    if not m:
        return None
    try:
        n = parse_number(m.group(1))
    except ValueError:
        return None
    return (n, m.group(2).lower()) if n > 1 else None


def _rate_unit(text: str, end: int) -> str | None:
    m = re.match(r"\s*(?:[\w-]+\s+){0,3}?(?:a|an|per|each|every)\s+(day|week|month|year)\b",
                 text[end : end + 60], re.IGNORECASE)  # fmt: skip
    return m.group(1).lower() if m else None


def arithmetic_checks(source: SourceText, claims: list[Claim]) -> list[Check]:
    """A stated rate against the total before it in the paragraph and the span it covers."""
    text = source.text
    out: list[Check] = []
    paras = paragraphs(text)
    for c in claims:
        unit = _rate_unit(text, c.end)
        if unit is None:
            continue
        para = next(((s, e) for s, e in paras if s <= c.start < e), (0, len(text)))
        totals = [
            t for t in claims
            if para[0] <= t.start < c.start and _rate_unit(text, t.end) is None
            and t.kind == "count" and t.value_low is not None and t.value_low == t.value_high
        ]  # fmt: skip
        if not totals:
            continue
        total = totals[-1]
        begin = max(para[0], text.rfind(".", 0, total.start) + 1)
        window = text[begin : text.find(".", c.end) + 1 or len(text)]
        span = _duration(window)
        first, last = total.period_start, total.period_end
        if span is None and first is not None and last is not None and last > first:
            span = (float(last - first + 1), "year")
        if span is None or total.value_low is None:
            continue
        days = span[0] * PER[span[1]]
        rate = total.value_low / days * PER[unit]
        low, high = c.value_low, c.value_high
        off = (low is not None and low > rate * 1.05) or (high is not None and high < rate * 0.95)
        if not off:
            continue
        n = f"{span[0]:g} {span[1]}{'s' if span[0] != 1 else ''}"
        out.append(
            Check(
                source.meta.document_id, c.start, c.end, "arithmetic",
                f"Check this: {total.quote} over {n} is about {rate:,.0f} a {unit}, "
                f"the text says {c.quote!r} a {unit}.",
                _ref(source.meta.document_id, total.start, total.end, text),
                c.quote,
            )
        )  # fmt: skip
    return out


def _surnames(text: str) -> set[str]:
    words = re.findall(r"[A-ZÀ-Ý][\w’'-]{2,}", text)
    return {re.sub(r"[’']s?$", "", w) for w in words if w.lower() not in _STOP}


_STOP = {"the", "and", "ibid", "note", "vol", "press", "university"}


def citation_checks(source: SourceText, claims: list[Claim], notes: Notes) -> list[Check]:
    """A sentence that credits a named source and calls a note citing someone else."""
    out: list[Check] = []
    seen: set[int] = set()
    for c in claims:
        if c.attribution_from != "endnote" or "; note " not in c.attributed_to:
            continue
        named, _, rest = c.attributed_to.partition("; note ")
        digits = re.match(r"\d+", rest)
        number = int(digits.group()) if digits else -1
        if number in seen or number not in notes.texts:
            continue
        names = _surnames(named)
        note = notes.texts[number]
        if names and not any(n.strip("’'") in note for n in names):
            seen.add(number)
            call = next((k for k in notes.calls if k.number == number and k.start > c.start), None)
            ev = (
                _ref(source.meta.document_id, call.start, call.end, source.text)
                if call else f"note {number}"
            )  # fmt: skip
            out.append(
                Check(
                    source.meta.document_id, c.start, c.end, "citation",
                    f"Check this: the sentence credits {named}, but its note {number} "
                    f"cites {note[:80]!r}.",
                    ev,
                    c.quote,
                )
            )  # fmt: skip
    return out


@dataclass(frozen=True)
class _Fact:
    document_id: str
    start: int
    end: int
    key: tuple[str, ...]
    value: str
    names: frozenset[str]
    text: str
    act: str = ""  # the verb as written ("drafted")


def _names(sent: Span) -> frozenset[str]:
    """The proper names of a sentence, dates left out: what two sentences must share to be
    about the same thing."""
    return frozenset(
        t.text for t in sent
        if t.pos_ == "PROPN" and t.ent_type_ not in ("DATE", "TIME") and len(t.text) > 2
        and not re.fullmatch(MONTHS, t.lower_)
    )  # fmt: skip


def _dates(document_id: str, doc: Doc) -> list[_Fact]:
    out = []
    for sent in sentences(doc):
        for m in re.finditer(rf"\b(\d{{1,2}})\s+({MONTHS})\s+(\d{{4}})\b", sent.text,
                             re.IGNORECASE):  # fmt: skip
            s = sent.start_char + m.start()
            out.append(_Fact(document_id, s, s + len(m.group()),
                             (m.group(1), m.group(2).lower()), m.group(3), _names(sent),
                             m.group()))  # fmt: skip
    return out


def _agent(verb: Token) -> Token | None:
    for c in verb.children:
        if c.dep_ == "agent":
            objs = [o for o in c.children if o.dep_ == "pobj"]
            return objs[0] if objs else None
    return None


def _credits(document_id: str, doc: Doc) -> list[_Fact]:
    """'X was drafted by A', 'X, drafted by A': (what, act) -> who."""
    out = []
    previous_subject: Span | None = None
    for sent in sentences(doc):
        subject: Span | None = None
        for tok in sent:
            if tok.dep_ in ("nsubj", "nsubjpass") and tok.head.dep_ == "ROOT":
                subject = tok.doc[tok.left_edge.i : tok.right_edge.i + 1]
        for verb in sent:
            agent = _agent(verb) if verb.pos_ == "VERB" else None
            if agent is None:
                continue
            people = [t for t in agent.subtree if t.pos_ == "PROPN"]
            if not people:
                continue
            if verb.dep_ == "acl":
                head = verb.head
                what: Span | None = verb.doc[head.left_edge.i : head.i + 1]
                of = [c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"]
                if of:  # "the Law of Suspects", not the clause after it
                    what = verb.doc[head.left_edge.i : of[0].right_edge.i + 1]
            else:
                subj = [c for c in verb.children if c.dep_ == "nsubjpass"]
                what = verb.doc[subj[0].left_edge.i : subj[0].right_edge.i + 1] if subj else None
                if what is not None and what.root.pos_ == "PRON":
                    what = previous_subject
            if what is None:
                continue
            named = frozenset(
                t.lower_.removesuffix("s") for t in what if t.pos_ in ("PROPN", "NOUN")
            )
            if not any(t.pos_ == "PROPN" for t in what):
                continue  # "crops were seized by ...": no named thing to compare
            who = agent.doc[agent.left_edge.i : max(t.i for t in people) + 1]
            key = (verb.lemma_.lower(), what.root.lower_.removesuffix("s"))
            names = frozenset(t.text for t in people)
            out.append(
                _Fact(document_id, who.start_char, who.end_char, key, who.text, names,
                      " ".join(sorted(named)), verb.lower_)
            )  # fmt: skip
        if subject is not None and subject.root.pos_ != "PRON":
            previous_subject = subject
    return out


def corpus_checks(docs: dict[str, Doc]) -> list[Check]:
    """Facts that the seminar's texts give differently: dates and credits."""
    out: list[Check] = []
    dates: dict[tuple[str, ...], list[_Fact]] = defaultdict(list)
    credits: dict[tuple[str, ...], list[_Fact]] = defaultdict(list)
    for document_id, doc in docs.items():
        for f in _dates(document_id, doc):
            dates[f.key].append(f)
        for f in _credits(document_id, doc):
            credits[f.key].append(f)
    for facts in dates.values():
        for a in facts:
            for b in facts:
                if a.document_id != b.document_id and a.value != b.value and a.names & b.names:
                    out.append(Check(
                        a.document_id, a.start, a.end, "date",
                        f"Check this: {a.text!r} here, {b.text!r} in {b.document_id}, "
                        f"in sentences about {', '.join(sorted(a.names & b.names))}.",
                        _ref(b.document_id, b.start, b.end, docs[b.document_id].text),
                        a.text,
                    ))  # fmt: skip
    for facts in credits.values():
        for a in facts:
            for b in facts:
                same = set(a.text.split()) & set(b.text.split())
                if (
                    a.document_id != b.document_id
                    and len(same) >= min(2, len(a.text.split()), len(b.text.split()))
                    and not a.names & b.names
                ):
                    out.append(Check(
                        a.document_id, a.start, a.end, "credit",
                        f"Check this: {a.act} by {a.value!r} here, by {b.value!r} in "
                        f"{b.document_id}.",
                        _ref(b.document_id, b.start, b.end, docs[b.document_id].text),
                        a.value,
                    ))  # fmt: skip
    return sorted(out, key=lambda c: (c.document_id, c.start, c.kind))


def document_checks(source: SourceText, claims: list[Claim], notes: Notes) -> list[Check]:
    """The checks one text allows on its own."""
    return arithmetic_checks(source, claims) + citation_checks(source, claims, notes)
