"""LTI 1.3 routes: the platform's login initiation, the launch, deep linking, the tool's keys.

- `GET|POST /lti/login`: OIDC login initiation; redirects to the platform's
  auth endpoint and sets the state cookie.
- `POST /lti/launch`: the id_token (form_post). A resource link signs the user
  in (the `annotations_session` cookie, as a password sign-in would) and
  redirects (303) to the app on the linked seminar and document; a deep
  linking request shows the instructor's seminars to choose from.
- `POST /lti/deep-link`: the choice; answers with a form that posts the signed
  LtiDeepLinkingResponse back to the platform.
- `GET /lti/jwks`: the tool's public keys.

Cookies are SameSite=Lax under http (the tool and platform on one site, as in
tests) and SameSite=None; Secure under https, so they work in the platform's
iframe. Handlers only wire: `annotations.lti` decides.
"""

from __future__ import annotations

import asyncio
import html
from datetime import datetime
from typing import Literal
from urllib.parse import urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from .. import config
from ..errors import AnnotationsError, InvalidInput, NotFound, PermissionDenied
from ..lti import admission, deeplinking, keys, launch, services
from ..lti.urls import DEEP_LINK_PATH, JWKS_PATH, LAUNCH_PATH, LOGIN_PATH, tool_urls
from ..timeutil import now
from .live import store
from .session import COOKIE

STATE_COOKIE = "annotations_lti_state"
_NO_STORE = {"Cache-Control": "no-store"}


def _base(request: Request) -> str:
    return config.public_url() or str(request.base_url).rstrip("/")


def _secure(request: Request) -> bool:
    return _base(request).startswith("https://")


def _state_path(request: Request) -> str:
    """The state cookie's path: the LTI routes under the app's public path."""
    return urlsplit(_base(request)).path.rstrip("/") + "/lti/"


def _cookie(request: Request, response: Response, name: str, value: str, max_age: int,
            path: str = "/") -> None:
    secure = _secure(request)
    same: Literal["lax", "none"] = "none" if secure else "lax"
    response.set_cookie(name, value, max_age=max_age, path=path, httponly=True,
                        samesite=same, secure=secure)


# The LTI pages open inside the LMS (often in its frame): plain, readable, no script but
# the auto-submitting answer form, in the app's own typeface stack and colours.
_STYLE = ("body{font:16px/1.5 system-ui,sans-serif;color:#262730;margin:0}"
          "main{max-width:44rem;margin:2rem auto;padding:0 1rem}"
          "fieldset{border:1px solid #d6d6d9;border-radius:.5rem;margin:0 0 1rem;"
          "padding:.5rem 1rem}legend{font-weight:600;padding:0 .25rem}"
          "label{display:block;padding:.2rem 0}button{font:inherit;padding:.4rem 1rem;"
          "border-radius:.5rem;border:1px solid #9a3324;background:#9a3324;color:#fff}")


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{html.escape(title)}</title><style>{_STYLE}</style></head>'
        f'<body><main><h1>{html.escape(title)}</h1>{body}</main></body></html>',
        status_code=status, headers=_NO_STORE)


def _refusal(exc: AnnotationsError) -> HTMLResponse:
    status = exc.status if isinstance(exc, launch.LtiRejected) else (
        404 if isinstance(exc, NotFound) else 403 if isinstance(exc, PermissionDenied)
        else 502 if isinstance(exc, services.PlatformUnreachable) else 400)
    return _page("The tool could not be opened", f"<p>{html.escape(str(exc))}</p>", status)


async def _params(request: Request) -> dict[str, str]:
    if request.method == "POST":
        form = await request.form()
        return {k: str(v) for k, v in form.items()}
    return dict(request.query_params)


async def login(request: Request) -> Response:
    params = await _params(request)
    try:
        found = await asyncio.to_thread(launch.login, store(), params,
                                        tool_urls(_base(request)).launch)
    except AnnotationsError as exc:
        return _refusal(exc)
    response = RedirectResponse(found.url, status_code=302, headers=_NO_STORE)
    _cookie(request, response, STATE_COOKIE, found.state,
            int(launch.STATE_LIFETIME.total_seconds()), path=_state_path(request))
    return response


