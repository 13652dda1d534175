"""A tiny OpenID Connect provider for tests: one user, no login form, real RS256 tokens.

It speaks just enough of the authorization-code flow for Streamlit's `st.login`
(Authlib underneath): discovery, `/authorize` (redirects straight back with a
code, remembering the nonce), `/token` (checks the client and the code, returns
an id_token signed with a fresh RSA key), `/jwks` and `/userinfo`. It listens on
127.0.0.1 on a free port, in a daemon thread, for the length of a `with` block.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

from joserfc import jwt
from joserfc.jwk import RSAKey


class OidcProvider:
    """`with OidcProvider({...claims...}) as idp:` then `idp.secrets_toml()` for the app."""

    def __init__(self, claims: dict[str, Any], client_id: str = "seminar-app",
                 client_secret: str | None = None) -> None:
        self.claims = dict(claims)
        self.client_id = client_id
        self.client_secret = client_secret or secrets.token_urlsafe(16)
        self.key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"},
                                       auto_kid=True)
        self.codes: dict[str, dict[str, str]] = {}  # code -> nonce, redirect_uri
        self.tokens: set[str] = set()
        self.requests: list[str] = []  # paths served, for assertions
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> OidcProvider:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def metadata(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                      "client_secret_post"],
        }

    def secrets_toml(self, cookie_secret: str | None = None) -> str:
        """The app's `[auth]` section; Streamlit fills `{port}` with its server port."""
        return (
            "[auth]\n"
            'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            f'cookie_secret = "{cookie_secret or secrets.token_urlsafe(32)}"\n'
            f'client_id = "{self.client_id}"\n'
            f'client_secret = "{self.client_secret}"\n'
            f'server_metadata_url = "{self.issuer}/.well-known/openid-configuration"\n'
        )

    def id_token(self, nonce: str) -> str:
        t = int(time.time())
        payload = {**self.claims, "iss": self.issuer, "aud": self.client_id, "iat": t,
                   "exp": t + 300, "auth_time": t, "nonce": nonce}
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, payload, self.key)

    def _client_ok(self, headers: Any, form: dict[str, str]) -> bool:
        auth = headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            return (user, password) == (self.client_id, self.client_secret)
        return (form.get("client_id"), form.get("client_secret")) == (
            self.client_id, self.client_secret)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return None

            def _json(self, body: dict[str, Any], status: int = 200) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(url.query).items()}
                idp.requests.append(url.path)
                if url.path == "/.well-known/openid-configuration":
                    self._json(idp.metadata())
                elif url.path == "/jwks":
                    self._json({"keys": [idp.key.as_dict(private=False)]})
                elif url.path == "/authorize":
                    if (q.get("client_id") != idp.client_id or q.get("response_type") != "code"
                            or not q.get("redirect_uri")):
                        self._json({"error": "invalid_request"}, 400)
                        return
                    code = secrets.token_urlsafe(16)
                    idp.codes[code] = {"nonce": q.get("nonce", ""),
                                       "redirect_uri": q["redirect_uri"]}
                    back = {"code": code, **({"state": q["state"]} if "state" in q else {})}
                    self.send_response(302)
                    self.send_header("Location", f"{q['redirect_uri']}?{urlencode(back)}")
                    self.end_headers()
                elif url.path == "/userinfo":
                    bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if bearer not in idp.tokens:
                        self._json({"error": "invalid_token"}, 401)
                        return
                    self._json(idp.claims)
                else:
                    self._json({"error": "not_found"}, 404)

            def do_POST(self) -> None:
                idp.requests.append(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if self.path != "/token":
                    self._json({"error": "not_found"}, 404)
                    return
                if not idp._client_ok(self.headers, form):
                    self._json({"error": "invalid_client"}, 401)
                    return
                grant = idp.codes.pop(form.get("code", ""), None)  # a code works once
                if (form.get("grant_type") != "authorization_code" or grant is None
                        or grant["redirect_uri"] != form.get("redirect_uri")):
                    self._json({"error": "invalid_grant"}, 400)
                    return
                access = secrets.token_urlsafe(24)
                idp.tokens.add(access)
                self._json({"access_token": access, "token_type": "Bearer",
                            "expires_in": 300, "scope": "openid email profile",
                            "id_token": idp.id_token(grant["nonce"])})

        return Handler
