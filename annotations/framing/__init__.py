"""Framing analysis and the claims ledger (issue 5).

Linguistic evidence of how a text frames its history (hedges, boosters,
loaded words, agentless passives, attribution, quotation, numbers,
readability) and a ledger of its quantitative claims, each with the
code-point spans behind it. Lexicons and patterns live in `data/`.
"""

from importlib import import_module
from typing import Any

from .models import Attribution, Claim, DocumentAnalysis, Metric, ParagraphAnalysis
from .rows import (
    ALIGNED_COLUMNS,
    CLAIM_COLUMNS,
    FRAMING_COLUMNS,
    aligned_claims_rows,
    claims_rows,
    framing_rows,
)

# spaCy takes a second to import: load the entry points only when first used,
# so the CLI starts fast for commands that never analyse.
_LAZY = {
    "analyse": "analysis", "analyse_corpus": "analysis", "extract_claims": "analysis",
    "extract_corpus_claims": "analysis", "distinctive_vocabulary": "analysis",
    "extract_voices": "analysis", "extract_corpus_voices": "analysis",
    "Parser": "parsing", "default_parser": "parsing",
}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ALIGNED_COLUMNS",
    "CLAIM_COLUMNS",
    "FRAMING_COLUMNS",
    "Attribution",
    "Claim",
    "DocumentAnalysis",
    "Metric",
    "ParagraphAnalysis",
    "Parser",
    "aligned_claims_rows",
    "analyse",
    "analyse_corpus",
    "claims_rows",
    "default_parser",
    "extract_claims",
    "extract_corpus_claims",
    "extract_corpus_voices",
    "extract_voices",
    "framing_rows",
]
