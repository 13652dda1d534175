"""Properties: anchors hold for any text, and export -> import -> export is byte-identical.

Stores are built inside the test body: function-scoped fixtures are not reset
between hypothesis examples.
"""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotations import codebook, corpus
from annotations.anchor import (
    CONTEXT,
    CONTEXT_MIN_SCORE,
    AnchorStatus,
    anchor_at,
    context_score,
    reanchor,
)
from annotations.annotation import add_reply, create_annotation, update_annotation
from annotations.db.engine import Store
from annotations.errors import AnnotationsError
from annotations.export import export_annotations, export_replies
from annotations.importer import import_csv
from annotations.names import clean_name
from annotations.permissions import Actor
from annotations.seminar import create_seminar, get_seminar

ROOT = Path(__file__).resolve().parent.parent

# Characters that break naive offset code: astral emoji, combining marks, NBSP,
# curly quotes, dashes, line breaks (LF, CR, CRLF), plus plain letters.
TRICKY_CHARS = [
    "a", "b", "e", "x", " ", "\n", "\r\n", "\r", "\t", "\u00a0", "\u0301", "\u0308", "🙂",
    "👩\u200d🌾", "🇺🇦", "“", "”", "‘", "’", "„", "—", "–", "é", ",", '"', "'", "<", ">",
    "=", "𝔉",
]
tricky_text = st.lists(st.sampled_from(TRICKY_CHARS), min_size=1, max_size=80).map("".join)
SLOW = settings(max_examples=30, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _unique(text: str, quote: str) -> bool:
    """Exactly one occurrence, overlapping ones counted ("aa" is twice in "aaa")."""
    return text.find(quote) == text.rfind(quote) != -1


@st.composite
def text_and_span(draw: st.DrawFn) -> tuple[str, int, int]:
    text = draw(tricky_text)
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    return text, start, end


@given(text_and_span())
def test_anchor_at_keeps_the_quote_invariant(case: tuple[str, int, int]) -> None:
    text, start, end = case
    a = anchor_at(text, start, end)
    assert text[a.start:a.end] == a.quote == text[start:end]
    assert a.prefix == text[max(0, start - CONTEXT):start]
    assert a.suffix == text[end:end + CONTEXT]
    assert len(a.prefix) <= CONTEXT and len(a.suffix) <= CONTEXT


@given(text_and_span())
def test_reanchor_on_the_same_text_returns_the_same_span(case: tuple[str, int, int]) -> None:
    text, start, end = case
    a = anchor_at(text, start, end)
    again = reanchor(text, a.quote, a.prefix, a.suffix, hint=a.start)
    assert (again.start, again.end, again.status) == (start, end, AnchorStatus.ANCHORED)
    # Without the position, the quote and its context still find a matching span.
    found = reanchor(text, a.quote, a.prefix, a.suffix)
    assert found.status is AnchorStatus.ANCHORED
    assert text[found.start:found.end] == a.quote
    if _unique(text, a.quote):
        assert (found.start, found.end) == (start, end)


@given(text_and_span(), tricky_text, st.data())
def test_reanchor_finds_a_unique_quote_after_an_insertion_before_it(
        case: tuple[str, int, int], inserted: str, data: st.DataObject) -> None:
    text, start, end = case
    a = anchor_at(text, start, end)
    at = data.draw(st.integers(0, start))
    new_text = text[:at] + inserted + text[at:]
    new_start = start + len(inserted)
    if not _unique(new_text, a.quote):
        return  # the property is about unique quotes; repeats are covered by unit tests
    for hint in (a.start, None):
        moved = reanchor(new_text, a.quote, a.prefix, a.suffix, hint=hint)
        assert (moved.start, moved.end) == (new_start, new_start + len(a.quote))
        # Found by search, not by position: anchored only while its context agrees.
        agrees = context_score(new_text, moved.start, moved.end, a.prefix,
                               a.suffix) >= CONTEXT_MIN_SCORE
        assert moved.status is (AnchorStatus.ANCHORED if agrees else AnchorStatus.REVIEW)
        assert new_text[moved.start:moved.end] == a.quote


@given(text_and_span(), tricky_text, st.data())
def test_reanchor_never_returns_a_wrong_exact_quote(
        case: tuple[str, int, int], edit: str, data: st.DataObject) -> None:
    """Whatever the edit, an ANCHORED result holds the quote; REVIEW holds the text there."""
    text, start, end = case
    a = anchor_at(text, start, end)
    cut = data.draw(st.integers(0, len(text)))
    cut_end = data.draw(st.integers(cut, len(text)))
    new_text = text[:cut] + edit + text[cut_end:]
    found = reanchor(new_text, a.quote, a.prefix, a.suffix, hint=a.start)
    if found.status is AnchorStatus.ANCHORED:
        assert new_text[found.start:found.end] == a.quote
    elif found.status is AnchorStatus.REVIEW:
        assert new_text[found.start:found.end] == found.quote
        assert found.score < 100 or found.quote != a.quote
    else:
        assert (found.quote, found.prefix, found.suffix) == (a.quote, a.prefix, a.suffix)


# --- Export, import into an empty store, export again -----------------------------------

TRICKY_DOC = (
    "Er sagte: \u201eDas Volk 🙂 hungert\u201c \u2014 und schwieg.\r\n"
    "Cafe\u0301 \u2018quoted\u2019 1\u00a0000 Tonnen, \"Kommas\" <b>HTML</b>.\n"
    "=SUM(A1) @user -minus +plus\n"
)
DOCS = ["allied-powers-ussr", "stalinism-inner-truth", "steel-and-sacrifice", "tricky"]

FORMULA_STARTS = ["", "=", "+", "-", "@", "\t", "\r", "'", "'=", "''+", " "]
free_text = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
                    max_size=40)
