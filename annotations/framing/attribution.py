"""Attribution profile: for each sentence that makes a claim, who vouches for it.

The four kinds follow what a seminar asks of a source: is the authority
named, only gestured at ("some historians"), hidden by grammar ("it is
estimated"), or missing? Report verbs come from data/verbs.toml, frames and
source nouns from data/attribution.toml.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Span, Token

from .datafiles import load
from .models import Attribution, Evidence
from .notes import Notes

NAMED_ENTS = {"PERSON", "ORG", "WORK_OF_ART"}
FIRST_PERSON = {"i", "we", "my", "our"}
SINGULAR_PERSONAL = {"he", "his", "him", "she", "her"}
SUBJECTS = ("nsubj", "nsubjpass")
COMPLEMENTS = {"ccomp", "dobj", "xcomp", "oprd", "parataxis", "attr"}
RANK = {"named": 3, "vague": 2, "agentless": 1, "absent": 0}


def ev(span: Span) -> Evidence:
    return (span.start_char, span.end_char, span.text)


def sentences(doc: Doc) -> list[Span]:
    """spaCy's sentences cut at line breaks: a heading or caption is never part of a sentence."""
    out: list[Span] = []
    for sent in doc.sents:
        start = sent.start
        for tok in sent:
            if tok.is_space and "\n" in tok.text:
                if tok.i > start:
                    out.append(doc[start : tok.i])
                start = tok.i + 1
        if start < sent.end:
            out.append(doc[start : sent.end])
    return out


def trim(span: Span) -> Span:
    """The span without leading note calls or punctuation and trailing punctuation."""
    start, end = span.start, span.end
    while start < end and not span.doc[start].is_alpha:
        start += 1
    while end > start and (span.doc[end - 1].is_punct or span.doc[end - 1].is_space):
        end -= 1
    return span.doc[start:end]


def is_claim_sentence(sent: Span) -> bool:
    """A declarative sentence with a verb: headings, list items and questions are not claims."""
    words = [t for t in sent if t.is_alpha]
    return (
        len(words) >= 4
        and any(t.pos_ in ("VERB", "AUX") for t in sent)
        and not sent.text.rstrip().endswith("?")
    )


