"""The CSV contract: exact columns, RFC 4180, formula guards, filters, all-or-nothing imports."""

from __future__ import annotations

import csv
import io
import uuid
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from annotations import codebook, corpus
from annotations.anchor import AnchorStatus
from annotations.annotation import (
    AnnotationView,
    Filters,
    add_reply,
    create_annotation,
    get_annotation,
    list_annotations,
)
from annotations.db.engine import Store
from annotations.db.models import Annotation, Reply
from annotations.errors import ImportRejected
from annotations.export import COLUMNS, REPLY_COLUMNS, export_annotations, export_replies
from annotations.importer import import_csv
from annotations.seminar import create_seminar, get_seminar
from annotations.timeutil import parse_time

ROOT = Path(__file__).resolve().parent.parent
EXPECTED_COLUMNS = [
    "annotation_id", "seminar", "document_id", "document_title", "document_sha256", "start",
    "end", "quote", "prefix", "suffix", "perspective", "codes", "note", "annotator",
    "created_at", "updated_at",
]
EXPECTED_REPLY_COLUMNS = ["reply_id", "annotation_id", "author", "text", "created_at"]
DOC = "steel-and-sacrifice"
ALL = Filters()
FORMULA_CODE = "=HYPERLINK(\"http://evil\")"
NASTY_NOTE = 'He said "no", then, ahem,\r\nleft.\n<b>bold</b> 🙂 \'quoted\''


def _count(store: Store, model: type = Annotation) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _annotate(store: Store, quote: str, *, seminar: str = "demo", document_id: str = DOC,
              occurrence: int = 0, **kw: object) -> AnnotationView:
    text = corpus.get_text(store, document_id).text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    kw.setdefault("annotator", "ada")
    return create_annotation(store, seminar=seminar, document_id=document_id, start=start,
                             end=start + len(quote), quote=quote, **kw)  # type: ignore[arg-type]


def _seed(store: Store) -> list[AnnotationView]:
    """A few annotations whose cells exercise quoting and formula guards."""
    with store.transaction() as session:
        sid = get_seminar(store, "demo").id
        codebook.add_code(session, sid, codebook.CodeSpec(FORMULA_CODE))
        codebook.add_perspective(session, sid, codebook.PerspectiveSpec("+plus view"))
    a = _annotate(store, "Steel and Sacrifice", codes=["hedging", "loaded language"],
                  perspective="popular history", note=NASTY_NOTE)
    b = _annotate(store, "forced collectivisation, labour camps, and famine",
                  annotator="@bob", codes=[FORMULA_CODE], perspective="+plus view",
                  note="=1+1")
    c = _annotate(store, "USSR", document_id="allied-powers-ussr", annotator="-cy",
                  note="\tindent")
    add_reply(store, a.id, seminar="demo", author="bob", text='Which "source"?\nNone, again.')
    add_reply(store, a.id, seminar="demo", author="=cmd", text="@SUM(1)")
    add_reply(store, b.id, seminar="demo", author="ada", text="ok")
    return [a, b, c]


def _export(store: Store, filters: Filters = ALL, *, raw: bool = False) -> str:
    out = io.StringIO(newline="")
    export_annotations(store, out, filters, raw=raw)
    return out.getvalue()


def _export_replies(store: Store, filters: Filters = ALL, *, raw: bool = False) -> str:
    out = io.StringIO(newline="")
    export_replies(store, out, filters, raw=raw)
    return out.getvalue()


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _write(rows: list[list[str]]) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def test_column_lists_are_the_contract() -> None:
    assert list(COLUMNS) == EXPECTED_COLUMNS
    assert list(REPLY_COLUMNS) == EXPECTED_REPLY_COLUMNS


