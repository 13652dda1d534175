"""Fixtures: one small file per upload format, built once per session (see source_files)."""

from __future__ import annotations

import pytest
from source_files import make_docx, make_epub, make_pdf


@pytest.fixture(scope="session")
def pdf_file() -> bytes:
    return make_pdf()


@pytest.fixture(scope="session")
def docx_file() -> bytes:
    return make_docx()


@pytest.fixture(scope="session")
def epub_file() -> bytes:
    return make_epub()
