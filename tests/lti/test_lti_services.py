"""LTI Advantage against the simulated LMS (issue 13): deep linking, the roster (NRPS)
and grades (AGS), the tool's keys; one launch-to-gradebook run on PostgreSQL too."""

from __future__ import annotations

import re
from datetime import datetime

import httpx
import pytest
from lti_platform import LmsPlatform, form_of
from lti_world import DOC, World, linked_seminar
from sqlalchemy import select
from typer.testing import CliRunner

from annotations import accounts, audit, corpus, grading, roles
from annotations import seminar as seminars
from annotations.cli import app
from annotations.db.models import LtiAccount, User
from annotations.errors import InvalidInput, PermissionDenied
from annotations.lti import ags, links, nrps
from annotations.permissions import Actor
from annotations.seminar import seminar_id


def username(w: World, sub: str) -> str:
    with w.store.read() as session:
        name = session.scalar(select(User.username).join(
            LtiAccount, LtiAccount.user_id == User.id).where(LtiAccount.subject == sub))
    assert name is not None
    return name


def actor(w: World, sub: str) -> Actor:
    with w.store.read() as session:
        return Actor.named(session, username(w, sub))


def role(w: World, sub: str, seminar: str = "hist") -> str | None:
    with w.store.read() as session:
        return roles.role_of(session, username(w, sub), seminar_id(session, seminar))


# ---------------------------------------------------------------- deep linking


def test_deep_linking_round_trip_makes_a_graded_link_that_opens_the_document(
        world: World) -> None:
    uid = world.instructor_account("t1")
    roles.create_seminar_as(world.store, uid, "hist", "History <b>& more</b>", "HIST01")
    page = world.launch(world.lms.deep_link_url("t1"))
    assert page.status_code == 200
    assert "History &lt;b&gt;&amp; more&lt;/b&gt;" in page.text and "<b>&" not in page.text
    action, fields = form_of(page.text)
    offered = re.findall(r'name="choice" value="([^"]*)"', page.text)
    assert offered == ["hist/", *(f"hist/{t.document_id}" for t in
                                  corpus.list_texts(world.store, "hist")),
                       "+new/", *(f"+new/{t.document_id}" for t in
                                  corpus.list_texts(world.store))]
    answer = world.http.post(action, data={**fields, "choice": f"hist/{DOC}"})
    assert answer.status_code == 200
    back, jwt_field = form_of(answer.text)
    assert back == world.lms.base + "/deep_link_return"
    returned = world.http.post(back, data=jwt_field)
    assert returned.status_code == 200, returned.text
    [item] = world.lms.deep_link_items
    assert item["type"] == "ltiResourceLink" and item["url"] == world.lms.tool_launch
    assert item["custom"]["seminar"] == "hist" and item["custom"]["document"] == DOC
    assert item["lineItem"]["scoreMaximum"] == grading.DEFAULT_RULE.points
    new_link = max(world.lms.links)
    world.lms.add_user("s1", "Ana Student", "ana@example.edu", LmsPlatform.LEARNER)
    opened = world.launch(world.lms.launch_url("s1", new_link))
    assert opened.headers["location"] == f"{world.tool}/?seminar=hist&document={DOC}"
    assert [lk.lineitem_url for lk in links.lineitems(world.store, "hist")] == [
        world.lms.lineitem_url(world.lms.links[new_link].lineitem)]


def test_only_instructors_pick_content_and_only_their_own_seminars(world: World) -> None:
    linked_seminar(world)
    world.lms.add_user("s1", "Ana Student", "ana@example.edu", LmsPlatform.LEARNER)
    refused = world.launch(world.lms.deep_link_url("s1"))
    assert refused.status_code == 403 and "instructors" in refused.text
    world.instructor_account("t2", "Tom Other")
    page = world.launch(world.lms.deep_link_url("t2"))
    offered = re.findall(r'name="choice" value="([^"]*)"', page.text)
    assert "hist/" not in offered and offered[0] == "+new/"  # only a new seminar for them
    _, fields = form_of(world.launch(world.lms.deep_link_url("t1")).text)
    # t3 teaches another seminar and answers their own request with t1's seminar:
    other = world.instructor_account("t3", "Tia Third")
    roles.create_seminar_as(world.store, other, "own", "Own", "OWN001")
    mine = form_of(world.launch(world.lms.deep_link_url("t3")).text)[1]
    stolen = world.http.post(world.tool + "/lti/deep-link", data={**mine, "choice": "hist/"})
    assert stolen.status_code == 403
    forged = world.http.post(world.tool + "/lti/deep-link",
                             data={"request": fields["request"][:-5] + "AAAAA",
                                   "choice": "hist/"})
    assert forged.status_code == 403 and "not offered by the tool" in forged.text


