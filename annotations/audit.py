"""The audit log: every write says who did what to which target, when, in which seminar.

Services call `record` inside their own transaction, so an entry exists exactly
when the write it describes was committed (a rolled-back write leaves no
trace, and a committed one cannot lack its entry). Modules are imported as
modules (`from . import seminar`) because seminar -> codebook -> audit is a cycle.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import seminar as seminars
from .csvsafe import write_csv
from .db.engine import Store
from .db.models import AuditEntry, Seminar
from .errors import InvalidInput
from .timeutil import format_time, now

AUDIT_COLUMNS = ("id", "at", "seminar", "actor", "action", "target", "detail")


@dataclass(frozen=True)
class AuditView:
    id: int
    at: datetime
    seminar: str  # slug; empty for writes outside a seminar
    actor: str
    action: str
    target: str
    detail: dict[str, object]


def record(
    session: Session,
    actor: str,
    action: str,
    seminar_id: int | None,
    target: str | int = "",
    detail: dict[str, object] | None = None,
) -> None:
    """Add one entry to the caller's transaction.

    `detail` must be JSON-serialisable: it is checked here so a bad detail
    fails the write at once instead of at commit time with a driver error.
    """
    if not actor.strip():
        raise InvalidInput("audit entry without an actor: every write needs someone to own it")
    payload = dict(detail or {})
    try:
        json.dumps(payload)
    except TypeError as exc:
        raise InvalidInput(f"audit detail for {action!r} is not JSON: {exc}") from None
    session.add(AuditEntry(seminar_id=seminar_id, actor=actor, action=action,
                           target=str(target), detail=payload, at=now()))


def entries(session: Session, seminar: str, *, action: str = "", actor: str = "",
            limit: int | None = None) -> list[AuditView]:
    """A seminar's entries, oldest first (the order things happened)."""
    sid = seminars.seminar_id(session, seminar)
    q = (select(AuditEntry, Seminar.slug)
         .join(Seminar, Seminar.id == AuditEntry.seminar_id)
         .where(AuditEntry.seminar_id == sid).order_by(AuditEntry.id))
    if action:
        q = q.where(AuditEntry.action == action)
    if actor:
        q = q.where(AuditEntry.actor == actor)
    if limit is not None:
        q = q.limit(limit)
    return [AuditView(e.id, e.at, slug, e.actor, e.action, e.target, dict(e.detail))
            for e, slug in session.execute(q)]


def list_entries(store: Store, seminar: str, **filters: object) -> list[AuditView]:
    """`entries` in a read snapshot of its own, for adapters that hold no session."""
    with store.read() as session:
        return entries(session, seminar, **filters)  # type: ignore[arg-type]


def export_csv(store: Store, out: TextIO, seminar: str, *, raw: bool = False) -> int:
    """The seminar's log as CSV (columns AUDIT_COLUMNS); detail is compact JSON."""
    rows = list_entries(store, seminar)
    write_csv(out, AUDIT_COLUMNS, [
        (e.id, format_time(e.at), e.seminar, e.actor, e.action, e.target,
         json.dumps(e.detail, ensure_ascii=False, sort_keys=True, separators=(",", ":")))
        for e in rows], raw=raw)
    return len(rows)
