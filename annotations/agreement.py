"""Inter-annotator agreement: Krippendorff's alpha, pairwise kappa, and where people differ.

Unitisation (what a "unit" is, so numbers can be compared and reproduced):

* Units are the whitespace-separated tokens of the document's current text
  (`re.finditer(r"\\S+")`), as code-point spans [start, end). Punctuation stays
  attached to its word. Annotations on older versions of the text are left out
  (their offsets point into another text).
* An annotation covers a token when their spans overlap by at least one code
  point, so a selection that cuts a word in half still counts for that word.
* For one code, the value of (annotator, token) is 1 if the annotator made an
  annotation covering the token that carries the code, 0 if the annotator
  annotated this document in this seminar at all but not with that code
  there, and missing if the annotator made no annotation on the document.
* Alpha is nominal (`krippendorff.alpha(..., level_of_measurement="nominal")`).
  Per (document, code) the units are the document's tokens; the row with
  document "(all)" pools a code's units over every document; the row with
  code "(all)" pools a document's (token, code) pairs over the codes used in
  it. Only codes someone used are reported. Alpha is empty (None) when it is
  undefined: fewer than two annotators, or one value only (everyone agrees the
  code is nowhere, or everywhere), where the expected disagreement is zero.
* Pairwise: for two annotators of a document, over the same units, the share
  of units where they agree and Cohen's kappa (None when chance agreement is 1).
* Disagreements: maximal runs of consecutive tokens where the annotators of
  the document do not all give the token the same set of codes; for each run,
  which codes each annotator applied within it.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import combinations

import krippendorff
import numpy as np
from sqlalchemy import select

from . import codebook
from . import seminar as seminars
from .db.engine import Store
from .db.models import Annotation, Document, DocumentVersion

ALL = "(all)"
AGREEMENT_COLUMNS = ("seminar", "document_id", "code", "alpha", "annotators", "units")
_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True)
class Span:
    """One annotation as agreement sees it."""

    annotator: str
    start: int
    end: int
    codes: tuple[str, ...]


@dataclass(frozen=True)
class DocumentCoding:
    document_id: str
    text: str
    spans: tuple[Span, ...]

    @property
    def annotators(self) -> list[str]:
        return sorted({s.annotator for s in self.spans})


@dataclass(frozen=True)
class AgreementRow:
    seminar: str
    document_id: str
    code: str
    alpha: float | None
    annotators: int
    units: int


@dataclass(frozen=True)
class PairRow:
    seminar: str
    document_id: str
    code: str
    annotator_a: str
    annotator_b: str
    units: int
    agreement: float  # share of units with the same value, 0..1
    kappa: float | None


@dataclass(frozen=True)
class Passage:
    """A run of tokens where annotators differ, and what each applied within it."""

    document_id: str
    start: int
    end: int
    text: str
    coded: dict[str, tuple[str, ...]]  # annotator -> codes applied in the run (may be empty)


def tokens(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _TOKEN.finditer(text)]


def token_codes(toks: list[tuple[int, int]], spans: tuple[Span, ...] | list[Span]
                ) -> dict[str, list[frozenset[str]]]:
    """For each annotator, the set of codes they applied on each token."""
    starts = [s for s, _ in toks]
    ends = [e for _, e in toks]
    sets: dict[str, list[set[str]]] = {}
    for span in spans:
        row = sets.setdefault(span.annotator, [set() for _ in toks])
        first = bisect_right(ends, span.start)  # first token ending after the span starts
        last = bisect_left(starts, span.end)  # tokens starting before the span ends
        for i in range(first, last):
            row[i].update(span.codes)
    return {a: [frozenset(s) for s in row] for a, row in sets.items()}


def code_matrix(per_token: dict[str, list[frozenset[str]]], annotators: list[str],
                code: str, n_units: int) -> np.ndarray:
    """Annotators x units: 1 coded, 0 annotated the document but not this code, NaN absent."""
    m = np.full((len(annotators), n_units), np.nan)
    for i, a in enumerate(annotators):
        if a in per_token:
            m[i] = [1.0 if code in s else 0.0 for s in per_token[a]]
    return m


def alpha(matrix: np.ndarray | list[list[float]]) -> float | None:
    """Nominal Krippendorff's alpha, or None where it is undefined (see module doc)."""
    data = np.asarray(matrix, dtype=float)
    if data.ndim != 2 or data.shape[0] < 2 or data.shape[1] == 0:
        return None
    try:
        value = float(krippendorff.alpha(reliability_data=data,
                                         level_of_measurement="nominal"))
    except ValueError:  # one value in the domain, or no unit coded twice
        return None
    return None if math.isnan(value) else value


def pair_agreement(a: np.ndarray, b: np.ndarray) -> tuple[int, float, float | None]:
    """(units both coded, share agreeing, Cohen's kappa) for two 0/1 rows with NaN gaps."""
    both = ~np.isnan(a) & ~np.isnan(b)
    x, y = a[both], b[both]
    n = int(both.sum())
    if n == 0:
        return 0, 0.0, None
    po = float((x == y).mean())
    px, py = float(x.mean()), float(y.mean())
    pe = px * py + (1 - px) * (1 - py)
    kappa = None if math.isclose(pe, 1.0) else (po - pe) / (1 - pe)
    return n, po, kappa


