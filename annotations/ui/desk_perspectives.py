"""Desk: the seminar's perspectives: add, edit, rename, merge, delete (like codes)."""

from __future__ import annotations

import streamlit as st

from .. import codebook, codebook_io
from ..codebook import PerspectiveSpec
from . import desk_labels
from .desk_common import Desk, act, frame, shown
from .markup import plain

PICK = "desk_psp_pick"
NEW_NAME = "desk_psp_new_name"
NEW_COLOUR = "desk_psp_new_colour"
NEW_DESCRIPTION = "desk_psp_new_description"
NEW_SUBMIT = "desk_psp_new_submit"
COLOUR = "desk_psp_colour"
DESCRIPTION = "desk_psp_description"
SAVE = "desk_psp_save"
LOADED = "desk_psp_loaded"
RENAME_TO = "desk_psp_rename_to"
RENAME = "desk_psp_rename"
MERGE_SOURCES = "desk_psp_merge_sources"
MERGE_INTO = "desk_psp_merge_into"
MERGE = "desk_psp_merge"
DETACH = "desk_psp_detach"
DELETE = "desk_psp_delete"


def _add(d: Desk) -> None:
    s = st.session_state
    spec = PerspectiveSpec(s.get(NEW_NAME, ""), s.get(NEW_COLOUR, "#999999"),
                           s.get(NEW_DESCRIPTION, ""))
    act(lambda: codebook.edit_as(d.store, d.slug, d.user_id, lambda ses, a, sid:
                                 codebook.create_perspective(ses, a, sid, spec)),
        f"Perspective “{spec.name.strip()}” added.")


def _save(d: Desk, name: str) -> None:
    s = st.session_state
    act(lambda: codebook.edit_as(d.store, d.slug, d.user_id, lambda ses, a, sid:
                                 codebook.update_perspective(ses, a, sid, name,
                                                             colour=s.get(COLOUR),
                                                             description=s.get(DESCRIPTION))),
        f"Perspective “{name}” saved.")


KIND = desk_labels.LabelKind("desk_psp", "Perspective", codebook.rename_perspective,
                              codebook.merge_perspectives, codebook.delete_perspective)


def _rename(d: Desk, old: str) -> None:
    desk_labels.rename(d, KIND, old)


def _merge(d: Desk) -> None:
    desk_labels.merge(d, KIND)


def _delete(d: Desk, name: str) -> None:
    desk_labels.delete(d, KIND, name)


def _load(spec: PerspectiveSpec) -> None:
    s = st.session_state
    if s.get(LOADED) != spec.name:
        s[COLOUR], s[DESCRIPTION], s[RENAME_TO] = spec.colour, spec.description, ""
        s[LOADED] = spec.name


def render(d: Desk) -> None:
    st.subheader("Perspectives")
    book = shown(lambda: codebook_io.read_codebook(d.store, d.slug))
    if book is None:
        return
    specs = {p.spec.name: p.spec for p in book.perspectives}
    st.dataframe(frame([{"name": p.name, "colour": p.colour, "description": p.description}
                        for p in specs.values()], ["name", "colour", "description"]),
                 hide_index=True)
    with st.expander("Add a perspective"), st.form("desk_psp_add_form", clear_on_submit=True):
        st.text_input("Name", key=NEW_NAME, max_chars=120)
        st.color_picker("Colour", "#999999", key=NEW_COLOUR)
        st.text_area("Description", key=NEW_DESCRIPTION)
        st.form_submit_button("Add perspective", type="primary", key=NEW_SUBMIT, on_click=_add,
                              args=(d,))
    if not specs:
        return
    pick = st.selectbox("Perspective to change", list(specs), key=PICK)
    if pick is None:
        return
    _load(specs[pick])
    with st.form("desk_psp_edit_form"):
        st.markdown(f"**Edit “{plain(pick)}”**")
        st.color_picker("Colour", key=COLOUR)
        st.text_area("Description", key=DESCRIPTION)
        st.form_submit_button("Save perspective", key=SAVE, on_click=_save, args=(d, pick))
    left, middle, right = st.columns(3)
    with left, st.form("desk_psp_rename_form"):
        st.text_input(f"Rename “{pick}” to", key=RENAME_TO, max_chars=120)
        st.form_submit_button("Rename", key=RENAME, on_click=_rename, args=(d, pick))
    with middle, st.form("desk_psp_merge_form"):
        st.multiselect("Merge these perspectives…", list(specs), key=MERGE_SOURCES)
        st.selectbox("…into", list(specs), key=MERGE_INTO)
        st.form_submit_button("Merge", key=MERGE, on_click=_merge, args=(d,))
    with right, st.form("desk_psp_delete_form"):
        st.checkbox("Also clear it from annotations that use it", key=DETACH)
        st.form_submit_button(f"Delete “{pick}”", key=DELETE, on_click=_delete, args=(d, pick))
