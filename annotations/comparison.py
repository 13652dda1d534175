"""The framing comparison: the same events side by side across documents.

Pure functions over analyses (annotations.framing), stored texts and the
seminar's annotations. Every figure keeps the spans behind it, so the page can
light up the words a number counts. Charts are Altair specifications; the UI
only displays them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import altair as alt
import pandas as pd

from .annotation import AnnotationView
from .corpus import VersionText
from .framing.alignment import align
from .framing.models import Claim, DocumentAnalysis, Metric
from .framing.themes import theme_labels
from .framing.vocabulary import DistinctiveWord
from .link import LinkView

# Metrics shown in the comparison table and overview chart (rates per 1,000 words).
COMPARED_METRICS: tuple[str, ...] = (
    "hedges", "boosters", "loaded", "evaluative", "agentless_passives", "nominalisations",
    "named_sources", "vague_sources", "endnote_references", "unattributed_sentences",
    "direct_quotations", "scare_quotations", "numbers", "vague_quantifiers", "first_person",
    "second_person",
)  # fmt: skip


@dataclass(frozen=True)
class Passage:
    """One paragraph of a document that speaks to a theme, with its evidence."""

    document_id: str
    paragraph: int
    start: int
    end: int
    text: str
    themes: list[str]
    metrics: list[Metric]
    annotations: list[AnnotationView]

    def evidence(self, metric: str) -> list[tuple[int, int]]:
        """The spans of `metric` in this passage, relative to its start."""
        for m in self.metrics:
            if m.name == metric:
                return [(s - self.start, e - self.start) for s, e, _ in m.evidence]
        return []


def themes() -> dict[str, str]:
    """Theme id -> label, as the seminar's editable themes file lists them."""
    return theme_labels()


def shared_themes(analyses: list[DocumentAnalysis]) -> list[str]:
    """Themes that more than one document covers, most covered first."""
    covered = Counter(t for a in analyses for t in a.themes)
    order = list(themes())
    return sorted((t for t, n in covered.items() if n > 1),
                  key=lambda t: (-covered[t], order.index(t) if t in order else 99))


def passages(version: VersionText, analysis: DocumentAnalysis, theme: str,
             annotations: list[AnnotationView]) -> list[Passage]:
    """The document's paragraphs on `theme`, in text order, with the annotations in them."""
    found: list[Passage] = []
    for p in analysis.paragraphs:
        if theme not in p.themes:
            continue
        inside = [a for a in annotations if a.document_id == version.document_id
                  and a.document_sha256 == version.sha256 and a.start < p.end and a.end > p.start]
        found.append(Passage(version.document_id, p.index, p.start, p.end,
                             version.text[p.start:p.end], p.themes, p.metrics, inside))
    return found


def metric_table(analyses: list[DocumentAnalysis]) -> pd.DataFrame:
    """Long table: document_id, metric, count, per_1000_words (document level)."""
    rows = [
        {"document_id": a.document_id, "metric": m.name, "count": m.count,
         "per_1000_words": m.per_1000_words}
        for a in analyses for m in a.metrics if m.name in COMPARED_METRICS
    ]
    return pd.DataFrame(rows, columns=["document_id", "metric", "count", "per_1000_words"])


def passage_metric_table(selected: list[Passage]) -> pd.DataFrame:
    """Counts of each compared metric over the chosen passages, per document."""
    totals: dict[tuple[str, str], int] = Counter()
    for p in selected:
        for m in p.metrics:
            if m.name in COMPARED_METRICS:
                totals[(p.document_id, m.name)] += m.count
    frame = pd.DataFrame(
        [{"metric": k[1], "document_id": k[0], "count": v} for k, v in totals.items()],
        columns=["metric", "document_id", "count"],
    )
    if frame.empty:
        return frame
    return frame.pivot_table(index="metric", columns="document_id", values="count",
                             fill_value=0, aggfunc="sum")


def code_table(annotations: list[AnnotationView],
               perspectives_of: dict[str, str]) -> pd.DataFrame:
    """Codes the seminar applied: document, the document's perspective, the annotation's
    perspective, code, count and the annotation ids behind the count."""
    groups: dict[tuple[str, str, str, str], list[str]] = {}
    for a in annotations:
        for code in a.codes or ["(no code)"]:
            key = (a.document_id, perspectives_of.get(a.document_id, ""),
                   a.perspective or "(none)", code)
            groups.setdefault(key, []).append(a.id)
    rows = [
        {"document_id": k[0], "document_perspective": k[1], "perspective": k[2], "code": k[3],
         "count": len(ids), "annotation_ids": ids}
        for k, ids in sorted(groups.items())
    ]
    return pd.DataFrame(rows, columns=["document_id", "document_perspective", "perspective",
                                       "code", "count", "annotation_ids"])


