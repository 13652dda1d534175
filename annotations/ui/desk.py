"""The instructor's desk: grading, coverage, agreement, the codebook, texts, and records.

Only wiring: each section lives in a `desk_*` module and calls the library;
the library checks again that the user teaches the seminar on every write.
One section is drawn per run (the section control), so a heavy one (agreement,
backups) costs nothing while another is open.
"""

from __future__ import annotations

import streamlit as st

from .. import desk
from ..db.engine import Store
from ..errors import AnnotationsError
from . import (
    desk_agreement,
    desk_blind,
    desk_codebook,
    desk_documents,
    desk_grades,
    desk_records,
    desk_students,
    desk_texts,
    state,
)
from .desk_common import Desk, desk_of
from .markup import plain

SECTION = "desk_section"
STUDENTS, GRADES, DOCUMENTS, AGREEMENT = "Students", "Grades", "Documents", "Agreement"
CODEBOOK, TEXTS, RECORDS = "Codebook", "Texts", "Seminar records"
SECTIONS = (STUDENTS, GRADES, DOCUMENTS, AGREEMENT, CODEBOOK, TEXTS, RECORDS)


def _records(d: Desk) -> None:
    desk_blind.render(d)
    desk_records.render_exports(d)
    desk_records.render_backup(d)
    st.divider()
    desk_records.render_audit(d)


PAGES = {STUDENTS: desk_students.render, GRADES: desk_grades.render,
         DOCUMENTS: desk_documents.render,
         AGREEMENT: desk_agreement.render, CODEBOOK: desk_codebook.render,
         TEXTS: desk_texts.render, RECORDS: _records}


def render(store: Store, who: state.Identity) -> None:
    """The desk for `who` (a `state.Identity`); anyone but the seminar's instructors is refused."""
    d = desk_of(store, who)
    st.title("Instructor's desk")
    st.caption(f"{plain(d.seminar.title)} · join code **{plain(d.seminar.join_code)}** · "
               f"signed in as {plain(d.display_name)}")
    try:
        desk.check_instructor(store, d.slug, d.user_id)
    except AnnotationsError as e:
        st.error(plain(str(e)))
        return
    state.show_messages()
    section = st.segmented_control("Section", SECTIONS, key=SECTION, default=STUDENTS,
                                   required=True)
    PAGES.get(section or STUDENTS, desk_students.render)(d)
