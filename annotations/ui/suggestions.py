"""Machine suggestions in the workspace: accept, edit, or reject what the analysis found.

Only wiring: suggestions come from `annotations.suggestion`, computed once per
text version; accepting saves an annotation in the student's name with the
suggestion's source recorded.
"""

from __future__ import annotations

import streamlit as st

from ..corpus import VersionText
from ..db.engine import Store
from ..errors import AnnotationsError
from ..framing.analysis import analyse, consistency_checks, extract_claims
from ..seminar import SeminarCodebook
from ..suggestion import Suggestion, accept, open_suggestions, reject, source_text, suggestions_for
from . import state
from .forms import starting_perspective
from .markup import clip, plain

SHOW = 5
SOURCE = "sg_source"
OPEN = "sg_open"  # the expander's state: accepting one keeps it open for the next
FEEDBACK = "sg_feedback"  # (kind, text) of the last accept or reject, shown inside it


@st.cache_resource(show_spinner="Looking for suggestions (once per text version)…")
def _all(sha256: str, _version: VersionText) -> list[Suggestion]:
    src = source_text(_version)
    return suggestions_for(analyse(src), extract_claims(src), consistency_checks([src]))


def _accept(store: Store, who: state.Identity, s: Suggestion, key: str,
            perspective: str) -> None:
    try:
        codes = st.session_state.get(state.entry_key("sg_codes", key))
        note = st.session_state.get(state.entry_key("sg_note", key))
        saved = accept(store, who.seminar.slug, who.username, s, perspective=perspective,
                       codes=list(codes) if codes is not None else None, note=note)
        state.focus_on(saved.id)
        st.session_state[FEEDBACK] = (
            "success", f"Accepted “{plain(clip(s.quote, 60))}”: it is now your annotation.")
    except AnnotationsError as e:
        st.session_state[FEEDBACK] = ("error", plain(str(e)))


def _reject(store: Store, who: state.Identity, s: Suggestion) -> None:
    try:
        reject(store, who.seminar.slug, who.username, s)
    except AnnotationsError as e:
        state.say("error", str(e))


def render(store: Store, who: state.Identity, version: VersionText, cb: SeminarCodebook) -> None:
    """An expander listing the open suggestions of this document, a few at a time."""
    with st.expander("Machine suggestions", key=OPEN, on_change="rerun"):
        feedback = st.session_state.pop(FEEDBACK, None)
        if feedback is not None:
            (st.success if feedback[0] == "success" else st.error)(feedback[1])
        found = open_suggestions(store, who.seminar.slug, who.username,
                                 _all(version.sha256, version))
        sources = sorted({s.source for s in found})
        if not found:
            st.caption("No open suggestions for this text.")
            return
        source = st.selectbox("Kind", ["(all)", *sources], key=SOURCE)
        shown = [s for s in found if source in (None, "(all)") or s.source == source]
        st.caption(f"{len(shown)} open suggestion(s), made by the framing analysis: "
                   "check each one before you accept it.")
        code_names = [c.name for c in cb.codes]
        perspective = starting_perspective(cb, version.perspective)
        for s in shown[:SHOW]:
            key = s.key.replace(":", "_")
            with st.container(border=True):
                st.markdown(f"“{plain(clip(s.quote, 120))}” · *{plain(s.source)}*")
                st.multiselect("Codes to save with it", code_names, default=list(s.codes),
                               key=state.entry_key("sg_codes", key))
                st.text_input("Note to save with it", value=s.note,
                              key=state.entry_key("sg_note", key))
                left, right = st.columns(2)
                left.button("Accept", key=state.entry_key("sg_accept", key),
                            on_click=_accept, args=(store, who, s, key, perspective))
                right.button("Reject", key=state.entry_key("sg_reject", key),
                             on_click=_reject, args=(store, who, s))
