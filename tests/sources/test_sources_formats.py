"""Each format's extracted text, its paratext ranges (code points) and the normalisation rule."""

from __future__ import annotations

import hashlib

from hypothesis import given
from hypothesis import strategies as st
from source_files import HTML, make_epub

from annotations import sources
from annotations.document import DocumentMeta, Paratext, SourceText
from annotations.framing.notes import read_notes
from annotations.sources.compose import CAPTION, HEADING, NOTES, PAGE_BREAK, Block, compose


def _spans(ex: sources.Extraction) -> list[tuple[str, str]]:
    """(kind, the words it covers) per range; a page break shows the words it comes before."""
    return [(p.kind, ex.text[p.start:p.end] if p.start < p.end else ex.text[p.start:p.start + 12])
            for p in ex.paratext]


def test_pdf_text_headings_captions_notes_and_pages(pdf_file: bytes) -> None:
    ex = sources.extract(pdf_file, "famine.pdf")
    assert ex.format == "pdf" and ex.warnings == ()
    assert ex.text.startswith("The Famine of 1932\n\nThe harvest of 1932 failed")
    assert "the café stayed shut. The harvest" in ex.text  # lines joined into a paragraph
    assert "well-known in Moscow" in ex.text  # a hyphen at a line end would stay too
    assert _spans(ex) == [
        (HEADING, "The Famine of 1932"),
        (CAPTION, "Figure 1: A village in 1933."),
        (NOTES, "1. Conquest, The Harvest of Sorrow, p. 12."),
        (PAGE_BREAK, "The second p"),
    ]
    assert ex.text.endswith("The second page begins here.\n")


def test_docx_styles_notes_in_call_order_tables_and_page_break(docx_file: bytes) -> None:
    ex = sources.extract(docx_file, "famine.docx")
    assert ex.format == "docx"
    assert ex.text == (
        "The Famine of 1932\n\nGrain and quotas 𝔄\n\n"
        "Officials reported quotas met(1) while villages starved(2).\n\n"
        "Figure 1: A village in 1933.\n\nYear Deaths\n\n1933 millions\n\nAfter the break.\n\n"
        "1. Conquest, The Harvest of Sorrow, p. 12.\n\n2. Ibid., p. 14.\n")
    assert _spans(ex) == [
        (HEADING, "The Famine of 1932"),
        (HEADING, "Grain and quotas 𝔄"),  # 𝔄 is one code point: the range ends after it
        (CAPTION, "Figure 1: A village in 1933."),
        (PAGE_BREAK, "After the br"),
        (NOTES, "1. Conquest, The Harvest of Sorrow, p. 12.\n\n2. Ibid., p. 14."),
    ]


def test_docx_notes_feed_the_framing_analysis(docx_file: bytes) -> None:
    """Calls "(n)" and an "endnotes" range are what the note reader resolves."""
    ex = sources.extract(docx_file, "famine.docx")
    notes = read_notes(SourceText(DocumentMeta("d", "t", "p", paratext=ex.paratext), ex.text,
                                  "0"))
    assert [c.number for c in notes.calls] == [1, 2]
    assert notes.texts[1] == "Conquest, The Harvest of Sorrow, p. 12."
    assert notes.texts[2].startswith("Ibid., p. 14. [Ibid. = Conquest")


def test_html_text_only_with_its_paratext() -> None:
    ex = sources.extract(HTML.encode(), "page.html")
    assert ex.format == "html"
    assert ex.text == (
        "The Famine of 1932\n\nOfficials reported quotas(1). Villages starved in 𝔄 winter.\n\n"
        "Fig. 2: A village\n\nTable 1: Deaths\n\nYear Deaths\n\n1933 millions\n\n"
        "• grain\n\n• seed\n\n<b>not bold</b> and <script>\n\n1. Conquest, p. 12.\n")
    for absent in ("Page title", "color:red", "injected", "Home", "Hidden text", "a village\n"):
        assert absent not in ex.text
    assert _spans(ex) == [
        (HEADING, "The Famine of 1932"),
        (PAGE_BREAK, "Villages sta"),
        (CAPTION, "Fig. 2: A village"),
        (CAPTION, "Table 1: Deaths"),
        (NOTES, "1. Conquest, p. 12."),
    ]


def test_html_and_epub_notes_feed_the_framing_analysis(epub_file: bytes) -> None:
    for data, name in ((HTML.encode(), "page.html"), (epub_file, "book.epub")):
        ex = sources.extract(data, name)
        notes = read_notes(SourceText(DocumentMeta("d", "t", "p", paratext=ex.paratext),
                                      ex.text, "0"))
        assert [c.number for c in notes.calls] == [1] and notes.texts == {1: "Conquest, p. 12."}


