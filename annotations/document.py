"""Documents: verbatim texts, their metadata, and the checks a new text must pass.

Pure functions only: reading a corpus folder turns files into `SourceText`s,
and the corpus service stores them. Text is never "cleaned": annotation
offsets point into the bytes exactly as they came.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InvalidInput, TextRejected

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Paratext:
    """A stretch that came with the page but is not the author's running text."""

    kind: str  # "key points", "image caption", "endnotes", "reader comments", ...
    start: int
    end: int


@dataclass(frozen=True)
class DocumentMeta:
    document_id: str
    title: str
    perspective: str
    source_kind: str = ""
    author: str = ""
    publisher: str = ""
    date: str = ""
    licence: str = ""
    notes: str = ""
    paratext: tuple[Paratext, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class SourceText:
    """A document's metadata with one version of its verbatim text."""

    meta: DocumentMeta
    text: str
    sha256: str
    warnings: tuple[str, ...] = ()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def slugify(value: str) -> str:
    """A readable, stable id: lowercase ASCII words joined by hyphens."""
    # Drop accents, but let other non-ASCII characters (’ – …) separate words:
    # "1930–33" is "1930-33", not "193033".
    decomposed = unicodedata.normalize("NFKD", value)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    slug = re.sub(r"[^a-z0-9]+", "-", bare.lower()).strip("-")
    return slug[:80].rstrip("-")


def check_slug(value: str, what: str) -> str:
    if not SLUG_RE.match(value):
        raise InvalidInput(
            f"{what} {value!r} is not a valid id: use lowercase letters, digits and "
            f"single hyphens, e.g. {slugify(value) or 'my-seminar'!r}"
        )
    return value


def decode_text(data: bytes, name: str, max_bytes: int) -> tuple[str, tuple[str, ...]]:
    """Decode a candidate text, refusing what cannot be annotated.

    CRLF line ends and a BOM are kept byte for byte and reported, because
    changing them would move every offset.
    """
    if len(data) == 0:
        raise TextRejected(f"{name} is empty: add a file that contains the text")
    if len(data) > max_bytes:
        raise TextRejected(
            f"{name} is {len(data):,} bytes, over the limit of {max_bytes:,}: split it, "
            "or raise ANNOTATIONS_MAX_TEXT_BYTES"
        )
    if b"\x00" in data:
        raise TextRejected(
            f"{name} looks binary (it contains NUL bytes): export it as plain UTF-8 text"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TextRejected(
            f"{name} is not UTF-8 (bad byte at position {exc.start}): re-save it as UTF-8"
        ) from None
    controls = {c for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f"}
    if controls:
        listed = ", ".join(sorted(hex(ord(c)) for c in controls))
        raise TextRejected(
            f"{name} contains control characters ({listed}): it looks binary; "
            "export it as plain text"
        )
    warnings: list[str] = []
    if text.startswith("\ufeff"):
        warnings.append(f"{name} starts with a byte-order mark (BOM); it is kept as character 0")
    if "\r\n" in text:
        warnings.append(f"{name} has CRLF line endings; they are kept, each counts as 2 characters")
    if not text.strip():
        raise TextRejected(f"{name} contains only white space: add a file with the text")
    return text, tuple(warnings)


def check_paratext(paratext: tuple[Paratext, ...], length: int, name: str) -> None:
    for p in paratext:
        if not (0 <= p.start <= p.end <= length):
            raise InvalidInput(
                f"{name}: paratext {p.kind!r} [{p.start}, {p.end}) lies outside the text "
                f"(0..{length}): fix its offsets in the metadata"
            )


def read_meta(path: Path) -> tuple[DocumentMeta, str, str]:
    """Read a TOML sidecar: the metadata, the text file name, the expected sha256."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path.name} is not valid TOML ({exc}): fix the sidecar") from None
    missing = [k for k in ("document_id", "title", "perspective", "file") if not raw.get(k)]
    if missing:
        raise InvalidInput(f"{path.name} lacks {', '.join(missing)}: add them to the sidecar")
    meta = DocumentMeta(
        document_id=check_slug(str(raw["document_id"]), "document_id"),
        title=str(raw["title"]),
        perspective=str(raw["perspective"]),
        source_kind=str(raw.get("source_kind", "")),
        author=str(raw.get("author", "")),
        publisher=str(raw.get("publisher", "")),
        date=str(raw.get("date", "")),
        licence=str(raw.get("licence", "")),
        notes=str(raw.get("notes", "")),
        paratext=tuple(
            Paratext(str(p["kind"]), int(p["start"]), int(p["end"]))
            for p in raw.get("paratext", [])
        ),
    )
    return meta, str(raw["file"]), str(raw.get("sha256", ""))


def read_corpus(folder: Path, max_bytes: int) -> list[SourceText]:
    """Every document described by a `.toml` sidecar in `folder`, in file-name order."""
    texts: list[SourceText] = []
    for sidecar in sorted(folder.glob("*.toml")):
        meta, file_name, expected = read_meta(sidecar)
        data = (folder / file_name).read_bytes()
        digest = sha256_hex(data)
        if expected and expected != digest:
            raise InvalidInput(
                f"{file_name}: sha256 is {digest} but {sidecar.name} says {expected}: "
                "the text changed; update the sidecar's sha256 if the change is intended"
            )
        text, warnings = decode_text(data, file_name, max_bytes)
        check_paratext(meta.paratext, len(text), file_name)
        texts.append(SourceText(meta, text, digest, warnings))
    return texts


def paragraphs(text: str) -> list[tuple[int, int]]:
    """Code-point spans of the non-blank lines, the unit the UI and analysis show."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            spans.append((pos, end))
        pos = end + 1
    return spans
