"""PDF with a text layer to blocks (pdfplumber, on pdfminer.six).

A PDF has no paragraphs or styles, only positioned characters, so the rules
are about sizes and positions, measured against the body size (the font size
most characters have):

- a line at least 1.2 times the body size, up to 200 characters, is a heading;
- lines below the last body-size line of a page, smaller than 0.9 times the
  body size and with a letter in them, are that page's notes;
- a paragraph that starts like "Figure 3", "Fig. 3", "Table 2", "Plate", "Map",
  "Illustration" (and German "Abb.", "Abbildung", "Tabelle") with a number is a
  caption;
- lines of a page are one paragraph while the gap to the next line is under
  0.8 line heights and their size class stays; lines are joined by a space, or
  without one after a line-ending hyphen (the hyphen stays: "well-known" must);
- every page starts a new block with a page break before it.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFPasswordIncorrect
from pdfplumber.utils.exceptions import PdfminerException

from ..errors import TextRejected
from .compose import CAPTION, HEADING, NOTES, Blocks

HEADING_RATIO = 1.2
NOTE_RATIO = 0.9
HEADING_MAX_CHARS = 200
PARAGRAPH_GAP = 0.8  # line heights
MAX_PAGES = 2000
CAPTION_START = re.compile(
    r"^(?:Figure|Fig\.|Table|Plate|Map|Illustration|Abbildung|Abb\.|Tabelle)\s*[0-9IVXLC]+\b")


@dataclass(frozen=True)
class Line:
    text: str
    top: float
    bottom: float
    size: float


def _lines(page: Any) -> list[Line]:
    out = []
    for raw in page.extract_text_lines(return_chars=True, strip=True):
        sizes = Counter(round(float(c["size"]), 1) for c in raw["chars"] if c["text"].strip())
        if raw["text"].strip() and sizes:
            out.append(Line(raw["text"], float(raw["top"]), float(raw["bottom"]),
                            sizes.most_common(1)[0][0]))
    return out


def _open(data: bytes, name: str) -> Any:
    try:
        return pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise TextRejected(f"{name} is password-protected: open it, save a copy without "
                               "the password (or print it to PDF), and upload that") from None
        raise TextRejected(f"{name} is damaged or not a PDF ({type(cause).__name__}): open "
                           "it in a PDF reader and save it again, or upload the text") from None


def read_pdf(data: bytes, name: str) -> tuple[Blocks, tuple[str, ...]]:
    warnings: list[str] = []
    with _open(data, name) as pdf:
        try:
            count = len(pdf.pages)
            if count > MAX_PAGES:
                raise TextRejected(f"{name} has {count} pages, more than {MAX_PAGES}: "
                                   "split it into parts")
            pages = []
            for page in pdf.pages:
                pages.append((_lines(page), len(page.images)))
                page.close()  # drop its parsed objects: a long PDF need not sit in memory
        except (PdfminerException, ValueError, KeyError, TypeError) as exc:
            raise TextRejected(f"{name} could not be read ({type(exc).__name__}): open it in "
                               "a PDF reader and save it again, or upload the text") from None
    if not any(lines for lines, _ in pages):
        images = sum(n for _, n in pages)
        what = f"its {len(pages)} page(s) hold {images} image(s) and no text" if images \
            else f"its {len(pages)} page(s) hold no text"
        raise TextRejected(f"{name} has no text layer ({what}): it looks scanned. Run OCR on "
                           "it first (e.g. `ocrmypdf in.pdf out.pdf`) and upload the result, "
                           "or upload the text as a .txt file")
    blank = [str(i + 1) for i, (lines, _) in enumerate(pages) if not lines]
    if blank:
        warnings.append(f"{name}: page(s) {', '.join(blank)} have no text layer (scanned "
                        "images?); their text is missing: run OCR on the file to include it")
    sizes: Counter[float] = Counter()
    for lines, _ in pages:
        for line in lines:
            sizes[line.size] += len(line.text)
    body = sizes.most_common(1)[0][0]
    out = Blocks()
    for i, (lines, _) in enumerate(pages):
        if i:
            out.page_break()
        _page(lines, body, out)
    out.end()
    return out, tuple(warnings)


def _kind(line: Line, body: float, below_body: bool) -> str:
    if line.size >= HEADING_RATIO * body and len(line.text) <= HEADING_MAX_CHARS:
        return HEADING
    if below_body and line.size <= NOTE_RATIO * body and any(c.isalpha() for c in line.text):
        return NOTES  # (a bare page number at the foot is not a note)
    return ""


def _page(lines: list[Line], body: float, out: Blocks) -> None:
    last_body = max((j for j, ln in enumerate(lines) if abs(ln.size - body) < 0.5), default=-1)
    kind, text, previous = "", "", None
    for j, line in enumerate(lines):
        this = _kind(line, body, j > last_body >= 0)  # notes follow body text on the page
        gap = line.top - previous.bottom if previous else 0.0
        if previous and (this != kind or gap > PARAGRAPH_GAP * (previous.bottom - previous.top)
                         or this == HEADING):
            _flush(out, text, kind)
            text = ""
        if text:
            text += "" if text.endswith("-") and text[-2:-1].isalpha() else " "
        text, kind, previous = text + line.text, this, line
    _flush(out, text, kind)


def _flush(out: Blocks, text: str, kind: str) -> None:
    if not kind and CAPTION_START.match(text):
        kind = CAPTION
    out.add(text)
    out.end(kind)
