"""The open API's downloads: the same CSV files the console writes, for one seminar.

`annotations.csv` and `replies.csv` are `annotations export --seminar S`
(the CSV contract, formula guard on), narrowed to what the reader may see
(their own work only during a blind round they have not handed in);
`claims.csv` and `framing.csv` are `annotations claims` and `annotations
framing` over the texts the seminar uses (the built-in corpus and its own).
"""

from __future__ import annotations

import io
from collections.abc import Callable

from .annotation import Filters
from .blind import Visibility
from .corpus import current_texts, list_texts
from .csvsafe import write_csv
from .db.engine import Store
from .errors import NotFound
from .export import export_annotations, export_replies
from .framing.rows import CLAIM_COLUMNS, FRAMING_COLUMNS, claims_rows, csv_cell, framing_rows
from .suggestion import source_text

KINDS = ("annotations", "replies", "claims", "framing")


def _sources(store: Store, seminar: str, document: str) -> list:  # type: ignore[type-arg]
    ids = [t.document_id for t in list_texts(store, seminar)]
    if document:
        if document not in ids:
            raise NotFound(f"no document {document!r} in this seminar: one of {', '.join(ids)}")
        ids = [document]
    return [source_text(v) for i in ids for v in current_texts(store, i)]


def _rows(rows: list[dict[str, object]], columns: tuple[str, ...]) -> str:
    out = io.StringIO()
    write_csv(out, columns, ([csv_cell(row[c]) for c in columns] for row in rows))
    return out.getvalue()


def download(store: Store, seminar: str, rule: Visibility, kind: str,
             document: str = "") -> str:
    """The CSV text of one download; NotFound for an unknown kind or document."""
    if kind not in KINDS:
        raise NotFound(f"no download {kind!r}: one of {', '.join(KINDS)}")
    if kind in ("annotations", "replies"):
        filters = Filters(seminar=seminar, document=document,
                          annotator="" if rule.sees_all else rule.own)
        out = io.StringIO()
        write: Callable[..., int] = export_annotations if kind == "annotations" \
            else export_replies
        write(store, out, filters)
        return out.getvalue()
    from .framing.analysis import analyse_corpus, extract_corpus_claims  # spaCy: on demand

    sources = _sources(store, seminar, document)
    if kind == "claims":
        return _rows(claims_rows(extract_corpus_claims(sources)), CLAIM_COLUMNS)
    return _rows(framing_rows(analyse_corpus(sources)), FRAMING_COLUMNS)
