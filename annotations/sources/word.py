"""Word documents (.docx) to blocks with python-docx; its XML parser expands no entities.

- paragraphs styled Title or Heading N (or with an outline level) are headings,
  paragraphs styled Caption are captions;
- a table row is one block, its cells separated by a space;
- footnotes and endnotes are numbered 1, 2, ... in the order the text calls
  them; a call becomes "(n)" where Word shows the superscript, and the notes
  follow the text as lines "n. text" (one "endnotes" range);
- page breaks are the ones Word recorded when it last laid the document out
  (`lastRenderedPageBreak`); a file without them has its hard page breaks;
- deleted tracked changes, field codes and the fallback copy of text boxes
  are left out.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from lxml.etree import XMLSyntaxError

from ..errors import TextRejected
from .compose import CAPTION, HEADING, NOTES, Blocks

SKIP = frozenset(qn(t) for t in ("w:pPr", "w:rPr", "w:instrText", "w:delText", "w:del",
                                  "w:footnoteRef", "w:endnoteRef")) | {
    "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}
RENDERED_BREAK = qn("w:lastRenderedPageBreak")


class _Reader:
    def __init__(self, notes: dict[str, dict[str, Any]], rendered: bool) -> None:
        self.notes = notes  # "footnote"/"endnote" -> id -> <w:footnote> element
        self.rendered = rendered  # page breaks from Word's last layout
        self.order: list[tuple[str, str]] = []  # (kind, id) in call order
        self.out = Blocks()

    def call(self, kind: str, note_id: str) -> str:
        if note_id not in self.notes.get(kind, {}):
            return ""
        if (kind, note_id) not in self.order:
            self.order.append((kind, note_id))
        return f"({self.order.index((kind, note_id)) + 1})"

    def inline(self, el: Any, out: Blocks) -> None:
        for child in el:
            tag = child.tag
            if not isinstance(tag, str) or tag in SKIP:
                continue
            if tag == qn("w:t"):
                out.add(child.text or "")
            elif tag in (qn("w:tab"), qn("w:ptab")):
                out.add("\t")
            elif tag in (qn("w:br"), qn("w:cr")):
                if child.get(qn("w:type")) == "page":
                    if not self.rendered:
                        out.page_break()
                else:
                    out.add("\n")
            elif tag == RENDERED_BREAK:
                if self.rendered:
                    out.page_break()
            elif tag == qn("w:noBreakHyphen"):
                out.add("-")
            elif tag == qn("w:footnoteReference"):
                out.add(self.call("footnote", str(child.get(qn("w:id")))))
            elif tag == qn("w:endnoteReference"):
                out.add(self.call("endnote", str(child.get(qn("w:id")))))
            else:
                self.inline(child, out)

    def paragraph(self, p: Any, styles: dict[str, str], kind: str = "") -> None:
        style_id = p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        name = styles.get(str(style_id.get(qn("w:val"))), "") if style_id is not None else ""
        outline = p.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}") is not None
        if not kind:
            if name == "title" or name.startswith("heading") or outline:
                kind = HEADING
            elif name == "caption":
                kind = CAPTION
        self.inline(p, self.out)
        self.out.end(kind)

    def body(self, el: Any, styles: dict[str, str]) -> None:
        for child in el:
            if child.tag == qn("w:p"):
                self.paragraph(child, styles)
            elif child.tag == qn("w:tbl"):
                for row in child.iter(qn("w:tr")):
                    for cell in row.iter(qn("w:tc")):
                        self.out.add("\t")
                        for p in cell.iter(qn("w:p")):
                            self.inline(p, self.out)
                            self.out.add(" ")
                    self.out.end()
            elif child.tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    self.body(content, styles)

    def notes_block(self) -> None:
        for number, (kind, note_id) in enumerate(self.order, start=1):
            self.out.add(f"{number}. ")
            for p in self.notes[kind][note_id].iter(qn("w:p")):
                self.inline(p, self.out)
                self.out.add(" ")
            self.out.end(NOTES)


def _notes(document: Any) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for kind, reltype in (("footnote", RT.FOOTNOTES), ("endnote", RT.ENDNOTES)):
        for rel in document.part.rels.values():
            if rel.reltype == reltype and not rel.is_external:
                root = parse_xml(rel.target_part.blob)
                found[kind] = {str(n.get(qn("w:id"))): n for n in root.iter(qn(f"w:{kind}"))
                               if n.get(qn("w:type")) in (None, "normal")}
    return found


def read_docx(data: bytes, name: str) -> tuple[Blocks, tuple[str, ...]]:
    try:
        document = docx.Document(io.BytesIO(data))
        styles = {str(s.style_id): str(s.name or "").lower() for s in document.styles}
        notes = _notes(document)
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError,
            XMLSyntaxError) as exc:
        raise TextRejected(f"{name} is not a readable Word document ({type(exc).__name__}): "
                           "open it in Word or LibreOffice and save it again as .docx") from None
    body = document.element.body
    reader = _Reader(notes, body.find(f".//{RENDERED_BREAK}") is not None)
    reader.body(body, styles)
    reader.notes_block()
    return reader.out, ()
