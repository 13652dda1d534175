"""The OIDC third-party login and the id_token a platform launches the tool with.

`login` answers the platform's login initiation: it keeps a fresh state and
nonce in the database (any app process may receive the launch) and says where
to send the browser. `verify` checks the id_token the browser then posts:
signature against the platform's keys, issuer, audience, times, the one-time
state and nonce, the deployment, the message type and the LTI version. Each
refusal is an `LtiRejected` naming what was wrong.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from joserfc import jws, jwt
from joserfc.errors import BadSignatureError, JoseError
from sqlalchemy import delete

from ..db.engine import Store
from ..db.models import LtiLoginState
from ..errors import AnnotationsError
from ..timeutil import now
from . import (
    AGS,
    CONTEXT,
    CUSTOM,
    DEEP_LINKING_REQUEST,
    DEEP_LINKING_SETTINGS,
    DEPLOYMENT_ID,
    LTI_VERSION,
    MESSAGE_TYPE,
    NRPS,
    RESOURCE_LINK,
    RESOURCE_LINK_REQUEST,
    ROLES,
    VERSION,
    registration,
    services,
)
from .registration import Platform

STATE_LIFETIME = timedelta(minutes=10)  # from login initiation to the launch
LEEWAY = 60  # seconds of clock difference allowed on exp and iat
ALGORITHMS = ["RS256"]


class LtiRejected(AnnotationsError):
    """A login or launch the tool refuses; `status` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class LoginRedirect:
    url: str  # the platform's auth endpoint with the OIDC request
    state: str  # also set as a cookie: the launch must come back to the same browser


@dataclass(frozen=True)
class Launch:
    """A verified launch: who, from where, in which course and link, with which services."""

    platform: Platform
    message_type: str
    subject: str
    deployment_id: str
    roles: tuple[str, ...]
    name: str
    email: str
    context_id: str
    context_title: str
    resource_link_id: str
    custom: dict[str, str]
    memberships_url: str
    lineitem_url: str
    ags_scopes: tuple[str, ...]
    deep_linking: dict[str, Any] = field(default_factory=dict)


def login(store: Store, params: Mapping[str, str], redirect_uri: str) -> LoginRedirect:
    """The OIDC authentication request for a platform's login initiation."""
    issuer = params.get("iss", "").strip()
    hint = params.get("login_hint", "").strip()
    if not issuer or not hint or not params.get("target_link_uri", "").strip():
        raise LtiRejected("a login initiation needs iss, login_hint and target_link_uri: "
                          "start the tool from the learning platform")
    with store.read() as session:
        platform = registration.find(session, issuer, params.get("client_id", "").strip())
    if platform is None:
        raise LtiRejected(f"the platform {issuer[:200]!r} is not registered with this tool: "
                          "an administrator adds it with `annotations lti register`")
    state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
    at = now()
    with store.transaction() as session:
        session.execute(delete(LtiLoginState).where(LtiLoginState.expires_at <= at))
        session.add(LtiLoginState(state=state, nonce=nonce, platform_id=platform.id,
                                  expires_at=at + STATE_LIFETIME))
    query = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post",
             "prompt": "none", "client_id": platform.client_id, "redirect_uri": redirect_uri,
             "login_hint": hint, "state": state, "nonce": nonce}
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    joiner = "&" if "?" in platform.auth_url else "?"
    return LoginRedirect(f"{platform.auth_url}{joiner}{urlencode(query)}", state)


def _unverified(id_token: str) -> dict[str, Any]:
    """The claims before the signature is checked: only to find which platform's keys to use."""
    try:
        claims = json.loads(jws.extract_compact(id_token.encode("ascii")).payload or b"")
    except (JoseError, ValueError, UnicodeError):
        raise LtiRejected("the id_token is not a JWT: start the tool from the platform again") \
            from None
    if not isinstance(claims, dict):
        raise LtiRejected("the id_token's payload is not a JSON object")
    return claims


def _audiences(claims: Mapping[str, Any]) -> list[str]:
    aud = claims.get("aud")
    return [aud] if isinstance(aud, str) else [str(a) for a in aud or []]


def _platform(store: Store, claims: Mapping[str, Any]) -> Platform:
    """The registered platform the token claims to come from, for the audience it names."""
    issuer = str(claims.get("iss") or "")
    with store.read() as session:
        known = registration.by_issuer(session, issuer)
    if not known:
        raise LtiRejected(f"the issuer {issuer[:200]!r} is not a registered platform: an "
                          "administrator adds it with `annotations lti register`", 403)
    audiences = _audiences(claims)
    matching = [p for p in known if p.client_id in audiences]
    if not matching:
        raise LtiRejected(f"the id_token is for audience {audiences!r}, not this tool's client "
                          f"id on {issuer[:200]!r}", 401)
    platform = matching[0]
    azp = claims.get("azp")
    if (len(audiences) > 1 or azp is not None) and azp != platform.client_id:
        raise LtiRejected("the id_token's azp (authorised party) is not this tool's client "
                          "id", 401)
    return platform