def test_export_columns_values_and_rfc4180(any_store: Store) -> None:
    a, b, c = _seed(any_store)
    text = _export(any_store, raw=True)
    assert text.startswith(",".join(EXPECTED_COLUMNS) + "\r\n")
    assert text.endswith("\r\n")
    rows = _rows(text)
    assert rows[0] == EXPECTED_COLUMNS
    assert all(len(r) == len(EXPECTED_COLUMNS) for r in rows)
    by_id = {r[0]: dict(zip(EXPECTED_COLUMNS, r, strict=True)) for r in rows[1:]}
    assert set(by_id) == {a.id, b.id, c.id}
    row = by_id[a.id]
    doc = corpus.get_text(any_store, DOC)
    assert row["seminar"] == "demo"
    assert row["document_id"] == DOC
    assert row["document_title"] == doc.title
    assert row["document_sha256"] == doc.sha256
    assert doc.text[int(row["start"]):int(row["end"])] == row["quote"] == "Steel and Sacrifice"
    assert row["prefix"] == a.prefix and row["suffix"] == a.suffix
    assert row["codes"] == "hedging; loaded language"
    assert row["perspective"] == "popular history"
    assert row["note"] == NASTY_NOTE
    for t in ("created_at", "updated_at"):
        assert row[t].endswith("Z")
        assert parse_time(row[t]) == a.created_at
    # Document order, then text order.
    assert [r[2] for r in rows[1:]] == ["allied-powers-ussr", DOC, DOC]


def test_pandas_reads_every_value_back(any_store: Store) -> None:
    _seed(any_store)
    for raw in (True, False):
        text = _export(any_store, raw=raw)
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        assert list(frame.columns) == EXPECTED_COLUMNS
        assert frame.values.tolist() == _rows(text)[1:]
        replies = _export_replies(any_store, raw=raw)
        rframe = pd.read_csv(io.StringIO(replies), dtype=str, keep_default_na=False)
        assert list(rframe.columns) == EXPECTED_REPLY_COLUMNS
        assert rframe.values.tolist() == _rows(replies)[1:]
    assert NASTY_NOTE in frame["note"].tolist()


def test_formula_cells_are_neutralised_unless_raw(store: Store) -> None:
    a, b, c = _seed(store)
    safe = {r[0]: dict(zip(EXPECTED_COLUMNS, r, strict=True)) for r in _rows(_export(store))[1:]}
    raw = {r[0]: dict(zip(EXPECTED_COLUMNS, r, strict=True))
           for r in _rows(_export(store, raw=True))[1:]}
    assert safe[b.id]["annotator"] == "'@bob" and raw[b.id]["annotator"] == "@bob"
    assert safe[b.id]["note"] == "'=1+1" and raw[b.id]["note"] == "=1+1"
    assert safe[b.id]["codes"] == "'" + FORMULA_CODE and raw[b.id]["codes"] == FORMULA_CODE
    assert safe[b.id]["perspective"] == "'+plus view"
    assert safe[c.id]["annotator"] == "'-cy" and safe[c.id]["note"] == "'\tindent"
    assert safe[a.id]["note"] == raw[a.id]["note"] == NASTY_NOTE
    for row in safe.values():
        for col in EXPECTED_COLUMNS:
            assert not row[col] or row[col][0] not in "=+-@\t\r", (col, row[col])
    replies = {r[0]: r for r in _rows(_export_replies(store))[1:]}
    assert any(r[2] == "'=cmd" and r[3] == "'@SUM(1)" for r in replies.values())
    raw_replies = _rows(_export_replies(store, raw=True))[1:]
    assert any(r[2] == "=cmd" and r[3] == "@SUM(1)" for r in raw_replies)


def test_replies_csv(any_store: Store) -> None:
    a, b, c = _seed(any_store)
    rows = _rows(_export_replies(any_store, raw=True))
    assert rows[0] == EXPECTED_REPLY_COLUMNS
    got = {(r[1], r[2], r[3]) for r in rows[1:]}
    assert got == {(a.id, "bob", 'Which "source"?\nNone, again.'), (a.id, "=cmd", "@SUM(1)"),
                   (b.id, "ada", "ok")}
    assert all(r[4].endswith("Z") and uuid.UUID(r[0]) for r in rows[1:])
    only_b = _rows(_export_replies(any_store, Filters(annotator="@bob"), raw=True))
    assert [r[1] for r in only_b[1:]] == [b.id]


