"""Live updates over HTTP: a Server-Sent Events stream per seminar, and a poll for fallback.

`GET /live/{seminar}?t=<token>` streams `revision` events (the seminar's
revision number, first the current one, then each newer one) and a
`heartbeat` event with the current number when nothing happened;
`GET /live/{seminar}/revision?t=<token>` answers the number once, for pages
whose network drops the stream.
`GET /live/{seminar}/highlights?t=<token>&document=<id>&colour_by=<mode>
&limit=<n>&selected=<id>&have=<revision>&seen_as=<class>` answers what the
token's reader sees of a document now (`highlights.for_reader`, the same
drawing the page is built from), so a page redraws a classmate's change in
place: the highlights (only those changed since `have` when this process still
has that drawing for the same readers, `seen_as`), and what a side panel
showing `limit` entries and `selected` lists of them (fingerprints, count).
The token comes from the page (`live.subscription`); every route refuses (403)
a token that is forged, expired, for another seminar, or whose holder may no
longer read the seminar.

`POST /live/{seminar}/annotations` saves a Quick-code selection straight from
the highlighter, without a Streamlit run: JSON `{id, document, start, end,
quote, perspective, codes}`, the writer being the holder of the session cookie
(`guests.session_writer`, decided as a page load decides), from the app's own
page only (`session.same_origin`). It goes through `annotation.create_annotation`
as the page's saves do (offsets against the current text, the codebook, the
permission map, the audit log, the revision bump that reaches every page), and
the client's `id` makes a retry store once. It answers the stored annotation's
`id`, `start`, `end` and a `revision` that includes it, or `{"error": message}`
with 400 (input), 401 (no session), 403 (not a writer here, or cross-site), 404
(no such document) or 415 (not JSON).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from functools import cache

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from .. import config, guests, highlights, live
from ..accounts import AuthenticationFailed
from ..annotation import create_annotation
from ..db.engine import Store
from ..errors import AnnotationsError, InvalidInput, NotFound, PermissionDenied
from .session import COOKIE, same_origin

STREAM_PATH = "/live/{seminar:int}"
POLL_PATH = "/live/{seminar:int}/revision"
HIGHLIGHTS_PATH = "/live/{seminar:int}/highlights"
SAVE_PATH = "/live/{seminar:int}/annotations"
RETRY_MS = 3000
_HEADERS = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}


@cache
def _store(url: str) -> Store:
    """The routes' own engine on the configured store (the page script opens its own)."""
    return Store.open(url, migrate=False)


def store() -> Store:
    return _store(config.database_url())


async def _authorised(request: Request) -> live.Subscription | None:
    sub = live.read_subscription(request.query_params.get("t", ""))
    if sub is None or sub.seminar != request.path_params["seminar"]:
        return None
    return sub if await asyncio.to_thread(live.may_follow, store(), sub) else None


def _refused() -> Response:
    return PlainTextResponse("not a reader of this seminar: reload the page", status_code=403,
                             headers=_HEADERS)


async def _events(sub: live.Subscription, heartbeat: float) -> AsyncIterator[str]:
    yield f"retry: {RETRY_MS}\n\n"
    s = store()
    live.ensure_listener(s)
    async for revision in live.HUB.follow(
        sub.seminar, lambda ids: live.current_revisions(s, ids), heartbeat
    ):
        if sub.expires <= time.time():
            return
        if revision is None:  # quiet: the current number, so a silent stream shows
            yield f"event: heartbeat\ndata: {live.HUB.latest(sub.seminar) or 0}\n\n"
        else:
            yield f"event: revision\ndata: {revision}\n\n"


async def stream(request: Request) -> Response:
    sub = await _authorised(request)
    if sub is None:
        return _refused()
    return StreamingResponse(_events(sub, live.HEARTBEAT_SECONDS), media_type="text/event-stream",
                             headers=_HEADERS)


async def poll(request: Request) -> Response:
    sub = await _authorised(request)
    if sub is None:
        return _refused()
    s = store()
    found = await asyncio.to_thread(live.current_revisions, s, [sub.seminar])
    revision = found.get(sub.seminar, 0)
    live.HUB.publish(sub.seminar, revision, stored=True)
    return JSONResponse({"revision": revision}, headers=_HEADERS)