def _codes_used(doc: DocumentCoding, order: list[str]) -> list[str]:
    used = {c for s in doc.spans for c in s.codes}
    return [c for c in order if c in used] + sorted(used - set(order))


def document_matrices(doc: DocumentCoding, order: list[str]
                      ) -> tuple[list[str], dict[str, np.ndarray]]:
    """The document's annotators and one matrix per code used in it."""
    toks = tokens(doc.text)
    per_token = token_codes(toks, doc.spans)
    people = doc.annotators
    return people, {c: code_matrix(per_token, people, c, len(toks))
                    for c in _codes_used(doc, order)}


def load_codings(store: Store, seminar: str) -> tuple[list[str], list[DocumentCoding]]:
    """The seminar's codebook order and, per document it annotated, the current text and spans."""
    with store.read() as session:
        sid = seminars.seminar_id(session, seminar)
        order = codebook.code_names(session, sid)
        rows = session.execute(
            select(Document.document_id, DocumentVersion.text, Annotation.annotator,
                   Annotation.start, Annotation.end, Annotation.codes)
            .join(DocumentVersion, DocumentVersion.id == Annotation.document_version_id)
            .join(Document, Document.current_version_id == DocumentVersion.id)
            .where(Annotation.seminar_id == sid, Annotation.deleted_at.is_(None))
            .order_by(Document.document_id, Annotation.start, Annotation.id)).all()
    texts: dict[str, str] = {}
    spans: dict[str, list[Span]] = {}
    for doc_id, text, who, start, end, codes in rows:
        texts[doc_id] = text
        spans.setdefault(doc_id, []).append(
            Span(who, start, end, tuple(codebook.split_codes(codes))))
    return order, [DocumentCoding(d, texts[d], tuple(spans[d])) for d in texts]


def agreement_rows(store: Store, seminar: str) -> list[AgreementRow]:
    """Alpha per (document, code), per code over all documents, per document over all codes."""
    order, docs = load_codings(store, seminar)
    rows: list[AgreementRow] = []
    pooled: dict[str, list[tuple[list[str], np.ndarray]]] = {}
    everyone = sorted({a for d in docs for a in d.annotators})
    for doc in docs:
        people, mats = document_matrices(doc, order)
        for code, m in mats.items():
            rows.append(AgreementRow(seminar, doc.document_id, code, alpha(m), len(people),
                                     m.shape[1]))
            pooled.setdefault(code, []).append((people, m))
        if mats:
            stacked = np.hstack(list(mats.values()))
            rows.append(AgreementRow(seminar, doc.document_id, ALL, alpha(stacked),
                                     len(people), stacked.shape[1]))
    for code in [c for c in order if c in pooled] + sorted(set(pooled) - set(order)):
        parts = []
        for people, m in pooled[code]:
            full = np.full((len(everyone), m.shape[1]), np.nan)
            for i, a in enumerate(people):
                full[everyone.index(a)] = m[i]
            parts.append(full)
        joined = np.hstack(parts)
        coders = int((~np.isnan(joined)).any(axis=1).sum())
        rows.append(AgreementRow(seminar, ALL, code, alpha(joined), coders, joined.shape[1]))
    return rows


def pairwise(store: Store, seminar: str) -> list[PairRow]:
    """Agreement and kappa for every pair of a document's annotators, per code and pooled."""
    order, docs = load_codings(store, seminar)
    out: list[PairRow] = []
    for doc in docs:
        people, mats = document_matrices(doc, order)
        if not mats:
            continue
        groups = {**mats, ALL: np.hstack(list(mats.values()))}
        for code, m in groups.items():
            for (i, a), (j, b) in combinations(enumerate(people), 2):
                n, share, kappa = pair_agreement(m[i], m[j])
                out.append(PairRow(seminar, doc.document_id, code, a, b, n, share, kappa))
    return out


def passages(doc: DocumentCoding) -> list[Passage]:
    """Maximal token runs where the document's annotators do not all agree."""
    toks = tokens(doc.text)
    per_token = token_codes(toks, doc.spans)
    people = doc.annotators
    out: list[Passage] = []
    run: list[int] = []

    def close() -> None:
        if not run:
            return
        start, end = toks[run[0]][0], toks[run[-1]][1]
        coded = {a: tuple(sorted(set().union(*(per_token[a][i] for i in run))))
                 for a in people}
        out.append(Passage(doc.document_id, start, end, doc.text[start:end], coded))
        run.clear()

    for i in range(len(toks)):
        if len({per_token[a][i] for a in people}) > 1:
            run.append(i)
        else:
            close()
    close()
    return out


def disagreements(store: Store, seminar: str, document_id: str = "") -> list[Passage]:
    """Passage by passage, who coded what where annotators differ (all documents by default)."""
    _, docs = load_codings(store, seminar)
    return [p for d in docs if not document_id or d.document_id == document_id
            for p in passages(d)]