def test_export_filters(any_store: Store) -> None:
    a, b, c = _seed(any_store)
    create_seminar(any_store, "other", join_code="OTHER1")
    d = _annotate(any_store, "Steel and Sacrifice", seminar="other", codes=["hedging"])

    def ids(**kw: str) -> set[str]:
        return {r[0] for r in _rows(_export(any_store, Filters(**kw)))[1:]}

    assert ids() == {a.id, b.id, c.id, d.id}
    assert ids(seminar="demo") == {a.id, b.id, c.id}
    assert ids(seminar="other") == {d.id}
    assert ids(document="allied-powers-ussr") == {c.id}
    assert ids(annotator="@bob") == {b.id}
    assert ids(code="hedging") == {a.id, d.id}
    assert ids(code="hedging", seminar="demo") == {a.id}
    assert ids(code=FORMULA_CODE) == {b.id}
    assert ids(perspective="+plus view") == {b.id}
    assert ids(seminar="nope") == set()
    assert _rows(_export(any_store, Filters(seminar="nope")))[0] == EXPECTED_COLUMNS


def _fresh(tmp_path: Path, name: str = "fresh") -> Store:
    s = Store.open(f"sqlite:///{tmp_path / (name + '.db')}")
    corpus.load_corpus(s, ROOT / "texts")
    create_seminar(s, "demo", join_code="FRESH1")
    return s


def test_round_trip_into_an_empty_store_is_byte_identical(any_store: Store,
                                                         tmp_path: Path) -> None:
    _seed(any_store)
    for raw in (False, True):
        first, first_replies = _export(any_store, raw=raw), _export_replies(any_store, raw=raw)
        fresh = _fresh(tmp_path, f"fresh{raw}")
        try:
            report = import_csv(fresh, first, first_replies, raw=raw)
            assert (report.inserted, report.updated, report.replies) == (3, 0, 3)
            assert sorted(report.added_labels) == ["code '=HYPERLINK(\"http://evil\")'",
                                                   "perspective '+plus view'"]
            assert _export(fresh, raw=raw) == first
            assert _export_replies(fresh, raw=raw) == first_replies
        finally:
            fresh.dispose()


def test_reimport_updates_instead_of_duplicating(any_store: Store) -> None:
    a, b, c = _seed(any_store)
    text, replies = _export(any_store), _export_replies(any_store)
    revision = get_seminar(any_store, "demo").revision
    report = import_csv(any_store, text, replies)
    assert (report.inserted, report.updated) == (0, 3)
    assert _count(any_store) == 3 and _count(any_store, Reply) == 3
    assert _export(any_store) == text
    assert get_seminar(any_store, "demo").revision > revision

    rows = _rows(text)
    rows[1][EXPECTED_COLUMNS.index("note")] = "changed by import"
    changed_id = rows[1][0]
    import_csv(any_store, _write(rows))
    assert _count(any_store) == 3
    assert get_annotation(any_store, changed_id, "demo").note == "changed by import"


