"""Voices: which words are the author's own and which belong to someone else.

Source criticism asks who vouches for a word: a figure inside a quoted
historian's paragraph is the historian's, a first person in a reader comment
is the commenter's. A text is cut into the author's voice and embedded voices:
direct quotations, block quotations (a paragraph set off by indentation or
opened by a quotation mark after an introducing colon), paratext from the
sidecar (captions, key points, endnotes) and reader comments, each with its
speaker where the text names one. Rules are in data/voices.toml.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import cache

from spacy.tokens import Doc, Span, Token

from ..document import SourceText, paragraphs
from .attribution import sentences
from .datafiles import load
from .notes import Notes, cited_name, read_notes
from .quotes import find_quotations

KINDS = ("author", "quotation", "block_quotation", "paratext", "comment")
OPENING = "“‘\"'«"
CLOSING = "”’\"'»"
NOT_NAMES = {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"}
CITATION = re.compile(r"[\s.,;]*\((?P<cite>[^()\n]{2,160})\)")
CITATION_GAP = re.compile(r"[\s.,;]*(?:\([^()\n]*\)[\s.,;]*)?")  # between a quotation and its note


@dataclass(frozen=True)
class Voice:
    """A stretch of text spoken by one voice; offsets in code points, end exclusive."""

    document_id: str
    start: int
    end: int
    kind: str  # one of KINDS
    speaker: str  # a name as the text gives it, a paratext label, or "" when unsaid


@cache
def _note_call() -> re.Pattern[str]:
    """A note call ending a stretch ("... regime. (13)"), as attribution.toml writes calls."""
    return re.compile(rf"\s*(?:{load('attribution.toml')['endnote_marker']})\s*$")


def voice_at(voices: list[Voice], start: int, end: int) -> Voice | None:
    """The embedded (non-author) voice that contains [start, end), if any."""
    for v in voices:
        if v.kind != "author" and v.start <= start and end <= v.end:
            return v
    return None


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim white space, quotation marks, a trailing note call and a trailing comma."""
    while start < end and (text[start].isspace() or text[start] in OPENING):
        start += 1
    changed = True
    while changed and end > start:
        changed = False
        m = _note_call().search(text[start:end])
        if m and m.start() > 0:
            end, changed = start + m.start(), True
        while end > start and (text[end - 1].isspace() or text[end - 1] in CLOSING + ","):
            end, changed = end - 1, True
    return start, end


def _comments(source: SourceText, start: int, end: int) -> list[Voice]:
    """One voice per comment: a header line names its writer ("Anne Guérin, Les Lucs:")."""
    raw = load("voices.toml")
    text = source.text
    out: list[Voice] = []
    speaker: str | None = None
    body: list[tuple[int, int]] = []

    def flush() -> None:
        if speaker is not None and body:
            s, e = _strip(text, body[0][0], body[-1][1])
            out.append(Voice(source.meta.document_id, s, e, "comment", speaker))

    first = True
    for s, e in paragraphs(text[start:end]):
        s, e = s + start, e + start
        line = text[s:e]
        header = re.match(raw["comment_header"], line)
        if first and not header and not re.match(raw["comment_numbered"], line) and len(line) < 40:
            first = False
            continue  # the block's own heading ("Reader comments")
        first = False
        if header:
            flush()
            name = header.group("name").split(",")[0].strip()
            speaker, body = (name.split()[-1] if name else ""), []
        elif re.match(raw["comment_numbered"], line):
            flush()
            speaker, body = "", [(s, e)]
        else:
            if speaker is None:
                speaker = ""
            body.append((s, e))
    flush()
    return _named_by_replies(text[:start], text, out)


def _joined(a: Token, b: Token) -> bool:
    """A hyphen between two words with no space: "Woodham" "-" or "-" "Smith"."""
    return "-" in (a.text, b.text) and not a.whitespace_


