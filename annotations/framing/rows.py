"""Flat rows for CSV and JSON: the shapes the CLI prints and a spreadsheet opens.

Column order is part of the interface (a README and scripts rely on it), so
it is declared once here.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from .alignment import DEFAULT_FACTOR, align
from .models import Claim, DocumentAnalysis, Metric

if TYPE_CHECKING:  # spaCy and the database load only when a command needs them
    from ..suggestion import Suggestion
    from .checks import Check
    from .voices import Voice

CLAIM_COLUMNS = (
    "claim_id", "document_id", "start", "end", "quote", "value_low", "value_high", "unit",
    "counted", "period_start", "period_end", "attributed_to", "theme",
)  # fmt: skip
VOICE_COLUMNS = ("document_id", "start", "end", "kind", "speaker")
SUGGESTION_COLUMNS = ("document_id", "start", "end", "kind", "message", "evidence")
FRAMING_COLUMNS = (
    "document_id", "scope", "metric", "count", "per_1000_words", "value", "evidence",
)  # fmt: skip
ALIGNED_COLUMNS = (
    "counted", "theme", "documents", "group_low", "group_high", "document_id", "claim_id",
    "quote", "value_low", "value_high", "period_start", "period_end", "attributed_to", "sourced",
)  # fmt: skip


def csv_cell(value: Any) -> Any:
    """A row value as its CSV cell: evidence offsets as "start-end;...", None as empty."""
    if isinstance(value, list):
        return ";".join(f"{s}-{e}" for s, e in value)
    if value is None:
        return ""
    return value


CLAIM_EXTRA = ("bound", "attribution_from", "category", "place", "kind", "event")


def claims_rows(claims: list[Claim], *, extra: bool = False) -> list[dict[str, Any]]:
    """One row per claim, keys in CLAIM_COLUMNS order; `extra` adds CLAIM_EXTRA (JSON only:
    the CSV columns are a contract)."""
    keys = CLAIM_COLUMNS + (CLAIM_EXTRA if extra else ())
    return [{k: asdict(c)[k] for k in keys} for c in claims]


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
    """One row per metric per scope; scope is "document" (the author's voice), the paragraph
    index, or "voice:<kind>: <speaker>" for an embedded voice."""
    rows: list[dict[str, Any]] = []
    for a in analyses:
        rows.extend(_metric_row(a.document_id, "document", m) for m in a.metrics)
        for p in a.paragraphs:
            rows.extend(_metric_row(a.document_id, str(p.index), m) for m in p.metrics)
        for voice, metrics in a.voices.items():  # the words of others, apart from the author's
            rows.extend(_metric_row(a.document_id, f"voice:{voice}", m) for m in metrics)
    return rows


ALIGNED_EXTRA = (
    "measure", "kind", "place", "event", "spread", "disagree", "bound", "attribution_from",
)  # fmt: skip


def aligned_claims_rows(
    claims: list[Claim], factor: float = DEFAULT_FACTOR, *, extra: bool = False
) -> list[dict[str, Any]]:
    """Claims grouped by what they count, their kind, place, event and period (alignment.py).

    Each row repeats its group's spread (lowest and highest value) and how many
    documents speak to it, so disagreement and unsourced figures stand out.
    Claims that count nothing recognised are left out: they cannot be compared.
    `extra` adds ALIGNED_EXTRA (the JSON output and the Compare view show them).
    """
    rows: list[dict[str, Any]] = []
    for g in align(claims, factor):
        for c in g.claims:
            row = {
                "counted": g.measure,
                "theme": g.theme,
                "documents": g.documents,
                "group_low": g.low,
                "group_high": g.high,
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
            if extra:
                row.update(
                    measure=g.measure, kind=g.kind, place=g.place, event=g.event,
                    spread=g.spread,
                    disagree=g.disagree, bound=c.bound, attribution_from=c.attribution_from,
                )  # fmt: skip
            rows.append(row)
    return rows


def voice_rows(voices: list[Voice]) -> list[dict[str, Any]]:
    """One row per voice span, keys in VOICE_COLUMNS order."""
    return [{k: getattr(v, k) for k in VOICE_COLUMNS} for v in voices]


def suggestion_rows(offered: list[Suggestion], checks: list[Check]) -> list[dict[str, Any]]:
    """Machine suggestions and consistency checks as one list, in document and text order."""
    rows = [
        {"document_id": s.document_id, "start": s.start, "end": s.end, "kind": s.source,
         "message": s.note, "evidence": s.quote}
        for s in offered
    ] + [
        {"document_id": c.document_id, "start": c.start, "end": c.end, "kind": f"check:{c.kind}",
         "message": c.message, "evidence": c.evidence}
        for c in checks
    ]  # fmt: skip
    return sorted(rows, key=lambda r: (r["document_id"], r["start"], r["end"], r["kind"]))
