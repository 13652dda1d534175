"""The HTTP side of the app: Starlette routes and middleware served next to Streamlit by `st.App`.

`app.py` hands `routes()` and `middleware()` to `st.App`. Each concern keeps its
routes in its own module here and is listed once below, so adding one (sessions,
live updates) touches only its module and this list. No Streamlit page code
lives here, and no rule: handlers call the library and turn its answer into an
HTTP response.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Route

from . import api, live, lti, session


async def _health(request: Request) -> PlainTextResponse:
    """Liveness of the app's own routes (Streamlit's is /_stcore/health)."""
    return PlainTextResponse("ok")


def routes() -> list[BaseRoute]:
    """Every route the app serves besides Streamlit's own."""
    return [Route("/api/health", _health, methods=["GET"]), *session.routes(),
            *live.routes(), *api.routes(), *lti.routes()]


def middleware() -> list[Middleware]:
    """Middleware run before Streamlit's own, outermost first."""
    return []