def test_import_is_all_or_nothing_and_lists_every_bad_row(any_store: Store) -> None:
    _seed(any_store)
    rows = _rows(_export(any_store))
    col = EXPECTED_COLUMNS.index
    good = rows[1]
    bad: dict[int, tuple[list[str], str]] = {}

    def variant(reason: str, **changes: str) -> list[str]:
        r = list(good)
        r[0] = str(uuid.uuid4())
        for k, v in changes.items():
            r[col(k)] = v
        return r

    cases = [
        (variant("seminar", seminar="no-such-seminar"), "unknown seminar"),
        (variant("doc", document_id="no-such-doc"), "unknown document"),
        (variant("range", start="999999", end="1000005", quote="not in any text at all"),
         "out of range"),
        (variant("mismatch", quote="Quote that is nowhere in the text"), "do not hold"),
        (variant("time", created_at="25/11/2026 14:00"), "ISO 8601"),
        (variant("updated", updated_at="2026-02-30T00:00:00Z"), "real date"),
        (variant("start", start="ten"), "whole number"),
        (variant("id", annotation_id="123"), "not a UUID"),
        (variant("annotator", annotator=" "), "annotator"),
        (variant("label", codes="a\nb"), "line break"),
        (good[:-2], "cells"),
        (good + ["extra"], "cells"),
    ]
    new_rows = [rows[0], variant("fine")]
    for r, reason in cases:
        new_rows.append(r)
        bad[len(new_rows)] = (r, reason)  # spreadsheet row number: header is row 1
    new_rows.append(variant("also fine"))
    before = (_count(any_store), get_seminar(any_store, "demo").revision, _export(any_store))

    with pytest.raises(ImportRejected) as info:
        import_csv(any_store, _write(new_rows))
    errors = info.value.errors
    assert [e.row for e in errors] == sorted(bad)
    for e in errors:
        assert bad[e.row][1] in e.reason, (e.row, e.reason)
        assert f"row {e.row}: " in str(info.value)
    assert "nothing was written" in str(info.value)
    assert (_count(any_store), get_seminar(any_store, "demo").revision,
            _export(any_store)) == before


def test_bad_header_rejects_the_file(store: Store) -> None:
    _seed(store)
    rows = _rows(_export(store))
    before = _count(store)
    for header, reason in [
        (rows[0] + ["colour"], "unknown column(s) 'colour'"),
        (rows[0][:-1], "missing column(s) updated_at"),
        (["Annotation_ID"] + rows[0][1:], "unknown column"),
    ]:
        body = [header] + [r + ["x"] * (len(header) - len(r)) for r in rows[1:]]
        with pytest.raises(ImportRejected, match="row 1") as info:
            import_csv(store, _write(body))
        assert reason in str(info.value)
    with pytest.raises(ImportRejected, match="empty"):
        import_csv(store, "")
    assert _count(store) == before


def test_columns_may_come_in_any_order(store: Store) -> None:
    a, *_ = _seed(store)
    rows = _rows(_export(store))
    reordered = [list(reversed(r)) for r in rows]
    fresh_id = str(uuid.uuid4())
    reordered[1][-1] = fresh_id
    report = import_csv(store, _write(reordered))
    assert report.inserted == 1 and report.updated == len(rows) - 2
    assert get_annotation(store, fresh_id, "demo").quote == reordered[1][-1 - 7]


def test_import_moves_exact_quotes_and_flags_fuzzy_ones(any_store: Store) -> None:
    a, b, c = _seed(any_store)
    rows = _rows(_export(any_store, raw=True))
    col = EXPECTED_COLUMNS.index
    by_id = {r[0]: r for r in rows[1:]}
    text = corpus.get_text(any_store, DOC).text

    moved = by_id[a.id]
    moved[col("start")], moved[col("end")] = "3", "22"  # wrong offsets, exact quote
    fuzzy = by_id[b.id]
    fuzzy[col("quote")] = "forced collectivisation, labour camps and famine"  # comma lost
    fuzzy[col("start")], fuzzy[col("end")] = "0", "5"
    report = import_csv(any_store, _write(rows), raw=True)
    assert report.moved == [a.id]
    assert report.review == [b.id]

    got = get_annotation(any_store, a.id, "demo")
    assert (got.start, got.end) == (text.index("Steel and Sacrifice"),
                                    text.index("Steel and Sacrifice") + 19)
    assert got.anchor_status == AnchorStatus.ANCHORED
    review = get_annotation(any_store, b.id, "demo")
    assert review.anchor_status == AnchorStatus.REVIEW
    assert text[review.start:review.end] == review.quote
    assert "labour camps" in review.quote