def _named_by_replies(article: str, text: str, comments: list[Voice]) -> list[Voice]:
    """Give an unnamed comment the name a later comment answers it by ("I agree with
    Kristi"), unless the article itself uses that name (a historical person)."""
    raw = load("voices.toml")
    out = list(comments)
    named = {c.speaker for c in out if c.speaker}
    for i, c in enumerate(out):
        for pattern in raw["comment_reply"]:
            for m in re.finditer(pattern, text[c.start : c.end]):
                name = m.group("name")
                if name in named or re.search(rf"\b{re.escape(name)}\b", article):
                    continue
                earlier = [j for j in range(i) if not out[j].speaker]
                if earlier:
                    j = earlier[-1]
                    out[j] = Voice(out[j].document_id, out[j].start, out[j].end, "comment", name)
                    named.add(name)
    return out


def _paratext(source: SourceText) -> list[Voice]:
    raw = load("voices.toml")
    out: list[Voice] = []
    for p in source.meta.paratext:
        if p.start == p.end:
            continue  # a position (a page break), not words anyone says
        if p.kind in raw["comment_paratext"]:
            out.extend(_comments(source, p.start, p.end))
        else:
            s, e = _strip(source.text, p.start, p.end)
            out.append(Voice(source.meta.document_id, s, e, "paratext", p.kind))
    return out


