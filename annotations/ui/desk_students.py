"""Desk: per-student work for grading, and a CSV of it."""

from __future__ import annotations

import io

import streamlit as st

from .. import accounts, desk
from ..timeutil import format_time
from .desk_common import Desk, act, frame, shown

INCLUDE_INSTRUCTORS = "desk_st_instructors"
CSV = "desk_st_csv"
UNLOCK_WHO = "desk_st_unlock_who"
UNLOCK = "desk_st_unlock"
COLUMNS = ["username", "display_name", "role", "annotations", "replies", "codes_used",
           "distinct_codes", "words", "documents", "last_activity"]


def render(d: Desk) -> None:
    st.subheader("Students")
    everyone = st.toggle("Include instructors", key=INCLUDE_INSTRUCTORS)
    rows = shown(lambda: desk.students(d.store, d.slug, include_instructors=everyone))
    if rows is None:
        return
    st.dataframe(frame([{
        "username": r.username, "display_name": r.display_name, "role": r.role or "(no account)",
        "annotations": r.annotations, "replies": r.replies, "codes_used": r.codes_used,
        "distinct_codes": r.distinct_codes, "words": r.words, "documents": r.documents,
        "last_activity": format_time(r.last_activity) if r.last_activity else "",
    } for r in rows], COLUMNS), hide_index=True)
    out = io.StringIO(newline="")
    if shown(lambda: desk.export_students_csv(d.store, out, d.slug,
                                              include_instructors=everyone)) is not None:
        st.download_button("Download for grading (CSV)", out.getvalue().encode("utf-8"),
                           file_name=f"{d.slug}-students.csv", mime="text/csv", key=CSV,
                           on_click="ignore")
    _unlock_form(d, [r.username for r in rows if r.role])


def _unlock(d: Desk) -> None:
    who = st.session_state.get(UNLOCK_WHO) or ""
    act(lambda: accounts.lift_hold(d.store, d.actor(), who),
        lambda n: f"Sign-in for {who} is open again ({n} failed attempt(s) forgotten).")


def _unlock_form(d: Desk, usernames: list[str]) -> None:
    """A member locked out by wrong passwords (theirs or someone else's) signs in again."""
    if not usernames:
        return
    with st.form("desk_unlock_form"):
        st.selectbox("Lift a sign-in hold", usernames, key=UNLOCK_WHO,
                     help="After repeated wrong passwords sign-in waits; this ends the wait.")
        st.form_submit_button("Lift hold", key=UNLOCK, on_click=_unlock, args=(d,))