def test_an_instructor_from_the_lms_starts_a_seminar_for_the_course(world: World) -> None:
    """No site role needed: the platform vouches that t1 teaches the course."""
    world.lms.add_user("t1", "Olga Teacher", "olga@example.edu", LmsPlatform.INSTRUCTOR)
    slugs = []
    for _ in range(2):  # a second new seminar for the same course gets its own name
        page = world.launch(world.lms.deep_link_url("t1"))
        assert "A new seminar for this course: History 101" in page.text
        action, fields = form_of(page.text)
        answer = world.http.post(action, data={**fields, "choice": f"+new/{DOC}"})
        back, jwt_field = form_of(answer.text)
        assert world.http.post(back, data=jwt_field).status_code == 200
        slugs.append(world.lms.deep_link_items[-1]["custom"]["seminar"])
    assert slugs == ["history-101", "history-101-2"]
    info = seminars.get_seminar(world.store, "history-101")
    assert (info.title, info.closed) == ("History 101", True)
    assert role(world, "t1", "history-101") == roles.INSTRUCTOR
    entry = audit.list_entries(world.store, "history-101", action="seminar.create")[0]
    assert entry.actor == "lti" and entry.detail["via"] == "LTI content picker"
    world.lms.add_user("s1", "Ana Student", "ana@example.edu", LmsPlatform.LEARNER)
    opened = world.launch(world.lms.launch_url("s1", max(world.lms.links)))
    assert opened.headers["location"] == f"{world.tool}/?seminar=history-101-2&document={DOC}"
    assert role(world, "s1", "history-101-2") == roles.STUDENT


# ---------------------------------------------------------------- roster


def test_roster_sync_follows_the_pages_and_removes_nobody(world: World) -> None:
    link = linked_seminar(world)
    lms = world.lms
    for sub, name in (("s1", "Ana A"), ("s2", "Ben B"), ("s3", "Cem C")):
        lms.add_user(sub, name, f"{sub}@example.edu", LmsPlatform.LEARNER)
    lms.add_user("ta", "Tea Assistant", "ta@example.edu", LmsPlatform.TA)
    lms.add_user("m1", "Mo Mentor", "mo@example.edu", LmsPlatform.MENTOR)
    lms.add_user("s4", "Dropped D", "s4@example.edu", LmsPlatform.LEARNER).status = "Inactive"
    world.launch(lms.launch_url("t1", link))  # the launch records the roster's address
    report = nrps.sync_members(world.store, "hist", actor=actor(world, "t1"))
    assert len(lms.users) > 2 * lms.page_size  # three pages
    assert sorted(report.added) == sorted(username(world, s) for s in ("s1", "s2", "s3", "ta"))
    assert report.unchanged == (username(world, "t1"),)
    assert sorted(report.skipped) == ["Dropped D", "Mo Mentor"]
    assert [role(world, s) for s in ("s1", "s2", "s3", "ta")] == [roles.STUDENT] * 3 + [
        roles.INSTRUCTOR]
    del lms.users["s2"]
    again = nrps.sync_members(world.store, "hist", actor=actor(world, "t1"))
    assert again.left == (username(world, "s2"),) and again.added == ()
    assert role(world, "s2") == roles.STUDENT  # reported, not removed
    entry = audit.list_entries(world.store, "hist", action="lti.roster")[-1]
    assert entry.detail["left"] == [username(world, "s2")]
    with pytest.raises(PermissionDenied):
        nrps.sync_members(world.store, "hist", actor=actor(world, "s1"))
    out = CliRunner().invoke(app, ["lti", "roster", "hist"]).output
    assert f"left the course (kept): {username(world, 's2')}" in out
    assert "skipped (no role or inactive): Mo Mentor, Dropped D" in out


