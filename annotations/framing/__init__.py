"""Framing analysis and the claims ledger (issue 5).

Linguistic evidence of how a text frames its history (hedges, boosters,
loaded words, agentless passives, attribution, quotation, numbers,
readability) and a ledger of its quantitative claims, each with the
code-point spans behind it. Lexicons and patterns live in `data/`.
"""

from .analysis import analyse, analyse_corpus, extract_claims, extract_corpus_claims
from .models import Attribution, Claim, DocumentAnalysis, Metric, ParagraphAnalysis
from .parsing import Parser, default_parser
from .rows import (
    ALIGNED_COLUMNS,
    CLAIM_COLUMNS,
    FRAMING_COLUMNS,
    aligned_claims_rows,
    claims_rows,
    framing_rows,
)

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
    "framing_rows",
]
