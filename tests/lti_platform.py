"""A learning platform (an LMS) that speaks IMS LTI 1.3 and LTI Advantage, for tests.

A real HTTP server (Starlette in uvicorn, `webserver.serving`): the tool
fetches its keys and tokens over HTTP as it would from Canvas or Moodle. It
sits in tests/ beside webserver.py so tests/lti and the browser tests in
tests/ui import it alike, and is named `lti_platform` (not `platform`) so it
never shadows the standard library's `platform` module.

Drive it like this (httpx, or a browser for the same URLs)::

    with LmsPlatform().running() as lms:
        lms.use_tool(tool_base_url)          # the tool's /lti/login, /lti/launch, /lti/jwks
        lms.register_in(store)               # `annotations lti register` with its URLs
        lms.add_user("s1", "Ana Student", "ana@example.edu", lms.LEARNER)
        link = lms.add_link("Week 3 reading", custom=...)   # or through deep linking
        url = lms.launch_url("s1", link)     # GET it: -> tool login -> platform auth -> ...
        ...
        lms.gradebook[link]                  # {sub: score JSON} the tool posted

The OIDC auth endpoint answers with a page whose form posts the id_token and
state to the tool's redirect URI (a browser submits it by script; `form_of`
reads it for httpx). Every endpoint checks what a real platform checks.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from webserver import serving

from annotations import roles
from annotations.db.engine import Store
from annotations.lti import admission, registration

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
ROLE = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_RESULT = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
NRPS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass
class User:
    sub: str
    name: str
    email: str
    role: str  # a membership role URI (LEARNER, INSTRUCTOR, ...)
    status: str = "Active"


@dataclass
class Link:
    id: str
    title: str
    custom: dict[str, str] = field(default_factory=dict)
    lineitem: str = ""  # the id of its gradebook column, "" for none


def form_of(page: str) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of an auto-submitting form page (what a browser posts)."""
    action = re.search(r'<form[^>]*action="([^"]*)"', page)
    assert action, page[:500]
    fields = {html.unescape(n): html.unescape(v) for n, v in
              re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)"', page)}
    return html.unescape(action.group(1)), fields