def test_negative_offsets_with_a_findable_quote_are_moved(store: Store) -> None:
    a, *_ = _seed(store)
    rows = _rows(_export(store, raw=True))
    row = next(r for r in rows if r[0] == a.id)
    # Counted from the end, as Python slicing would: text[start:end] is the quote.
    n = len(corpus.get_text(store, DOC).text)
    row[EXPECTED_COLUMNS.index("start")] = str(a.start - n)
    row[EXPECTED_COLUMNS.index("end")] = str(a.end - n)
    report = import_csv(store, _write(rows), raw=True)
    assert report.moved == [a.id]
    assert get_annotation(store, a.id, "demo").start == a.start


def test_perspective_with_stray_spaces_is_the_known_one(any_store: Store) -> None:
    a, *_ = _seed(any_store)
    rows = _rows(_export(any_store, raw=True))
    for r in rows[1:]:
        r[EXPECTED_COLUMNS.index("perspective")] = " textbook "
    for _ in range(2):
        report = import_csv(any_store, _write(rows), raw=True)
        assert report.added_labels == []
    assert get_annotation(any_store, a.id, "demo").perspective == "textbook"


def test_import_rejects_what_create_rejects(any_store: Store) -> None:
    _seed(any_store)
    rows = _rows(_export(any_store, raw=True))
    col = EXPECTED_COLUMNS.index
    rows[1][col("annotator")] = "x" * 201
    rows[2][col("note")] = "nul \x00 inside"
    rows[3][col("perspective")] = "p" * 121
    before = _export(any_store)
    with pytest.raises(ImportRejected) as info:
        import_csv(any_store, _write(rows), raw=True)
    assert [e.row for e in info.value.errors] == [2, 3, 4]
    assert _export(any_store) == before


def test_import_replies_errors_are_listed_and_nothing_is_written(any_store: Store) -> None:
    a, *_ = _seed(any_store)
    text = _export(any_store)
    rows = _rows(_export_replies(any_store))
    rows.append([str(uuid.uuid4()), str(uuid.uuid4()), "bob", "orphan reply",
                 "2026-01-01T00:00:00.000Z"])
    rows.append([str(uuid.uuid4()), a.id, "", "no author", "2026-01-01T00:00:00.000Z"])
    rows.append([str(uuid.uuid4()), a.id, "bob", "bad time", "now"])
    rows.append([str(uuid.uuid4()), a.id, "bob", "   ", "2026-01-01T00:00:00.000Z"])
    before = (_count(any_store), _count(any_store, Reply))
    with pytest.raises(ImportRejected) as info:
        import_csv(any_store, text, _write(rows))
    n = len(rows)
    assert [e.row for e in info.value.errors] == [n - 3, n - 2, n - 1, n]
    assert all(e.reason.startswith("replies: ") for e in info.value.errors)
    assert "unknown annotation" in info.value.errors[0].reason
    assert (_count(any_store), _count(any_store, Reply)) == before


def test_duplicate_ids_in_one_file(store: Store) -> None:
    _seed(store)
    rows = _rows(_export(store))
    rows.append(list(rows[1]))
    with pytest.raises(ImportRejected, match="appears twice") as info:
        import_csv(store, _write(rows))
    assert [e.row for e in info.value.errors] == [len(rows)]


def test_list_annotations_after_import_matches_export(store: Store, tmp_path: Path) -> None:
    _seed(store)
    fresh = _fresh(tmp_path)
    try:
        import_csv(fresh, _export(store), _export_replies(store))
        want = [(x.id, x.quote, x.codes, x.note, x.annotator, len(x.replies))
                for x in list_annotations(store, Filters())]
        got = [(x.id, x.quote, x.codes, x.note, x.annotator, len(x.replies))
               for x in list_annotations(fresh, Filters())]
        assert got == want
    finally:
        fresh.dispose()
