"""Participation grades: the instructor's rule, each student's score under it, and a preview.

The rule follows the annotation tools' LMS auto-grading, which instructors
already know: in "cumulative" mode annotations and replies count together
towards `annotations + replies`; in "separate" mode each is scored against its
own target and the two halves are averaged (a target of 0 drops its half). A
note or reply counts only from `min_words` words, so a bare highlight can be
made not to count; `document_id` limits the count to one text (an LMS
assignment's). The grade is `points × fraction`, rounded to hundredths.

Only students are graded: instructors never, and names without an account (an
imported CSV's) have nobody to send a grade to. Setting the rule and reading
grades are the instructor's desk (`Action.GRADE`); every rule change goes to
the audit log. Sending grades to an LMS is `annotations.lti.ags`'s, with these
rows as its input.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, corpus, roles
from . import seminar as seminars
from .csvsafe import write_csv
from .db.engine import Store
from .db.models import Annotation, DocumentVersion, GradingRule, Membership, Reply, User
from .errors import InvalidInput
from .permissions import Action, Actor
from .roles import STUDENT
from .timeutil import now

MODES = ("cumulative", "separate")
GRADE_COLUMNS = ("seminar", "username", "display_name", "annotations", "replies",
                 "counted_annotations", "counted_replies", "fraction", "grade", "points",
                 "comment")
_MAX_TARGET = 1000  # no participation rule asks for more; a typo (30000) is refused


@dataclass(frozen=True)
class Rule:
    """What a full grade takes. See the module docstring for the arithmetic."""

    mode: str = "cumulative"
    annotations: int = 3
    replies: int = 1
    min_words: int = 0
    document_id: str | None = None
    points: float = 10.0

    def checked(self) -> Rule:
        """This rule, or InvalidInput naming the field to fix."""
        if self.mode not in MODES:
            raise InvalidInput(f"grading mode {str(self.mode)[:40]!r} is unknown: "
                               f"use {' or '.join(MODES)}")
        for name, value in (("annotations", self.annotations), ("replies", self.replies),
                            ("min_words", self.min_words)):
            if not 0 <= value <= _MAX_TARGET:
                raise InvalidInput(f"{name} must be a whole number from 0 to {_MAX_TARGET}, "
                                   f"not {value}")
        if self.annotations + self.replies == 0:
            raise InvalidInput("a rule needs at least one annotation or reply for a full "
                               "grade: set annotations or replies above 0")
        if not 0 < self.points <= 10_000:
            raise InvalidInput(f"points must be above 0 and at most 10000, not {self.points}")
        return replace(self, document_id=self.document_id or None)

    def describe(self) -> str:
        """The rule in one sentence, for the desk and the LMS comment."""
        where = f" on {self.document_id}" if self.document_id else ""
        length = f" (notes and replies of at least {self.min_words} words)" \
            if self.min_words else ""
        if self.mode == "cumulative":
            total = self.annotations + self.replies
            return (f"{_count(total, 'annotation or reply', 'annotations or replies')}{where} "
                    f"in all for {self.points:g} points{length}")
        return (f"{_count(self.annotations, 'annotation', 'annotations')} and "
                f"{_count(self.replies, 'reply', 'replies')}{where} "
                f"for {self.points:g} points{length}")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


DEFAULT_RULE = Rule()


def fraction(rule: Rule, annotations: int, replies: int) -> float:
    """The share of a full grade `annotations` and `replies` (counted ones) earn: 0 to 1."""
    if rule.mode == "cumulative":
        return min(1.0, (annotations + replies) / (rule.annotations + rule.replies))
    parts = [min(1.0, done / target) for done, target in
             ((annotations, rule.annotations), (replies, rule.replies)) if target]
    return sum(parts) / len(parts)


@dataclass(frozen=True)
class Grade:
    """One student's grade under a rule, with the counts behind it."""

    seminar: str
    username: str
    display_name: str
    annotations: int  # all their annotations in scope
    replies: int
    counted_annotations: int  # those long enough to count
    counted_replies: int
    fraction: float
    grade: float  # points × fraction, rounded to hundredths
    points: float
    comment: str  # what the LMS shows the student beside the grade


def rule_in(session: Session, seminar_id: int) -> Rule:
    """The seminar's rule inside a caller's session that has checked who asks."""
    row = session.get(GradingRule, seminar_id)
    if row is None:
        return DEFAULT_RULE
    return Rule(row.mode, row.annotations, row.replies, row.min_words, row.document_id,
                row.points)