def _subtree(token: Token, limit: int = 12) -> Span:
    left, right = token.left_edge.i, token.right_edge.i + 1
    if right - left > limit:  # a clause-sized subject: keep the words around its head
        left, right = max(left, token.i - limit // 2), min(right, token.i + 1)
    return token.doc[left:right]


def classify(source: Span) -> str:
    """ "named" for people, organisations and archives; "vague" for unnamed groups."""
    raw = load("attribution.toml")
    lemmas = {t.lemma_.lower() for t in source}
    if any(t.lower_ in FIRST_PERSON for t in source):
        return "named"  # the author vouches in person
    if lemmas & set(raw["document_sources"]):
        return "named"
    if any(t.ent_type_ in NAMED_ENTS for t in source):
        return "named"
    if any(t.pos_ == "PROPN" and t.ent_type_ not in ("NORP", "GPE") for t in source):
        return "named"
    if all(t.pos_ == "PRON" for t in source if t.is_alpha):
        return "pronoun"
    return "vague"


def _reports(verb: Token) -> bool:
    """A report verb reports only with something reported: "concluded the Pact" does not."""
    if any(c.dep_ == "auxpass" for c in verb.children) or verb.dep_ == "amod":
        return True
    return any(c.dep_ in COMPLEMENTS for c in verb.children)


def _authored_by(noun: Token) -> list[Token]:
    """Who wrote a record: the agent of the participle on it ("a study published ... by X")."""
    return [
        obj
        for verb in noun.children
        if verb.dep_ == "acl" and verb.pos_ == "VERB"
        for agent in verb.children
        if agent.dep_ == "agent"
        for obj in agent.children
        if obj.dep_ == "pobj"
    ]


def _candidates(sent: Span) -> list[tuple[str, Span | None, Span | None]]:
    """(kind, reporting, source) for every attribution cue in the sentence."""
    raw = load("attribution.toml")
    report = set(load("verbs.toml")["report"])
    frames = set(raw["frame_nouns"]) | set(raw["record_nouns"])
    doc = sent.doc
    found: list[tuple[str, Span | None, Span | None]] = []
    lower = sent.text.lower()
    for phrase in raw["according_to"]:
        for m in re.finditer(re.escape(phrase), lower):
            cue = sent.char_span(m.start(), m.end(), alignment_mode="expand")
            if cue is None:
                continue
            objs = [t for t in cue[-1].children if t.dep_ == "pobj"]
            if objs:
                src = trim(_subtree(objs[0]))
            else:
                end = cue.end
                while end < sent.end and not doc[end].is_punct:
                    end += 1
                src = doc[cue.end : end]
            if len(src):
                found.append((classify(src), cue, src))
    for tok in sent:
        lemma = tok.lemma_.lower()
        if lemma in frames and tok.pos_ == "NOUN":
            owners = [c for c in tok.children if c.dep_ in ("poss", "nmod") and c.i < tok.i]
            if owners:
                src = trim(doc[owners[0].left_edge.i : tok.i])
                if len(src):
                    found.append((classify(src), doc[tok.i : tok.i + 1], src))
            for by in _authored_by(tok):  # "a study published in 1940 by Günther Franz"
                src = trim(_subtree(by))
                found.append((classify(src), doc[tok.i : tok.i + 1], src))
        if lemma in report and tok.pos_ == "VERB" and _reports(tok):
            verb = doc[tok.i : tok.i + 1]
            subj = [c for c in tok.children if c.dep_ in ("nsubj", "nsubjpass")]
            agent = [c for c in tok.children if c.dep_ == "agent"]
            passive = any(c.dep_ == "auxpass" for c in tok.children)
            if agent:
                objs = [c for c in agent[0].children if c.dep_ == "pobj"]
                if objs:
                    src = trim(_subtree(objs[0]))
                    found.append((classify(src), verb, src))
            elif passive or tok.dep_ == "amod":
                found.append(("agentless", verb, None))
            elif subj and subj[0].dep_ == "nsubj":
                src = trim(_subtree(subj[0]))
                found.append((classify(src), verb, src))
            elif not subj and tok.i > sent.start and doc[tok.i - 1].pos_ == "PROPN":
                start = tok.i - 1  # a misparsed subject: "..., Bullock and Labedz estimate"
                while start > sent.start and doc[start - 1].pos_ in ("PROPN", "CCONJ"):
                    start -= 1
                found.append(("named", verb, doc[start : tok.i]))
    for phrase in raw["agentless_markers"]:
        for m in re.finditer(rf"\b{re.escape(phrase)}\b", lower):
            cue = sent.char_span(m.start(), m.end(), alignment_mode="expand")
            if cue is not None:
                found.append(("agentless", cue, None))
    return found


def _antecedent(sent: Span, pronoun: Span | None, previous: Attribution | None) -> Span | None:
    """The person a singular 'he', 'his', 'she', 'her' points back to: the last proper noun
    that is a subject in the sentence before (the subject is the likeliest antecedent)."""
    if pronoun is None or previous is None:
        return None
    if not any(t.lower_ in SINGULAR_PERSONAL for t in pronoun):
        return None
    before = sent.doc.char_span(previous.sentence[0], previous.sentence[1])
    if before is None:
        return None
    subjects = [
        t for t in before
        if t.pos_ == "PROPN" and t.ent_type_ not in ("GPE", "LOC", "NORP", "DATE", "ORG")
        and (t.dep_ in SUBJECTS or (t.dep_ == "appos" and t.head.dep_ in SUBJECTS))
    ]  # fmt: skip  ("the priest Jean Moreau drew up": the name in apposition to the subject)
    if not subjects:
        return None
    head = subjects[-1]
    names = [c for c in head.children if c.dep_ == "compound" and c.pos_ == "PROPN"]
    return sent.doc[min([head.i, *[c.i for c in names]]) : head.i + 1]


def sentence_attribution(sent: Span, notes: Notes, previous: Attribution | None) -> Attribution:
    """The strongest attribution cue in a sentence, else its own note call, else absent.

    A pronoun source ("they estimate") takes the kind of the previous sentence's source.
    """
    best: tuple[str, Evidence | None, Evidence | None] | None = None
    for kind, cue, src in _candidates(sent):
        source = ev(src) if src is not None else None
        if kind == "pronoun":
            person = _antecedent(sent, src, previous)
            if previous and previous.kind in ("named", "vague") and previous.source:
                kind, source = previous.kind, previous.source  # "they" = the last named source
            elif person is not None:
                kind, source = "named", ev(person)  # "his register" = the curé named before
            else:
                kind = "vague"
        if best is None or RANK[kind] > RANK[best[0]]:
            best = (kind, ev(cue) if cue is not None else None, source)
    if best is not None:
        return Attribution(ev(sent), *best)
    call = notes.call_after(sent.start_char)
    text = notes.text
    if call and call.start < sent.end_char + 3 and not text[sent.end_char : call.start].strip():
        call_ev = (call.start, call.end, text[call.start : call.end])
        return Attribution(ev(sent), "named", None, call_ev)
    if call and sent.start_char <= call.start < sent.end_char:
        return Attribution(
            ev(sent), "named", None, (call.start, call.end, text[call.start : call.end])
        )
    return Attribution(ev(sent), "absent", None, None)


def attribution_profile(doc: Doc, notes: Notes) -> list[Attribution]:
    """One Attribution per claim-making sentence, in text order."""
    out: list[Attribution] = []
    previous: Attribution | None = None
    for sent in sentences(doc):
        if not is_claim_sentence(sent):
            continue
        previous = sentence_attribution(sent, notes, previous)
        out.append(previous)
    return out
