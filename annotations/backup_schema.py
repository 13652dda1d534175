"""Reading a seminar backup without trusting it: size, depth, numbers, then every field.

A backup is a file someone uploads at the desk, so it is input like any other:
it is measured before it is parsed, parsed with limits (nesting depth, digits
of a number, no NaN), and then checked field by field before anything is
written. Every target a row points at (a reply's annotation, a link's ends, a
suggestion's annotation) must be inside the same backup, so a restore can never
reach another seminar's rows. Problems are collected and reported together.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .anchor import AnchorStatus
from .annotation import check_name, check_note, check_source
from .document import check_slug
from .errors import AnnotationsError, InvalidInput
from .link import KINDS
from .roles import ROLES
from .seminar import check_join_code
from .timeutil import parse_time

FORMAT = "annotations-seminar-backup"
VERSION = 1
MAX_BACKUP_BYTES = 64 * 1024 * 1024  # checked before parsing; README "Security"
MAX_DEPTH = 8  # the deepest a valid backup nests is 5 (annotations → fields → code → name)
MAX_DIGITS = 15  # offsets and revisions; anything longer is not a number we wrote
MAX_SHORT = 500  # titles, names, colours, keys
MAX_ERRORS = 20
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
DECISIONS = ("accepted", "rejected")


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise InvalidInput(f"the backup has a number with {len(text)} digits "
                           f"(at most {MAX_DIGITS}): use an unedited backup")
    return int(text)


def _no_float(text: str) -> float:
    raise InvalidInput(f"the backup has a number {text[:20]!r} that is not a whole number: "
                       "use an unedited backup")


def _no_constant(text: str) -> float:
    raise InvalidInput(f"the backup has {text!r}, which is not JSON: use an unedited backup")


def _depth(text: str) -> int:
    bare = _STRINGS.sub("", text)
    brackets = bare.translate({ord(c): None for c in set(bare) - set("[]{}")})
    deepest = level = 0
    for ch in brackets:
        level += 1 if ch in "[{" else -1
        deepest = max(deepest, level)
    return deepest


def parse(data: bytes | str) -> dict[str, Any]:
    """The backup's JSON object: size checked first, then depth, then parsed with limits."""
    size = len(data.encode("utf-8") if isinstance(data, str) else data)
    if size > MAX_BACKUP_BYTES:
        raise InvalidInput(f"the backup file is {size:,} bytes, over the limit of "
                           f"{MAX_BACKUP_BYTES:,}: restore it from the console "
                           "(`annotations restore`) after splitting, or ask your site admin")
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise InvalidInput("the backup file is not UTF-8 text: use an unedited backup") from None
    if _depth(text) > MAX_DEPTH:
        raise InvalidInput(f"the backup nests deeper than {MAX_DEPTH} levels: it is not a "
                           "seminar backup")
    try:
        parsed = json.loads(text, parse_int=_int, parse_float=_no_float,
                            parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"not a backup file: invalid JSON at line {exc.lineno}") from None
    except (RecursionError, ValueError) as exc:
        raise InvalidInput(f"not a backup file: {exc}") from None
    if not isinstance(parsed, dict) or parsed.get("format") != FORMAT:
        raise InvalidInput(f"not a seminar backup: expected \"format\": \"{FORMAT}\"")
    if parsed.get("version") != VERSION:
        raise InvalidInput(f"backup format version {parsed.get('version')!r} is not "
                           f"supported: this tool restores version {VERSION}")
    return parsed


@dataclass
class Checked:
    """A backup whose every field was checked, ready to write."""

    seminar: dict[str, Any]
    documents: list[tuple[str, str]]
    perspectives: list[dict[str, Any]]
    codes: list[dict[str, Any]]
    members: list[dict[str, Any]]
    annotations: list[dict[str, Any]]
    replies: list[dict[str, Any]]
    links: list[dict[str, Any]]
    decisions: list[dict[str, Any]]
    audit: list[dict[str, Any]]
    created_at: str = ""
    errors: list[str] = field(default_factory=list)


