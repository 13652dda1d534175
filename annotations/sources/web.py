"""HTML and XHTML (web pages, EPUB chapters) to blocks: text only, markup never kept.

lxml's HTML parser reads the page without a network and without a DTD, so no
entity of the page is expanded from outside it. What is read:

- headings `h1`-`h6` are headings; `figcaption` and table `caption` are captions;
- notes are what the page marks as notes: `role="doc-endnotes"`, `doc-footnote`,
  `doc-endnote`, `epub:type` footnote(s)/endnote(s)/rearnote(s), or a class
  `footnotes`, `endnotes` or `references`;
- a note call (`role="doc-noteref"`, `epub:type="noteref"`) whose text is a
  number n becomes "(n)", as in Word documents, so the notes can be resolved;
- page breaks are `role="doc-pagebreak"` or `epub:type="pagebreak"` markers;
- line ends in the page's source are spaces (a browser's reading), except in
  `pre`; `br` is a line end;
- list items of `ol` get their number ("3. "), of `ul` a bullet ("• ");
- scripts, styles, navigation, forms' controls, `hidden` and `aria-hidden` parts
  are left out, as a reader never sees them as text.
"""

from __future__ import annotations

import codecs
import re

import lxml.etree
import lxml.html

from ..errors import TextRejected
from .compose import CAPTION, HEADING, NOTES, Blocks

SKIPPED = frozenset({"head", "script", "style", "noscript", "template", "nav", "svg", "math",
                     "iframe", "object", "embed", "canvas", "audio", "video", "button",
                     "select", "option", "input", "textarea"})
BLOCKS = frozenset({"p", "div", "section", "article", "main", "header", "footer", "aside",
                    "blockquote", "pre", "li", "dt", "dd", "figure", "figcaption", "caption",
                    "table", "thead", "tbody", "tfoot", "tr", "ul", "ol", "dl", "address",
                    "hr", "body", "html", "details", "summary", "center", "h1", "h2", "h3",
                    "h4", "h5", "h6", "fieldset", "legend", "form"})
CELLS = frozenset({"td", "th"})
KIND_OF_TAG = {**{f"h{i}": HEADING for i in range(1, 7)}, "figcaption": CAPTION,
               "caption": CAPTION}
NOTE_ROLES = frozenset({"doc-endnotes", "doc-footnote", "doc-endnote"})
NOTE_TYPES = frozenset({"footnote", "footnotes", "endnote", "endnotes", "rearnote", "rearnotes"})
NOTE_CLASSES = frozenset({"footnotes", "endnotes", "references"})
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.I)
_NUMBER = re.compile(r"\[?\(?\d{1,3}\)?\]?")
_LINE_END = re.compile(r"\r\n?|\n")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def page_encoding(data: bytes, name: str) -> str:
    """UTF-8 if the bytes are UTF-8, else the charset the page declares, else refused."""
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        bad = exc.start
    m = _CHARSET.search(data[:4096])
    if m:
        try:
            return codecs.lookup(m.group(1).decode("ascii")).name
        except LookupError:
            pass
    raise TextRejected(f"{name} is not UTF-8 (bad byte at position {bad}) and declares no "
                       "known charset: save the page as UTF-8")


def parse(data: bytes, name: str) -> lxml.html.HtmlElement:
    parser = lxml.html.HTMLParser(encoding=page_encoding(data, name), remove_comments=True,
                                  remove_pis=True, no_network=True)
    try:
        root = lxml.html.fromstring(data, parser=parser)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise TextRejected(f"{name} could not be read as HTML ({exc}): save the page again "
                           "(File > Save as, web page HTML only)") from None
    return root


def _words(el: lxml.html.HtmlElement, attribute: str) -> set[str]:
    return set(str(el.get(attribute) or "").lower().split())


def _epub_types(el: lxml.html.HtmlElement) -> set[str]:
    out: set[str] = set()
    for key, value in el.attrib.items():
        if str(key).endswith("type") and ("epub" in str(key)):
            out |= set(str(value).lower().split())
    return out


def _hidden(el: lxml.html.HtmlElement) -> bool:
    return (el.get("hidden") is not None or str(el.get("aria-hidden")).lower() == "true"
            or bool(_HIDDEN_STYLE.search(str(el.get("style") or ""))))


def _is_notes(el: lxml.html.HtmlElement) -> bool:
    return bool(_words(el, "role") & NOTE_ROLES or _epub_types(el) & NOTE_TYPES
                or _words(el, "class") & NOTE_CLASSES)


def _is_note_call(el: lxml.html.HtmlElement) -> bool:
    """A note reference whose text is a number: written "(n)", as in Word documents."""
    return bool(("doc-noteref" in _words(el, "role") or "noteref" in _epub_types(el))
                and _NUMBER.fullmatch(el.text_content().strip()))


def _is_page_break(el: lxml.html.HtmlElement) -> bool:
    return "doc-pagebreak" in _words(el, "role") or "pagebreak" in _epub_types(el)


def read_tree(root: lxml.html.HtmlElement, out: Blocks) -> None:
    """Append the page's blocks to `out`."""
    body = root.find(".//body")
    _walk(body if body is not None else root, out, "")
    out.end()


def _source(text: str | None, pre: bool) -> str:
    """A text node as a browser lays it out: line ends are spaces except in `pre`."""
    return (text or "") if pre else _LINE_END.sub(" ", text or "")


def _walk(el: lxml.html.HtmlElement, out: Blocks, kind: str, pre: bool = False) -> None:
    tag = el.tag.lower().rsplit("}", 1)[-1] if isinstance(el.tag, str) else ""
    if not tag or tag in SKIPPED or _hidden(el):
        return  # comments, processing instructions, things no reader sees as text
    if _is_page_break(el):
        out.page_break()
        return  # its content is the page number the marker carries, not text
    if _is_note_call(el):
        out.add(f"({el.text_content().strip().strip('[]()')})")
        return
    outer = kind
    if _is_notes(el):
        kind = NOTES
    kind = KIND_OF_TAG.get(tag, kind)
    block = tag in BLOCKS
    if block:
        out.end(outer)  # what came before belongs to the enclosing block
    if tag == "li":
        parent = el.getparent()
        if parent is not None and parent.tag == "ol":
            items = [c for c in parent if c.tag == "li"]
            start = str(parent.get("start") or "1")
            first = int(start) if start.isdigit() else 1
            out.add(f"{first + items.index(el)}. ")
        else:
            out.add("• ")
    if tag == "br":
        out.add("\n")
    elif tag in CELLS:
        out.add("\t")
    pre = pre or tag == "pre"
    out.add(_source(el.text, pre))
    for child in el:
        _walk(child, out, kind, pre)
        out.add(_source(child.tail, pre))
    if block:
        out.end(kind)


def read_html(data: bytes, name: str) -> tuple[Blocks, tuple[str, ...]]:
    out = Blocks()
    read_tree(parse(data, name), out)
    return out, ()
