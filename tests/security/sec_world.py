"""A small world to attack: two closed seminars, their instructors and students.

`class` is taught by `teacher` (students `ada`, `bob`); `other` by `olga`
(student `oscar`); `eve` has an account and joined nothing; `demo` is the
open demo seminar of the shared fixtures.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotations import accounts, permissions, roles
from annotations.db.engine import Store

PW = "correct horse battery"


@dataclass
class World:
    store: Store
    ids: dict[str, int]

    def actor(self, name: str) -> permissions.Actor:
        return permissions.Actor(name, self.ids[name], "user")


def build_world(store: Store) -> World:
    ids = {n: accounts.create_user(store, n, n.title(), PW).id
           for n in ("teacher", "ada", "bob", "olga", "oscar", "eve")}
    for teacher in ("teacher", "olga"):
        accounts.grant_site_role(store, permissions.Actor.console(), teacher, "instructor")
    roles.create_seminar_as(store, ids["teacher"], "class", "Class", "CLASS1")
    roles.create_seminar_as(store, ids["olga"], "other", "Other", "OTHER1")
    for student in ("ada", "bob"):
        roles.join_seminar(store, ids[student], "CLASS1")
    roles.join_seminar(store, ids["oscar"], "OTHER1")
    return World(store, ids)
