"""Names and Role Provisioning Services: the course roster into the seminar's members.

`sync_members` reads the context's membership from the platform (every page,
following `Link: rel="next"`), makes an account for each member not seen yet
(as a first launch would), and gives each active member their mapped role in
the seminar. Nobody's membership or work is removed: members who left the
roster are reported, for the instructor to decide.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from sqlalchemy import select

from .. import audit
from .. import seminar as seminars
from ..db.engine import Store
from ..db.models import LtiAccount, Membership, User
from ..errors import InvalidInput
from ..permissions import Action, Actor, require
from . import SCOPE_NRPS, links, rolemap, services
from .admission import account_for, set_role

MEDIA_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGES = 200  # a runaway `next` chain stops here


@dataclass(frozen=True)
class RosterMember:
    subject: str
    name: str
    email: str
    role: str | None  # the seminar role the LTI roles map to; None: no access
    active: bool


@dataclass(frozen=True)
class SyncReport:
    added: tuple[str, ...]  # usernames that became members or changed role
    unchanged: tuple[str, ...]
    skipped: tuple[str, ...]  # roster names with no mapped role or not active
    left: tuple[str, ...]  # platform members of the seminar no longer on the roster (kept)


def _next(answer: httpx.Response) -> str:
    nxt = answer.links.get("next")
    return str(nxt["url"]) if nxt else ""


def fetch_roster(store: Store, link: links.Link) -> list[RosterMember]:
    """Every member of the link's course, page after page."""
    token = services.access_token(store, link.platform, [SCOPE_NRPS])
    url, out = link.memberships_url, []
    for _ in range(MAX_PAGES):
        answer = services.call("GET", url, token, accept=MEDIA_TYPE)
        if answer.status_code != 200:
            raise services.PlatformUnreachable(
                f"the platform refused the roster ({answer.status_code}: "
                f"{services.said(answer)})")
        try:
            members = answer.json().get("members", [])
        except (ValueError, AttributeError):
            raise services.PlatformUnreachable("the platform's roster is not a membership "
                                               "container (JSON with members)") from None
        for m in members:
            out.append(RosterMember(str(m.get("user_id") or ""), str(m.get("name") or ""),
                                    str(m.get("email") or ""),
                                    rolemap.seminar_role(m.get("roles") or []),
                                    m.get("status", "Active") == "Active"))
        url = _next(answer)
        if not url:
            break
    return out


def sync_members(store: Store, seminar: str, *, actor: Actor) -> SyncReport:
    """Bring the seminar's members up to date with the roster of every linked course."""
    with store.read() as session:
        sid = seminars.seminar_id(session, seminar)
        require(session, actor, Action.SYNC_ROSTER, sid)
    courses = {(lk.platform.id, lk.context_id): lk for lk in links.seminar_links(store, seminar)
               if lk.memberships_url}
    if not courses:
        raise InvalidInput(f"seminar {seminar!r} is linked to no course with a roster "
                           "service: launch it from the platform first")
    added: list[str] = []
    unchanged: list[str] = []
    skipped: list[str] = []
    present: set[int] = set()
    for link in courses.values():
        for member in fetch_roster(store, link):
            if not member.subject or member.role is None or not member.active:
                skipped.append(member.name or member.subject)
                continue
            uid = account_for(store, link.platform.issuer, member.subject, name=member.name,
                              email=member.email)
            present.add(uid)
            with store.transaction() as session:
                changed = set_role(session, sid, uid, member.role)
                name = session.scalar(select(User.username).where(User.id == uid)) or ""
            (added if changed else unchanged).append(name)
    issuers = {lk.platform.issuer for lk in courses.values()}
    with store.transaction() as session:
        left = sorted(session.scalars(
            select(User.username).join(Membership, Membership.user_id == User.id)
            .join(LtiAccount, LtiAccount.user_id == User.id)
            .where(Membership.seminar_id == sid, LtiAccount.issuer.in_(issuers),
                   User.id.not_in(present or {-1}))))
        audit.record(session, actor.name, "lti.roster", sid, seminar,
                     {"added": sorted(added), "left": left})
    return SyncReport(tuple(sorted(added)), tuple(sorted(unchanged)), tuple(skipped),
                      tuple(left))