def metrics_chart(table: pd.DataFrame) -> alt.Chart:
    """Grouped bars: each metric per 1,000 words, one colour per document."""
    return (
        alt.Chart(table)
        .mark_bar()
        .encode(
            y=alt.Y("metric:N", title=None, sort=list(COMPARED_METRICS)),
            yOffset="document_id:N",
            x=alt.X("per_1000_words:Q", title="per 1,000 words"),
            color=alt.Color("document_id:N", title="document"),
            tooltip=["document_id", "metric", "count", "per_1000_words"],
        )
    )


def codes_chart(table: pd.DataFrame) -> alt.Chart:
    """Stacked bars: how often each code was applied per document, split by perspective."""
    return (
        alt.Chart(table.drop(columns=["annotation_ids"]))
        .mark_bar()
        .encode(
            y=alt.Y("code:N", title=None),
            x=alt.X("sum(count):Q", title="annotations"),
            color=alt.Color("perspective:N", title="perspective tagged"),
            column=alt.Column("document_id:N", title=None),
            tooltip=["document_id", "perspective", "code", "count"],
        )
    )


def claims_for_theme(claims: list[Claim], theme: str) -> pd.DataFrame:
    """The claims ledger rows on a theme, across documents, sources shown beside numbers,
    with how each figure is bounded and where its credit comes from."""
    columns = ["document_id", "quote", "value_low", "value_high", "bound", "counted", "period",
               "attributed_to", "credit_from", "start", "end"]  # fmt: skip
    rows = [
        {"document_id": c.document_id, "quote": c.quote, "value_low": c.value_low,
         "value_high": c.value_high, "bound": c.bound, "counted": c.counted,
         "period": _period(c), "attributed_to": c.attributed_to or "nobody",
         "credit_from": c.attribution_from, "start": c.start, "end": c.end}
        for c in claims if c.theme == theme
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def aligned_groups(claims: list[Claim], theme: str, factor: float) -> pd.DataFrame:
    """Comparable figures on a theme grouped across texts (framing.alignment), one row per
    group with its spread and whether its sources disagree by more than `factor`."""
    columns = ["counted", "kind", "place", "event", "period", "documents", "low", "high",
               "spread", "disagree", "figures"]  # fmt: skip
    rows = [
        {"counted": g.measure, "kind": g.kind, "place": g.place, "event": g.event,
         "period": _years(g.period[0], g.period[1]), "documents": g.documents, "low": g.low,
         "high": g.high, "spread": g.spread, "disagree": g.disagree,
         "figures": "; ".join(f"{c.document_id}: {c.quote}" for c in g.claims)}
        for g in align([c for c in claims if c.theme == theme], factor)
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def voices_table(analyses: list[DocumentAnalysis], metric: str) -> pd.DataFrame:
    """A measure in each text's embedded voices (quotations, comments, paratext), per
    speaker: what the author's figure leaves out."""
    rows = [
        {"document_id": a.document_id, "voice": voice, "count": m.count,
         "per_1000_words": m.per_1000_words}
        for a in analyses for voice, metrics in a.voices.items()
        for m in metrics if m.name == metric and m.count
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["document_id", "voice", "count", "per_1000_words"])


def _period(c: Claim) -> str:
    return _years(c.period_start, c.period_end)


def _years(start: int | None, end: int | None) -> str:
    if start is None:
        return f"until {end}" if end is not None else ""
    if end is None:
        return f"from {start}"
    return str(start) if end == start else f"{start}–{end}"


def vocabulary_table(words: dict[str, list[DistinctiveWord]]) -> pd.DataFrame:
    """Distinctive words per document: word, z-score, uses here and in the other texts."""
    rows = [
        {"document_id": d, "word": w.word, "z": w.z, "uses": w.count, "uses_elsewhere": w.others}
        for d, found in words.items() for w in found
    ]
    return pd.DataFrame(rows, columns=["document_id", "word", "z", "uses", "uses_elsewhere"])


def links_between(links: list[LinkView], annotation_ids: set[str]) -> list[LinkView]:
    """Links that touch any of the given annotations."""
    return [lk for lk in links
            if lk.from_annotation_id in annotation_ids or lk.to_annotation_id in annotation_ids]
