"""Codebooks as files (CSV and JSON), so a seminar can start from last year's.

An import is all or nothing: every row is checked, any bad row aborts it with
every offending row listed, and nothing is written. Codes and perspectives are
matched by name: a listed one is updated to what the file says, a new one is
added, and one missing from the file is kept (annotations may use it; delete
it in the codebook editor if it should go). Parents may refer to codes later
in the file, so codes are created first and placed in the hierarchy after.

CSV: one row per perspective or code, columns CODEBOOK_COLUMNS; for a
perspective, `definition` holds its description; `fields` is the list of
structured field names joined by "; ". Cells a spreadsheet would run as a
formula are neutralised on export and restored on import (see csvsafe).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from . import audit, codebook
from . import seminar as seminars
from .codebook import CodeSpec, PerspectiveSpec
from .csvsafe import restore, write_csv
from .db.engine import Store
from .errors import AnnotationsError, ImportRejected, InvalidInput, RowError
from .roles import Actor

CODEBOOK_COLUMNS = ("kind", "name", "colour", "definition", "example", "decision_rules",
                    "parent", "fields")
JSON_FORMAT = "annotations-codebook"
JSON_VERSION = 1
DEFAULT_COLOUR = "#999999"


@dataclass(frozen=True)
class CodeEntry:
    spec: CodeSpec
    fields: tuple[str, ...] = ()
    row: int = 0  # where it came from in an imported file (0: from the store)


@dataclass(frozen=True)
class PerspectiveEntry:
    spec: PerspectiveSpec
    row: int = 0


@dataclass
class Codebook:
    perspectives: list[PerspectiveEntry] = field(default_factory=list)
    codes: list[CodeEntry] = field(default_factory=list)


@dataclass
class ImportSummary:
    added: list[str] = field(default_factory=list)  # "code 'x'", "perspective 'y'"
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def read_codebook(store: Store, seminar: str) -> Codebook:
    """The seminar's codebook in display order."""
    with store.read() as session:
        sid = seminars.seminar_id(session, seminar)
        return Codebook(
            [PerspectiveEntry(PerspectiveSpec(p.name, p.colour, p.description))
             for p in codebook.perspectives(session, sid)],
            [CodeEntry(CodeSpec(c.name, c.colour, c.definition, c.example, c.decision_rules,
                                c.parent), tuple(codebook.code_fields(session, c.id)))
             for c in codebook.codes(session, sid)])


def to_csv(book: Codebook) -> str:
    out = io.StringIO(newline="")
    rows: list[list[str]] = [
        ["perspective", p.spec.name, p.spec.colour, p.spec.description, "", "", "", ""]
        for p in book.perspectives]
    rows += [["code", c.spec.name, c.spec.colour, c.spec.definition, c.spec.example,
              c.spec.decision_rules, c.spec.parent, codebook.join_codes(list(c.fields))]
             for c in book.codes]
    write_csv(out, CODEBOOK_COLUMNS, rows)
    return out.getvalue()


