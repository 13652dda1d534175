"""Fixtures: the seed corpus, parsed once per test session into a temporary cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotations import config
from annotations.document import SourceText, read_corpus
from annotations.framing import Parser, analyse_corpus, extract_corpus_claims
from annotations.framing.models import Claim, DocumentAnalysis


@pytest.fixture(scope="session")
def corpus() -> dict[str, SourceText]:
    texts = read_corpus(config.PROJECT_ROOT / "texts", config.max_text_bytes())
    return {t.meta.document_id: t for t in texts}


@pytest.fixture(scope="session")
def parser(tmp_path_factory: pytest.TempPathFactory) -> Parser:
    return Parser(Path(tmp_path_factory.mktemp("framing-cache")))


@pytest.fixture(scope="session")
def analyses(corpus: dict[str, SourceText], parser: Parser) -> dict[str, DocumentAnalysis]:
    return {a.document_id: a for a in analyse_corpus(corpus.values(), parser)}


@pytest.fixture(scope="session")
def claims(corpus: dict[str, SourceText], parser: Parser) -> list[Claim]:
    return extract_corpus_claims(corpus.values(), parser)
