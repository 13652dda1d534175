"""Assignment and Grade Services: the seminar's participation scores into the platform's gradebook.

The seminar's grading rule (`annotations.grading.grades`) gives each student a
grade out of the rule's points and a comment; `post_scores` sends them to every
gradebook column (line item) linked to the seminar, as `scoreGiven` out of
`scoreMaximum` (the platform scales the ratio to its column), under the
student's platform user id (the `sub` of their launches). A student who never
launched from that platform cannot be named there: their result says so. One
audit entry records what was sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import select

from .. import audit
from .. import seminar as seminars
from ..db.engine import Store
from ..db.models import LtiAccount, User
from ..errors import InvalidInput
from ..permissions import Action, Actor, require
from . import SCOPE_SCORE, links, services

SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


@dataclass(frozen=True)
class ScoreResult:
    username: str
    lineitem: str
    sent: bool
    message: str  # "" when sent; otherwise why not (the platform's words where it gave some)


def scores_url(lineitem: str) -> str:
    """`{lineitem}/scores`, keeping the line item's query string (Moodle puts one there)."""
    parts = urlsplit(lineitem)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def _subjects(store: Store, issuer: str, usernames: list[str]) -> dict[str, str]:
    with store.read() as session:
        rows = session.execute(select(User.username, LtiAccount.subject)
                               .join(LtiAccount, LtiAccount.user_id == User.id)
                               .where(LtiAccount.issuer == issuer,
                                      User.username.in_(usernames)))
        return {u: s for u, s in rows}


def _score(sub: str, given: float, maximum: float, comment: str, at: datetime
           ) -> dict[str, object]:
    return {"userId": sub, "scoreGiven": round(given, 4), "scoreMaximum": maximum,
            "comment": comment,
            "activityProgress": "Completed", "gradingProgress": "FullyGraded",
            "timestamp": at.astimezone(UTC).isoformat(timespec="milliseconds")
            .replace("+00:00", "Z")}


def reachable(store: Store, seminar: str, usernames: list[str]) -> dict[str, list[str]]:
    """For a preview before sending: each username's gradebook columns (line item URLs)
    that can name them; [] when none can (they never launched from that platform)."""
    out: dict[str, list[str]] = {u: [] for u in usernames}
    for link in links.lineitems(store, seminar):
        for username in _subjects(store, link.platform.issuer, usernames):
            out[username].append(link.lineitem_url)
    return out


Score = tuple[str, float, float, str]  # username, score given, score maximum, comment


def post_scores(store: Store, seminar: str, scores: Iterable[Score], *,
                actor: Actor, at: datetime | None = None) -> list[ScoreResult]:
    """Send each (username, given, maximum, comment) to every gradebook column of the seminar.

    Instructors of the seminar (and the console) may. Returns one result per
    student and column; a failure of one does not stop the others.
    """
    wanted = [(u, float(g), float(m), c) for u, g, m, c in scores]
    for username, given, maximum, _ in wanted:
        if not 0.0 <= given <= maximum or maximum <= 0:
            raise InvalidInput(f"score {given:g} of {maximum:g} for {username!r} is outside "
                               f"0..{maximum:g}: a grade lies between 0 and its maximum")
    with store.read() as session:
        sid = seminars.seminar_id(session, seminar)
        require(session, actor, Action.SEND_GRADES, sid)
    columns = links.lineitems(store, seminar)
    if not columns:
        raise InvalidInput(f"seminar {seminar!r} has no gradebook column on a learning "
                           "platform: link it from the platform with the content picker first")
    at = at or datetime.now(UTC)
    results: list[ScoreResult] = []
    for link in columns:
        results.extend(_post_column(store, link, wanted, at))
    with store.transaction() as session:
        audit.record(session, actor.name, "lti.scores", sid, seminar, {
            "sent": sorted({r.username for r in results if r.sent}),
            "failed": {r.username: r.message for r in results if not r.sent},
            "lineitems": [lk.lineitem_url for lk in columns]})
    return results


def _post_column(store: Store, link: links.Link, wanted: list[tuple[str, float, float, str]],
                 at: datetime) -> list[ScoreResult]:
    url = link.lineitem_url
    if SCOPE_SCORE not in link.ags_scopes:
        return [ScoreResult(u, url, False, "the platform did not grant the score scope "
                                           "to this link") for u, _, _, _ in wanted]
    subjects = _subjects(store, link.platform.issuer, [u for u, _, _, _ in wanted])
    try:
        token = services.access_token(store, link.platform, [SCOPE_SCORE])
    except services.PlatformUnreachable as exc:
        return [ScoreResult(u, url, False, str(exc)) for u, _, _, _ in wanted]
    out = []
    for username, given, maximum, comment in wanted:
        sub = subjects.get(username)
        if sub is None:
            out.append(ScoreResult(username, url, False, "never opened the seminar from this "
                                                         "platform: it does not know them"))
            continue
        try:
            answer = services.call("POST", scores_url(url), token, accept="application/json",
                                   payload=_score(sub, given, maximum, comment, at),
                                   content_type=SCORE_TYPE)
        except services.PlatformUnreachable as exc:
            out.append(ScoreResult(username, url, False, str(exc)))
            continue
        ok = 200 <= answer.status_code < 300
        out.append(ScoreResult(username, url, ok, "" if ok else
                               f"{answer.status_code}: {services.said(answer)}"))
    return out
