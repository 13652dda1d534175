"""Counts for `annotations stats`: what the store holds, per seminar and document."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import func, select

from . import codebook
from .db.engine import Store
from .db.models import Annotation, Document, DocumentVersion, Reply, Seminar


@dataclass(frozen=True)
class StatsRow:
    seminar: str
    document_id: str
    annotations: int
    replies: int
    annotators: int
    needs_review: int
    orphans: int
    top_codes: str


def stats(store: Store, seminar: str = "") -> list[StatsRow]:
    with store.read() as session:
        q = (
            select(
                Seminar.slug,
                DocumentVersion.document_id,
                Annotation.id,
                Annotation.annotator,
                Annotation.codes,
                Annotation.anchor_status,
            )
            .join(Seminar, Seminar.id == Annotation.seminar_id)
            .join(DocumentVersion, DocumentVersion.id == Annotation.document_version_id)
            .where(Annotation.deleted_at.is_(None))
        )
        if seminar:
            q = q.where(Seminar.slug == seminar)
        reply_counts = dict(
            session.execute(
                select(Reply.annotation_id, func.count()).group_by(Reply.annotation_id)
            ).all()
        )
        groups: dict[tuple[str, str], list[tuple[str, str, str, str]]] = {}
        for slug, doc, aid, who, codes, status in session.execute(q):
            groups.setdefault((slug, doc), []).append((aid, who, codes, status))
        rows = []
        for (slug, doc), items in sorted(groups.items()):
            applied = Counter(c for _, _, cs, _ in items for c in codebook.split_codes(cs))
            rows.append(
                StatsRow(
                    slug,
                    doc,
                    len(items),
                    sum(reply_counts.get(a, 0) for a, *_ in items),
                    len({w for _, w, _, _ in items}),
                    sum(1 for *_, s in items if s == "review"),
                    sum(1 for *_, s in items if s == "orphan"),
                    ", ".join(f"{c} ({n})" for c, n in applied.most_common(3)),
                )
            )
        return rows


def totals(store: Store) -> dict[str, int]:
    with store.read() as session:

        def count(model: type) -> int:
            return session.scalar(select(func.count()).select_from(model)) or 0

        return {
            "documents": count(Document),
            "versions": count(DocumentVersion),
            "seminars": count(Seminar),
            "annotations": count(Annotation),
            "replies": count(Reply),
        }