class _Row:
    """Reads one record's fields, turning every problem into one message with its place."""

    def __init__(self, errors: list[str], where: str, record: Any) -> None:
        self.errors, self.where = errors, where
        self.record = record if isinstance(record, dict) else {}
        if not isinstance(record, dict):
            self.fail("is not an object")

    def fail(self, why: str) -> None:
        self.errors.append(f"{self.where}: {why}")

    def text(self, key: str, limit: int = MAX_SHORT, *, default: str | None = None) -> str:
        value = self.record.get(key, default)
        if not isinstance(value, str):
            self.fail(f"{key} must be text")
            return ""
        if len(value) > limit or "\x00" in value:
            self.fail(f"{key} is over {limit:,} characters or contains NUL")
            return ""
        return value

    def number(self, key: str) -> int:
        value = self.record.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self.fail(f"{key} must be a whole number of at least 0")
            return 0
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.record.get(key, default)
        if not isinstance(value, bool):
            self.fail(f"{key} must be true or false")
            return default
        return value

    def time(self, key: str, *, optional: bool = False) -> datetime | None:
        value = self.record.get(key)
        if optional and value in (None, ""):
            return None
        try:
            return parse_time(value if isinstance(value, str) else "")
        except InvalidInput:
            self.fail(f"{key} is not a time like 2026-11-25T14:27:24Z")
            return None

    def checked(self, key: str, check: Any, *args: Any) -> str:
        before = len(self.errors)
        value = self.text(key, 100_000)
        if len(self.errors) > before:
            return ""
        try:
            return str(check(value, *args))
        except AnnotationsError as exc:
            self.fail(f"{key}: {exc}")
            return ""

    def uid(self, key: str) -> str:
        value = self.record.get(key)
        try:
            return str(uuid.UUID(value)) if isinstance(value, str) else ""
        except ValueError:
            pass
        self.fail(f"{key} {str(value)[:40]!r} is not a UUID")
        return ""

    def choice(self, key: str, allowed: tuple[str, ...]) -> str:
        value = self.record.get(key)
        if value not in allowed:
            self.fail(f"{key} {str(value)[:40]!r} is not one of {', '.join(allowed)}")
            return allowed[0]
        return str(value)


def _list(errors: list[str], data: dict[str, Any], key: str, optional: bool = False
          ) -> list[Any]:
    value = data.get(key, [] if optional else None)
    if not isinstance(value, list):
        errors.append(f"{key}: must be a list")
        return []
    return value


def _previous(r: _Row, a: Any) -> dict[str, Any] | None:
    """Where an annotation awaiting review came from: a version of the same document."""
    p = a.get("previous") if isinstance(a, dict) else None
    if p is None:
        return None
    if not isinstance(p, dict):
        r.fail("previous must be an object with document_sha256, start and end")
        return None
    q = _Row(r.errors, f"{r.where}.previous", p)
    old_start, old_end = q.number("start"), q.number("end")
    if old_end < old_start:
        q.fail("end is before start")
    return {"document_sha256": q.text("document_sha256", 64), "start": old_start,
            "end": old_end}