class _Speakers:
    """Who a sentence's words are said by: a person named in it, or the last person the
    text made its subject when it says "he" or "she"."""

    def __init__(self, doc: Doc) -> None:
        raw = load("voices.toml")
        self.doc = doc
        self.people = [e for e in doc.ents if e.label_ == "PERSON"]  # doc.ents is slow
        self.not_speakers = set(raw["not_speakers"])
        self.pronouns = set(raw["pronouns"])
        self.verbs = set(raw["speech_verbs"]) | set(load("verbs.toml")["report"])
        self.nouns = set(raw["speech_nouns"])
        self.markers = [m.split() for m in raw["source_markers"]]
        self.sents = sentences(doc)
        self.starts = [s.start_char for s in self.sents]
        self.topics: list[tuple[int, str]] = []  # (char offset, name) of each subject person
        for sent in self.sents:
            name = self._subject_person(sent)
            if name:
                self.topics.append((sent.start_char, name))

    def _is_person(self, tok: Token) -> bool:
        return tok.pos_ == "PROPN" and tok.ent_type_ not in self.not_speakers

    def _name(self, tok: Token) -> str:
        """The full name around a proper noun: 'Maximilien Robespierre', 'General Westermann',
        'Cecil Woodham-Smith' (a double-barrelled name the tagger may cut at the hyphen)."""
        doc = tok.doc
        left, right = tok.i, tok.i + 1
        ent = next((e for e in self.people if e.start <= tok.i < e.end), None)
        if tok.ent_type_ == "PERSON" and ent is not None:
            left, right = ent.start, ent.end
            while left > 0 and doc[left - 1].pos_ == "PROPN" and not doc[left - 1].ent_type_:
                left -= 1  # an untagged title: "Lord Grey", "General Hoche"
        else:

            def part(t: Token) -> bool:  # "Madame Roland" tagged as one EVENT
                return self._is_person(t) or (t.pos_ == "PROPN" and t.ent_type_ == tok.ent_type_)

            while left > 0 and part(doc[left - 1]):
                left -= 1
            while right < len(doc) and part(doc[right]):
                right += 1
        while (
            left > 1 and _joined(doc[left - 2], doc[left - 1]) and doc[left - 2].text[:1].isupper()
        ):
            left -= 2  # "Woodham-" before "Smith"
        while (
            right + 1 < len(doc)
            and _joined(doc[right - 1], doc[right])
            and doc[right + 1].text[:1].isupper()
        ):
            right += 2
        return doc[left:right].text.removesuffix("’s").removesuffix("'s")

    def _subject_name(self, subj: Token, inside: tuple[int, int] = (0, 0)) -> str:
        """Who a subject names: the subject itself when it is a name ("Charles Trevelyan,
        who ran relief from the Treasury, described ..."), else the last name in it."""
        if self._is_person(subj) and not (inside[0] <= subj.idx < inside[1]):
            return self._name(subj)
        return self._person_in(subj, inside)

    def _subject_person(self, sent: Span) -> str:
        for tok in sent:
            if tok.dep_ in ("nsubj", "nsubjpass") and tok.head.dep_ == "ROOT":
                people = [t for t in tok.subtree if self._is_person(t)]
                if people:
                    return self._name(people[0])
        return ""

    def topic_before(self, pos: int) -> str:
        i = bisect_right([p for p, _ in self.topics], pos) - 1
        return self.topics[i][1] if i >= 0 else ""

    def _person_in(self, tok: Token, inside: tuple[int, int] = (0, 0), named: bool = False) -> str:
        """The last person named in `tok`'s phrase (outside the quoted words), or "".
        `named`: any proper noun that is not a number or date will do, where the syntax
        already says a source follows ("according to Madame Roland", tagged an EVENT)."""
        people = [
            t
            for t in tok.subtree
            if not (inside[0] <= t.idx < inside[1])
            and (
                self._is_person(t) or (named and t.pos_ == "PROPN" and t.ent_type_ not in NOT_NAMES)
            )
        ]
        return self._name(people[-1]) if people else ""

    def _agent(self, verb: Token) -> Token | None:
        """The "by" phrase of a passive verb: "described by Pravda as ..." is Pravda's."""
        for child in verb.children:
            if child.dep_ == "agent":
                return next((c for c in child.children if c.dep_ == "pobj"), None)
        return None

    def _source_marker(self, tokens: list[Token], inside: tuple[int, int]) -> str:
        """The source a sentence reports: "according to Khrushchev, he insisted ..."."""
        for tok in tokens:
            for marker in self.markers:
                words = tok.doc[tok.i : tok.i + len(marker)]
                if len(words) == len(marker) and [w.lower_ for w in words] == marker:
                    for obj in words[-1].children:
                        if obj.dep_ == "pobj" and (who := self._person_in(obj, inside, True)):
                            return who
        return ""

    def named_speaker(self, span: Span | None) -> str:
        """The person who says a short quoted phrase: the named subject of the verb of
        saying it depends on ("Babeuf denounced Carrier's 'system of depopulation'"), the
        agent of a passive one ("dubbed 'X' by Y"), or the possessor of a noun of saying
        the phrase is set after ("Rühle's characterisation of it as 'red fascism'")."""
        if span is None:
            return ""
        inside = (span.start_char, span.end_char)
        path = [span.root, *span.root.ancestors]
        for below, head in zip(path, path[1:], strict=False):
            if below.dep_ == "conj" and below.pos_ in ("VERB", "AUX"):
                break  # a clause of its own: "X warned ..., but the ‘great’ coup ..."
            if head.pos_ == "VERB" and head.lemma_.lower() in self.verbs:
                agent = self._agent(head)
                if agent is not None:
                    return self._person_in(agent, inside)
                for subj in head.children:
                    if subj.dep_ == "nsubj":
                        return self._subject_name(subj, inside)
                break
            if self._speech_noun(head) and (below.lower_ == "as" or below.dep_ == "appos"):
                return self._holder(head, inside)
        return self._noun_before_as(span)

    def _speech_noun(self, tok: Token) -> bool:
        return tok.pos_ == "NOUN" and tok.lemma_.lower() in self.nouns

    def _holder(self, noun: Token, inside: tuple[int, int]) -> str:
        """Whose words a noun of saying gives: its possessor or its "by" phrase."""
        for child in noun.children:
            if child.dep_ == "poss" or (child.dep_ == "prep" and child.lower_ == "by"):
                return self._person_in(child, inside)
        return ""

    def _noun_before_as(self, span: Span) -> str:
        """ "X's characterisation of Y as 'Z'" read on the words, since the parser often
        hangs "as" on the main verb: the quotation follows "as", and the nearest noun of
        saying before it in the sentence has a possessor."""
        before = span.doc[span.start - 1] if span.start > 0 else None
        if before is None or before.lower_ != "as":
            return ""
        sent_start = before.sent.start
        for tok in reversed(span.doc[max(sent_start, before.i - 12) : before.i]):
            if self._speech_noun(tok):
                return self._holder(tok, (span.start_char, span.end_char))
        return ""

    def introduces(self, pos: int) -> str:
        """The person a sentence says spoke: the named subject (or "by" agent) of the verb
        of saying that heads the sentence at `pos`, the one a colon ends ("Trevelyan wrote
        in 1846:") or the one after a quotation ("So wrote Wilhelm Oberlin in 1871.")."""
        k = bisect_right(self.starts, pos) - 1
        if k < 0:
            return ""
        root = self.sents[k].root
        if root.pos_ != "VERB" or root.lemma_.lower() not in self.verbs:
            return ""
        agent = self._agent(root)
        if agent is not None:
            return self._person_in(agent)
        subjects = [c for c in root.children if c.dep_ == "nsubj"]
        if not subjects and root.i > 0 and root.doc[root.i - 1].lower_ in ("so", "thus"):
            subjects = [c for c in root.children if c.dep_ in ("dobj", "attr") and c.i > root.i]
        return self._subject_name(subjects[0]) if subjects else ""  # "So wrote Oberlin"

    def speaker(self, start: int, end: int) -> str:
        """The speaker of quoted words [start, end) from the words around them in their sentence."""
        k = max(bisect_right(self.starts, start) - 1, 0)
        sents = [s for s in self.sents if s.start_char < end and start < s.end_char + 2]
        sents = sents or [self.sents[k]]
        outside = [t for s in sents for t in s if not (start <= t.idx < end)]
        marked = self._source_marker(outside, (start, end))
        if marked:
            return marked
        speaking = [t for t in outside if t.pos_ == "VERB" and t.lemma_.lower() in self.verbs]
        candidates: list[Token] = []
        for verb in speaking:
            agent = self._agent(verb)
            if agent is not None and (who := self._person_in(agent, (start, end))):
                return who  # a passive verb of saying: its subject is spoken about
            candidates += [
                c
                for c in verb.subtree
                if c.dep_ in ("nsubj", "nsubjpass") and not (start <= c.idx < end)
            ]
        for verb in speaking or [t for t in outside if t.dep_ == "ROOT"]:
            for anc in [verb, *verb.ancestors]:
                candidates += [c for c in anc.children if c.dep_ in ("nsubj", "nsubjpass")]
        for subj in candidates:
            if who := self._subject_name(subj, (start, end)):
                return who
            if subj.lower_ in self.pronouns:
                return self.topic_before(start)
        people = [t for t in outside if t.ent_type_ == "PERSON"] or [
            t for t in outside if self._is_person(t) and not t.is_sent_start
        ]
        if people:
            return self._name(min(people, key=lambda t: min(abs(t.idx - start), abs(t.idx - end))))
        return ""


