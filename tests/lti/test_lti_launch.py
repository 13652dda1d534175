"""LTI 1.3 launches over HTTP (issue 13): the simulated LMS -> /lti/login -> its auth
endpoint -> /lti/launch -> the app, and every way a launch is refused."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc.jwk import RSAKey
from lti_platform import LmsPlatform, form_of
from lti_world import DOC, World, linked_seminar
from sqlalchemy import select

from annotations import accounts, roles
from annotations.db.models import LtiAccount, User
from annotations.seminar import seminar_id
from annotations.web.lti import STATE_COOKIE
from annotations.web.session import COOKIE


def account(w: World, sub: str) -> tuple[str, str | None]:
    """The platform user's username in the tool and their role in `hist`."""
    with w.store.read() as session:
        name = session.scalar(select(User.username).join(
            LtiAccount, LtiAccount.user_id == User.id).where(LtiAccount.subject == sub))
        assert name is not None, f"no account for {sub}"
        return name, roles.role_of(session, name, seminar_id(session, "hist"))


def set_cookies(response: httpx.Response) -> dict[str, str]:
    """Each cookie the response sets, with its attributes as written."""
    return {h.split("=", 1)[0]: h for h in response.headers.get_list("set-cookie")}


def test_a_learner_launch_signs_in_and_opens_the_linked_document(world: World) -> None:
    link = linked_seminar(world)
    world.lms.add_user("s1", "Ana Student", "ana@example.edu", LmsPlatform.LEARNER)
    answer = world.launch(world.lms.launch_url("s1", link))
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"{world.tool}/?seminar=hist&document={DOC}"
    cookie = set_cookies(answer)[COOKIE]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    token = cookie.split("=", 1)[1].split(";")[0]
    name, role = account(world, "s1")
    assert accounts.validate_session(world.store, token).username == name
    assert role == roles.STUDENT
    assert 'Max-Age=0' in set_cookies(answer)[STATE_COOKIE]  # the login is over


@pytest.mark.parametrize(("role", "expected"), [
    (LmsPlatform.INSTRUCTOR, roles.INSTRUCTOR), (LmsPlatform.TA, roles.INSTRUCTOR),
    ("http://purl.imsglobal.org/vocab/lis/v2/membership#ContentDeveloper", roles.INSTRUCTOR),
    ("Learner", roles.STUDENT)])
def test_course_roles_map_onto_seminar_roles(world: World, role: str, expected: str) -> None:
    link = linked_seminar(world)
    world.lms.add_user("u2", "Ben Somebody", "ben@example.edu", role)
    assert world.launch(world.lms.launch_url("u2", link)).status_code == 303
    assert account(world, "u2")[1] == expected


def test_a_role_change_on_the_platform_follows_at_the_next_launch(world: World) -> None:
    link = linked_seminar(world)
    world.lms.add_user("u3", "Cem Helper", "cem@example.edu", LmsPlatform.LEARNER)
    world.launch(world.lms.launch_url("u3", link))
    first = account(world, "u3")
    world.launch(world.lms.launch_url("u3", link, role=LmsPlatform.TA))
    assert first[1] == roles.STUDENT
    assert account(world, "u3") == (first[0], roles.INSTRUCTOR)  # the same account


def test_the_seminars_last_instructor_stays_instructor(world: World) -> None:
    link = linked_seminar(world)  # t1 made the seminar: its only instructor
    assert world.launch(world.lms.launch_url("t1", link, role=LmsPlatform.LEARNER)
                        ).status_code == 303
    assert account(world, "t1")[1] == roles.INSTRUCTOR


def test_a_role_without_access_is_refused(world: World) -> None:
    link = linked_seminar(world)
    world.lms.add_user("m1", "Mo Mentor", "mo@example.edu", LmsPlatform.MENTOR)
    answer = world.launch(world.lms.launch_url("m1", link))
    assert answer.status_code == 403 and "no access" in answer.text
    assert COOKIE not in set_cookies(answer)


def test_a_platform_user_never_takes_over_a_local_account(world: World) -> None:
    link = linked_seminar(world)
    local = accounts.create_user(world.store, "ana", "Ana", "a long enough password")
    world.lms.add_user("s9", "Ana", "ana@example.edu", LmsPlatform.LEARNER)
    world.launch(world.lms.launch_url("s9", link))
    name, role = account(world, "s9")
    assert name != local.username and role == roles.STUDENT
    with world.store.read() as session:
        assert roles.role_of(session, "ana", seminar_id(session, "hist")) is None


def test_a_link_without_the_tools_parameter_opens_nothing(world: World) -> None:
    linked_seminar(world)
    bare = world.lms.add_link("Not linked yet")
    world.lms.add_user("s1", "Ana Student", "ana@example.edu", LmsPlatform.LEARNER)
    answer = world.launch(world.lms.launch_url("s1", bare))
    assert answer.status_code == 404 and "content picker" in answer.text
    with world.store.read() as session:  # a refused launch makes no account
        assert session.scalar(select(LtiAccount).where(LtiAccount.subject == "s1")) is None


def test_a_course_cannot_point_its_link_at_another_seminar(world: World) -> None:
    link = linked_seminar(world)
    other = linked_seminar(world, "secret")
    forged = dict(world.lms.links[link].custom)
    forged["annotations_link"] = forged["annotations_link"][:-4] + "AAAA"
    world.lms.links[link].custom = forged
    world.lms.links[link].custom["seminar"] = "secret"  # the readable copy counts for nothing
    world.lms.add_user("s1", "Ana Student", "ana@example.edu", LmsPlatform.LEARNER)
    answer = world.launch(world.lms.launch_url("s1", link))
    assert answer.status_code == 403 and "not signed by this tool" in answer.text
    assert world.launch(world.lms.launch_url("s1", other)).status_code == 303


