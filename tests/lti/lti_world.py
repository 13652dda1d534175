"""The world of the LTI tests: the tool's routes and the simulated LMS over HTTP, a seminar
linked from a course. Fixtures in conftest.py build it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from lti_platform import LmsPlatform, form_of
from webserver import serving

from annotations.db.engine import Store
from annotations.lti import admission
from annotations.lti.registration import Platform
from annotations.web import routes

DOC = "steel-and-sacrifice"


@dataclass
class World:
    store: Store
    lms: LmsPlatform
    platform: Platform
    tool: str  # the tool's base URL
    http: httpx.Client

    def instructor_account(self, sub: str, name: str = "Olga Teacher") -> int:
        """The platform user's account in the tool, as a first launch makes it."""
        self.lms.add_user(sub, name, f"{sub}@example.edu", LmsPlatform.INSTRUCTOR)
        return admission.account_for(self.store, self.lms.issuer, sub, name=name)

    def launch(self, url: str) -> httpx.Response:
        """A browser's launch: tool login -> platform auth -> the form posted to the tool."""
        login = self.http.get(url)
        assert login.status_code == 302, login.text
        auth = self.http.get(login.headers["location"])
        assert auth.status_code == 200, auth.text
        action, fields = form_of(auth.text)
        return self.http.post(action, data=fields)


def make_world(store: Store, url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    monkeypatch.setenv("ANNOTATIONS_DATABASE_URL", url)
    monkeypatch.delenv("ANNOTATIONS_PUBLIC_URL", raising=False)
    monkeypatch.setenv("ANNOTATIONS_OPEN_SIGNUP", "1")  # the instructor makes a seminar
    with serving(routes()) as tool, LmsPlatform().running() as lms, \
            httpx.Client(timeout=30) as http:
        lms.use_tool(tool)
        yield World(store, lms, lms.register_in(store), tool, http)


def linked_seminar(w: World, slug: str = "hist", document: str = DOC) -> str:
    """A closed seminar taught by the platform's instructor `t1`, and a course link to it."""
    w.lms.instructor_teaching(w.store, slug)
    return w.lms.add_link("Week 3", custom=admission.link_parameters(
        w.store, w.platform, slug, document))
