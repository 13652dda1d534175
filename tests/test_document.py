"""Documents: decoding checks, slugs, sidecars and paragraphs (pure functions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations.document import (
    check_slug,
    decode_text,
    paragraphs,
    read_corpus,
    read_meta,
    sha256_hex,
    slugify,
)
from annotations.errors import InvalidInput, TextRejected

LIMIT = 1000


def test_plain_utf8_passes_without_warnings() -> None:
    text, warnings = decode_text("Zwangsarbeit – “Gulag”\u00a0é\n".encode(), "a.txt", LIMIT)
    assert text == "Zwangsarbeit – “Gulag”\u00a0é\n"
    assert warnings == ()


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "empty"),
        (b"caf\xe9 au lait", "not UTF-8"),
        (b"abc\x00def", "binary"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
        (b"abc\x07def", "control characters"),
        (b" \n\t \n", "white space"),
        (b"x" * (LIMIT + 1), "over the limit"),
    ],
)
def test_rejected_texts_say_why(data: bytes, match: str) -> None:
    with pytest.raises(TextRejected, match=match):
        decode_text(data, "upload.txt", LIMIT)


def test_rejection_names_the_file() -> None:
    with pytest.raises(TextRejected, match="essay.txt"):
        decode_text(b"\xff\xfe", "essay.txt", LIMIT)


def test_exactly_the_limit_is_accepted() -> None:
    text, _ = decode_text(b"y" * LIMIT, "a.txt", LIMIT)
    assert len(text) == LIMIT


def test_crlf_and_bom_are_kept_and_reported() -> None:
    data = "\ufeffline one\r\nline two\r\n".encode()
    text, warnings = decode_text(data, "win.txt", LIMIT)
    assert text == "\ufeffline one\r\nline two\r\n"
    assert text.encode() == data
    assert len(warnings) == 2
    assert any("byte-order mark" in w for w in warnings)
    assert any("CRLF" in w for w in warnings)


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Steel and Sacrifice: Building Stalin’s Industrial Empire",
         "steel-and-sacrifice-building-stalin-s-industrial-empire"),
        ("Rühle über Gulag-Lager, 1930–33", "ruhle-uber-gulag-lager-1930-33"),
        ("  --Hello__World--  ", "hello-world"),
        ("Мир", ""),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug
    if slug:
        assert check_slug(slug, "document_id") == slug


def test_slugify_is_bounded() -> None:
    slug = slugify("word " * 100)
    assert len(slug) <= 80
    assert not slug.endswith("-")


@pytest.mark.parametrize("bad", ["", "Upper", "two--hyphens", "-lead", "trail-", "sp ace", "ü"])
def test_check_slug_rejects(bad: str) -> None:
    with pytest.raises(InvalidInput, match="not a valid id"):
        check_slug(bad, "seminar")


def test_paragraphs_are_code_point_spans_of_non_blank_lines() -> None:
    text = "Titel “A”\n\n  \nzweite Zeile 🙂\nend"
    spans = paragraphs(text)
    assert [text[s:e] for s, e in spans] == ["Titel “A”", "zweite Zeile 🙂", "end"]


def _write_doc(folder: Path, text: bytes, sha: str | None = None, extra: str = "") -> None:
    (folder / "doc.txt").write_bytes(text)
    sha_line = f'sha256 = "{sha}"\n' if sha is not None else ""
    (folder / "doc.toml").write_text(
        'document_id = "doc"\nfile = "doc.txt"\ntitle = "Doc"\nperspective = "textbook"\n'
        + sha_line + extra, encoding="utf-8")


def test_read_corpus_checks_the_sidecar_sha(tmp_path: Path) -> None:
    _write_doc(tmp_path, b"hello", sha="0" * 64)
    with pytest.raises(InvalidInput, match="sha256"):
        read_corpus(tmp_path, LIMIT)


def test_read_corpus_reads_text_and_paratext(tmp_path: Path) -> None:
    _write_doc(tmp_path, "héllo world".encode(), sha=sha256_hex("héllo world".encode()),
               extra='[[paratext]]\nkind = "caption"\nstart = 6\nend = 11\n')
    [doc] = read_corpus(tmp_path, LIMIT)
    assert doc.meta.document_id == "doc"
    assert doc.text == "héllo world"
    p = doc.meta.paratext[0]
    assert doc.text[p.start:p.end] == "world"


def test_paratext_outside_the_text_is_rejected(tmp_path: Path) -> None:
    _write_doc(tmp_path, b"short", extra='[[paratext]]\nkind = "x"\nstart = 2\nend = 50\n')
    with pytest.raises(InvalidInput, match="outside the text"):
        read_corpus(tmp_path, LIMIT)


def test_sidecar_missing_keys(tmp_path: Path) -> None:
    (tmp_path / "x.toml").write_text('title = "X"\n', encoding="utf-8")
    with pytest.raises(InvalidInput, match="document_id"):
        read_meta(tmp_path / "x.toml")


def test_sidecar_bad_toml(tmp_path: Path) -> None:
    (tmp_path / "x.toml").write_text("title = \n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="not valid TOML"):
        read_meta(tmp_path / "x.toml")