# ---------------------------------------------------------------- refusals


def login_for(w: World, sub: str, link: str) -> tuple[str, str]:
    """Start a launch at the tool; the state and nonce it sent to the platform's auth URL."""
    answer = w.http.get(w.lms.launch_url(sub, link))
    assert answer.status_code == 302
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    return query["state"][0], query["nonce"][0]


def post_launch(w: World, token: str, state: str) -> httpx.Response:
    return w.http.post(w.lms.tool_launch, data={"id_token": token, "state": state})


OTHER_KEY = RSAKey.generate_key(2048, private=True)  # the test gives it the platform's kid
HOUR = 3600

REFUSALS: dict[str, tuple[dict[str, Any], int, str]] = {
    "bad signature": ({"_key": OTHER_KEY}, 401, "signature does not verify"),
    "wrong aud": ({"aud": "another-tool"}, 401, "audience"),
    "several aud, no azp": ({"aud": ["tool-client-1", "x"]}, 401, "azp"),
    "another azp": ({"azp": "another-tool"}, 401, "azp"),
    "expired": ({"exp": -HOUR, "iat": -2 * HOUR}, 401, "expired"),
    "issued in the future": ({"iat": HOUR}, 401, "future"),
    "replayed nonce": ({"nonce": "a-nonce-of-another-login"}, 400, "nonce does not match"),
    "wrong state": ({"_state": "forged-state"}, 400, "state does not match"),
    "unknown deployment": ({"https://purl.imsglobal.org/spec/lti/claim/deployment_id": "dep-x"},
                           403, "deployment"),
    "unknown issuer": ({"iss": "https://lms.other.example"}, 403, "not a registered platform"),
    "wrong version": ({"https://purl.imsglobal.org/spec/lti/claim/version": "1.1"}, 400,
                      "version"),
    "wrong message type": ({"https://purl.imsglobal.org/spec/lti/claim/message_type":
                            "LtiSubmissionReviewRequest"}, 400, "message type"),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_each_bad_launch_is_refused_with_its_reason(world: World, case: str) -> None:
    link = linked_seminar(world)
    world.lms.add_user("s1", "Ana Student", "ana@example.edu", LmsPlatform.LEARNER)
    changes, status, reason = REFUSALS[case]
    changes = dict(changes)
    key = changes.pop("_key", None)
    if key is not None:
        key = RSAKey.import_key(key.as_dict(private=True), parameters={"kid": world.lms.key.kid})
    state, nonce = login_for(world, "s1", link)
    posted_state = changes.pop("_state", state)
    nonce = changes.pop("nonce", nonce)
    now = int(time.time())
    for claim in ("exp", "iat"):
        if claim in changes:
            changes[claim] += now
    claims = world.lms.claims("s1", "LtiResourceLinkRequest", link, nonce, **changes)
    answer = post_launch(world, world.lms.sign(claims, key), posted_state)
    assert (answer.status_code, reason in answer.text) == (status, True), answer.text
    assert COOKIE not in set_cookies(answer)


def test_a_replayed_launch_is_refused(world: World) -> None:
    link = linked_seminar(world)
    world.lms.add_user("s1", "Ana Student", "ana@example.edu", LmsPlatform.LEARNER)
    login = world.http.get(world.lms.launch_url("s1", link))
    action, fields = form_of(world.http.get(login.headers["location"]).text)
    assert world.http.post(action, data=fields).status_code == 303
    # Replayed with the state cookie too (the tool cleared it in this browser).
    again = httpx.post(action, data=fields, cookies={STATE_COOKIE: fields["state"]})
    assert again.status_code == 400 and "used already" in again.text


def test_a_login_from_an_unregistered_platform_is_refused(world: World) -> None:
    answer = world.http.get(world.lms.tool_login, params={
        "iss": "https://lms.other.example", "login_hint": "x",
        "target_link_uri": world.lms.tool_launch})
    assert answer.status_code == 400 and "is not registered" in answer.text


def test_the_login_redirect_is_an_oidc_request_with_a_state_cookie(world: World) -> None:
    link = linked_seminar(world)
    world.lms.add_user("s1", "Ana Student", "ana@example.edu", LmsPlatform.LEARNER)
    answer = world.http.post(world.lms.tool_login, data=parse_qs(
        urlsplit(world.lms.launch_url("s1", link)).query))  # platforms may POST it too
    query = {k: v[0] for k, v in parse_qs(urlsplit(answer.headers["location"]).query).items()}
    assert answer.headers["location"].startswith(world.lms.auth_url + "?")
    assert {k: query[k] for k in ("scope", "response_type", "response_mode", "prompt",
                                  "client_id", "redirect_uri", "login_hint")} == {
        "scope": "openid", "response_type": "id_token", "response_mode": "form_post",
        "prompt": "none", "client_id": world.lms.client_id,
        "redirect_uri": world.lms.tool_launch, "login_hint": "s1"}
    assert query["nonce"] and query["lti_message_hint"]
    assert set_cookies(answer)[STATE_COOKIE].startswith(f"{STATE_COOKIE}={query['state']};")


def test_under_https_the_cookies_work_in_the_platforms_frame(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    link = linked_seminar(world)
    world.lms.add_user("s1", "Ana Student", "ana@example.edu", LmsPlatform.LEARNER)
    monkeypatch.setenv("ANNOTATIONS_PUBLIC_URL", "https://annotate.example.edu")
    answer = world.http.get(world.lms.launch_url("s1", link))
    cookie = set_cookies(answer)[STATE_COOKIE]
    assert "SameSite=none" in cookie and "Secure" in cookie
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["redirect_uri"] == ["https://annotate.example.edu/lti/launch"]
