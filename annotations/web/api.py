"""The open API: a read-only W3C Web Annotation Protocol server and CSV downloads.

Routes (every one takes `Authorization: Bearer <personal API token>`):

- `GET /api/seminars`: the seminars the token reads, with their container addresses
- `GET /api/seminars/{seminar}/annotations/`: the seminar's Annotation Container
  (`?page=N` one AnnotationPage, `&iris=1` its item addresses only)
- `GET /api/seminars/{seminar}/annotations/{uuid}`: one annotation or reply
- `GET /api/seminars/{seminar}/{annotations,replies,claims,framing}.csv`: downloads

Handlers only wire: the token (`api_tokens.verify`), what its owner may read
(`api_tokens.reader`), the representation (`protocol`, `downloads`). The
store calls run in a thread, as in `live.py`. An unknown seminar, one the token
does not reach and one its owner may no longer read all answer the same 404.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .. import api_tokens, downloads, protocol
from ..errors import AnnotationsError, NotFound
from .live import store

PREFIX = "/api/seminars"
CONTAINER_PATH = PREFIX + "/{seminar}/annotations/"
ITEM_PATH = PREFIX + "/{seminar}/annotations/{annotation}"
REALM = 'Bearer realm="annotations"'
_ALLOW = ", ".join(protocol.READ_METHODS)
_ALL_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]
_PRIVATE = {"Cache-Control": "private, no-cache"}
# Browser-based tools on other sites may read the API: the token travels in a header,
# never in a cookie, so allowing any origin gives a page nothing its token does not.
_CORS = {"Access-Control-Allow-Origin": "*",
         "Access-Control-Expose-Headers": "ETag, Link, Allow, Preference-Applied, Vary"}
_PREFLIGHT = {"Access-Control-Allow-Methods": _ALLOW,
              "Access-Control-Allow-Headers": "Authorization, Accept, Prefer, If-None-Match",
              "Access-Control-Max-Age": "600"}

Handler = Callable[[Request, api_tokens.Caller], Awaitable[Response]]


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"error": message}, status_code=status,
                        headers={**_PRIVATE, **(headers or {})})


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def guarded(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """Methods, then the token: OPTIONS answers anyone, writes are 405, reads need a token.

    Every answer carries the CORS headers; OPTIONS is also the CORS preflight.
    """

    async def endpoint(request: Request) -> Response:
        response = await answer(request)
        response.headers.update(_CORS)
        return response

    async def answer(request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": _ALLOW, **_PREFLIGHT})
        if request.method not in protocol.READ_METHODS:
            return _error(405, "the API is read-only: annotate in the app, or import with "
                               "`annotations import`", {"Allow": _ALLOW})
        token = _bearer(request)
        if token is None:
            return _error(401, "an API token is needed: send `Authorization: Bearer <token>` "
                               "(create one under My seminars → API tokens)",
                          {"WWW-Authenticate": REALM})
        try:
            caller = await asyncio.to_thread(api_tokens.verify, store(), token)
        except api_tokens.TokenRejected as exc:
            return _error(401, str(exc), {"WWW-Authenticate":
                                          f'{REALM}, error="invalid_token"'})
        try:
            return await handler(request, caller)
        except NotFound as exc:
            return _error(404, str(exc))
        except AnnotationsError as exc:  # a parameter the library refused
            return _error(400, str(exc))

    return endpoint


def _negotiated(request: Request, document: dict[str, Any], *, container: bool,
                extra: dict[str, str] | None = None) -> Response:
    """A JSON-LD representation with the protocol's headers, 304 or 406 where due."""
    vary = "Accept, Prefer, Authorization" if container else "Accept, Authorization"
    content_type = protocol.negotiate(request.headers.get("accept", ""))
    if content_type is None:
        return _error(406, f"this resource is served as {protocol.MEDIA_TYPE} or "
                           f"{protocol.PLAIN_JSON}", {"Vary": vary})
    content = protocol.body(document)
    tag = protocol.etag(content, content_type)
    types = [protocol.LDP_BASIC_CONTAINER, protocol.LDP_CONTAINER] if container \
        else [protocol.LDP_RESOURCE]
    links = [f'<{t}>; rel="type"' for t in types]
    if container:
        links.append(f'<{protocol.PROTOCOL_SPEC}>; rel="{protocol.CONSTRAINED_BY}"')
    headers = {**_PRIVATE, "ETag": tag, "Vary": vary, "Allow": _ALLOW,
               "Link": ", ".join(links), "Content-Location": str(document["id"]),
               **(extra or {})}
    return _answer(request, content, tag, headers, content_type)