def get_rule(store: Store, seminar: str, actor: Actor | str) -> Rule:
    """The seminar's rule (the default until an instructor sets one)."""
    with store.read() as session:
        sid = seminars.seminar_id(session, seminar)
        roles.require_instructor_named(session, actor, sid, Action.GRADE)
        return rule_in(session, sid)


def set_rule(store: Store, seminar: str, actor: Actor | str, rule: Rule) -> Rule:
    """Store the seminar's rule; the change and its old value go to the audit log."""
    rule = rule.checked()
    with store.transaction() as session:
        sid = seminars.seminar_id(session, seminar)
        who = roles.require_instructor_named(session, actor, sid, Action.GRADE)
        if rule.document_id is not None and corpus.in_scope(session, rule.document_id,
                                                            sid) is None:
            raise InvalidInput(f"no document {rule.document_id!r} in {seminar}: see "
                               "`annotations texts list`, or leave the document empty to "
                               "count every text")
        before = rule_in(session, sid)
        row = session.get(GradingRule, sid) or GradingRule(seminar_id=sid)
        row.mode, row.annotations, row.replies = rule.mode, rule.annotations, rule.replies
        row.min_words, row.document_id, row.points = rule.min_words, rule.document_id, rule.points
        row.updated_at, row.updated_by = now(), who.name
        session.add(row)
        audit.record(session, who.name, "grading.rule", sid, seminar,
                     {"before": before.describe(), "after": rule.describe()})
    return rule


def _counts(session: Session, sid: int, rule: Rule) -> tuple[Counter[str], Counter[str],
                                                             Counter[str], Counter[str]]:
    """All and counted annotations and replies per username, within the rule's scope."""
    scope = [Annotation.seminar_id == sid, Annotation.deleted_at.is_(None)]
    if rule.document_id is not None:
        scope.append(DocumentVersion.document_id == rule.document_id)
    notes = session.execute(
        select(Annotation.annotator, Annotation.note)
        .join(DocumentVersion, DocumentVersion.id == Annotation.document_version_id)
        .where(*scope)).all()
    replies = session.execute(
        select(Reply.author, Reply.text)
        .join(Annotation, Annotation.id == Reply.annotation_id)
        .join(DocumentVersion, DocumentVersion.id == Annotation.document_version_id)
        .where(*scope)).all()
    all_a, all_r, counted_a, counted_r = Counter[str](), Counter[str](), Counter[str](), \
        Counter[str]()
    for who, text in notes:
        all_a[who] += 1
        counted_a[who] += len(text.split()) >= rule.min_words
    for who, text in replies:
        all_r[who] += 1
        counted_r[who] += len(text.split()) >= rule.min_words
    return all_a, all_r, counted_a, counted_r


def _comment(rule: Rule, counted_a: int, counted_r: int) -> str:
    return (f"{_count(counted_a, 'annotation', 'annotations')} and "
            f"{_count(counted_r, 'reply', 'replies')} counted; the rule: {rule.describe()}")


def grades(store: Store, seminar: str, actor: Actor | str, rule: Rule | None = None
           ) -> list[Grade]:
    """Every student's grade under `rule` (default: the seminar's), by username.

    Passing a rule previews it before it is saved: nothing is written.
    """
    with store.read() as session:
        sid = seminars.seminar_id(session, seminar)
        roles.require_instructor_named(session, actor, sid, Action.GRADE)
        rule = (rule or rule_in(session, sid)).checked()
        students = session.execute(
            select(User.username, User.display_name)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.seminar_id == sid, Membership.role == STUDENT)
            .order_by(User.username)).all()
        all_a, all_r, counted_a, counted_r = _counts(session, sid, rule)
    out = []
    for username, display in students:
        share = fraction(rule, counted_a[username], counted_r[username])
        out.append(Grade(seminar, username, display, all_a[username], all_r[username],
                         counted_a[username], counted_r[username], share,
                         round(share * rule.points, 2), rule.points,
                         _comment(rule, counted_a[username], counted_r[username])))
    return out


def export_csv(out: TextIO, rows: list[Grade]) -> int:
    """Grades as GRADE_COLUMNS, through the one CSV writer (formula-safe)."""
    write_csv(out, GRADE_COLUMNS, [
        (g.seminar, g.username, g.display_name, g.annotations, g.replies,
         g.counted_annotations, g.counted_replies, f"{g.fraction:.4f}", f"{g.grade:g}",
         f"{g.points:g}", g.comment) for g in rows])
    return len(rows)
