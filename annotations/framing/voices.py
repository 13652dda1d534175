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

from spacy.tokens import Doc, Span, Token

from ..document import SourceText, paragraphs
from .attribution import sentences
from .datafiles import load
from .quotes import find_quotations

KINDS = ("author", "quotation", "block_quotation", "paratext", "comment")
OPENING = "“‘\"'«"
CLOSING = "”’\"'»"
NOTE_CALL = re.compile(r"\s*\(\d{1,3}\)\s*$")


@dataclass(frozen=True)
class Voice:
    """A stretch of text spoken by one voice; offsets in code points, end exclusive."""

    document_id: str
    start: int
    end: int
    kind: str  # one of KINDS
    speaker: str  # a name as the text gives it, a paratext label, or "" when unsaid


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
        m = NOTE_CALL.search(text[start:end])
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
        """The full name around a proper noun: 'Maximilien Robespierre', 'General Westermann'."""
        if tok.ent_type_ == "PERSON":
            for ent in self.people:
                if ent.start <= tok.i < ent.end:
                    return ent.text.removesuffix("’s").removesuffix("'s")
        left, right = tok.i, tok.i + 1
        while left > 0 and self._is_person(tok.doc[left - 1]):
            left -= 1
        while right < len(tok.doc) and self._is_person(tok.doc[right]):
            right += 1
        return tok.doc[left:right].text

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

    def named_speaker(self, span: Span | None) -> str:
        """The person who says a short quoted phrase: the named subject of the verb of
        saying it depends on ("Babeuf denounced Carrier's 'system of depopulation'")."""
        if span is None:
            return ""
        for verb in span.root.ancestors:
            if verb.pos_ == "VERB" and verb.lemma_.lower() in self.verbs:
                for subj in verb.children:
                    if subj.dep_ == "nsubj":
                        people = [t for t in subj.subtree if t.ent_type_ == "PERSON"]
                        return self._name(people[-1]) if people else ""
                return ""
        return ""

    def speaker(self, start: int, end: int) -> str:
        """The speaker of quoted words [start, end) from the words around them in their sentence."""
        k = max(bisect_right(self.starts, start) - 1, 0)
        sents = [s for s in self.sents if s.start_char < end and start < s.end_char + 2]
        sents = sents or [self.sents[k]]
        outside = [t for s in sents for t in s if not (start <= t.idx < end)]
        speaking = [t for t in outside if t.pos_ == "VERB" and t.lemma_.lower() in self.verbs]
        candidates: list[Token] = []
        for verb in speaking:
            candidates += [
                c
                for c in verb.subtree
                if c.dep_ in ("nsubj", "nsubjpass") and not (start <= c.idx < end)
            ]
        for verb in speaking or [t for t in outside if t.dep_ == "ROOT"]:
            for anc in [verb, *verb.ancestors]:
                candidates += [c for c in anc.children if c.dep_ in ("nsubj", "nsubjpass")]
        for subj in candidates:
            people = [t for t in subj.subtree if self._is_person(t) and not (start <= t.idx < end)]
            if people:
                return self._name(people[-1])
            if subj.lower_ in self.pronouns:
                return self.topic_before(start)
        people = [t for t in outside if t.ent_type_ == "PERSON"] or [
            t for t in outside if self._is_person(t) and not t.is_sent_start
        ]
        if people:
            return self._name(min(people, key=lambda t: min(abs(t.idx - start), abs(t.idx - end))))
        return ""


def _blocks(
    source: SourceText, speakers: _Speakers, taken: list[tuple[int, int]]
) -> list[Voice]:
    """Block quotations: a paragraph after an introducing colon that is indented or opens
    with a quotation mark, running on until its mark closes."""
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
        if not (intro.endswith(":") and (indented or opens)):
            i += 1
            continue
        last = i
        if opens and not indented:
            limit = min(len(paras), i + int(raw["block_max_paragraphs"]))
            while last < limit:
                body = NOTE_CALL.sub("", text[paras[last][0] : paras[last][1]]).rstrip()
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
        named = [m for r in raw["block_intro"] if (m := re.search(r, intro))]
        intro_start = paras[i - 1][1] - 1
        who = named[0].group("name") if named else speakers.speaker(intro_start, intro_start + 1)
        out.append(Voice(source.meta.document_id, start, end, "block_quotation", who))
        i = last + 1
    return out


def voices_from_doc(source: SourceText, doc: Doc) -> list[Voice]:
    """Every voice of one parsed text, in text order, covering each non-blank paragraph."""
    text = source.text
    embedded = _paratext(source)
    taken = [(v.start, v.end) for v in embedded] + [(p.start, p.end) for p in source.meta.paratext]
    speakers = _Speakers(doc)
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
        if q.kind == "scare":
            who = speakers.named_speaker(doc.char_span(q.start, q.end, alignment_mode="expand"))
            if not who:
                continue  # a scare quote or epithet: the author's word, held at a distance
        else:
            who = speakers.speaker(start, end)
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
