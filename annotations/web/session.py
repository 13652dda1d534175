"""The session cookie: set and cleared by HTTP responses, since a websocket cannot set one.

After a sign-in (or a guest's join) the page asks `issue_ticket` for a one-time
ticket valid for `TICKET_LIFETIME` and has the browser fetch
`/session/start?ticket=…`; the response sets `COOKIE` (HttpOnly, SameSite=Lax,
Secure under https) to the opaque session token and its expiry. Every page
load reads the cookie (`st.context.cookies`) and resolves the token against the
database. Sign-out revokes the token server-side first, then the browser
fetches `/session/end`, which clears the cookie.

Tickets live in this process's memory: `streamlit run` serves the page and
these routes from one process, and a ticket lasts a minute at most.
"""

from __future__ import annotations

import secrets
import threading
import time
from datetime import datetime

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from ..timeutil import now

COOKIE = "annotations_session"
TICKET_LIFETIME = 60.0  # seconds between the page issuing a ticket and the browser using it

_tickets: dict[str, tuple[str, datetime, float]] = {}
_lock = threading.Lock()


def issue_ticket(token: str, expires_at: datetime) -> str:
    """A one-time ticket the browser exchanges for a cookie holding `token`."""
    ticket = secrets.token_urlsafe(24)
    at = time.monotonic()
    with _lock:
        for old in [t for t, (_, _, made) in _tickets.items() if at - made > TICKET_LIFETIME]:
            del _tickets[old]
        _tickets[ticket] = (token, expires_at, at)
    return ticket


def _redeem(ticket: str) -> tuple[str, datetime] | None:
    with _lock:
        found = _tickets.pop(ticket, None)
    if found is None or time.monotonic() - found[2] > TICKET_LIFETIME:
        return None
    return found[0], found[1]


def same_origin(request: Request) -> bool:
    """Only the app's own page may start or end a session, or write with its cookie
    (no cross-site requests)."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site in ("same-origin", "none")
    origin = request.headers.get("origin")
    return origin is None or origin.split("://", 1)[-1] == request.headers.get("host")


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


async def _start(request: Request) -> Response:
    if not same_origin(request):
        return _no_store(PlainTextResponse("cross-site request refused", status_code=403))
    found = _redeem(request.query_params.get("ticket", ""))
    if found is None:
        return _no_store(PlainTextResponse(
            "this sign-in link is used up or expired: sign in again", status_code=400))
    token, expires_at = found
    response = _no_store(Response(status_code=204))
    response.set_cookie(
        COOKIE, token, max_age=max(0, int((expires_at - now()).total_seconds())),
        path="/", httponly=True, samesite="lax", secure=request.url.scheme == "https")
    return response


async def _end(request: Request) -> Response:
    if not same_origin(request):
        return _no_store(PlainTextResponse("cross-site request refused", status_code=403))
    response = _no_store(Response(status_code=204))
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="lax",
                           secure=request.url.scheme == "https")
    return response


def routes() -> list[BaseRoute]:
    return [Route("/session/start", _start, methods=["POST"]),
            Route("/session/end", _end, methods=["POST"])]
