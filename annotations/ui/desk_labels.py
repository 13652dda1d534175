"""Desk: rename, merge and delete, the same for codes and for perspectives.

Both kinds of label keep their annotations attached through the library's
rename/merge/delete; only the library call, the widget-key prefix and the word
shown differ, so one set of callbacks serves both pages.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from .. import codebook
from .desk_common import Desk, act


@dataclass(frozen=True)
class LabelKind:
    prefix: str  # widget keys are f"{prefix}_pick", f"{prefix}_rename_to", ...
    noun: str  # "Code", "Perspective"
    rename: Callable[..., Any]  # codebook.rename_code(session, actor, sid, old, new)
    merge: Callable[..., Any]  # codebook.merge_codes(session, actor, sid, sources, into)
    delete: Callable[..., Any]  # codebook.delete_code(session, actor, sid, name, detach=)

    def key(self, name: str) -> str:
        return f"{self.prefix}_{name}"


def rename(d: Desk, kind: LabelKind, old: str) -> None:
    new = st.session_state.get(kind.key("rename_to"), "")
    done = act(lambda: codebook.edit_as(d.store, d.slug, d.user_id, lambda ses, a, sid:
                                        kind.rename(ses, a, sid, old, new)),
               lambda n: f"{kind.noun} “{old}” renamed to “{new.strip()}” "
                         f"({n} annotation(s)).")
    if done is not None:
        st.session_state[kind.key("pick")] = new.strip()
        st.session_state[kind.key("rename_to")] = ""


def merge(d: Desk, kind: LabelKind) -> None:
    sources = list(st.session_state.get(kind.key("merge_sources")) or [])
    into = st.session_state.get(kind.key("merge_into")) or ""
    done = act(lambda: codebook.edit_as(d.store, d.slug, d.user_id, lambda ses, a, sid:
                                        kind.merge(ses, a, sid, sources, into)),
               lambda n: f"Merged {', '.join(sources)} into “{into}” ({n} annotation(s)).")
    if done is not None:
        st.session_state[kind.key("merge_sources")] = []
        st.session_state.pop(kind.key("pick"), None)


def delete(d: Desk, kind: LabelKind, name: str) -> None:
    detach = bool(st.session_state.get(kind.key("detach")))
    done = act(lambda: codebook.edit_as(d.store, d.slug, d.user_id, lambda ses, a, sid:
                                        kind.delete(ses, a, sid, name, detach=detach)),
               lambda n: f"{kind.noun} “{name}” deleted ({n} annotation(s) changed).")
    if done is not None:
        st.session_state.pop(kind.key("pick"), None)
