"""Deep linking: an instructor picks, inside the platform, which seminar and document a link opens.

The platform launches the tool with an LtiDeepLinkingRequest; the tool shows
the seminars the instructor teaches (`choices`). The page's form carries a
`request` token signed by the tool (`pending`) holding where to answer and
for whom, so no server-side state is needed and nobody else can answer it.
`respond` builds the signed LtiDeepLinkingResponse: one ltiResourceLink whose
custom parameters open the chosen seminar (`admission.link_parameters`) and a
lineItem, so the platform makes a gradebook column for the participation score.

The chooser also offers a new seminar for the course (`NEW_SEMINAR`): made on
the platform's word that the user teaches the course, so an instructor who
arrives from the LMS needs no site role to start one (closed, named after the
course, the instructor its first member; audit entry `seminar.create` with
`via`). The new seminar opens the built-in texts like any other.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from joserfc.errors import JoseError

from .. import corpus, grading, roles
from .. import seminar as seminars
from ..db.engine import Store
from ..document import slugify
from ..errors import InvalidInput, NotFound
from ..permissions import Action, Actor
from . import (
    CONTENT_ITEMS,
    DEEP_LINKING_RESPONSE,
    DEPLOYMENT_ID,
    DL_DATA,
    LTI_VERSION,
    MESSAGE_TYPE,
    VERSION,
    keys,
    registration,
)
from .admission import link_parameters
from .launch import Launch, LtiRejected

PENDING_AUDIENCE = "annotations-lti-deep-link"
PENDING_LIFETIME = 3600  # seconds an instructor has to choose
RESPONSE_LIFETIME = 600
NEW_SEMINAR = "+new"  # the chooser's value for "a new seminar for this course"


@dataclass(frozen=True)
class Choice:
    seminar: str
    title: str
    documents: tuple[tuple[str, str], ...]  # (document id, title)


@dataclass(frozen=True)
class Response:
    return_url: str  # where the browser posts `jwt` (form field JWT)
    jwt: str


def pending(store: Store, launch: Launch, user_id: int) -> str:
    """The token the chooser page posts back: the request's answer address, for this user."""
    at = int(time.time())
    return keys.sign(store, {
        "aud": PENDING_AUDIENCE, "platform": launch.platform.id, "user": user_id,
        "deployment_id": launch.deployment_id,
        "return_url": str(launch.deep_linking["deep_link_return_url"]),
        "course": launch.context_title or launch.context_id,
        "data": launch.deep_linking.get("data"), "iat": at, "exp": at + PENDING_LIFETIME})


def choices(store: Store, seminars_taught: list[str]) -> list[Choice]:
    """What the chooser lists: each seminar taught, with the documents it can open."""
    out = []
    for slug in seminars_taught:
        info = seminars.get_seminar(store, slug)
        docs = tuple((t.document_id, t.title) for t in corpus.list_texts(store, slug))
        out.append(Choice(slug, info.title or slug, docs))
    return out


def new_seminar_choice(store: Store, course: str) -> Choice:
    """The chooser's entry for a new seminar of the course: its page or a built-in text."""
    docs = tuple((t.document_id, t.title) for t in corpus.list_texts(store))
    return Choice(NEW_SEMINAR, f"A new seminar for this course: {course or 'untitled'}", docs)


def _create_for_course(store: Store, claims: dict[str, Any]) -> str:
    """A closed seminar named after the course, taught by the user the platform vouched for."""
    course = str(claims.get("course") or "") or "course"
    base = slugify(course)[:70].rstrip("-") or "course"
    with store.read() as session:
        instructor = Actor.of_user(session, int(claims["user"]))
    vouched = Actor.console("lti")
    for n in range(1, 100):
        slug = base if n == 1 else f"{base}-{n}"
        try:
            return roles.create_seminar_for(store, vouched, instructor.user_id or 0, slug,
                                            course, detail={"via": "LTI content picker",
                                                            "instructor": instructor.name}
                                            ).slug
        except InvalidInput as exc:
            if "already exists" not in str(exc):
                raise
    raise InvalidInput(f"too many seminars are named after {course!r}: pick one of them")


def _read_pending(store: Store, token: str) -> dict[str, Any]:
    try:
        claims = keys.verify_own(store, token)
    except (JoseError, ValueError):
        raise LtiRejected("this choice was not offered by the tool: start the content "
                          "picker from the platform again", 403) from None
    if claims.get("aud") != PENDING_AUDIENCE or int(claims.get("exp") or 0) < time.time():
        raise LtiRejected("this choice has expired: start the content picker from the "
                          "platform again", 403)
    return claims


def respond(store: Store, token: str, seminar: str, document: str,
            launch_url: str) -> Response:
    """The signed deep linking response for the chosen seminar (and document, "" for none)."""
    claims = _read_pending(store, token)
    if seminar == NEW_SEMINAR:
        seminar = _create_for_course(store, claims)
    with store.read() as session:
        actor = Actor.of_user(session, int(claims["user"]))
        sid = seminars.seminar_id(session, seminar)
        roles.require_instructor(session, actor, sid, Action.MANAGE_MEMBERS)
        title = seminars.get_seminar(store, seminar).title or seminar
        if document:
            doc = corpus.in_scope(session, document, sid)
            if doc is None:
                raise NotFound(f"no document {document!r} in seminar {seminar!r}")
            title = f"{title}: {doc.title}"
        platform = registration.get(session, int(claims["platform"]))
        points = grading.rule_in(session, sid).points  # the column's maximum, as graded
    item = {"type": "ltiResourceLink", "title": title, "url": launch_url,
            "custom": link_parameters(store, platform, seminar, document),
            "lineItem": {"scoreMaximum": points, "label": f"Participation: {title}",
                         "resourceId": f"{seminar}/{document}".rstrip("/")}}
    at = int(time.time())
    answer: dict[str, Any] = {
        "iss": platform.client_id, "aud": platform.issuer, "iat": at,
        "exp": at + RESPONSE_LIFETIME, "nonce": secrets.token_urlsafe(16),
        MESSAGE_TYPE: DEEP_LINKING_RESPONSE, VERSION: LTI_VERSION,
        DEPLOYMENT_ID: claims["deployment_id"], CONTENT_ITEMS: [item]}
    if claims.get("data") is not None:
        answer[DL_DATA] = claims["data"]
    return Response(str(claims["return_url"]), keys.sign(store, answer))
