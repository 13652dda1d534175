"""Small files of every upload format, written by the tests themselves (fpdf2, python-docx,
ebooklib, zipfile)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import docx
from docx.oxml import parse_xml
from ebooklib import epub
from fpdf import FPDF
from PIL import Image

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
BODY = ("The harvest of 1932 failed in many regions. Officials reported grain quotas met "
        "while villages starved, and the café stayed shut.")


def rezip(data: bytes, changes: dict[str, Callable[[bytes], bytes] | bytes]) -> bytes:
    """A copy of a ZIP file with members changed (a callable gets the old bytes) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            content = old.read(info.filename)
            change = changes.pop(info.filename, None)
            content = change(content) if callable(change) else change or content
            new.writestr(info.filename, content)
        for name, content in changes.items():
            new.writestr(name, content if isinstance(content, bytes) else b"")
    return out.getvalue()


def make_pdf() -> bytes:
    """Two pages: a heading, body, a caption and a footnote on page 1; body on page 2."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=20)
    pdf.cell(0, 10, "The Famine of 1932", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, BODY + " " + BODY)
    pdf.ln(6)
    pdf.multi_cell(0, 6, "Figure 1: A village in 1933.")
    pdf.ln(6)
    pdf.multi_cell(0, 6, "Reports were well-known in Moscow.")
    pdf.set_y(-30)
    pdf.set_font("Helvetica", size=8)
    pdf.cell(0, 5, "1. Conquest, The Harvest of Sorrow, p. 12.")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "The second page begins here.")
    return bytes(pdf.output())


def make_scanned_pdf(pages: int = 2, text_on: tuple[int, ...] = ()) -> bytes:
    """Pages that hold only an image (a scan), except those in `text_on`."""
    pdf = FPDF()
    image = Image.new("RGB", (60, 40), (200, 200, 200))
    for i in range(pages):
        pdf.add_page()
        if i in text_on:
            pdf.set_font("Helvetica", size=11)
            pdf.multi_cell(0, 6, f"Typed text on page {i + 1}.")
        else:
            pdf.image(image, x=10, y=10, w=120)
    return bytes(pdf.output())


def make_encrypted_pdf() -> bytes:
    pdf = FPDF()
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.set_font("Helvetica", size=11)
    pdf.multi_cell(0, 6, "Secret minutes.")
    return bytes(pdf.output())


def _note_call(paragraph: object, note_id: int) -> None:
    run = paragraph.add_run()  # type: ignore[attr-defined]
    run._r.append(parse_xml(f'<w:footnoteReference xmlns:w="{W}" w:id="{note_id}"/>'))


def make_docx() -> bytes:
    """Title, heading, body with two footnote calls (the second note called first), a
    caption, a table, and a hard page break."""
    d = docx.Document()
    d.add_heading("The Famine of 1932", level=0)
    d.add_heading("Grain and quotas 𝔄", level=1)
    p = d.add_paragraph("Officials reported quotas met")
    _note_call(p, 2)
    p.add_run(" while villages starved")
    _note_call(p, 1)
    p.add_run(".")
    d.add_paragraph("Figure 1: A village in 1933.", style="Caption")
    table = d.add_table(rows=2, cols=2)
    for (r, c), value in {(0, 0): "Year", (0, 1): "Deaths", (1, 0): "1933",
                          (1, 1): "millions"}.items():
        table.cell(r, c).text = value
    d.add_page_break()
    d.add_paragraph("After the break.")
    out = io.BytesIO()
    d.save(out)
    notes = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{W}">'
             '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
             '</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
             '<w:continuationSeparator/></w:r></w:p></w:footnote>'
             '<w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space='
             '"preserve"> Ibid., p. 14.</w:t></w:r></w:p></w:footnote>'
             '<w:footnote w:id="2"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space='
             '"preserve"> Conquest, The Harvest of Sorrow, p. 12.</w:t></w:r></w:p>'
             '</w:footnote></w:footnotes>').encode()
    return rezip(out.getvalue(), {
        "word/footnotes.xml": notes,
        "[Content_Types].xml": lambda b: b.replace(
            b"</Types>", b'<Override PartName="/word/footnotes.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"/></Types>'),
        "word/_rels/document.xml.rels": lambda b: b.replace(
            b"</Relationships>", b'<Relationship Id="rIdFootnotes" Type="http://schemas.'
            b'openxmlformats.org/officeDocument/2006/relationships/footnotes" '
            b'Target="footnotes.xml"/></Relationships>'),
    })


def make_epub(chapters: list[tuple[str, str]] | None = None) -> bytes:
    """A two-chapter EPUB 3 with headings, a page-break marker, a figure and footnotes."""
    chapters = chapters or [
        ("one.xhtml", '<h1>Chapter One</h1><p>The harvest failed<a epub:type="noteref" '
         'href="#n1">1</a>. Villages<span epub:type="pagebreak" id="p2" title="2"/> '
         'starved in 𝔄 winter.</p><figure><figcaption>Plate 3: A village'
         '</figcaption></figure>'),
        ("two.xhtml", '<h2>Chapter Two</h2><p>Quotas were raised.</p><aside '
         'epub:type="footnote" id="n1"><p>1. Conquest, p. 12.</p></aside>'),
    ]
    book = epub.EpubBook()
    book.set_identifier("test-book")
    book.set_title("A test book")
    book.set_language("en")
    items = []
    for i, (file_name, body) in enumerate(chapters):
        item = epub.EpubHtml(title=f"Chapter {i + 1}", file_name=file_name, lang="en")
        item.content = f"<html><body>{body}</body></html>"
        book.add_item(item)
        items.append(item)
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.toc = items
    book.spine = ["nav", *items]
    out = io.BytesIO()
    epub.write_epub(out, book)
    return out.getvalue()


HTML = """<!doctype html><html><head><title>Page title</title><style>p{color:red}</style>
<script>document.write("injected")</script></head><body>
<nav><a href="/">Home</a> <a href="/about">About</a></nav>
<h1>The  Famine
of 1932</h1>
<p>Officials <b>reported</b> quotas<a role="doc-noteref" href="#n1">1</a>.
<span role="doc-pagebreak" title="2"></span>Villages&nbsp;starved in 𝔄 winter.</p>
<p hidden>Hidden text.</p>
<figure><img src="x.png" alt="a village"><figcaption>Fig. 2: A village</figcaption></figure>
<table><caption>Table 1: Deaths</caption><tr><th>Year</th><th>Deaths</th></tr>
<tr><td>1933</td><td>millions</td></tr></table>
<ul><li>grain</li><li>seed</li></ul>
<p>&lt;b&gt;not bold&lt;/b&gt; and <code>&lt;script&gt;</code></p>
<section role="doc-endnotes"><ol><li id="n1">Conquest, p. 12.</li></ol></section>
</body></html>"""