def _drawing(sub: live.Subscription, query: Mapping[str, str]) -> Response:
    s = store()
    try:
        limit, have = int(query.get("limit", "0")), int(query.get("have", "-1"))
        drawn = highlights.for_reader(s, sub.seminar, query.get("document", ""),
                                      lambda session: live.reader(session, sub),
                                      query.get("colour_by", ""))
    except PermissionDenied:
        return _refused()
    except NotFound:
        return PlainTextResponse("no such document in this seminar: reload the page",
                                 status_code=404, headers=_HEADERS)
    except ValueError:
        return PlainTextResponse("limit and have must be whole numbers", status_code=400,
                                 headers=_HEADERS)
    if drawn is None:
        return _refused()
    # Only what changed since the page's own drawing, if it was drawn for the same readers.
    since = (highlights.earlier(s, drawn, sub.seminar, have)
             if query.get("seen_as") == drawn.seen_as else None)
    panel = json.dumps(drawn.panel(limit, query.get("selected", "")), ensure_ascii=False,
                       separators=(",", ":")).encode("utf-8")
    return Response(b'{"panel":' + panel + b"," + drawn.body(since)[1:],
                    media_type="application/json", headers=_HEADERS)


async def drawing(request: Request) -> Response:
    """Checked as the other routes are, with the reader's membership read in the same
    query as the drawing's revision (one thread hop, one read)."""
    sub = live.read_subscription(request.query_params.get("t", ""))
    if sub is None or sub.seminar != request.path_params["seminar"]:
        return _refused()
    return await asyncio.to_thread(_drawing, sub, dict(request.query_params))


def _failed(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status, headers=_HEADERS)


@dataclass(frozen=True)
class _Selection:
    """A Quick-code save as the highlighter sends it, typed (the library checks the rest)."""

    id: str
    document: str
    start: int
    end: int
    quote: str
    perspective: str
    codes: list[str]


def _selection(body: object) -> _Selection:
    if not isinstance(body, dict):
        raise InvalidInput("the save must be a JSON object")
    missing = [k for k in ("id", "document", "start", "end", "quote") if k not in body]
    if missing:
        raise InvalidInput(f"the save lacks {', '.join(missing)}")
    start, end, codes = body["start"], body["end"], body.get("codes") or []
    if not all(isinstance(x, int) and not isinstance(x, bool) for x in (start, end)):
        raise InvalidInput("start and end must be whole numbers")
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        raise InvalidInput("codes must be a list of code names")
    return _Selection(str(body["id"]), str(body["document"]), start, end, str(body["quote"]),
                      str(body.get("perspective") or ""), codes)


def _save(token: str, seminar_id: int, body: object) -> Response:
    s = store()
    try:
        sel = _selection(body)
        writer = guests.session_writer(s, token, seminar_id)
        saved = create_annotation(
            s, seminar=writer.seminar, document_id=sel.document, start=sel.start,
            end=sel.end, quote=sel.quote, annotator=writer.actor.name,
            perspective=sel.perspective, codes=sel.codes, annotation_id=sel.id)
    except AuthenticationFailed as e:
        return _failed(401, f"{e}, then select the passage again")
    except PermissionDenied as e:
        return _failed(403, str(e))
    except NotFound as e:
        return _failed(404, str(e))
    except AnnotationsError as e:
        return _failed(400, str(e))
    return JSONResponse({"id": saved.id, "start": saved.start, "end": saved.end,
                         "revision": live.HUB.latest(seminar_id) or 0}, headers=_HEADERS)


async def save(request: Request) -> Response:
    """A Quick-code save from the page's own highlighter, on the browser's session cookie."""
    if not same_origin(request):
        return _failed(403, "cross-site request refused")
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
        return _failed(415, "send the save as application/json")
    try:
        body = await request.json()
    except ValueError:
        return _failed(400, "the save is not valid JSON")
    token = request.cookies.get(COOKIE, "")
    if not token:
        return _failed(401, "you are not signed in (or you left): sign in or join again, "
                            "then select the passage again")
    return await asyncio.to_thread(_save, token, request.path_params["seminar"], body)


def routes() -> list[BaseRoute]:
    return [Route(POLL_PATH, poll, methods=["GET"]),
            Route(HIGHLIGHTS_PATH, drawing, methods=["GET"]),
            Route(SAVE_PATH, save, methods=["POST"]),
            Route(STREAM_PATH, stream, methods=["GET"])]
