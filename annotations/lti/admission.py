"""What a verified launch lets in: the account, the seminar role, the seminar and document.

The platform's word decides who the user is (their own account for the
platform's `iss` and `sub`, made on the first launch and never merged with a
local account of the same e-mail) and which role they hold in the course
(`rolemap`), and so in the seminar the link opens. Which seminar a link
opens is the tool's word, not the platform's: deep linking hands the platform
a link parameter signed by the tool (`link_parameters`), which the platform
sends back on every launch; a link that carries none opens nothing.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from joserfc.errors import JoseError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import accounts, corpus, roles
from .. import seminar as seminars
from ..accounts import SignIn
from ..db.engine import Store
from ..db.models import LtiAccount, LtiLink, Membership
from ..errors import InvalidInput, NotFound
from ..permissions import Actor
from ..timeutil import now
from . import CUSTOM_LINK, keys, rolemap
from .launch import Launch, LtiRejected
from .registration import Platform

LINK_AUDIENCE = "annotations-lti-link"  # the `aud` of the tool's signed link parameter
ACTOR = Actor.console("lti")  # membership changes the platform vouches for
UNLINKED = ("this link does not open a seminar yet: the instructor chooses one with the "
            "platform's content picker (deep linking)")


@dataclass(frozen=True)
class Admission:
    sign_in: SignIn
    seminar: str  # slug
    document: str  # "" : the seminar's own page
    role: str


def account_for(store: Store, issuer: str, subject: str, *, name: str = "",
                email: str = "") -> int:
    """The account of the platform's user, made the first time they are seen."""
    with store.read() as session:
        uid = session.scalar(select(LtiAccount.user_id).where(
            LtiAccount.issuer == issuer, LtiAccount.subject == subject))
    if uid is not None:
        return int(uid)
    uid = accounts.sso_account(store, issuer, subject, preferred_username=_username_hint(name),
                               email=email, display_name=name)
    try:
        with store.transaction() as session:
            session.add(LtiAccount(issuer=issuer, subject=subject, user_id=uid))
    except IntegrityError:
        pass  # another process linked the same user a moment ago: the same account
    return uid


def _username_hint(name: str) -> str:
    return "-".join(name.split())[:60]


def link_parameters(store: Store, platform: Platform, seminar: str, document: str = "") -> dict[
        str, str]:
    """The `custom` parameters a resource link needs to open `seminar` (and `document`).

    Signed by the tool and bound to the platform's issuer: a course on the
    platform cannot name another seminar by editing its custom parameters.
    """
    return {"seminar": seminar, "document": document, CUSTOM_LINK: keys.sign(store, {
        "aud": LINK_AUDIENCE, "iss": platform.issuer, "seminar": seminar,
        "document": document, "iat": int(time.time())})}


def _linked(store: Store, launch: Launch) -> tuple[str, str] | None:
    """The seminar and document of the link's signed parameter, if it has a valid one."""
    signed = launch.custom.get(CUSTOM_LINK, "")
    if not signed:
        return None
    try:
        claims: dict[str, Any] = keys.verify_own(store, signed)
    except (JoseError, ValueError):
        raise LtiRejected("this link's annotations_link parameter is not signed by this "
                          "tool: link the seminar again with the platform's content picker",
                          403) from None
    if claims.get("aud") != LINK_AUDIENCE or claims.get("iss") != launch.platform.issuer:
        raise LtiRejected("this link's annotations_link parameter was made for another "
                          "platform: link the seminar again", 403)
    return str(claims.get("seminar") or ""), str(claims.get("document") or "")


def _known(store: Store, launch: Launch) -> bool:
    """Whether an earlier launch of this resource link opened a seminar."""
    with store.read() as session:
        return session.scalar(select(LtiLink.id).where(
            LtiLink.platform_id == launch.platform.id,
            LtiLink.resource_link_id == launch.resource_link_id)) is not None


def _record_link(session: Session, launch: Launch, found: tuple[str, str] | None) -> LtiLink:
    row = session.scalar(select(LtiLink).where(
        LtiLink.platform_id == launch.platform.id,
        LtiLink.resource_link_id == launch.resource_link_id))
    if found is not None:
        sid = seminars.seminar_id(session, found[0])
        if found[1] and corpus.in_scope(session, found[1], sid) is None:
            raise NotFound(f"the linked document {found[1]!r} is not in seminar {found[0]!r}")
        if row is None:
            row = LtiLink(platform_id=launch.platform.id,
                          resource_link_id=launch.resource_link_id, memberships_url="",
                          lineitem_url="", ags_scopes=[])
            session.add(row)
        row.seminar_id, row.document_id = sid, found[1]
    elif row is None:
        raise LtiRejected(UNLINKED, 404)
    row.deployment_id, row.context_id = launch.deployment_id, launch.context_id
    if launch.memberships_url:  # a launch without the services keeps the last ones seen
        row.memberships_url = launch.memberships_url
    if launch.lineitem_url:
        row.lineitem_url, row.ags_scopes = launch.lineitem_url, list(launch.ags_scopes)
    row.updated_at = now()
    session.flush()
    return row


def set_role(session: Session, seminar_id: int, user_id: int, role: str) -> bool:
    """Make the user a member with `role`; True when that changed anything.

    The last instructor of a seminar stays instructor (roles keeps one).
    """
    current = session.scalar(select(Membership.role).where(
        Membership.user_id == user_id, Membership.seminar_id == seminar_id))
    if current == role:
        return False
    try:
        with session.begin_nested():
            roles.add_member(session, ACTOR, seminar_id, user_id, role)
    except InvalidInput:
        return False
    return True


def admit(store: Store, launch: Launch) -> Admission:
    """Sign the launching user in to the seminar the resource link opens, with their role."""
    role = rolemap.seminar_role(launch.roles)
    if role is None:
        raise LtiRejected("your role in this course gives no access to the seminar: ask the "
                          "course's instructor", 403)
    found = _linked(store, launch)
    if found is None and not _known(store, launch):
        raise LtiRejected(UNLINKED, 404)
    uid = account_for(store, launch.platform.issuer, launch.subject, name=launch.name,
                      email=launch.email)
    with store.transaction() as session:
        link = _record_link(session, launch, found)
        set_role(session, link.seminar_id, uid, role)
        slug = seminars.seminar_slug(session, link.seminar_id)
        document = link.document_id
    return Admission(accounts.open_session(store, uid), slug, document, role)


def sign_in_staff(store: Store, launch: Launch) -> tuple[SignIn, list[str]]:
    """A deep linking launch: staff only; their session and the seminars they may link."""
    if rolemap.seminar_role(launch.roles) != roles.INSTRUCTOR:
        raise LtiRejected("only the course's instructors choose what a link opens", 403)
    uid = account_for(store, launch.platform.issuer, launch.subject, name=launch.name,
                      email=launch.email)
    return accounts.open_session(store, uid), teaching(store, uid)


def teaching(store: Store, user_id: int) -> list[str]:
    """The seminars the account teaches: those it may link a course to."""
    with store.read() as session:
        return [m.seminar for m in roles.memberships(session, user_id)
                if m.role == roles.INSTRUCTOR]