cell = st.builds(lambda p, s: p + s, st.sampled_from(FORMULA_STARTS), free_text)
one_line = st.text(st.characters(blacklist_characters="\x00\n\r;",
                                 blacklist_categories=("Cs",)), min_size=1, max_size=30)
label = st.builds(lambda p, s: p + s, st.sampled_from(FORMULA_STARTS[:-3] + ["'"]), one_line
                  ).filter(lambda s: s.strip() and "\r" not in s and "\n" not in s)
def _valid_name(s: str) -> bool:
    """Names go through annotations.names.clean_name (no control or invisible characters)."""
    try:
        clean_name(s)
    except AnnotationsError:
        return False
    return True


visible = st.text(st.characters(blacklist_characters=";", blacklist_categories=(
    "Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp")), min_size=1, max_size=30)
name = st.builds(lambda p, s: p + s, st.sampled_from(FORMULA_STARTS[:5] + ["'"]), visible
                 ).filter(_valid_name)


@dataclass
class Planned:
    doc: int
    start_frac: float
    length: int
    annotator: str
    note: str
    perspective: str | None
    codes: list[str]
    replies: list[tuple[str, str]]
    new_note: str | None


planned = st.builds(
    Planned,
    doc=st.integers(0, len(DOCS) - 1),
    start_frac=st.floats(0, 0.999),
    length=st.integers(1, 120),
    annotator=name,
    note=st.one_of(cell, st.sampled_from(["", 'a "quoted", comma\r\nline', "<i>x</i> 🙂"])),
    perspective=st.one_of(st.none(), label),
    codes=st.lists(label, max_size=3),
    replies=st.lists(st.tuples(name, cell.filter(lambda s: s.strip())), max_size=2),
    new_note=st.one_of(st.none(), cell),
)


def _open(folder: str, name: str) -> Store:
    s = Store.open(f"sqlite:///{folder}/{name}.db")
    corpus.load_corpus(s, ROOT / "texts")
    corpus.add_text(s, TRICKY_DOC.encode(),
                    actor=Actor.console(), name="tricky.txt", title="Tricky",
                    perspective="textbook", document_id="tricky")
    create_seminar(s, "demo", join_code=name.upper()[:6])
    return s


def _exports(store: Store, raw: bool) -> tuple[str, str]:
    a, r = io.StringIO(newline=""), io.StringIO(newline="")
    export_annotations(store, a, raw=raw)
    export_replies(store, r, raw=raw)
    return a.getvalue(), r.getvalue()


def _fill(store: Store, plans: list[Planned]) -> None:
    sid = get_seminar(store, "demo").id
    perspectives = {p.perspective.strip() for p in plans if p.perspective}
    codes = {c.strip() for p in plans for c in p.codes}
    with store.transaction() as session:
        known_p = set(codebook.perspective_names(session, sid))
        known_c = set(codebook.code_names(session, sid))
        for p in sorted(perspectives - known_p):
            codebook.add_perspective(session, sid, codebook.PerspectiveSpec(p))
            session.flush()
        for c in sorted(codes - known_c):
            codebook.add_code(session, sid, codebook.CodeSpec(c))
            session.flush()
    for plan in plans:
        doc = DOCS[plan.doc]
        text = corpus.get_text(store, doc).text
        start = int(plan.start_frac * len(text))
        end = min(len(text), start + plan.length)
        a = create_annotation(
            store, seminar="demo", document_id=doc, start=start, end=end,
            quote=text[start:end], annotator=plan.annotator, note=plan.note,
            perspective=plan.perspective.strip() if plan.perspective else "",
            codes=[c.strip() for c in plan.codes])
        for author, reply in plan.replies:
            add_reply(store, a.id, seminar="demo", author=author, text=reply)
        if plan.new_note is not None:
            update_annotation(store, a.id, seminar="demo", actor=a.annotator,
                              note=plan.new_note)


@SLOW
@given(st.lists(planned, min_size=1, max_size=6), st.booleans())
def test_export_import_export_is_byte_identical(plans: list[Planned], raw: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        source = _open(folder, "source")
        target = _open(folder, "target")
        try:
            _fill(source, plans)
            first, first_replies = _exports(source, raw)
            report = import_csv(target, first, first_replies, raw=raw)
            assert report.inserted == len(plans)
            assert report.review == [] and report.moved == []
            assert _exports(target, raw) == (first, first_replies)
            # A second import is an update of every row and changes nothing.
            again = import_csv(target, first, first_replies, raw=raw)
            assert (again.inserted, again.updated) == (0, len(plans))
            assert _exports(target, raw) == (first, first_replies)
        finally:
            source.dispose()
            target.dispose()