class LmsPlatform:
    """One LMS with one course, its users, resource links and gradebook."""

    LEARNER = ROLE + "Learner"
    INSTRUCTOR = ROLE + "Instructor"
    TA = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
    MENTOR = ROLE + "Mentor"

    def __init__(self, client_id: str = "tool-client-1",
                 deployment_id: str = "deployment-1", page_size: int = 2) -> None:
        self.key = RSAKey.generate_key(2048, private=True, parameters={
            "kid": "platform-" + secrets.token_hex(4), "alg": "RS256", "use": "sig"})
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.page_size = page_size  # NRPS members per page
        self.context = {"id": "course-1", "label": "HIST101", "title": "History 101",
                        "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"]}
        self.users: dict[str, User] = {}
        self.links: dict[str, Link] = {}
        self.lineitems: dict[str, dict[str, Any]] = {}
        self.gradebook: dict[str, dict[str, dict[str, Any]]] = {}  # lineitem id -> sub -> score
        self.deep_link_items: list[dict[str, Any]] = []  # what the tool sent back
        self.tokens: dict[str, set[str]] = {}  # access token -> scopes
        self.base = ""
        self.tool_login = self.tool_launch = self.tool_jwks = ""
        self._hints: dict[str, dict[str, str]] = {}

    # ---------------------------------------------------------------- setup
    @contextmanager
    def running(self) -> Iterator[LmsPlatform]:
        with serving(self.routes()) as url:
            self.base = url
            yield self

    @property
    def issuer(self) -> str:
        return self.base

    @property
    def auth_url(self) -> str:
        return self.base + "/auth"

    @property
    def token_url(self) -> str:
        return self.base + "/token"

    @property
    def jwks_url(self) -> str:
        return self.base + "/jwks"

    @property
    def memberships_url(self) -> str:
        return f"{self.base}/courses/{self.context['id']}/memberships"

    @property
    def lineitems_url(self) -> str:
        return f"{self.base}/courses/{self.context['id']}/lineitems"

    def lineitem_url(self, lineitem: str) -> str:
        return f"{self.lineitems_url}/{lineitem}/lineitem?type_id=1"  # a query, as Moodle has

    def use_tool(self, tool_base: str) -> None:
        """Register the tool on the platform (as an admin does in Canvas or Moodle)."""
        self.tool_login = tool_base + "/lti/login"
        self.tool_launch = tool_base + "/lti/launch"
        self.tool_jwks = tool_base + "/lti/jwks"

    def register_in(self, store: Store, **changes: str) -> registration.Platform:
        """Register this platform in the tool (`annotations lti register`)."""
        values = {"issuer": self.issuer, "client_id": self.client_id,
                  "auth_url": self.auth_url, "token_url": self.token_url,
                  "jwks_url": self.jwks_url, **changes}
        return registration.register(store, values["issuer"], values["client_id"],
                                     [self.deployment_id], values["auth_url"],
                                     values["token_url"], values["jwks_url"])

    def add_user(self, sub: str, name: str, email: str, role: str) -> User:
        self.users[sub] = User(sub, name, email, role)
        return self.users[sub]

    def instructor_teaching(self, store: Store, seminar: str, sub: str = "t1",
                            name: str = "Olga Teacher") -> int:
        """The course's instructor `sub`, with the account a first launch makes, teaching
        `seminar` in the tool (made as the app's seminar form makes it): their user id."""
        self.add_user(sub, name, f"{sub}@example.edu", self.INSTRUCTOR)
        uid = admission.account_for(store, self.issuer, sub, name=name)
        roles.create_seminar_as(store, uid, seminar, "History", seminar.upper() + "01")
        return uid

    def add_link(self, title: str, custom: dict[str, str] | None = None,
                 score_maximum: float = 100) -> str:
        """A resource link in the course with a gradebook column; returns its id."""
        link_id = f"link-{len(self.links) + 1}"
        item = self._add_lineitem(title, score_maximum, link_id)
        self.links[link_id] = Link(link_id, title, dict(custom or {}), item)
        return link_id

    def _add_lineitem(self, label: str, score_maximum: float, link_id: str) -> str:
        item = str(len(self.lineitems) + 1)
        self.lineitems[item] = {"id": self.lineitem_url(item), "label": label,
                                "scoreMaximum": score_maximum, "resourceLinkId": link_id}
        self.gradebook[item] = {}
        return item

    def scores(self, link: str) -> dict[str, dict[str, Any]]:
        """The gradebook column of a resource link: each student's (sub's) last score."""
        return self.gradebook[self.links[link].lineitem]

    # ---------------------------------------------------------------- launching
    def launch_url(self, sub: str, link: str, role: str | None = None) -> str:
        """Where a browser starts a launch of `link` as user `sub` (their course role
        unless `role` is given): third-party initiated login at the tool."""
        if role is not None:
            self.users[sub].role = role
        return self._initiate(sub, {"type": "LtiResourceLinkRequest", "link": link})

    def deep_link_url(self, sub: str) -> str:
        """Where a browser starts the content picker (deep linking) as `sub`."""
        return self._initiate(sub, {"type": "LtiDeepLinkingRequest", "link": ""})

    def _initiate(self, sub: str, what: dict[str, str]) -> str:
        hint = secrets.token_urlsafe(8)
        self._hints[hint] = {**what, "sub": sub}
        return self.tool_login + "?" + urlencode({
            "iss": self.issuer, "login_hint": sub, "target_link_uri": self.tool_launch,
            "lti_message_hint": hint, "client_id": self.client_id,
            "lti_deployment_id": self.deployment_id})

    def claims(self, sub: str, message_type: str, link: str, nonce: str,
               **changes: Any) -> dict[str, Any]:
        """The id_token claims of a launch; `changes` replace claims (tests forge with it)."""
        user = self.users[sub]
        at = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer, "aud": self.client_id, "sub": sub, "iat": at,
            "exp": at + 300, "nonce": nonce, "name": user.name, "email": user.email,
            "given_name": user.name.split()[0], "family_name": user.name.split()[-1],
            LTI + "message_type": message_type, LTI + "version": "1.3.0",
            LTI + "deployment_id": self.deployment_id, LTI + "target_link_uri": self.tool_launch,
            LTI + "roles": [user.role], LTI + "context": self.context,
            "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice": {
                "context_memberships_url": self.memberships_url,
                "service_versions": ["2.0"]},
        }
        if message_type == "LtiResourceLinkRequest":
            found = self.links[link]
            claims[LTI + "resource_link"] = {"id": found.id, "title": found.title}
            claims[LTI + "custom"] = dict(found.custom)
            ags: dict[str, Any] = {"scope": [SCOPE_LINEITEM, SCOPE_SCORE, SCOPE_RESULT],
                                   "lineitems": self.lineitems_url}
            if found.lineitem:
                ags["lineitem"] = self.lineitem_url(found.lineitem)
            claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"] = ags
        else:
            claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"] = {
                "deep_link_return_url": self.base + "/deep_link_return",
                "accept_types": ["ltiResourceLink"], "accept_presentation_document_targets":
                    ["iframe", "window"], "accept_multiple": False, "data": "dl-opaque-1"}
        claims.update(changes)
        return claims

    def sign(self, claims: dict[str, Any], key: RSAKey | None = None) -> str:
        key = key or self.key
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    # ---------------------------------------------------------------- endpoints
    def routes(self) -> list[Route]:
        return [Route("/jwks", self._jwks), Route("/auth", self._auth, methods=["GET", "POST"]),
                Route("/token", self._token, methods=["POST"]),
                Route("/courses/{ctx}/memberships", self._memberships),
                Route("/courses/{ctx}/lineitems", self._lineitems),
                Route("/courses/{ctx}/lineitems/{item}/lineitem/scores", self._scores,
                      methods=["POST"]),
                Route("/deep_link_return", self._deep_link_return, methods=["POST"])]

    async def _jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [dict(self.key.as_dict(private=False))]})

    async def _auth(self, request: Request) -> Response:
        params = dict(request.query_params)
        expected = {"scope": "openid", "response_type": "id_token",
                    "response_mode": "form_post", "prompt": "none"}
        for name, value in expected.items():
            if params.get(name) != value:
                return _error(400, f"invalid_request: {name} must be {value}")
        if params.get("client_id") != self.client_id:
            return _error(400, "unauthorized_client: unknown client_id")
        if params.get("redirect_uri") != self.tool_launch:
            return _error(400, "invalid_request: redirect_uri is not registered")
        hint = self._hints.pop(params.get("lti_message_hint", ""), None)
        if hint is None or hint["sub"] != params.get("login_hint") or not params.get("nonce"):
            return _error(400, "invalid_request: login_hint or lti_message_hint")
        token = self.sign(self.claims(hint["sub"], hint["type"], hint["link"],
                                      params["nonce"]))
        return HTMLResponse(
            f'<!doctype html><form method="post" action="{html.escape(params["redirect_uri"])}">'
            f'<input type="hidden" name="id_token" value="{html.escape(token)}">'
            f'<input type="hidden" name="state" value="{html.escape(params.get("state", ""))}">'
            '</form><script>document.forms[0].submit()</script>')

    def _tool_claims(self, token: str) -> dict[str, Any]:
        """A JWT the tool signed, checked against the tool's JWKS URL (fetched now)."""
        keys = KeySet.import_key_set(httpx.get(self.tool_jwks, timeout=10).json())
        return dict(jwt.decode(token, keys, algorithms=["RS256"]).claims)

    async def _token(self, request: Request) -> Response:
        form = await request.form()
        if form.get("grant_type") != "client_credentials" \
                or form.get("client_assertion_type") != ASSERTION_TYPE:
            return _error(400, "unsupported_grant_type")
        try:
            claims = await _in_thread(self._tool_claims, str(form.get("client_assertion")))
        except JoseError:
            return _error(401, "invalid_client: the assertion's signature does not verify")
        if claims.get("iss") != self.client_id or claims.get("sub") != self.client_id \
                or claims.get("aud") != self.token_url or claims.get("exp", 0) < time.time():
            return _error(401, "invalid_client: bad iss, sub, aud or exp")
        granted = {SCOPE_LINEITEM, SCOPE_SCORE, SCOPE_RESULT, SCOPE_NRPS}
        scopes = set(str(form.get("scope") or "").split())
        if not scopes or not scopes <= granted:
            return _error(400, "invalid_scope")
        token = secrets.token_urlsafe(16)
        self.tokens[token] = scopes
        return JSONResponse({"access_token": token, "token_type": "Bearer",
                             "expires_in": 3600, "scope": " ".join(sorted(scopes))})

    def _authorised(self, request: Request, scope: str) -> bool:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        return scheme == "Bearer" and scope in self.tokens.get(token, set())

    async def _memberships(self, request: Request) -> Response:
        if not self._authorised(request, SCOPE_NRPS):
            return _error(401, "invalid_token")
        members = list(self.users.values())
        page = int(request.query_params.get("page", "1"))
        start = (page - 1) * self.page_size
        shown = members[start:start + self.page_size]
        headers = {}
        if start + self.page_size < len(members):
            headers["Link"] = f'<{self.memberships_url}?page={page + 1}>; rel="next"'
        body = {"id": f"{self.memberships_url}?page={page}", "context": self.context,
                "members": [{"user_id": u.sub, "name": u.name, "email": u.email,
                             "roles": [u.role], "status": u.status} for u in shown]}
        return Response(json.dumps(body), media_type=NRPS_TYPE, headers=headers)

    async def _lineitems(self, request: Request) -> Response:
        if not self._authorised(request, SCOPE_LINEITEM):
            return _error(401, "invalid_token")
        return JSONResponse(list(self.lineitems.values()))

    async def _scores(self, request: Request) -> Response:
        if not self._authorised(request, SCOPE_SCORE):
            return _error(401, "invalid_token")
        if request.headers.get("content-type") != SCORE_TYPE:
            return _error(415, f"scores are posted as {SCORE_TYPE}")
        item = request.path_params["item"]
        if item not in self.lineitems:
            return _error(404, "no such line item")
        score = json.loads(await request.body())
        missing = {"userId", "activityProgress", "gradingProgress", "timestamp"} - set(score)
        if missing:
            return _error(400, f"missing {sorted(missing)}")
        if score["userId"] not in self.users:
            return _error(422, f"user {score['userId']} is not enrolled in the course")
        self.gradebook[item][score["userId"]] = score
        return Response(status_code=204)

    async def _deep_link_return(self, request: Request) -> Response:
        form = await request.form()
        try:
            claims = await _in_thread(self._tool_claims, str(form.get("JWT")))
        except JoseError:
            return _error(401, "the deep linking response's signature does not verify")
        if claims.get("iss") != self.client_id or claims.get("aud") != self.issuer \
                or claims.get(LTI + "message_type") != "LtiDeepLinkingResponse" \
                or claims.get(LTI + "deployment_id") != self.deployment_id \
                or claims.get(LTI + "version") != "1.3.0" or not claims.get("nonce") \
                or claims.get("exp", 0) < time.time() \
                or claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/data") \
                != "dl-opaque-1":
            return _error(400, "bad deep linking response")
        items = claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/content_items", [])
        for it in items:
            self.deep_link_items.append(it)
            link_id = f"link-{len(self.links) + 1}"
            line = it.get("lineItem") or {}
            item = self._add_lineitem(line.get("label", it.get("title", "")),
                                      line.get("scoreMaximum", 100), link_id) if line else ""
            self.links[link_id] = Link(link_id, it.get("title", ""), dict(it.get("custom", {})),
                                       item)
        return HTMLResponse("<p>Content added to the course.</p>")


def _error(status: int, message: str) -> Response:
    return JSONResponse({"error": message.split(":")[0], "error_description": message},
                        status_code=status)


async def _in_thread(fn: Any, *args: Any) -> Any:
    return await asyncio.to_thread(fn, *args)
