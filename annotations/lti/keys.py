"""The tool's RSA key: signs its messages to platforms (deep linking, token requests).

Made on first use and kept in the database, so every app process behind one
database signs with the same key and publishes the same JWKS. Should two
processes make one at the same moment, both keys are published and the older
signs: nothing a platform already fetched stops verifying.
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from sqlalchemy import select

from ..db.engine import Store
from ..db.models import LtiKey
from ..timeutil import now

ALGORITHM = "RS256"
KEY_BITS = 2048

_cache: dict[str, RSAKey] = {}
_lock = threading.Lock()


def _oldest(store: Store) -> LtiKey | None:
    with store.read() as session:
        return session.scalar(select(LtiKey).order_by(LtiKey.created_at, LtiKey.kid).limit(1))


def signing_key(store: Store) -> RSAKey:
    """The key the tool signs with (made and stored the first time it is asked for)."""
    url = str(store.engine.url)
    with _lock:
        if url in _cache:
            return _cache[url]
    row = _oldest(store)
    if row is None:
        kid = secrets.token_urlsafe(12)
        made = RSAKey.generate_key(KEY_BITS, parameters={"kid": kid, "alg": ALGORITHM,
                                                         "use": "sig"}, private=True)
        with store.transaction() as session:
            session.add(LtiKey(kid=kid, private_jwk=dict(made.as_dict(private=True)),
                               created_at=now()))
        row = _oldest(store)
        assert row is not None
    key = RSAKey.import_key(dict(row.private_jwk))  # type: ignore[arg-type]
    with _lock:
        _cache[url] = key
    return key


def public_jwks(store: Store) -> dict[str, Any]:
    """The tool's public keys as a JWKS document (`GET /lti/jwks`)."""
    signing_key(store)
    with store.read() as session:
        rows = list(session.scalars(select(LtiKey).order_by(LtiKey.created_at)))
    keys = [RSAKey.import_key(dict(r.private_jwk)).as_dict(private=False)  # type: ignore[arg-type]
            for r in rows]
    return {"keys": [dict(k) for k in keys]}


def sign(store: Store, claims: dict[str, Any]) -> str:
    """A JWT with `claims`, signed RS256 by the tool's key, naming its kid."""
    key = signing_key(store)
    return jwt.encode({"alg": ALGORITHM, "kid": key.kid}, claims, key, algorithms=[ALGORITHM])


def verify_own(store: Store, token: str) -> dict[str, Any]:
    """The claims of a JWT the tool signed itself (raises joserfc's errors otherwise)."""
    keys = KeySet.import_key_set(public_jwks(store))  # type: ignore[arg-type]
    return dict(jwt.decode(token, keys, algorithms=[ALGORITHM]).claims)