def _check_times(claims: Mapping[str, Any], at: float) -> None:
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or not isinstance(iat, int | float):
        raise LtiRejected("the id_token lacks exp or iat", 401)
    if exp + LEEWAY < at:
        raise LtiRejected("the id_token has expired: start the tool from the platform again",
                          401)
    if iat - LEEWAY > at:
        raise LtiRejected("the id_token was issued in the future: check the platform's clock",
                          401)


def _consume_state(store: Store, state: str, nonce: str, platform: Platform) -> None:
    """The login's state and nonce, used up now: a second launch with them is refused."""
    with store.transaction() as session:
        row = session.get(LtiLoginState, state)
        if row is not None:
            session.delete(row)
        fresh = row is not None and row.expires_at > now()
        ours = row is not None and row.platform_id == platform.id
        matches = row is not None and secrets.compare_digest(row.nonce, nonce)
    if not fresh or not ours:
        raise LtiRejected("this launch's state is unknown, used already or expired: start "
                          "the tool from the platform again", 400)
    if not matches:
        raise LtiRejected("the id_token's nonce does not match this login (a replayed "
                          "launch?): start the tool from the platform again", 400)


def verify(store: Store, id_token: str, state: str, cookie_state: str, *,
           at: float | None = None) -> Launch:
    """The launch an id_token carries, once every check passes (else LtiRejected)."""
    if not id_token:
        raise LtiRejected("no id_token was posted: start the tool from the platform")
    if not state or not cookie_state or not secrets.compare_digest(state, cookie_state):
        raise LtiRejected("the launch's state does not match this browser's login cookie: "
                          "start the tool from the platform again (if it keeps failing, "
                          "the browser blocks the tool's cookies in the platform's frame: "
                          "open the tool in a new window)", 400)
    platform = _platform(store, _unverified(id_token))
    try:
        kid = jws.extract_compact(id_token.encode("ascii")).headers().get("kid")
        keyset = services.platform_keys(platform.jwks_url, kid)
        claims = dict(jwt.decode(id_token, keyset, algorithms=ALGORITHMS).claims)
    except BadSignatureError:
        raise LtiRejected("the id_token's signature does not verify with the platform's "
                          "keys", 401) from None
    except JoseError as exc:
        raise LtiRejected(f"the id_token could not be verified ({exc.error}): check the "
                          "platform's registered JWKS URL", 401) from None
    _check_times(claims, time.time() if at is None else at)
    _consume_state(store, state, str(claims.get("nonce") or ""), platform)
    return _launch(platform, claims)


def _launch(platform: Platform, claims: dict[str, Any]) -> Launch:
    deployment = str(claims.get(DEPLOYMENT_ID) or "")
    if deployment not in platform.deployment_ids:
        raise LtiRejected(f"the deployment {deployment[:200]!r} is not registered for this "
                          "platform: an administrator adds it with `annotations lti register "
                          "--deployment-id`", 403)
    kind = claims.get(MESSAGE_TYPE)
    if kind not in (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST):
        raise LtiRejected(f"the message type {str(kind)[:80]!r} is not one this tool takes "
                          f"({RESOURCE_LINK_REQUEST} or {DEEP_LINKING_REQUEST})")
    if claims.get(VERSION) != LTI_VERSION:
        raise LtiRejected(f"the LTI version {str(claims.get(VERSION))[:20]!r} is not "
                          f"{LTI_VERSION}")
    subject = str(claims.get("sub") or "")
    if not subject:
        raise LtiRejected("the launch does not say who the user is (no sub): anonymous "
                          "launches cannot open a seminar", 403)
    link = claims.get(RESOURCE_LINK) or {}
    if kind == RESOURCE_LINK_REQUEST and not (isinstance(link, dict) and link.get("id")):
        raise LtiRejected("a resource link launch without a resource link id")
    context = claims.get(CONTEXT) or {}
    nrps = claims.get(NRPS) or {}
    ags = claims.get(AGS) or {}
    settings = claims.get(DEEP_LINKING_SETTINGS) or {}
    if kind == DEEP_LINKING_REQUEST and not (isinstance(settings, dict)
                                             and settings.get("deep_link_return_url")):
        raise LtiRejected("a deep linking request without deep_link_return_url")
    name = str(claims.get("name") or " ".join(
        str(claims.get(k) or "") for k in ("given_name", "family_name")).strip())
    custom = claims.get(CUSTOM) or {}
    return Launch(
        platform, str(kind), subject, deployment,
        tuple(str(r) for r in claims.get(ROLES) or []), name, str(claims.get("email") or ""),
        str(context.get("id") or "") if isinstance(context, dict) else "",
        str(context.get("title") or "") if isinstance(context, dict) else "",
        str(link.get("id") or "") if isinstance(link, dict) else "",
        {str(k): str(v) for k, v in custom.items()} if isinstance(custom, dict) else {},
        str(nrps.get("context_memberships_url") or "") if isinstance(nrps, dict) else "",
        str(ags.get("lineitem") or "") if isinstance(ags, dict) else "",
        tuple(str(s) for s in ags.get("scope") or []) if isinstance(ags, dict) else (),
        dict(settings) if isinstance(settings, dict) else {})
