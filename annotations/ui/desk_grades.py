"""Desk: the grading rule, a preview of every student's grade under it, its CSV, and the LMS.

The preview follows the form as it is edited, before anything is saved: the
rule is the library's (`annotations.grading`), the page only collects it. When
the seminar is opened from a learning platform (LTI), the same rows are what
*Send grades* posts to its gradebook (`annotations.lti.ags`), and the course
roster can replace adding members by hand (`annotations.lti.nrps`).
"""

from __future__ import annotations

import io

import streamlit as st

from .. import grading
from ..corpus import list_texts
from ..grading import Rule
from ..lti import ags, links, nrps
from . import state
from .desk_common import Desk, act, frame, shown
from .markup import plain

MODE, ANNOTATIONS, REPLIES = "desk_gr_mode", "desk_gr_annotations", "desk_gr_replies"
MIN_WORDS, DOCUMENT, POINTS = "desk_gr_min_words", "desk_gr_document", "desk_gr_points"
SAVE, CSV, LOADED = "desk_gr_save", "desk_gr_csv", "desk_gr_loaded"
SEND, ROSTER, SENT = "desk_gr_send", "desk_gr_roster", "desk_gr_sent"
EVERY_TEXT = "(every text)"
COLUMNS = ["username", "display_name", "annotations", "replies", "counted", "grade", "of"]
LMS_COLUMN = "in the LMS gradebook"
SENT_COLUMNS = ["username", "sent", "message"]


def _load(d: Desk, stored: Rule) -> None:
    """Fill the form from the stored rule once per seminar, not on every run (edits stay)."""
    if st.session_state.get(LOADED) == d.slug:
        return
    st.session_state.update({
        MODE: stored.mode, ANNOTATIONS: stored.annotations, REPLIES: stored.replies,
        MIN_WORDS: stored.min_words, DOCUMENT: stored.document_id or EVERY_TEXT,
        POINTS: float(stored.points), LOADED: d.slug})


def _form_rule() -> Rule:
    document = st.session_state.get(DOCUMENT) or EVERY_TEXT
    return Rule(str(st.session_state.get(MODE)), int(st.session_state.get(ANNOTATIONS) or 0),
                int(st.session_state.get(REPLIES) or 0),
                int(st.session_state.get(MIN_WORDS) or 0),
                None if document == EVERY_TEXT else str(document),
                float(st.session_state.get(POINTS) or 0))


def _save(d: Desk) -> None:
    act(lambda: grading.set_rule(d.store, d.slug, d.actor(), _form_rule()),
        lambda r: f"Grading rule saved: {r.describe()}.")


def render(d: Desk) -> None:
    st.subheader("Grades")
    stored = shown(lambda: grading.get_rule(d.store, d.slug, d.actor()))
    if stored is None:
        return
    _load(d, stored)
    st.caption("Each student's participation grade under the rule below. The table "
               "follows the form before you save, so you can try a rule out.")
    left, right = st.columns(2)
    left.radio("Count", grading.MODES, key=MODE, horizontal=True,
               format_func={"cumulative": "annotations and replies together",
                            "separate": "annotations and replies separately"}.get,
               help="Together: any mix adding up to both targets. Separately: each "
                    "target is half the grade.")
    left.number_input("Annotations for a full grade", 0, 1000, key=ANNOTATIONS)
    left.number_input("Replies for a full grade", 0, 1000, key=REPLIES)
    right.number_input("Words a note or reply needs to count (0: any)", 0, 1000,
                       key=MIN_WORDS)
    documents = [EVERY_TEXT, *(t.document_id for t in list_texts(d.store, d.slug))]
    right.selectbox("Count work on", documents, key=DOCUMENT)
    right.number_input("Points for a full grade", 0.5, 10_000.0, step=1.0, key=POINTS)
    rule = _form_rule()
    rows = shown(lambda: grading.grades(d.store, d.slug, d.actor(), rule))
    if rows is None:
        return
    linked = links.seminar_links(d.store, d.slug)  # read once: the table and the LMS part
    columns = [lk for lk in linked if lk.lineitem_url]
    reach = ags.reachable(d.store, d.slug, [g.username for g in rows]) if columns else {}
    st.markdown(f"**Rule:** {plain(rule.describe())}"
                + ("" if rule == stored else " *(not saved)*"))
    st.button("Save rule", key=SAVE, on_click=_save, args=(d,), disabled=rule == stored)
    st.dataframe(frame([{
        "username": g.username, "display_name": g.display_name, "annotations": g.annotations,
        "replies": g.replies, "counted": g.counted_annotations + g.counted_replies,
        "grade": g.grade, "of": g.points,
        LMS_COLUMN: "yes" if reach.get(g.username) else "no"} for g in rows],
        COLUMNS + ([LMS_COLUMN] if columns else [])), hide_index=True)
    out = io.StringIO(newline="")
    grading.export_csv(out, rows)
    st.download_button("Download grades (CSV)", out.getvalue().encode("utf-8"),
                       file_name=f"{d.slug}-grades.csv", mime="text/csv", key=CSV,
                       on_click="ignore")

    if linked:
        _platform(d, rows, rule == stored, bool(columns))


def _send(d: Desk, rows: list[grading.Grade]) -> None:
    results = act(lambda: ags.post_scores(
        d.store, d.slug, [(g.username, g.grade, g.points, g.comment) for g in rows],
        actor=d.actor()))
    if results is None:
        return
    st.session_state[SENT] = [{"username": r.username, "sent": "yes" if r.sent else "no",
                               "message": r.message} for r in results]
    sent = sum(r.sent for r in results)
    if sent == len(results):
        state.say("success", f"{sent} grade(s) sent to the gradebook.")
    else:
        state.say("warning", f"{sent} grade(s) sent, {len(results) - sent} not: the table "
                             "below says why.")


def _roster(d: Desk) -> None:
    act(lambda: nrps.sync_members(d.store, d.slug, actor=d.actor()),
        lambda r: f"Roster: {len(r.added)} member(s) added or changed, {len(r.unchanged)} "
                  f"unchanged, {len(r.left)} no longer on the roster (kept, with their work).")


def _platform(d: Desk, rows: list[grading.Grade], saved: bool, graded: bool) -> None:
    """The learning platform's part (a seminar some course links to): the roster, and the
    grades into its gradebook."""
    st.subheader("Learning platform (LTI)")
    st.button("Update members from the course roster", key=ROSTER, on_click=_roster,
              args=(d,), help="Adds the course's students and instructors; nobody is "
                              "removed, and nobody's work is touched.")
    if not graded:
        st.caption("No gradebook column is linked: add the seminar to the course as a "
                   "graded assignment (the platform's content picker) to send grades.")
        return
    st.button(f"Send {len(rows)} grade(s) to the gradebook", key=SEND, on_click=_send,
              args=(d, rows), disabled=not saved or not rows,
              help="Sends the grades in the table above; save the rule first. Sending "
                   "again replaces the earlier grades.")
    sent = st.session_state.get(SENT)
    if sent:
        st.dataframe(frame(sent, SENT_COLUMNS), hide_index=True)