def test_html_in_a_declared_charset_and_pre() -> None:
    page = ('<html><head><meta charset="windows-1252"></head><body><pre>a  b\n c</pre>'
            "<p>Caf\u00e9 \u201cquoted\u201d</p></body></html>").encode("cp1252")
    ex = sources.extract(page, "old.htm")
    assert ex.text == "a b\nc\n\nCafé “quoted”\n"


def test_epub_spine_order_pagebreaks_and_footnotes(epub_file: bytes) -> None:
    ex = sources.extract(epub_file, "book.epub")
    assert ex.format == "epub"
    assert ex.text == ("Chapter One\n\nThe harvest failed(1). Villages starved in 𝔄 winter.\n\n"
                       "Plate 3: A village\n\nChapter Two\n\nQuotas were raised.\n\n"
                       "1. Conquest, p. 12.\n")
    assert _spans(ex) == [
        (HEADING, "Chapter One"),
        (PAGE_BREAK, "starved in 𝔄"),
        (CAPTION, "Plate 3: A village"),
        (HEADING, "Chapter Two"),
        (NOTES, "1. Conquest, p. 12."),
    ]


def test_epub_chapters_follow_the_spine_not_the_file_names() -> None:
    ex = sources.extract(make_epub([("b.xhtml", "<p>First.</p>"), ("a.xhtml", "<p>Second.</p>")]),
                         "book.epub")
    assert ex.text == "First.\n\nSecond.\n"


def test_plain_text_stays_byte_for_byte() -> None:
    data = "\ufeffA line\r\nwith  two  spaces\r\n".encode()
    ex = sources.extract(data, "notes.txt")
    assert ex.format == "text" and ex.paratext == ()
    assert ex.text.encode() == data and len(ex.warnings) == 2


def test_the_content_decides_not_the_name(pdf_file: bytes) -> None:
    assert sources.extract(pdf_file, "famine.txt").format == "pdf"
    assert sources.extract(HTML.encode(), "page").format == "html"
    assert sources.extract(HTML.encode(), "page.txt").format == "text"  # named text: verbatim


def test_outline_gives_pages_and_kinds(pdf_file: bytes) -> None:
    ex = sources.extract(pdf_file, "famine.pdf")
    passages = sources.outline(ex.text, ex.paratext)
    assert [(p.kind, p.page) for p in passages] == [
        (HEADING, 1), ("", 1), (CAPTION, 1), ("", 1), (NOTES, 1), ("", 2)]
    assert all(ex.text[p.start:p.end] == p.text for p in passages)


def test_extraction_is_deterministic(docx_file: bytes) -> None:
    a, b = sources.extract(docx_file, "x.docx"), sources.extract(docx_file, "x.docx")
    assert a == b and hashlib.sha256(a.text.encode()).digest() == \
        hashlib.sha256(b.text.encode()).digest()


# ------------------------------------------------------------------ the normalisation rule

_PIECE = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
_BLOCK = st.builds(lambda pieces, kind: Block(tuple(pieces), kind),
                   st.lists(_PIECE, min_size=1, max_size=3),
                   st.sampled_from(["", HEADING, CAPTION, NOTES]))


@given(st.lists(_BLOCK, max_size=8))
def test_compose_invariants(blocks: list[Block]) -> None:
    text, ranges = compose(blocks)
    assert text == "" or text.endswith("\n") and not text.endswith("\n\n")
    for line in text.split("\n"):
        assert line == line.strip() and "  " not in line
        assert not any(c in line for c in "\r\t\u00ad\u200b\ufeff\u2028")
    assert all(0 <= r.start <= r.end <= len(text) for r in ranges)
    assert all((r.start == r.end) == (r.kind == PAGE_BREAK) for r in ranges)
    assert all(not text[r.start:r.end].startswith((" ", "\n")) for r in ranges)
    assert ranges == tuple(sorted(ranges, key=lambda r: (r.start, r.end)))
    breaks = sum(len(b.pieces) - 1 for b in blocks)
    assert sum(1 for r in ranges if r.kind == PAGE_BREAK) == breaks


@given(st.lists(_PIECE.filter(str.strip), min_size=1, max_size=6))
def test_composing_the_text_again_changes_nothing(paragraphs: list[str]) -> None:
    text, _ = compose([Block((p,)) for p in paragraphs])
    again, _ = compose([Block((p,)) for p in text.split("\n\n")])
    assert again == text


def test_page_breaks_land_on_the_next_words() -> None:
    text, ranges = compose([Block(("end of one ", " start of two")), Block((" \n",)),
                            Block(("", "", "")), Block(("after a blank page",), HEADING)])
    assert text == "end of one start of two\n\nafter a blank page\n"
    assert ranges == (Paratext(PAGE_BREAK, 11, 11), Paratext(PAGE_BREAK, 25, 25),
                      Paratext(PAGE_BREAK, 25, 25), Paratext(HEADING, 25, 43))
