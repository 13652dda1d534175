"""Calls from the tool to a platform: its keys, OAuth2 access tokens, service requests.

Every call has a timeout (`TIMEOUT`): a slow LMS makes a launch or a grade
sync fail with a message, never hang a page. Platform keys are cached for
`JWKS_TTL` and fetched again at once when a token names a key id not yet seen
(the platform rotated its key). Access tokens are cached until shortly before
they expire.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from typing import Any

import httpx
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from ..db.engine import Store
from ..errors import AnnotationsError
from . import keys
from .registration import Platform

TIMEOUT = httpx.Timeout(10.0, connect=5.0)
JWKS_TTL = 600.0  # seconds a platform's key set is trusted before it is fetched again
ASSERTION_LIFETIME = 300  # seconds a client assertion is valid
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

_lock = threading.Lock()
_jwks: dict[str, tuple[KeySet, float]] = {}
_tokens: dict[tuple[str, str, str, str], tuple[str, float]] = {}


class PlatformUnreachable(AnnotationsError):
    """The platform did not answer, or answered with an error, a call the tool made."""


def client() -> httpx.Client:
    return httpx.Client(timeout=TIMEOUT, follow_redirects=False)


def _fetch_jwks(url: str) -> KeySet:
    try:
        with client() as http:
            answer = http.get(url, headers={"Accept": "application/json"})
            answer.raise_for_status()
            return KeySet.import_key_set(answer.json())
    except (httpx.HTTPError, ValueError, JoseError) as exc:
        raise PlatformUnreachable(f"the platform's keys at {url} could not be read "
                                  f"({type(exc).__name__}): try again, or check the "
                                  "registered JWKS URL") from None


def platform_keys(url: str, kid: str | None) -> KeySet:
    """The platform's key set, fetched again when stale or when it lacks `kid`."""
    with _lock:
        cached = _jwks.get(url)
    if cached is not None and time.monotonic() - cached[1] < JWKS_TTL and (
            kid is None or any(k.kid == kid for k in cached[0].keys)):
        return cached[0]
    found = _fetch_jwks(url)
    with _lock:
        _jwks[url] = (found, time.monotonic())
    return found


def access_token(store: Store, platform: Platform, scopes: list[str]) -> str:
    """An OAuth2 token for `scopes`, got with a JWT signed by the tool (client credentials)."""
    scope = " ".join(sorted(scopes))
    slot = (platform.issuer, platform.client_id, platform.token_url, scope)
    with _lock:
        cached = _tokens.get(slot)
    if cached is not None and time.monotonic() < cached[1]:
        return cached[0]
    at = int(time.time())
    assertion = keys.sign(store, {
        "iss": platform.client_id, "sub": platform.client_id, "aud": platform.token_url,
        "iat": at, "exp": at + ASSERTION_LIFETIME, "jti": secrets.token_urlsafe(16)})
    try:
        with client() as http:
            answer = http.post(platform.token_url, data={
                "grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": assertion, "scope": scope})
        body = answer.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise PlatformUnreachable(f"the platform's token endpoint {platform.token_url} did not "
                                  f"answer ({type(exc).__name__}): try again later") from None
    if answer.status_code != 200 or not isinstance(body, dict) or "access_token" not in body:
        raise PlatformUnreachable(
            f"the platform refused an access token ({answer.status_code}: "
            f"{_said(body)}): check that the tool has the services' scopes on the platform")
    token = str(body["access_token"])
    lifetime = float(body.get("expires_in") or 3600)
    with _lock:
        _tokens[slot] = (token, time.monotonic() + max(0.0, lifetime - 30))
    return token


def _said(body: Any) -> str:
    """What a platform's error answer says, short."""
    if isinstance(body, dict):
        return str(body.get("error_description") or body.get("error") or body)[:300]
    return str(body)[:300]


def call(method: str, url: str, token: str, *, accept: str, payload: Any = None,
         content_type: str = "") -> httpx.Response:
    """One service request with the bearer token; the caller judges the answer."""
    headers = {"Authorization": f"Bearer {token}", "Accept": accept}
    if content_type:
        headers["Content-Type"] = content_type
    try:
        with client() as http:
            body = None if payload is None else json.dumps(payload).encode("utf-8")
            return http.request(method, url, headers=headers, content=body)
    except httpx.HTTPError as exc:
        raise PlatformUnreachable(f"the platform at {url} did not answer "
                                  f"({type(exc).__name__}): try again later") from None


def said(answer: httpx.Response) -> str:
    """The platform's message in an error answer (JSON or text), short."""
    try:
        return _said(answer.json())
    except ValueError:
        return answer.text[:300]
