"""Desk: blind mode (students see only their own work until they submit) and the reveal.

`annotations.blind` is imported lazily: until the library has it, the section
is not shown at all.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import streamlit as st

from .desk_common import Desk, act, shown
from .markup import plain

BLIND = "desk_blind"
REVEAL = "desk_reveal"
NEEDED = ("set_blind", "reveal", "status")


def library() -> ModuleType | None:
    try:
        module = importlib.import_module("annotations.blind")
    except ModuleNotFoundError as e:
        if e.name != "annotations.blind":
            raise  # the module is there but broken: show it, don't hide the section
        return None
    return module if all(hasattr(module, n) for n in NEEDED) else None


def _toggle(d: Desk, blind: ModuleType) -> None:
    on = bool(st.session_state.get(BLIND))
    act(lambda: blind.set_blind(d.store, d.slug, d.actor(), on),
        "Blind mode is on: students see only their own annotations until they submit."
        if on else "Blind mode is off.")


def _reveal(d: Desk, blind: ModuleType) -> None:
    act(lambda: blind.reveal(d.store, d.slug, d.actor()),
        "Revealed: every student now sees everyone's annotations.")


def render(d: Desk) -> None:
    blind = library()
    if blind is None:
        return
    st.subheader("Blind annotation")
    status = shown(lambda: blind.status(d.store, d.slug))
    if status is None:
        return
    is_blind, revealed = bool(getattr(status, "blind", False)), bool(
        getattr(status, "revealed", False))
    st.session_state[BLIND] = is_blind
    st.toggle("Blind mode: students see only their own annotations until they submit",
              key=BLIND, on_change=_toggle, args=(d, blind))
    submitted = getattr(status, "submitted", None)
    if submitted is not None:
        names = ", ".join(plain(str(n)) for n in submitted) or "nobody yet"
        of = getattr(status, "students", None)
        st.caption(f"Submitted: {len(submitted)}{f' of {of}' if of is not None else ''} "
                   f"— {names}")
    if revealed:
        st.success("Revealed: everyone sees everyone's annotations.")
    elif is_blind:
        st.button("Reveal to everyone", key=REVEAL, on_click=_reveal, args=(d, blind))