# ---------------------------------------------------------------- grades


def graded_world(w: World) -> str:
    link = linked_seminar(w)
    for sub, name in (("s1", "Ana A"), ("s2", "Ben B")):
        w.lms.add_user(sub, name, f"{sub}@example.edu", LmsPlatform.LEARNER)
        assert w.launch(w.lms.launch_url(sub, link)).status_code == 303
    return link


def test_scores_reach_the_gradebook_and_failures_say_why(world: World) -> None:
    link = graded_world(world)
    accounts.create_user(world.store, "local", "Local Only", "a long enough password")
    del world.lms.users["s2"]  # left the course on the platform after launching
    s1, s2 = username(world, "s1"), username(world, "s2")
    column = world.lms.lineitem_url(world.lms.links[link].lineitem)
    assert ags.reachable(world.store, "hist", [s1, s2, "local"]) == {
        s1: [column], s2: [column], "local": []}
    results = ags.post_scores(world.store, "hist", [
        (s1, 7.5, 10, "Twelve annotations, three replies"), (s2, 5, 10, ""),
        ("local", 10, 10, "")], actor=actor(world, "t1"))
    outcome = {r.username: (r.sent, r.message) for r in results}
    assert outcome[s1] == (True, "")
    assert outcome[s2][0] is False and "not enrolled" in outcome[s2][1]
    assert outcome["local"][0] is False and "never opened" in outcome["local"][1]
    [score] = world.lms.scores(link).values()
    assert {k: score[k] for k in ("userId", "scoreGiven", "scoreMaximum", "comment",
                                  "activityProgress", "gradingProgress")} == {
        "userId": "s1", "scoreGiven": 7.5, "scoreMaximum": 10,
        "comment": "Twelve annotations, three replies", "activityProgress": "Completed",
        "gradingProgress": "FullyGraded"}
    stamp = score["timestamp"]  # ISO 8601 in UTC with milliseconds, as the spec's examples
    assert stamp.endswith("Z") and len(stamp) == 24 and datetime.fromisoformat(stamp)
    entry = audit.list_entries(world.store, "hist", action="lti.scores")[-1]
    assert entry.detail["sent"] == [s1] and set(entry.detail["failed"]) == {s2, "local"}


def test_only_instructors_send_scores_and_only_up_to_their_maximum(world: World) -> None:
    graded_world(world)
    s1 = username(world, "s1")
    with pytest.raises(PermissionDenied):
        ags.post_scores(world.store, "hist", [(s1, 1, 1, "")], actor=actor(world, "s1"))
    with pytest.raises(InvalidInput, match="outside"):
        ags.post_scores(world.store, "hist", [(s1, 11, 10, "")], actor=actor(world, "t1"))


def test_the_scores_address_keeps_the_line_items_query() -> None:
    assert ags.scores_url("https://lms.example/li/5/lineitem?type_id=1") == \
        "https://lms.example/li/5/lineitem/scores?type_id=1"
    assert ags.scores_url("https://lms.example/api/line_items/5/") == \
        "https://lms.example/api/line_items/5/scores"


# ---------------------------------------------------------------- keys, backends


def test_the_jwks_route_publishes_the_public_key_only(world: World) -> None:
    first = httpx.get(world.tool + "/lti/jwks").json()
    [key] = first["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["kid"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)
    assert httpx.get(world.tool + "/lti/jwks").json() == first  # one key, kept in the store


@pytest.mark.postgres
def test_launch_roster_and_grades_on_each_backend(pg_world: World) -> None:
    link = graded_world(pg_world)
    report = nrps.sync_members(pg_world.store, "hist", actor=actor(pg_world, "t1"))
    assert report.added == () and report.left == ()
    results = ags.post_scores(pg_world.store, "hist", [(username(pg_world, "s1"), 5, 10, "ok")],
                              actor=actor(pg_world, "t1"))
    assert [r.sent for r in results] == [True]
    assert pg_world.lms.scores(link)["s1"]["scoreGiven"] == 5
