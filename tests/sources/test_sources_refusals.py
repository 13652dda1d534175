"""Files that cannot become a text: each refusal names the problem and the fix, and
hostile files (zip bombs, external entities, scripts) get nowhere."""

from __future__ import annotations

import io
import zipfile

import pytest
from source_files import make_encrypted_pdf, make_epub, make_scanned_pdf, rezip

from annotations import sources
from annotations.errors import TextRejected

SECRET = "top-secret-line-from-a-local-file"


def test_a_scanned_pdf_is_refused_with_the_fix() -> None:
    with pytest.raises(TextRejected, match=r"scan\.pdf has no text layer \(its 2 page\(s\) hold "
                       r"2 image\(s\) and no text\): it looks scanned\. Run OCR"):
        sources.extract(make_scanned_pdf(2), "scan.pdf")


def test_a_partly_scanned_pdf_warns_about_its_pages() -> None:
    ex = sources.extract(make_scanned_pdf(3, text_on=(1,)), "mixed.pdf")
    assert ex.text == "Typed text on page 2.\n"
    assert ex.warnings == ("mixed.pdf: page(s) 1, 3 have no text layer (scanned images?); "
                           "their text is missing: run OCR on the file to include it",)
    assert [p.start for p in ex.paratext] == [0, len(ex.text)]  # pages 2 and 3 begin


def test_a_password_protected_pdf() -> None:
    with pytest.raises(TextRejected, match="password-protected: open it, save a copy"):
        sources.extract(make_encrypted_pdf(), "minutes.pdf")


@pytest.mark.parametrize(
    ("data", "name", "match"),
    [
        (b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", "cut.pdf", "damaged or not a PDF"),
        (b"just some words", "fake.pdf", r"named \.pdf but is not a PDF \(it reads as plain"),
        (b"PK\x03\x04broken", "fake.docx", "damaged ZIP container"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.doc", "save it as .docx"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"),
         "locked.docx", "password-protected Office file"),
        (b"{\\rtf1\\ansi hello}", "memo.rtf", "RTF document: save it as .docx"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, "scan.png", "PNG image: run OCR"),
        (b"", "empty.pdf", "empty"),
        (b"<html><body><script>x()</script></body></html>", "blank.html", "no text"),
        (b"<html><body>caf\xe9</body></html>", "latin.html", "declares no known charset"),
    ],
)
def test_unsupported_and_damaged_files(data: bytes, name: str, match: str) -> None:
    with pytest.raises(TextRejected, match=match):
        sources.extract(data, name)


def test_a_zip_that_is_neither_docx_nor_epub() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("content.xml", "<office:document/>")
    with pytest.raises(TextRejected, match="neither a Word document .* nor an EPUB"):
        sources.extract(out.getvalue(), "essay.odt")


def test_a_zip_bomb_is_refused_before_it_is_unpacked(docx_file: bytes) -> None:
    bomb = rezip(docx_file, {"word/media/zeros.bin": b"\x00" * (20 * 1024 * 1024)})
    assert len(bomb) < 200_000
    with pytest.raises(TextRejected, match=r"word/media/zeros\.bin unpacks to \d+ times its "
                       r"packed size \(a zip bomb\?\)"):
        sources.extract(bomb, "bomb.docx")


def test_too_many_members(docx_file: bytes) -> None:
    crowded = rezip(docx_file, {f"junk/{i}.xml": b"" for i in range(5001)})
    with pytest.raises(TextRejected, match="more than 5000"):
        sources.extract(crowded, "crowded.docx")


def test_size_limits(monkeypatch: pytest.MonkeyPatch, pdf_file: bytes) -> None:
    monkeypatch.setenv("ANNOTATIONS_MAX_UPLOAD_BYTES", str(len(pdf_file) - 1))
    with pytest.raises(TextRejected, match="over the upload limit .* ANNOTATIONS_MAX_UPLOAD"):
        sources.extract(pdf_file, "big.pdf")
    monkeypatch.setenv("ANNOTATIONS_MAX_UPLOAD_BYTES", str(10 * len(pdf_file)))
    monkeypatch.setenv("ANNOTATIONS_MAX_TEXT_BYTES", "100")
    with pytest.raises(TextRejected, match=r"the text of big\.pdf is .* over the limit of 100"):
        sources.extract(pdf_file, "big.pdf")


def test_a_drm_protected_epub(epub_file: bytes) -> None:
    drm = rezip(epub_file, {"META-INF/encryption.xml": (
        b'<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><EncryptedData>'
        b'<EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>'
        b"</EncryptedData></encryption>")})
    with pytest.raises(TextRejected, match="protected by DRM"):
        sources.extract(drm, "book.epub")


def _entity(path: str) -> str:
    return f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{path}">]>'


def test_html_entities_never_read_local_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    page = f"{_entity(secret)}<html><body><p>Before &xxe; after.</p></body></html>"
    ex = sources.extract(page.encode(), "xxe.html")
    assert SECRET not in ex.text and "Before" in ex.text


def test_epub_entities_never_read_local_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    book = make_epub([("one.xhtml", "<p>Before XXE after.</p>")])
    hostile = rezip(book, {"EPUB/one.xhtml": lambda b: b.replace(
        b"<!DOCTYPE html>", _entity(secret).encode(), 1).replace(b"XXE", b"&xxe;")})
    with zipfile.ZipFile(io.BytesIO(hostile)) as z:
        assert b"&xxe;" in z.read("EPUB/one.xhtml") and b"ENTITY" in z.read("EPUB/one.xhtml")
    ex = sources.extract(hostile, "xxe.epub")
    assert SECRET not in ex.text and "Before" in ex.text
    package = rezip(book, {"EPUB/content.opf": lambda b: b.replace(
        b"<package", _entity(secret).replace("html", "package").encode() + b"<package", 1
    ).replace(b"A test book", b"&xxe;")})
    try:
        ex = sources.extract(package, "xxe.epub")
    except TextRejected:
        return  # refusing the book is as safe as reading it without the entity
    assert SECRET not in ex.text


def test_docx_entities_never_read_local_files(tmp_path, docx_file: bytes) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    hostile = rezip(docx_file, {"word/document.xml": lambda b: b.replace(
        b"<w:document", f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]>'
        .encode() + b"<w:document", 1).replace(b"After the break.", b"After &xxe;.")})
    ex = sources.extract(hostile, "xxe.docx")
    assert SECRET not in ex.text and "After\n" in ex.text
