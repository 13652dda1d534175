"""Flat rows for CSV and JSON: the shapes the CLI prints and a spreadsheet opens.

Column order is part of the interface (a README and scripts rely on it), so
it is declared once here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from typing import Any

from .models import Claim, DocumentAnalysis, Metric

CLAIM_COLUMNS = (
    "claim_id", "document_id", "start", "end", "quote", "value_low", "value_high", "unit",
    "counted", "period_start", "period_end", "attributed_to", "theme",
)  # fmt: skip
FRAMING_COLUMNS = (
    "document_id", "scope", "metric", "count", "per_1000_words", "value", "evidence",
)  # fmt: skip
ALIGNED_COLUMNS = (
    "counted", "theme", "documents", "group_low", "group_high", "document_id", "claim_id",
    "quote", "value_low", "value_high", "period_start", "period_end", "attributed_to", "sourced",
)  # fmt: skip


def claims_rows(claims: list[Claim]) -> list[dict[str, Any]]:
    """One row per claim, keys in CLAIM_COLUMNS order."""
    return [{k: asdict(c)[k] for k in CLAIM_COLUMNS} for c in claims]


def _metric_row(document_id: str, scope: str, m: Metric) -> dict[str, Any]:
    return {
        "document_id": document_id,
        "scope": scope,
        "metric": m.name,
        "count": m.count,
        "per_1000_words": m.per_1000_words,
        "value": m.value,
        "evidence": [[s, e] for s, e, _ in m.evidence],
    }


def framing_rows(analyses: list[DocumentAnalysis]) -> list[dict[str, Any]]:
    """One row per metric per scope; scope is "document" or the paragraph index."""
    rows: list[dict[str, Any]] = []
    for a in analyses:
        rows.extend(_metric_row(a.document_id, "document", m) for m in a.metrics)
        for p in a.paragraphs:
            rows.extend(_metric_row(a.document_id, str(p.index), m) for m in p.metrics)
    return rows


def aligned_claims_rows(claims: list[Claim]) -> list[dict[str, Any]]:
    """Claims grouped by what they count and their theme, across documents.

    Each row repeats its group's spread (lowest and highest value) and how many
    documents speak to it, so disagreement and unsourced figures stand out.
    Claims that count nothing recognised are left out: they cannot be compared.
    """
    groups: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for c in claims:
        if c.counted:
            groups[(c.counted, c.theme)].append(c)
    rows: list[dict[str, Any]] = []
    for (counted, theme), items in sorted(groups.items()):
        documents = len({c.document_id for c in items})
        low = min(c.value_low for c in items)
        high = max(c.value_high for c in items)
        for c in sorted(items, key=lambda c: (c.document_id, c.start)):
            rows.append(
                {
                    "counted": counted,
                    "theme": theme,
                    "documents": documents,
                    "group_low": low,
                    "group_high": high,
                    "document_id": c.document_id,
                    "claim_id": c.claim_id,
                    "quote": c.quote,
                    "value_low": c.value_low,
                    "value_high": c.value_high,
                    "period_start": c.period_start,
                    "period_end": c.period_end,
                    "attributed_to": c.attributed_to,
                    "sourced": bool(c.attributed_to),
                }
            )
    return rows