def _answer(request: Request, content: bytes, tag: str, headers: dict[str, str],
            content_type: str) -> Response:
    """200 with the content (HEAD: its length only), or 304 when If-None-Match has the tag."""
    if protocol.not_modified(request.headers.get("if-none-match", ""), tag):
        return Response(status_code=304, headers=headers)
    if request.method == "HEAD":
        return Response(b"", media_type=content_type,
                        headers={**headers, "Content-Length": str(len(content))})
    return Response(content, headers=headers, media_type=content_type)


def _container_iri(request: Request, seminar: str) -> str:
    return str(request.url_for("api_container", seminar=seminar))


async def _read(request: Request, caller: api_tokens.Caller) -> protocol.Container:
    seminar = request.path_params["seminar"]
    _, rule = await asyncio.to_thread(api_tokens.reader, store(), caller, seminar)
    return await asyncio.to_thread(protocol.seminar_items, store(), seminar, rule,
                                   _container_iri(request, seminar),
                                   f"Annotations of seminar {seminar}")


async def container(request: Request, caller: api_tokens.Caller) -> Response:
    found = await _read(request, caller)
    page = request.query_params.get("page")
    iris = request.query_params.get("iris") == "1"
    if page is not None:
        try:
            document = found.page(int(page), iris)
        except (ValueError, IndexError):
            raise NotFound(f"no page {page!r}: pages run from 1 to {found.pages}") from None
        return _negotiated(request, document, container=False)
    prefer = protocol.preference(request.headers.get("prefer", ""))
    applied = {"Preference-Applied": "return=representation"} if prefer else {}
    return _negotiated(request, found.collection(prefer), container=True, extra=applied)


async def item(request: Request, caller: api_tokens.Caller) -> Response:
    found = await _read(request, caller)
    wanted = request.path_params["annotation"]
    served = found.item(wanted)
    if served is None:
        raise NotFound(f"no annotation {wanted!r} in this container")
    return _negotiated(request, served, container=False)


async def seminar_list(request: Request, caller: api_tokens.Caller) -> Response:
    slugs = await asyncio.to_thread(api_tokens.readable_seminars, store(), caller)
    listed = [{"seminar": s, "annotations": _container_iri(request, s),
               "downloads": {k: str(request.url_for("api_download", seminar=s, kind=k))
                             for k in downloads.KINDS}} for s in slugs]
    content = json.dumps({"seminars": listed}, ensure_ascii=False, indent=1).encode("utf-8")
    return Response(content, media_type=protocol.PLAIN_JSON,
                    headers={**_PRIVATE, "Vary": "Authorization"})


async def download(request: Request, caller: api_tokens.Caller) -> Response:
    seminar, kind = request.path_params["seminar"], request.path_params["kind"]
    _, rule = await asyncio.to_thread(api_tokens.reader, store(), caller, seminar)
    text = await asyncio.to_thread(downloads.download, store(), seminar, rule, kind,
                                   request.query_params.get("document", ""))
    content = text.encode("utf-8")
    tag = protocol.etag(content, "text/csv")
    headers = {**_PRIVATE, "ETag": tag, "Vary": "Authorization",
               "Content-Disposition": f'attachment; filename="{seminar}-{kind}.csv"'}
    return _answer(request, content, tag, headers, "text/csv; charset=utf-8")


def routes() -> list[BaseRoute]:
    return [
        Route(PREFIX, guarded(seminar_list), methods=_ALL_METHODS, name="api_seminars"),
        Route(CONTAINER_PATH, guarded(container), methods=_ALL_METHODS, name="api_container"),
        Route(PREFIX + "/{seminar}/{kind}.csv", guarded(download), methods=_ALL_METHODS,
              name="api_download"),
        Route(ITEM_PATH, guarded(item), methods=_ALL_METHODS, name="api_item"),
    ]
