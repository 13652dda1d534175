"""Registered platforms: which LMS may launch the tool, and where its endpoints are.

An LMS admin registers the tool on the platform first (README, "LMS (LTI 1.3)"),
then copies what the platform shows into `annotations lti register`. A launch
from an issuer/client id pair not registered here is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import audit
from ..db.engine import Store
from ..db.models import LtiPlatform
from ..errors import InvalidInput, NotFound
from ..timeutil import now


@dataclass(frozen=True)
class Platform:
    id: int
    issuer: str
    client_id: str
    deployment_ids: tuple[str, ...]
    auth_url: str
    token_url: str
    jwks_url: str


def _view(row: LtiPlatform) -> Platform:
    return Platform(row.id, row.issuer, row.client_id, tuple(row.deployment_ids),
                    row.auth_url, row.token_url, row.jwks_url)


def _url(value: str, what: str) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise InvalidInput(f"{what} {value[:200]!r} is not an http(s) URL: copy it from the "
                           "platform's tool registration")
    return value


def register(store: Store, issuer: str, client_id: str, deployment_ids: list[str],
             auth_url: str, token_url: str, jwks_url: str) -> Platform:
    """Register a platform, or update one with the same issuer and client id.

    Deployment ids add to those already registered (a platform installs the
    tool once per course or account, each with its own id).
    """
    issuer, client_id = issuer.strip(), client_id.strip()
    if not issuer or not client_id:
        raise InvalidInput("the issuer and the client id are both needed: the platform shows "
                           "them after you register the tool there")
    deployments = [d.strip() for d in deployment_ids if d.strip()]
    if not deployments:
        raise InvalidInput("at least one deployment id is needed: the platform shows it after "
                           "the tool is installed (deployed)")
    urls = (_url(auth_url, "auth URL"), _url(token_url, "token URL"),
            _url(jwks_url, "JWKS URL"))
    with store.transaction() as session:
        row = session.scalar(select(LtiPlatform).where(
            LtiPlatform.issuer == issuer, LtiPlatform.client_id == client_id))
        if row is None:
            row = LtiPlatform(issuer=issuer, client_id=client_id, deployment_ids=[],
                              created_at=now())
            session.add(row)
        row.deployment_ids = sorted({*row.deployment_ids, *deployments})
        row.auth_url, row.token_url, row.jwks_url = urls
        session.flush()
        audit.record(session, "console", "lti.register", None, issuer,
                     {"client_id": client_id, "deployments": row.deployment_ids})
        return _view(row)


def platforms(store: Store) -> list[Platform]:
    with store.read() as session:
        return [_view(r) for r in session.scalars(select(LtiPlatform).order_by(LtiPlatform.id))]


def remove(store: Store, platform_id: int) -> Platform:
    """Forget a platform: its launches stop working; accounts and seminars stay."""
    with store.transaction() as session:
        row = session.get(LtiPlatform, platform_id)
        if row is None:
            raise NotFound(f"no platform {platform_id}: `annotations lti list` shows the ids")
        found = _view(row)
        session.delete(row)
        audit.record(session, "console", "lti.remove", None, found.issuer,
                     {"client_id": found.client_id})
        return found


def find(session: Session, issuer: str, client_id: str | None = None) -> Platform | None:
    """The platform with this issuer (and client id, when the request names one).

    Without a client id the issuer must be registered once only: with several
    registrations the platform has to say which one it means.
    """
    q = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id:
        q = q.where(LtiPlatform.client_id == client_id)
    rows = list(session.scalars(q.limit(2)))
    return _view(rows[0]) if len(rows) == 1 else None


def by_issuer(session: Session, issuer: str) -> list[Platform]:
    """Every registration of an issuer (one per client id the platform gave the tool)."""
    return [_view(r) for r in session.scalars(
        select(LtiPlatform).where(LtiPlatform.issuer == issuer).order_by(LtiPlatform.id))]


def get(session: Session, platform_id: int) -> Platform:
    row = session.get(LtiPlatform, platform_id)
    if row is None:
        raise NotFound(f"no platform {platform_id}")
    return _view(row)
