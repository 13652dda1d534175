"""The column-at-a-time import: the fast CSV reader agrees with the strict reference,
and large files with bad rows are refused whole, each bad row named, on every backend."""

from __future__ import annotations

import csv
import importlib.util
import io
import sys
from datetime import datetime
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from annotations import csvread, importer
from annotations.db.engine import Store
from annotations.db.models import Annotation
from annotations.errors import ImportRejected
from annotations.export import COLUMNS
from annotations.importer import import_csv

ROOT = Path(__file__).resolve().parent.parent
HEADER = ("a", "b", "c")


def _load_factory() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_factory", ROOT / "bench" / "factory.py")
    assert spec is not None and spec.loader is not None
    module = sys.modules.get(spec.name) or importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


factory = _load_factory()


def _reference(text: str, expected: tuple[str, ...], raw: bool) -> object:
    """What the strict reader makes of `text`: (rows, cells by row, row errors) or an error."""
    try:
        recs = list(csvread.records(text, expected, raw))
    except ImportRejected as exc:
        return [str(e) for e in exc.errors]
    return ([n for n, r in recs if not isinstance(r, str)],
            [r for _, r in recs if not isinstance(r, str)],
            [(n, r) for n, r in recs if isinstance(r, str)])


def _fast(text: str, expected: tuple[str, ...], raw: bool) -> object:
    got = csvread._arrow_columns(text, expected, raw)
    if got is None:
        return None
    return list(got.rows), [list(r) for r in zip(*got.cells, strict=True)], []


_cell = st.text(alphabet='ab,"\r\n\x00\'=', max_size=6)
_line_end = st.sampled_from(["\r\n", "\n", "\r"])


@st.composite
def _csv_texts(draw: st.DrawFn) -> str:
    """Mostly well-formed CSV (quoted as csv.writer quotes), with raw damage sprinkled in."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=draw(_line_end))
    writer.writerow(draw(st.permutations(HEADER)))
    for _ in range(draw(st.integers(0, 6))):
        writer.writerow(draw(st.lists(_cell, min_size=2, max_size=4)))
    text = out.getvalue()
    for _ in range(draw(st.integers(0, 2))):  # damage: a stray character anywhere
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from(['"', "\r", "\n", ",", "x", "\r\n"])) + text[at:]
    return text


@settings(max_examples=400, deadline=None)
@given(_csv_texts(), st.booleans())
def test_the_fast_reader_reads_as_the_strict_reference_or_declines(text: str, raw: bool
                                                                   ) -> None:
    fast = _fast(text, HEADER, raw)
    if fast is not None:
        assert fast == _reference(text, HEADER, raw)


@pytest.mark.parametrize("text", [
    'a,b,c\r\n"x"y,1,2\r\n',  # text after a closing quote: the reference refuses it
    "a,b,c\r\n1,2,3\r\n\r\n4,5,6\r\n",  # an empty line: the reference counts 0 cells
    'a,b,c\r\n1,2,"open\r\n',  # a quote never closed
    "a,b,c\r\n1,2\r\n",  # a short row
    'a,b,c\r\nx"y,1,2\r\n',  # a quote inside an unquoted cell
])
def test_files_the_fast_reader_could_misread_go_to_the_reference(text: str) -> None:
    assert csvread._arrow_columns(text, HEADER, False) is None


def test_an_exported_file_takes_the_fast_reader() -> None:
    text = factory.annotations_csv(50, seminar="demo", texts=factory.corpus_texts(ROOT / "texts"))
    fast = csvread._arrow_columns(text, COLUMNS, False)
    assert fast is not None and fast.rows == range(2, 52)
    assert _fast(text, COLUMNS, False) == _reference(text, COLUMNS, False)


def _count(store: Store) -> int:
    with store.read() as session:
        return session.scalar(select(func.count()).select_from(Annotation)) or 0


def _rows(rows: int) -> list[list[str]]:
    text = factory.annotations_csv(rows, seminar="demo", batch=7,
                                   texts=factory.corpus_texts(ROOT / "texts"))
    return list(csv.reader(io.StringIO(text, newline="")))


def _text(rows: list[list[str]]) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def test_a_bad_row_deep_in_a_large_file_is_named_and_nothing_is_written(any_store: Store
                                                                        ) -> None:
    rows = _rows(3000)
    col = {c: i for i, c in enumerate(rows[0])}
    rows[2750][col["start"]] = "seven"  # the file's row 2751 (the header is row 1)
    before = _count(any_store)
    with pytest.raises(ImportRejected) as info:
        import_csv(any_store, _text(rows))
    assert [str(e) for e in info.value.errors] == [
        "row 2751: start 'seven' is not a whole number"]
    assert _count(any_store) == before


def test_mixed_good_and_bad_rows_report_every_bad_row_and_leave_the_store_unchanged(
        any_store: Store) -> None:
    rows = _rows(400)
    col = {c: i for i, c in enumerate(rows[0])}
    rows[10][col["seminar"]] = "no-such-seminar"
    rows[20][col["document_id"]] = "no-such-text"
    rows[30][col["quote"]] = "words that are in no text of the corpus at all"
    rows[40][col["created_at"]] = "2026-02-30T10:00:00.000Z"
    rows[50][col["annotation_id"]] = "not-a-uuid"
    rows[60][col["note"]] = "a\x00b"
    rows[70][col["annotation_id"]] = rows[69][col["annotation_id"]]
    rows[80][col["end"]] = "1e3"
    rows[90][col["updated_at"]] = "yesterday"
    rows[100][col["seminar"]] = "no-such-seminar"  # and a second error in the same row:
    rows[100][col["start"]] = "x"
    before = _count(any_store)
    with pytest.raises(ImportRejected) as info:
        import_csv(any_store, _text(rows))
    reported = {e.row: e.reason for e in info.value.errors}
    assert sorted(reported) == [11, 21, 31, 41, 51, 61, 71, 81, 91, 101]
    assert "unknown seminar 'no-such-seminar'" in reported[11]
    assert "unknown document 'no-such-text'" in reported[21]
    assert "was not found in" in reported[31] and "correct start/end" in reported[31]
    assert "not a real date" in reported[41]
    assert "is not a UUID" in reported[51]
    assert "appears twice in the file" in reported[71]
    assert "not a whole number" in reported[81] and "yesterday" in reported[91]
    assert "not a whole number" in reported[101]  # the file's cells are read first
    assert reported[61]  # a NUL in a note: check_note's message
    assert _count(any_store) == before


def test_a_large_valid_file_imports_whole_and_again_changes_nothing(any_store: Store) -> None:
    text = _text(_rows(1500))
    before = _count(any_store)
    report = import_csv(any_store, text)
    assert (report.inserted, report.updated) == (1500, 0)
    assert _count(any_store) == before + 1500
    again = import_csv(any_store, text)
    assert (again.inserted, again.updated) == (0, 1500)
    assert _count(any_store) == before + 1500


@settings(max_examples=300, deadline=None)
@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
       st.integers(0, 6))
def test_times_cut_from_their_text_are_stored_as_formatted_datetimes(t: datetime,
                                                                     digits: int) -> None:
    whole = t.isoformat("T", "seconds")
    text = whole + ("." + f"{t.microsecond:06d}"[:digits] if digits else "") + "Z"
    assert importer._Z_TIME.fullmatch(text)
    parsed = datetime.fromisoformat(text[:-1])
    assert importer._sqlite_z_times([text]) == [importer._sqlite_datetime(parsed)]
