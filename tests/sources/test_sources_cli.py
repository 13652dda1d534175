"""`annotations texts add` reads every upload format; `texts original` writes the file back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from source_files import make_scanned_pdf
from typer.testing import CliRunner

from annotations.cli import app
from annotations.errors import TextRejected

runner = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), catch_exceptions=True)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_add_a_docx_and_write_its_original_back(env_store: str, tmp_path: Path,
                                                docx_file: bytes) -> None:
    source = tmp_path / "famine.docx"
    source.write_bytes(docx_file)
    code, out, _ = _run("texts", "add", str(source), "--title", "Famine", "--perspective",
                        "textbook")
    assert code == 0 and out.strip() == "famine: added"
    target = tmp_path / "back.docx"
    code, out, _ = _run("texts", "original", "famine", "-o", str(target))
    assert code == 0 and "famine.docx" in out
    assert target.read_bytes() == docx_file


def test_a_scanned_pdf_is_an_error_not_a_traceback(env_store: str, tmp_path: Path) -> None:
    source = tmp_path / "scan.pdf"
    source.write_bytes(make_scanned_pdf(1))
    with pytest.raises(TextRejected, match="no text layer .* Run OCR"):
        _run("texts", "add", str(source), "--title", "Scan", "--perspective", "textbook")


def test_preview_stores_nothing(env_store: str, tmp_path: Path, epub_file: bytes) -> None:
    source = tmp_path / "book.epub"
    source.write_bytes(epub_file)
    code, out, _ = _run("texts", "preview", str(source), "--format", "json")
    got = json.loads(out)
    assert code == 0 and got["format"] == "epub" and got["text"].startswith("Chapter One\n")
    assert {"kind": "heading", "start": 0, "end": 11} in got["paratext"]
    code, out, _ = _run("texts", "preview", str(source))
    assert code == 0 and out.splitlines()[0].split() == ["page", "kind", "start", "end", "text"]
    rows = [line.split(None, 4) for line in out.splitlines()[1:]]
    assert rows[0] == ["1", "heading", "0", "11", "Chapter One"]
    assert rows[-1] == ["2", "endnotes", "121", "140", "1. Conquest, p. 12."]
    code, out, _ = _run("texts", "list", "--format", "csv")
    assert len(out.splitlines()) == 4 and "Chapter One" not in out  # header + built-in three
