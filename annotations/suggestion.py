"""Machine suggestions: framing evidence and claims offered as annotations to review.

A suggestion is never an annotation until a student accepts it (possibly after
editing codes and note); it then exports like any other annotation, with the
annotator cell naming both the student and what suggested it (see
`annotation.annotator_label`). Rejections are remembered per student, so a
suggestion is offered once.

Accepting saves the annotation and the decision in one transaction, with the
same authorisation and audit as any annotation write (annotation.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, codebook, roles
from .annotation import (
    AnnotationView,
    check_name,
    check_note,
    check_source,
    create_annotation_in,
    fresh_id,
)
from .corpus import VersionText
from .db.engine import Store
from .db.models import SuggestionDecision
from .document import DocumentMeta, SourceText
from .errors import InvalidInput
from .framing.models import Claim, DocumentAnalysis
from .seminar import seminar_id
from .timeutil import now

# Which framing metric suggests which code of the default codebook.
CODE_FOR_METRIC: dict[str, str] = {
    "hedges": "hedging",
    "boosters": "boosting",
    "loaded": "loaded language",
    "agentless_passives": "agency and passive voice",
}
UNATTRIBUTED_CLAIM_CODE = "unattributed statistic"

if TYPE_CHECKING:  # spaCy loads only where checks are computed
    from .framing.checks import Check


@dataclass(frozen=True)
class Suggestion:
    key: str  # "<source>:<document_id>:<start>:<end>", stable while the text is unchanged
    source: str  # e.g. "framing:hedges", "claims:unattributed"
    document_id: str
    start: int
    end: int
    quote: str
    codes: tuple[str, ...]
    note: str


def source_text(version: VersionText) -> SourceText:
    """The analysis input for a stored document version."""
    meta = DocumentMeta(
        version.document_id, version.title, version.perspective, paratext=version.paratext
    )
    return SourceText(meta, version.text, version.sha256)


def suggestions_for(
    analysis: DocumentAnalysis, claims: list[Claim], checks: Sequence[Check] = ()
) -> list[Suggestion]:
    """Every suggestion the evidence supports, in text order; consistency checks ("check
    this") of this document come with no code: the student decides what they show."""
    found: list[Suggestion] = [
        Suggestion(
            f"check:{c.kind}:{c.document_id}:{c.start}:{c.end}",
            f"check:{c.kind}",
            c.document_id,
            c.start,
            c.end,
            c.quote,
            (),
            f"{c.message} ({c.evidence})",
        )
        for c in checks
        if c.document_id == analysis.document_id
    ]
    for metric in analysis.metrics:
        code = CODE_FOR_METRIC.get(metric.name)
        if code is None:
            continue
        source = f"framing:{metric.name}"
        for start, end, text in metric.evidence:
            found.append(
                Suggestion(
                    f"{source}:{analysis.document_id}:{start}:{end}",
                    source,
                    analysis.document_id,
                    start,
                    end,
                    text,
                    (code,),
                    f"Suggested: {metric.name.replace('_', ' ')} ({text!r}).",
                )
            )
    for c in claims:
        if c.attributed_to:
            continue
        source = "claims:unattributed"
        counted = f" {c.counted}" if c.counted else ""
        found.append(
            Suggestion(
                f"{source}:{c.document_id}:{c.start}:{c.end}",
                source,
                c.document_id,
                c.start,
                c.end,
                c.quote,
                (UNATTRIBUTED_CLAIM_CODE,),
                f"Suggested: the figure {c.quote!r}{counted} is credited to nobody.",
            )
        )
    return sorted(found, key=lambda s: (s.start, s.end, s.source))


def open_suggestions(
    store: Store, seminar: str, annotator: str, suggestions: list[Suggestion]
) -> list[Suggestion]:
    """Those this student has neither accepted nor rejected, with codes the seminar has."""
    with store.read() as session:
        sid = seminar_id(session, seminar)
        decided = set(
            session.scalars(
                select(SuggestionDecision.suggestion_key).where(
                    SuggestionDecision.seminar_id == sid, SuggestionDecision.annotator == annotator
                )
            )
        )
        known = set(codebook.code_names(session, sid))
    return [
        Suggestion(
            s.key,
            s.source,
            s.document_id,
            s.start,
            s.end,
            s.quote,
            tuple(c for c in s.codes if c in known),
            s.note,
        )
        for s in suggestions
        if s.key not in decided
    ]


def _decide(
    session: Session, sid: int, annotator: str, key: str, decision: str,
    annotation_id: str | None,
) -> None:
    """Store the decision; repeating the same one writes (and audits) nothing."""
    row = session.scalar(
        select(SuggestionDecision).where(
            SuggestionDecision.seminar_id == sid,
            SuggestionDecision.annotator == annotator,
            SuggestionDecision.suggestion_key == key,
        )
    )
    if row is not None and (row.decision, row.annotation_id) == (decision, annotation_id):
        return
    if row is None:
        session.add(
            SuggestionDecision(
                seminar_id=sid,
                annotator=annotator,
                suggestion_key=key,
                decision=decision,
                annotation_id=annotation_id,
                created_at=now(),
            )
        )
    else:
        row.decision, row.annotation_id = decision, annotation_id
    audit.record(session, annotator, f"suggestion.{decision[:-2]}", sid, key,
                 {"annotation": annotation_id} if annotation_id else {})


def accept(
    store: Store,
    seminar: str,
    annotator: str,
    suggestion: Suggestion,
    *,
    perspective: str = "",
    codes: list[str] | None = None,
    note: str | None = None,
) -> AnnotationView:
    """Turn a suggestion into the student's annotation, as offered or edited.

    The annotation id is random; accepting twice (a double click) finds the
    first acceptance through the decision row and returns that annotation.
    """
    annotator = check_name(annotator)
    text = check_note(suggestion.note if note is None else note)
    source = check_source(suggestion.source)
    with store.transaction() as session:
        aid = session.scalar(select(SuggestionDecision.annotation_id).where(
            SuggestionDecision.seminar_id == seminar_id(session, seminar),
            SuggestionDecision.annotator == annotator,
            SuggestionDecision.suggestion_key == suggestion.key,
            SuggestionDecision.decision == "accepted")) or fresh_id()
        saved = create_annotation_in(
            session,
            seminar=seminar,
            document_id=suggestion.document_id,
            start=suggestion.start,
            end=suggestion.end,
            quote=suggestion.quote,
            annotator=annotator,
            perspective=perspective,
            codes=list(suggestion.codes) if codes is None else codes,
            note=text,
            annotation_id=aid,
            source=source,
        )
        _decide(session, seminar_id(session, seminar), annotator, suggestion.key,
                "accepted", saved.id)
    return saved


def reject(store: Store, seminar: str, annotator: str, suggestion: Suggestion) -> None:
    """Never offer it to this student again; members only in a closed seminar."""
    annotator = check_name(annotator)
    if not suggestion.key:
        raise InvalidInput("suggestion has no key")
    with store.transaction() as session:
        sid = seminar_id(session, seminar)
        roles.require_writer(session, sid, annotator)
        _decide(session, sid, annotator, suggestion.key, "rejected", None)