def _blocks(source: SourceText, speakers: _Speakers, taken: list[tuple[int, int]]) -> list[Voice]:
    """Block quotations: a paragraph after an introducing colon that is indented or opens
    with a quotation mark, running on until its mark closes; or a plain paragraph after
    an introduction that names its speaker ("in Figes' words:", "Trevelyan wrote:")."""
    raw = load("voices.toml")
    text = source.text
    paras = [p for p in paragraphs(text) if not any(s <= p[0] < e for s, e in taken)]
    out: list[Voice] = []
    i = 1
    while i < len(paras):
        s, e = paras[i]
        line = text[s:e]
        intro = text[paras[i - 1][0] : paras[i - 1][1]].rstrip()
        indented = re.match(raw["block_indent"], line) is not None
        opens = line.lstrip()[:1] in OPENING
        if not intro.endswith(":"):
            i += 1
            continue
        named = [m for r in raw["block_intro"] if (m := re.search(r, intro))]
        intro_start = paras[i - 1][1] - 1
        said = "" if (indented or opens or named) else speakers.introduces(intro_start)
        if not (indented or opens or named or said):
            i += 1
            continue
        last = i
        if opens and not indented:
            limit = min(len(paras), i + int(raw["block_max_paragraphs"]))
            while last < limit:
                body = _note_call().sub("", text[paras[last][0] : paras[last][1]]).rstrip()
                trail = re.sub(r"\s*\([^()]*\)[.,;]?$", "", body).rstrip(" .,;")  # "(Vol 2, p. 8)."
                if body[-1:] in CLOSING or trail[-1:] in CLOSING:
                    break
                last += 1
            if last == limit:
                last = i
        else:
            while last + 1 < len(paras) and re.match(
                raw["block_indent"], text[paras[last + 1][0] :]
            ):
                last += 1
        start, end = _strip(text, s, paras[last][1])
        end = start + len(
            re.sub(r"\s*\([^()]*\)[.,;]?$", "", text[start:end])
        )  # a citation after it
        start, end = _strip(text, start, end)
        who = (
            named[0].group("name")
            if named
            else said or speakers.speaker(intro_start, intro_start + 1)
        )
        if not who and last + 1 < len(paras):  # "So wrote Wilhelm Oberlin in 1871."
            who = speakers.introduces(paras[last + 1][0])
        out.append(Voice(source.meta.document_id, start, end, "block_quotation", who))
        i = last + 1
    return out


