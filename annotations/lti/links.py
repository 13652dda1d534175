"""The platform links that open a seminar, with their services (roster, gradebook column)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from .. import seminar as seminars
from ..db.engine import Store
from ..db.models import LtiLink
from . import registration
from .registration import Platform


@dataclass(frozen=True)
class Link:
    platform: Platform
    deployment_id: str
    context_id: str  # the course
    resource_link_id: str
    document: str  # "" : the seminar's page
    memberships_url: str  # NRPS; "" when the platform offers none
    lineitem_url: str  # AGS gradebook column; "" when none
    ags_scopes: tuple[str, ...]


def seminar_links(store: Store, seminar: str) -> list[Link]:
    """Every platform link that opens the seminar, oldest first (as seen at its last launch)."""
    with store.read() as session:
        sid = seminars.seminar_id(session, seminar)
        rows = list(session.scalars(select(LtiLink).where(LtiLink.seminar_id == sid)
                                    .order_by(LtiLink.id)))
        return [Link(registration.get(session, r.platform_id), r.deployment_id, r.context_id,
                     r.resource_link_id, r.document_id, r.memberships_url, r.lineitem_url,
                     tuple(r.ags_scopes)) for r in rows]


def lineitems(store: Store, seminar: str) -> list[Link]:
    """The seminar's links that have a gradebook column (where `ags.post_scores` sends)."""
    return [lk for lk in seminar_links(store, seminar) if lk.lineitem_url]
