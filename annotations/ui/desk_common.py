"""What every section of the instructor's desk shares: who is at the desk, and messages.

`Desk` adapts the signed-in identity (`state.Identity`) to what the sections
need; it reads attributes by name so the page works with the identity of the
design contract (username, display_name, seminar, role, user_id) and with the
older one (name, seminar).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd
import streamlit as st

from .. import roles
from ..db.engine import Store
from ..errors import AnnotationsError
from ..seminar import SeminarInfo
from . import state
from .markup import plain

T = TypeVar("T")


@dataclass(frozen=True)
class Desk:
    store: Store
    seminar: SeminarInfo
    username: str
    display_name: str
    role: str
    user_id: int | None

    @property
    def slug(self) -> str:
        return self.seminar.slug

    def actor(self) -> roles.Actor:
        """The instructor as the library's Actor (never the console: see desk.check_instructor)."""
        return roles.Actor(self.username, self.user_id)


def desk_of(store: Store, who: object) -> Desk:
    seminar = getattr(who, "seminar")  # noqa: B009 - every identity shape has it
    username = str(getattr(who, "username", "") or getattr(who, "name", ""))
    return Desk(store, seminar, username,
                str(getattr(who, "display_name", "") or username),
                str(getattr(who, "role", "")), getattr(who, "user_id", None))


def act(fn: Callable[[], T], success: Callable[[T], str] | str = "") -> T | None:
    """Run one library call from a callback: its message, or its error, shows on the next run."""
    try:
        result = fn()
    except AnnotationsError as e:
        state.say("error", str(e))
        return None
    text = success(result) if callable(success) else success
    if text:
        state.say("success", text)
    return result


def shown(fn: Callable[[], T]) -> T | None:
    """Run one library call while drawing: st.error(str(e)) instead of a traceback."""
    try:
        return fn()
    except AnnotationsError as e:
        st.error(plain(str(e)))
        return None


def frame(rows: list[dict[str, object]], columns: list[str]) -> pd.DataFrame:
    """A table with its columns even when there are no rows."""
    return pd.DataFrame(rows, columns=columns)


def uploaded(key: str) -> tuple[str, bytes] | None:
    """(file name, bytes) of the file in uploader `key`, if any."""
    f = st.session_state.get(key)
    if f is None:
        return None
    return str(f.name), bytes(f.getvalue())
