"""Sources as seminars have them: plain text, PDF, Word, web pages and EPUB to one text.

`extract` is the one door: it checks the size, tells the format by the bytes
(not by the name alone), and returns an `Extraction`: the verbatim text the
document will hold, its paratext ranges (page breaks, headings, notes,
captions) and warnings. It is pure: nothing is stored, so the desk can show a
preview and the corpus runs the same extraction again when the instructor
publishes. Plain text is kept exactly as uploaded (see `document.decode_text`);
every other format is normalised by `compose` (its docstring states the rule).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .. import config
from ..document import Paratext, check_paratext, decode_text, paragraphs
from ..errors import TextRejected
from . import archive
from .compose import KINDS, PAGE_BREAK, Blocks, compose

__all__ = ["FORMATS", "KINDS", "PAGE_BREAK", "UPLOAD_SUFFIXES", "Extraction", "Passage", "detect",
           "extract", "outline"]


@dataclass(frozen=True)
class Format:
    label: str
    media_type: str
    suffixes: tuple[str, ...]


FORMATS: dict[str, Format] = {
    "text": Format("plain text", "text/plain; charset=utf-8", (".txt",)),
    "pdf": Format("PDF", "application/pdf", (".pdf",)),
    "docx": Format("Word document",
                   "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                   (".docx",)),
    "html": Format("web page", "text/html", (".html", ".htm", ".xhtml")),
    "epub": Format("EPUB", "application/epub+zip", (".epub",)),
}
UPLOAD_SUFFIXES = tuple(s.lstrip(".") for f in FORMATS.values() for s in f.suffixes)
# Format -> (module, function). Imported on first use: the extractors' libraries take a
# second to load, which every app process and CLI command would otherwise pay at start.
READERS = {"pdf": ("pdf", "read_pdf"), "docx": ("word", "read_docx"),
           "html": ("web", "read_html"), "epub": ("epub", "read_epub")}
# Files people try that are not texts: their magic bytes, and what to do instead.
REFUSED: tuple[tuple[bytes, str], ...] = (
    (b"{\\rtf", "an RTF document: save it as .docx or plain text"),
    (b"\x89PNG", "a PNG image: run OCR on it, or upload the text"),
    (b"\xff\xd8\xff", "a JPEG image: run OCR on it, or upload the text"),
    (b"GIF8", "a GIF image: upload the text instead"),
    (b"II*\x00", "a TIFF image (a scan?): run OCR on it, or upload the text"),
    (b"MM\x00*", "a TIFF image (a scan?): run OCR on it, or upload the text"),
    (b"\x1f\x8b", "a gzip archive: unpack it and upload the document inside"),
    (b"Rar!", "a RAR archive: unpack it and upload the document inside"),
)
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Office 97-2003 files, and encrypted Office files


@dataclass(frozen=True)
class Extraction:
    name: str  # the uploaded file's name
    format: str  # a key of FORMATS
    text: str  # exactly what the document will hold
    paratext: tuple[Paratext, ...]
    warnings: tuple[str, ...]

    @property
    def media_type(self) -> str:
        return FORMATS[self.format].media_type

    @property
    def is_plain_text(self) -> bool:
        """The file is its own text: there is no other original to keep."""
        return self.format == "text"


@dataclass(frozen=True)
class Passage:
    """A paragraph of the extracted text as the preview shows it."""

    start: int
    end: int
    text: str
    kind: str  # paratext kind it lies in, or "" for running text
    page: int  # 1-based: page breaks before it + 1


def _looks_like_html(data: bytes) -> bool:
    head = data[:2048].decode("latin-1").lstrip("\ufeff\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(("<!doctype html", "<html")) or (
        head.startswith("<?xml") and "<html" in head)


def detect(data: bytes, name: str) -> str:
    """The format the bytes are in; a refusal naming the problem for anything else."""
    suffix = Path(name).suffix.lower()
    found = ""
    if b"%PDF-" in data[:1024]:
        found = "pdf"
    elif data.startswith(b"PK\x03\x04"):
        inside = set(archive.members(data, name))
        if "word/document.xml" in inside:
            found = "docx"
        elif "META-INF/container.xml" in inside:
            found = "epub"
        else:
            raise TextRejected(f"{name} is a ZIP archive but neither a Word document (.docx) "
                               "nor an EPUB: save an OpenDocument text as .docx, or unpack "
                               "the archive and upload the document inside")
    elif data.startswith(OLE):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise TextRejected(f"{name} is a password-protected Office file: save a copy "
                               "without the password and upload that")
        raise TextRejected(f"{name} is an Office 97-2003 file (.doc): open it and save it "
                           "as .docx, then upload that")
    else:
        for magic, what in REFUSED:
            if data.startswith(magic):
                raise TextRejected(f"{name} is {what}")
        plain_name = suffix == ".txt"
        found = "html" if suffix in FORMATS["html"].suffixes or (
            not plain_name and _looks_like_html(data)) else "text"
    claimed = next((k for k, f in FORMATS.items() if suffix in f.suffixes), "")
    if claimed in ("pdf", "docx", "epub") and claimed != found:
        raise TextRejected(f"{name} is named {suffix} but is not a {FORMATS[claimed].label} "
                           f"(it reads as {FORMATS[found].label}): it may be damaged or "
                           "renamed; save it again from its program and upload the copy")
    return found


def extract(data: bytes, name: str) -> Extraction:
    """The text, paratext and warnings a file gives, or TextRejected saying what to do."""
    if not data:
        raise TextRejected(f"{name} is empty: add a file that contains the text")
    limit = config.max_upload_bytes()
    if len(data) > limit:
        raise TextRejected(f"{name} is {len(data):,} bytes, over the upload limit of "
                           f"{limit:,}: split it, or raise ANNOTATIONS_MAX_UPLOAD_BYTES")
    fmt = detect(data, name)
    max_text = config.max_text_bytes()
    if fmt == "text":
        text, warnings = decode_text(data, name, max_text)
        return Extraction(name, fmt, text, (), warnings)
    module, function = READERS[fmt]
    read: Callable[[bytes, str], tuple[Blocks, tuple[str, ...]]] = getattr(
        importlib.import_module(f".{module}", __name__), function)
    try:
        blocks, warnings = read(data, name)
    except TextRejected:
        raise
    except Exception as exc:  # noqa: BLE001 - a hostile or broken file must not end in a traceback
        raise TextRejected(f"{name} could not be read as a {FORMATS[fmt].label} "
                           f"({type(exc).__name__}): save it again from its program, or "
                           "upload the text as a .txt file") from None
    text, paratext = compose(blocks.blocks)
    if not text:
        raise TextRejected(f"{name} contains no text to annotate: check that it is the "
                           "right file")
    size = len(text.encode("utf-8"))
    if size > max_text:
        raise TextRejected(f"the text of {name} is {size:,} bytes, over the limit of "
                           f"{max_text:,}: split the document, or raise "
                           "ANNOTATIONS_MAX_TEXT_BYTES")
    check_paratext(paratext, len(text), name)
    return Extraction(name, fmt, text, paratext, warnings)


def outline(text: str, paratext: tuple[Paratext, ...]) -> list[Passage]:
    """The text's paragraphs with the paratext each lies in and its page: the preview."""
    breaks = sorted(p.start for p in paratext if p.kind == PAGE_BREAK)
    areas = [p for p in paratext if p.start < p.end]
    out = []
    for s, e in paragraphs(text):
        kind = next((p.kind for p in areas if p.start <= s and e <= p.end), "")
        page = 1 + sum(1 for b in breaks if b <= s)
        out.append(Passage(s, e, text[s:e], kind, page))
    return out