def check(data: dict[str, Any]) -> Checked:
    """Every field of a parsed backup; raises InvalidInput listing what is wrong."""
    errors: list[str] = []
    s = _Row(errors, "seminar", data.get("seminar"))
    seminar = {"slug": s.checked("slug", check_slug, "seminar"), "title": s.text("title"),
               "join_code": s.checked("join_code", check_join_code),
               "revision": s.number("revision"), "created_at": s.time("created_at"),
               "closed": s.flag("closed", True), "blind": s.flag("blind", False),
               "revealed": s.flag("revealed", False)}
    documents = []
    for i, d in enumerate(_list(errors, data, "documents")):
        r = _Row(errors, f"documents[{i}]", d)
        documents.append((r.text("document_id", 80), r.text("sha256", 64)))
    perspectives = []
    for i, p in enumerate(_list(errors, data, "perspectives")):
        r = _Row(errors, f"perspectives[{i}]", p)
        perspectives.append({"name": r.text("name"), "colour": r.text("colour", 40),
                             "description": r.text("description", 10_000)})
    codes = []
    for i, c in enumerate(_list(errors, data, "codes")):
        r = _Row(errors, f"codes[{i}]", c)
        names = c.get("fields", []) if isinstance(c, dict) else []
        if not isinstance(names, list) or not all(
                isinstance(n, str) and 0 < len(n) <= MAX_SHORT for n in names):
            r.fail("fields must be a list of names")
            names = []
        codes.append({"name": r.text("name"), "colour": r.text("colour", 40),
                      "definition": r.text("definition", 10_000),
                      "example": r.text("example", 10_000),
                      "decision_rules": r.text("decision_rules", 10_000),
                      "parent": r.text("parent", default=""), "fields": names})
    members = []
    for i, m in enumerate(_list(errors, data, "members")):
        r = _Row(errors, f"members[{i}]", m)
        members.append({"username": r.text("username", 80),
                        "display_name": r.text("display_name", 200),
                        "password_hash": r.text("password_hash", 1000, default=""),
                        "role": r.choice("role", ROLES), "joined_at": r.time("joined_at"),
                        "submitted_at": r.time("submitted_at", optional=True),
                        "user_created_at": r.time("user_created_at"),
                        "password_changed_at": r.time("password_changed_at")})
    annotations, ids = [], set()
    for i, a in enumerate(_list(errors, data, "annotations")):
        r = _Row(errors, f"annotations[{i}]", a)
        aid = r.uid("id")
        if aid in ids:
            r.fail(f"id {aid} appears twice")
        ids.add(aid)
        start, end = r.number("start"), r.number("end")
        if end < start:
            r.fail("end is before start")
        fields = a.get("fields", {}) if isinstance(a, dict) else {}
        if not isinstance(fields, dict) or not all(
                isinstance(v, dict) and all(isinstance(x, str) and len(x) <= 10_000
                                            for x in v.values()) for v in fields.values()):
            r.fail("fields must map codes to {name: text}")
            fields = {}
        row: dict[str, Any] = {
            "id": aid, "document_id": r.text("document_id", 80),
            "document_sha256": r.text("document_sha256", 64), "start": start, "end": end,
            "quote": r.text("quote", 1_000_000), "prefix": r.text("prefix", 10_000),
            "suffix": r.text("suffix", 10_000), "perspective": r.text("perspective"),
            "codes": r.text("codes", 10_000), "note": r.checked("note", check_note),
            "annotator": r.checked("annotator", check_name),
            "anchor_status": r.choice("anchor_status", tuple(AnchorStatus)),
            "source": r.checked("source", check_source), "fields": fields,
            "created_at": r.time("created_at"), "updated_at": r.time("updated_at"),
            "deleted_at": r.time("deleted_at", optional=True),
            "previous": _previous(r, a)}
        came_from = row["previous"]
        if came_from and (row["document_id"], came_from["document_sha256"]) not in documents:
            r.fail("previous names a text version that is not in the backup's documents")
        annotations.append(row)
    replies, reply_ids = [], set()
    for i, x in enumerate(_list(errors, data, "replies")):
        r = _Row(errors, f"replies[{i}]", x)
        rid, target = r.uid("id"), r.uid("annotation_id")
        if rid in reply_ids:
            r.fail(f"id {rid} appears twice")
        reply_ids.add(rid)
        if target and target not in ids:
            r.fail(f"answers annotation {target}, which is not in this backup")
        replies.append({"id": rid, "annotation_id": target,
                        "author": r.checked("author", check_name, "author"),
                        "text": r.checked("text", check_note),
                        "created_at": r.time("created_at"), "updated_at": r.time("updated_at")})
    links, link_ids = [], set()
    for i, x in enumerate(_list(errors, data, "links")):
        r = _Row(errors, f"links[{i}]", x)
        lid = r.uid("id")
        if lid in link_ids:
            r.fail(f"id {lid} appears twice")
        link_ids.add(lid)
        ends = (r.uid("from_annotation_id"), r.uid("to_annotation_id"))
        if any(e and e not in ids for e in ends):
            r.fail("links an annotation that is not in this backup")
        links.append({"id": lid, "kind": r.choice("kind", KINDS), "from_annotation_id": ends[0],
                      "to_annotation_id": ends[1], "note": r.checked("note", check_note),
                      "annotator": r.checked("annotator", check_name),
                      "created_at": r.time("created_at")})
    decisions = []
    for i, x in enumerate(_list(errors, data, "suggestion_decisions", optional=True)):
        r = _Row(errors, f"suggestion_decisions[{i}]", x)
        named = x.get("annotation_id") if isinstance(x, dict) else None
        if named not in (None, "") and named not in ids:
            r.fail(f"names annotation {str(named)[:40]}, which is not in this backup")
        decisions.append({"annotator": r.checked("annotator", check_name),
                          "suggestion_key": r.text("suggestion_key", 300),
                          "decision": r.choice("decision", DECISIONS),
                          "annotation_id": named or None, "created_at": r.time("created_at")})
    audit = []
    for i, x in enumerate(_list(errors, data, "audit", optional=True)):
        r = _Row(errors, f"audit[{i}]", x)
        detail = x.get("detail", {}) if isinstance(x, dict) else {}
        if not isinstance(detail, dict):
            r.fail("detail must be an object")
            detail = {}
        audit.append({"actor": r.text("actor", 200), "action": r.text("action", 80),
                      "target": r.text("target", 300), "detail": detail, "at": r.time("at")})
    if errors:
        more = f"\n…and {len(errors) - MAX_ERRORS} more" if len(errors) > MAX_ERRORS else ""
        raise InvalidInput(f"the backup was not restored, nothing was written: {len(errors)} "
                           "problem(s)\n" + "\n".join(errors[:MAX_ERRORS]) + more)
    created = data.get("created_at", "")
    return Checked(seminar, documents, perspectives, codes, members, annotations, replies,
                   links, decisions, audit, created if isinstance(created, str) else "")
