"""Reading an imported CSV file a column at a time, byte-exact.

The rules of the format are those of Python's `csv.reader(strict=True)`: it
is the reference, and it reads every file that pyarrow's C++ reader is not
sure to read the same way. pyarrow reads a 100,000-row file in a tenth of the
time, but it is lenient where the reference is strict (text after a closing
quote, empty lines, huge cells), so it is used only on files whose structure
is checked to leave no room for a difference: every quote opens or closes a
quoted cell at a cell's edge, no line is empty, no cell is over the size limit.
Anything else, valid or not, goes to the reference, which reports each bad row.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any, overload

from .cliutil import decode_upload
from .csvsafe import restore
from .errors import ImportRejected, RowError

# Bytes that may stand beside a quote that opens or closes a cell: a separator,
# a line end, or the other quote of a doubled `""`.
_EDGE = b',\r\n"'


@dataclass
class Columns:
    """The data rows of a file, as one list of cells per expected column."""

    rows: Sequence[int]  # each row's number as a spreadsheet shows it (the header is 1)
    cells: list[Sequence[str]]  # in the order of the expected columns
    errors: list[RowError]  # rows that could not be read into cells (left out of `cells`)
    arrays: list[Any] = field(default_factory=list)  # the same as pyarrow arrays, if read so

    def all_match(self, index: int, pattern: re.Pattern[str]) -> bool:
        """Whether every cell of column `index` matches `pattern` in full.

        Tested a column at once (RE2) when pyarrow read the file. RE2's `\\d` is
        ASCII only, so for our patterns it matches a subset of what `re` does:
        a "no" is never wrong, it only sends the cells to the per-cell path.
        """
        if self.arrays:
            import pyarrow.compute as pc

            return bool(pc.all(pc.match_substring_regex(
                self.arrays[index], f"^(?:{pattern.pattern})$")).as_py() is not False)
        return all(map(pattern.fullmatch, self.cells[index]))  # type: ignore[arg-type]

    def same(self, a: int, b: int) -> bool:
        """Whether columns `a` and `b` hold the same cells, row by row."""
        if self.arrays:
            return self.arrays[a].equals(self.arrays[b])  # type: ignore[no-any-return]
        return self.cells[a] == self.cells[b]

    def naturals(self, index: int) -> list[int] | None:
        """Column `index` as ints when every cell is ASCII digits only, else None."""
        if not self.arrays:
            return None
        import pyarrow as pa
        import pyarrow.compute as pc

        array = self.arrays[index]
        if pc.all(pc.match_substring_regex(array, "^[0-9]+$")).as_py() is False:
            return None
        try:
            return pc.cast(array, pa.int64()).to_pylist()  # type: ignore[no-any-return]
        except pa.ArrowInvalid:  # beyond 64 bits
            return None


def check_header(header: list[str] | None, expected: tuple[str, ...]) -> None:
    if header is None:
        raise ImportRejected([RowError(1, "the file is empty: it needs a header row")])
    unknown = [h for h in header if h not in expected]
    missing = [c for c in expected if c not in header]
    problems = []
    if unknown:
        problems.append(f"unknown column(s) {', '.join(map(repr, unknown))}")
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if len(set(header)) != len(header):
        problems.append("a column appears twice")
    if problems:
        raise ImportRejected([RowError(1, "; ".join(problems) +
                                       f": the header must be {', '.join(expected)}")])


def records(text: str, expected: tuple[str, ...], raw: bool
            ) -> Iterator[tuple[int, list[str] | str]]:
    """Data rows as cell lists in `expected` column order, or an error text for the row.

    The reference reader. Lists, not dicts: a 100,000-row import is dominated
    by per-row overhead.
    """
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        check_header(header, expected)
        assert header is not None
        width = len(header)
        order = [header.index(c) for c in expected]
        reorder = itemgetter(*order) if order != list(range(width)) else None
        for n, cells in enumerate(reader, start=2):
            if len(cells) != width:
                yield n, f"has {len(cells)} cells, the header has {width}"
                continue
            # Only a cell that starts with an apostrophe can carry a guard to remove;
            # one join and search finds whether any does, cheaper than a look at each.
            if not raw and (cells[0][:1] == "'" or "\x1f'" in "\x1f".join(cells)):
                cells = [restore(c) for c in cells]
            yield n, list(reorder(cells)) if reorder else cells
    except csv.Error as exc:
        raise ImportRejected([RowError(reader.line_num, f"not valid CSV: {exc}")]) from None


def read_columns(source: str | bytes, expected: tuple[str, ...], *, raw: bool,
                 repeated: Collection[str] = (), rare: Collection[str] = (),
                 name: str = "the file") -> Columns:
    """Every data row of `source` (text, or a file's UTF-8 bytes called `name`), checked
    against the header, a column at a time.

    The cells of the `repeated` columns (few distinct values, such as seminars)
    share one string object per value, which makes them cheaper to look up; the
    cells of the `rare` columns (read for a few rows, if any) are made on demand.
    """
    fast = _arrow_columns(source, expected, raw, repeated, rare)
    if fast is not None:
        return fast
    text = source if isinstance(source, str) else decode_upload(source, name)
    rows: list[int] = []
    data: list[list[str]] = []
    errors: list[RowError] = []
    for n, rec in records(text, expected, raw):
        if isinstance(rec, str):
            errors.append(RowError(n, rec))
        else:
            rows.append(n)
            data.append(rec)
    cells: list[Sequence[str]] = (
        [list(c) for c in zip(*data, strict=True)] if data else [[] for _ in expected])
    return Columns(rows, cells, errors)


def _arrow_columns(source: str | bytes, expected: tuple[str, ...], raw: bool,
                   repeated: Collection[str] = (), rare: Collection[str] = ()
                   ) -> Columns | None:
    """What `records` would give, read by pyarrow; None when the file needs the reference
    (bytes that are not UTF-8 among others: the reference says so)."""
    data = source.encode("utf-8") if isinstance(source, str) else source
    data = data.removeprefix(b"\xef\xbb\xbf")
    # Undecodable bytes are dropped here only: pyarrow checks that every cell is UTF-8.
    start = data[:65536].decode("utf-8", "ignore")
    try:
        header = next(csv.reader(io.StringIO(start, newline=""), strict=True), None)
    except csv.Error:
        return None
    if header is None or sorted(header) != sorted(expected) or len(set(header)) != len(header):
        return None  # the reference words the problem with the header
    if not _plain_structure(data):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    try:
        table = pcsv.read_csv(
            pa.BufferReader(data),
            pcsv.ReadOptions(use_threads=False, block_size=1 << 21),
            pcsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            pcsv.ConvertOptions(column_types={c: pa.string() for c in expected},
                                null_values=[], strings_can_be_null=False,
                                quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None  # a row of the wrong width, among others: the reference numbers it
    if table.column_names != header:
        return None
    limit = csv.field_size_limit()
    arrays = [table.column(c).combine_chunks() for c in expected]
    # A row of empty cells is what pyarrow makes of an empty line, which the reference
    # rejects; no real row is all empty, so such a file goes to the reference too.
    empty = None
    for a in arrays:
        if len(a) and pc.max(pc.binary_length(a)).as_py() > limit:
            return None
        blank = pc.equal(pc.binary_length(a), 0)
        empty = blank if empty is None else pc.and_(empty, blank)
    if empty is not None and pc.any(empty).as_py():
        return None
    import numpy as np

    cells: list[Sequence[str]] = []
    for n, (name, a) in enumerate(zip(expected, arrays, strict=True)):
        guarded = [] if raw else pc.indices_nonzero(pc.starts_with(a, "'")).to_pylist()
        if name in rare and not guarded:
            cells.append(_ArrowCells(a))
            continue
        if name in repeated and not guarded:
            coded = a.dictionary_encode()
            values = np.array(coded.dictionary.to_pylist(), dtype=object)
            column = values[coded.indices.to_numpy()].tolist()
        else:
            column = a.to_pylist()
        if guarded:
            # Restore only the cells a guard can be on: those that start with an apostrophe.
            for i in guarded:
                column[i] = restore(column[i])
            arrays[n] = pa.array(column, pa.string())
        cells.append(column)
    return Columns(range(2, table.num_rows + 2), cells, [], arrays)


class _ArrowCells(Sequence[str]):
    """A column of cells made into strings one by one, when asked for."""

    def __init__(self, array: Any) -> None:
        self._array = array

    def __len__(self) -> int:
        return len(self._array)

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[str]: ...
    def __getitem__(self, i: int | slice) -> str | Sequence[str]:
        if isinstance(i, slice):
            return self._array[i].to_pylist()  # type: ignore[no-any-return]
        return self._array[i].as_py()  # type: ignore[no-any-return]


def _plain_structure(data: bytes) -> bool:
    """Whether every quote in `data` opens or closes a quoted cell at the cell's edge.

    Quotes then alternate open/close (a doubled `""` inside a cell closes and
    reopens), so the n-th quote opens when n is even. In such a file pyarrow and
    the strict reference split cells identically; a quote inside an unquoted
    cell, or text after a closing quote, sends the file to the reference.
    """
    import numpy as np

    b = np.frombuffer(data, dtype=np.uint8)
    quotes = np.flatnonzero(b == ord('"'))
    if len(quotes) % 2:
        return False
    edge = np.zeros(256, dtype=bool)
    edge[list(_EDGE)] = True
    opens, closes = quotes[0::2], quotes[1::2]
    before = b[opens[opens > 0] - 1]
    after = b[closes[closes < len(b) - 1] + 1]
    return bool(edge[before].all() and edge[after].all())
