"""Figures that point at a figure given before them, and take what it counts from it.

A text often names what it counts once and then goes on with bare numbers: "the
figure as high as 500,000" (the one just given), "higher totals" (a sum: the largest
one given), "compared with 1,251" (the same thing as the figure it is compared with),
"they did not stop at seventeen thousand" (a number the text already gave), "28
percent of those sentenced to death" (a share of a count given earlier, by the
source that gave it). Each rule reads only figures of the same voice.
"""

from __future__ import annotations

from spacy.tokens import Doc, Span, Token

from .models import Claim


def referent(word: str, earlier: list[Claim], aggregate: frozenset[str]) -> Claim | None:
    """The figure an anaphoric noun points at: the largest count before it for a sum
    ('the total', 'higher totals', 'the whole'), else the last one ('the figure')."""
    counts = [c for c in earlier if c.kind == "count" and c.counted]
    if not counts:
        return None
    if word in aggregate:
        return max(counts, key=lambda c: c.value_high or c.value_low or 0.0)
    return counts[-1]


def added_members(
    doc: Doc,
    start: int,
    end: int,
    additive: frozenset[str],
    counted: list[tuple[str, frozenset[str]]],
) -> tuple[str, str] | None:
    """What a sum adds beyond the figure it would point at, between `start` and `end`:
    ('died', 'deaths') for '16,594 death sentences. Many more probably died ...; the
    total is 35,000', ('', '') when the added members' fate is not one of `counted`,
    None when nothing is added. A total that includes more than that figure is another,
    broader quantity; 'more than' is a bound and 'more brutal' a comparison."""
    for t in (t for t in doc if start <= t.idx < end and t.lower_ in additive):
        after = doc[t.i + 1].lower_ if t.i + 1 < len(doc) else ""
        if after == "than" or t.head.pos_ in ("ADJ", "ADV"):
            continue
        nouns = [t.head] if t.head.pos_ == "NOUN" and t.head is not t else []
        verb = next((a for a in t.ancestors if a.pos_ == "VERB"), None)
        for word in [*nouns, *([verb] if verb is not None else [])]:
            for name, lemmas in counted:
                if word.lemma_.lower() in lemmas:
                    return word.text, name
        return "", ""
    return None


def restated(value: float, sentence: list[Claim], earlier: list[Claim]) -> Claim | None:
    """The figure a bare number stands beside or repeats: the one before it in its own
    sentence ('1,376 people were guillotined, compared with 1,251'), else an earlier
    figure of the same value ('they did not stop at seventeen thousand')."""
    if sentence and sentence[-1].counted:
        return sentence[-1]
    same = [
        c
        for c in earlier
        if c.counted and c.kind != "share" and c.value_low == c.value_high
        and c.value_low is not None and abs(c.value_low - value) <= 0.01 * value
    ]  # fmt: skip
    return same[-1] if same else None


def share_base(root: Token) -> list[str]:
    """The lemmas of what a share is taken of: 'sentence', 'death' in '28 percent of
    those sentenced to death'; [] when the share names no base."""
    heads = [root, *[t for t in root.ancestors if t.lemma_.lower() in ("percent", "cent")][:1]]
    for head in heads:
        for prep in head.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                return [
                    t.lemma_.lower()
                    for obj in prep.children
                    for t in obj.subtree
                    if t.pos_ in ("NOUN", "VERB") and t.is_alpha
                ]
    return []


def _stem(lemma: str) -> str:
    return lemma[:-1] if lemma.endswith("e") else lemma


def _related(a: str, b: str) -> bool:
    sa, sb = _stem(a), _stem(b)
    return min(len(sa), len(sb)) >= 4 and (b.startswith(sa) or a.startswith(sb))


def base_count(base: list[str], earlier: list[Claim], generic: frozenset[str]) -> Claim | None:
    """The latest earlier count whose counted words name the share's base: '16,594 death
    sentences' for '28 percent of those sentenced to death'."""
    words = [w for w in base if w not in generic]
    for c in reversed(earlier):
        if c.kind == "count" and any(
            _related(w, x) for w in words for x in c.counted.lower().split()
        ):
            return c
    return None


def sentence_claims(claims: list[Claim], sent: Span) -> list[Claim]:
    return [c for c in claims if sent.start_char <= c.start < sent.end_char]