def _cited(text: str, notes: Notes, end: int) -> str:
    """Who a quotation ending at `end` is cited to: a parenthetical right after it, or the
    endnote called right after it (its Ibid. resolved)."""
    m = CITATION.match(text, end)
    if m and (who := cited_name(m.group("cite"))):
        return who
    call = notes.call_after(end)
    if call is None or not CITATION_GAP.fullmatch(text, end, call.start):
        return ""
    return notes.author(call.number)


def voices_from_doc(source: SourceText, doc: Doc) -> list[Voice]:
    """Every voice of one parsed text, in text order, covering each non-blank paragraph."""
    text = source.text
    embedded = _paratext(source)
    taken = [(v.start, v.end) for v in embedded] + [(p.start, p.end) for p in source.meta.paratext]
    speakers = _Speakers(doc)
    notes = read_notes(source)
    blocks = _blocks(source, speakers, taken)
    embedded += blocks
    taken += [(v.start, v.end) for v in blocks]
    previous: Voice | None = None
    for q in find_quotations(text):
        if any(s < q.end and q.start < e for s, e in taken):
            continue
        start, end = _strip(text, q.start, q.end)
        if end <= start:
            continue
        if q.distanced:
            continue  # "so-called ‘X’": the author's word, held at a distance
        if q.kind == "scare":
            who = speakers.named_speaker(doc.char_span(q.start, q.end, alignment_mode="expand"))
            if not who:
                continue  # a scare quote or epithet: the author's word, held at a distance
        else:
            who = speakers.speaker(start, end) or _cited(text, notes, q.end)
        between = text[previous.end : q.start] if previous is not None else ""
        if (
            not who
            and previous is not None
            and "\n" not in between
            and not re.search(r"\b[A-Z][a-z]", between[1:])
        ):
            who = previous.speaker  # "Show my head to the people," he told ... "It is worth it."
        previous = Voice(source.meta.document_id, start, end, "quotation", who)
        embedded.append(previous)
    embedded.sort(key=lambda v: v.start)
    return _with_author(source, embedded)


def _with_author(source: SourceText, embedded: list[Voice]) -> list[Voice]:
    """Fill the gaps between embedded voices with the author's voice, paragraph by paragraph
    (paratext headings such as "Reader comments" are nobody's voice)."""
    out: list[Voice] = []
    areas = [(p.start, p.end) for p in source.meta.paratext]
    for ps, pe in paragraphs(source.text):
        if any(s <= ps < e for s, e in areas):
            continue
        pos = ps
        for v in embedded:
            if v.end <= ps or v.start >= pe:
                continue
            if v.start > pos and source.text[pos : v.start].strip():
                out.append(_author(source, pos, v.start))
            pos = max(pos, v.end)
        if pos < pe and source.text[pos:pe].strip():
            out.append(_author(source, pos, pe))
    return sorted(out + embedded, key=lambda v: (v.start, v.end))


def _author(source: SourceText, start: int, end: int) -> Voice:
    text = source.text
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Voice(source.meta.document_id, start, end, "author", source.meta.author)