def to_json(book: Codebook, seminar: str = "") -> str:
    data = {
        "format": JSON_FORMAT, "version": JSON_VERSION, "seminar": seminar,
        "perspectives": [{"name": p.spec.name, "colour": p.spec.colour,
                          "description": p.spec.description} for p in book.perspectives],
        "codes": [{"name": c.spec.name, "colour": c.spec.colour,
                   "definition": c.spec.definition, "example": c.spec.example,
                   "decision_rules": c.spec.decision_rules, "parent": c.spec.parent,
                   "fields": list(c.fields)} for c in book.codes],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _entry(kind: str, rec: dict[str, object], row: int) -> PerspectiveEntry | CodeEntry:
    """One checked entry; raises InvalidInput with the reason for its row."""
    def text(key: str) -> str:
        value = rec.get(key, "")
        if value is None:
            return ""
        if not isinstance(value, str):
            raise InvalidInput(f"{key} must be text, not {type(value).__name__}")
        return value

    name = codebook.check_label(text("name"), kind)
    colour = codebook.check_colour(text("colour").strip() or DEFAULT_COLOUR)
    if kind == "perspective":
        return PerspectiveEntry(PerspectiveSpec(name, colour, text("description")), row)
    raw = rec.get("fields", [])
    if isinstance(raw, str):
        names = codebook.split_codes(raw)
    elif isinstance(raw, list) and all(isinstance(f, str) for f in raw):
        names = raw
    else:
        raise InvalidInput("fields must be a list of field names")
    parent = text("parent").strip()
    if parent:
        parent = codebook.check_label(parent, "parent code")
    return CodeEntry(CodeSpec(name, colour, text("definition"), text("example"),
                              text("decision_rules"), parent),
                     tuple(codebook.check_fields(names)), row)


def _check_names(book: Codebook, errors: list[RowError]) -> None:
    for entries, kind in ((book.perspectives, "perspective"), (book.codes, "code")):
        seen: dict[str, int] = {}
        for e in entries:
            if e.spec.name in seen:
                errors.append(RowError(e.row, f"{kind} {e.spec.name!r} appears twice "
                                              f"(first in row {seen[e.spec.name]})"))
            seen.setdefault(e.spec.name, e.row)


def parse_csv(text: str) -> Codebook:
    """A codebook CSV (header row 1, as a spreadsheet numbers it) or ImportRejected."""
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    book, errors = Codebook(), []
    try:
        header = next(reader, None)
        if not header:
            raise ImportRejected([RowError(1, "the file is empty: it needs a header row")])
        unknown = [h for h in header if h not in CODEBOOK_COLUMNS]
        if unknown or "kind" not in header or "name" not in header or len(set(header)) != len(
                header):
            raise ImportRejected([RowError(1, (
                f"unknown column(s) {', '.join(map(repr, unknown))}; " if unknown else "") +
                f"the header needs kind and name, once each, and may have "
                f"{', '.join(CODEBOOK_COLUMNS[2:])}")])
        for n, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != len(header):
                errors.append(RowError(n, f"has {len(cells)} cells, the header has "
                                          f"{len(header)}"))
                continue
            rec: dict[str, object] = {h: restore(c) for h, c in zip(header, cells, strict=True)}
            kind = str(rec["kind"]).strip()
            if kind == "perspective":
                rec["description"] = rec.get("definition", "")
            try:
                if kind not in ("code", "perspective"):
                    raise InvalidInput(f"kind {kind!r} is neither code nor perspective")
                _add(book, _entry(kind, rec, n))
            except AnnotationsError as exc:
                errors.append(RowError(n, str(exc)))
    except csv.Error as exc:
        raise ImportRejected([RowError(reader.line_num, f"not valid CSV: {exc}")]) from None
    _check_names(book, errors)
    if errors:
        raise ImportRejected(sorted(errors, key=lambda e: e.row))
    return book


def _add(book: Codebook, entry: PerspectiveEntry | CodeEntry) -> None:
    if isinstance(entry, CodeEntry):
        book.codes.append(entry)
    else:
        book.perspectives.append(entry)


def parse_json(text: str) -> Codebook:
    """A codebook JSON; entries are numbered (perspectives, then codes) from 1 in errors."""
    try:
        data = json.loads(text.removeprefix("\ufeff"))
    except json.JSONDecodeError as exc:
        raise ImportRejected([RowError(exc.lineno, f"not valid JSON: {exc.msg}")]) from None
    if not isinstance(data, dict) or data.get("format") != JSON_FORMAT:
        raise ImportRejected([RowError(1, f"not a codebook file: expected \"format\": "
                                          f"\"{JSON_FORMAT}\" at the top")])
    if data.get("version") != JSON_VERSION:
        raise ImportRejected([RowError(1, f"codebook format version {data.get('version')!r} "
                                          f"is not supported: this tool reads {JSON_VERSION}")])
    book, errors, n = Codebook(), [], 0
    for key, kind in (("perspectives", "perspective"), ("codes", "code")):
        items = data.get(key, [])
        if not isinstance(items, list):
            raise ImportRejected([RowError(1, f"{key!r} must be a list")])
        for item in items:
            n += 1
            try:
                if not isinstance(item, dict):
                    raise InvalidInput(f"{kind} entry must be an object")
                _add(book, _entry(kind, item, n))
            except AnnotationsError as exc:
                errors.append(RowError(n, f"{kind}: {exc}"))
    _check_names(book, errors)
    if errors:
        raise ImportRejected(errors)
    return book


def parse(text: str, fmt: str) -> Codebook:
    if fmt == "csv":
        return parse_csv(text)
    if fmt == "json":
        return parse_json(text)
    raise InvalidInput(f"unknown codebook format {fmt!r}: use csv or json")


def import_codebook(store: Store, seminar: str, book: Codebook, actor: Actor) -> ImportSummary:
    """Add or update every entry of `book` in one transaction, or nothing."""
    summary, errors = ImportSummary(), []
    with store.transaction() as session:
        sid = seminars.seminar_id(session, seminar)
        have_p = {p.name: p for p in codebook.perspectives(session, sid)}
        for p in book.perspectives:
            label = f"perspective {p.spec.name!r}"
            old = have_p.get(p.spec.name)
            if old is None:
                codebook.create_perspective(session, actor, sid, p.spec)
                summary.added.append(label)
            elif (old.colour, old.description) != (p.spec.colour, p.spec.description):
                codebook.update_perspective(session, actor, sid, p.spec.name,
                                            colour=p.spec.colour, description=p.spec.description)
                summary.updated.append(label)
            else:
                summary.unchanged.append(label)
        have_c = {c.name: (c.colour, c.definition, c.example, c.decision_rules, c.parent,
                           tuple(codebook.code_fields(session, c.id)))
                  for c in codebook.codes(session, sid)}
        for c in book.codes:  # without parents first: a parent may come later in the file
            if c.spec.name not in have_c:
                s = c.spec
                codebook.create_code(session, actor, sid, CodeSpec(
                    s.name, s.colour, s.definition, s.example, s.decision_rules), c.fields)
        for c in book.codes:
            s, label = c.spec, f"code {c.spec.name!r}"
            try:
                codebook.update_code(session, actor, sid, s.name, colour=s.colour,
                                     definition=s.definition, example=s.example,
                                     decision_rules=s.decision_rules, parent=s.parent,
                                     fields=list(c.fields))
            except AnnotationsError as exc:
                errors.append(RowError(c.row, str(exc)))
                continue
            if s.name not in have_c:
                summary.added.append(label)
            elif have_c[s.name] != (s.colour, s.definition, s.example, s.decision_rules,
                                    s.parent, c.fields):
                summary.updated.append(label)
            else:
                summary.unchanged.append(label)
        if errors:
            raise ImportRejected(errors)
        session.flush()
        audit.record(session, actor.name, "codebook.import", sid, seminar,
                     {"added": summary.added, "updated": summary.updated})
    return summary


def export_text(store: Store, seminar: str, fmt: str) -> str:
    """The seminar's codebook as `csv` or `json` text."""
    book = read_codebook(store, seminar)
    if fmt == "csv":
        return to_csv(book)
    if fmt == "json":
        return to_json(book, seminar)
    raise InvalidInput(f"unknown codebook format {fmt!r}: use csv or json")


def import_text(store: Store, seminar: str, text: str, fmt: str,
                actor: Actor | None = None) -> ImportSummary:
    return import_codebook(store, seminar, parse(text, fmt), actor or Actor.console())
