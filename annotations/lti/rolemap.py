"""LTI roles to seminar roles: whom the platform calls teaching staff teaches here.

Only the context (course) membership roles count, in their full URI or short
form; a platform-wide administrator who is not staff in the course gets no
role from that alone.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..roles import INSTRUCTOR, STUDENT

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
_STAFF = {"Instructor", "Administrator", "ContentDeveloper", "TeachingAssistant"}
_LEARNER = {"Learner"}


def _name(role: str) -> str:
    """`Instructor` from any of its spellings; sub-roles (`Instructor#TeachingAssistant`) too."""
    if role.startswith(MEMBERSHIP):
        return role[len(MEMBERSHIP):]
    if role.startswith("http://purl.imsglobal.org/vocab/lis/v2/membership/"):
        return role.rpartition("#")[2]
    return role if "/" not in role and "#" not in role else ""


def seminar_role(roles: Iterable[str]) -> str | None:
    """INSTRUCTOR for staff, STUDENT for learners, None for anyone else (no access)."""
    names = {_name(r) for r in roles}
    if names & _STAFF:
        return INSTRUCTOR
    if names & _LEARNER:
        return STUDENT
    return None