def _signed_in(request: Request, response: Response, token: str, expires_at: datetime) -> None:
    _cookie(request, response, COOKIE, token, max(0, int((expires_at - now()).total_seconds())))
    response.delete_cookie(STATE_COOKIE, path=_state_path(request))


def app_url(base: str, seminar: str, document: str) -> str:
    """The app's page opened on the seminar (and document): what the UI reads on load."""
    query = {"seminar": seminar, **({"document": document} if document else {})}
    return f"{base}/?{urlencode(query)}"


async def launch_route(request: Request) -> Response:
    form = await request.form()
    try:
        found = await asyncio.to_thread(
            launch.verify, store(), str(form.get("id_token") or ""),
            str(form.get("state") or ""), request.cookies.get(STATE_COOKIE, ""))
        if found.message_type == launch.DEEP_LINKING_REQUEST:
            return await _chooser(request, found)
        admitted = await asyncio.to_thread(admission.admit, store(), found)
    except AnnotationsError as exc:
        return _refusal(exc)
    response = RedirectResponse(app_url(_base(request), admitted.seminar, admitted.document),
                                status_code=303, headers=_NO_STORE)
    _signed_in(request, response, admitted.sign_in.token, admitted.sign_in.expires_at)
    return response


async def _chooser(request: Request, found: launch.Launch) -> Response:
    signed, taught = await asyncio.to_thread(admission.sign_in_staff, store(), found)
    offered = await asyncio.to_thread(deeplinking.choices, store(), taught)
    offered.append(await asyncio.to_thread(deeplinking.new_seminar_choice, store(),
                                           found.context_title or found.context_id))
    pending = await asyncio.to_thread(deeplinking.pending, store(), found, signed.user.id)
    options = "".join(
        f'<fieldset><legend>{html.escape(c.title)}</legend>'
        + _option(c.seminar, "", "The seminar's page")
        + "".join(_option(c.seminar, d, t) for d, t in c.documents) + "</fieldset>"
        for c in offered)
    action = html.escape(_base(request) + DEEP_LINK_PATH)
    body = (f'<p>Choose what this link opens.</p><form method="post" action="{action}">'
            f'<input type="hidden" name="request" value="{html.escape(pending)}">{options}'
            '<button type="submit">Link it</button></form>')
    response = _page("Link a seminar", body)
    _signed_in(request, response, signed.token, signed.expires_at)
    return response


def _option(seminar: str, document: str, label: str) -> str:
    value = html.escape(f"{seminar}/{document}")  # ids are slugs: never a "/" inside
    return (f'<label><input type="radio" name="choice" value="{value}" required> '
            f'{html.escape(label)}</label>')


async def deep_link(request: Request) -> Response:
    form = await request.form()
    seminar, _, document = str(form.get("choice") or "").partition("/")
    try:
        if not seminar:
            raise InvalidInput("choose a seminar or one of its documents")
        answer = await asyncio.to_thread(deeplinking.respond, store(),
                                         str(form.get("request") or ""), seminar, document,
                                         tool_urls(_base(request)).launch)
    except AnnotationsError as exc:
        return _refusal(exc)
    body = (f'<form method="post" action="{html.escape(answer.return_url)}">'
            f'<input type="hidden" name="JWT" value="{html.escape(answer.jwt)}">'
            '<noscript><button type="submit">Return to the course</button></noscript></form>'
            '<script>document.forms[0].submit()</script>')
    return _page("Returning to the course", body)


async def jwks(request: Request) -> Response:
    found = await asyncio.to_thread(keys.public_jwks, store())
    return JSONResponse(found, headers={"Cache-Control": "public, max-age=300"})


def routes() -> list[BaseRoute]:
    return [Route(LOGIN_PATH, login, methods=["GET", "POST"]),
            Route(LAUNCH_PATH, launch_route, methods=["POST"]),
            Route(DEEP_LINK_PATH, deep_link, methods=["POST"]),
            Route(JWKS_PATH, jwks, methods=["GET"])]
