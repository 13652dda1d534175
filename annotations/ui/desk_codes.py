"""Desk: the seminar's critique codes: add, edit, rename, merge, delete.

Every change is one library edit (`codebook.*_code`) run through
`codebook.edit_as`, which checks that the user teaches the seminar, logs it,
and rewrites annotations that use a renamed, merged or deleted code.
"""

from __future__ import annotations

import streamlit as st

from .. import codebook, codebook_io
from ..codebook import CodeSpec
from . import desk_labels
from .desk_common import Desk, act, frame, shown
from .markup import plain

PICK = "desk_code_pick"
NEW_NAME = "desk_code_new_name"
NEW_COLOUR = "desk_code_new_colour"
NEW_DEFINITION = "desk_code_new_definition"
NEW_EXAMPLE = "desk_code_new_example"
NEW_RULES = "desk_code_new_rules"
NEW_FIELDS = "desk_code_new_fields"
NEW_PARENT = "desk_code_new_parent"
NEW_SUBMIT = "desk_code_new_submit"
COLOUR = "desk_code_colour"
DEFINITION = "desk_code_definition"
EXAMPLE = "desk_code_example"
RULES = "desk_code_rules"
FIELDS = "desk_code_fields"
PARENT = "desk_code_parent"
SAVE = "desk_code_save"
LOADED = "desk_code_loaded"  # the code whose values the edit widgets hold
RENAME_TO = "desk_code_rename_to"
RENAME = "desk_code_rename"
MERGE_SOURCES = "desk_code_merge_sources"
MERGE_INTO = "desk_code_merge_into"
MERGE = "desk_code_merge"
DETACH = "desk_code_detach"
DELETE = "desk_code_delete"
NO_PARENT = ""


def _parent_label(name: str) -> str:
    return name or "(top level)"


def _add(d: Desk) -> None:
    s = st.session_state
    spec = CodeSpec(s.get(NEW_NAME, ""), s.get(NEW_COLOUR, "#999999"), s.get(NEW_DEFINITION, ""),
                    s.get(NEW_EXAMPLE, ""), s.get(NEW_RULES, ""), s.get(NEW_PARENT) or "")
    fields = codebook.split_codes(s.get(NEW_FIELDS, ""))
    act(lambda: codebook.edit_as(d.store, d.slug, d.user_id, lambda ses, a, sid:
                                 codebook.create_code(ses, a, sid, spec, fields)),
        f"Code “{spec.name.strip()}” added.")


def _save(d: Desk, name: str) -> None:
    s = st.session_state
    act(lambda: codebook.edit_as(d.store, d.slug, d.user_id, lambda ses, a, sid:
                                 codebook.update_code(
                                     ses, a, sid, name, colour=s.get(COLOUR),
                                     definition=s.get(DEFINITION), example=s.get(EXAMPLE),
                                     decision_rules=s.get(RULES),
                                     parent=s.get(PARENT) or "",
                                     fields=codebook.split_codes(s.get(FIELDS, "")))),
        f"Code “{name}” saved.")


KIND = desk_labels.LabelKind("desk_code", "Code", codebook.rename_code,
                              codebook.merge_codes, codebook.delete_code)


def _rename(d: Desk, old: str) -> None:
    desk_labels.rename(d, KIND, old)


def _merge(d: Desk) -> None:
    desk_labels.merge(d, KIND)


def _delete(d: Desk, name: str) -> None:
    desk_labels.delete(d, KIND, name)


def _load(entry: codebook_io.CodeEntry) -> None:
    """Fill the edit widgets with the picked code's values, once per pick."""
    s, spec = st.session_state, entry.spec
    if s.get(LOADED) == spec.name:
        return
    s[COLOUR], s[DEFINITION], s[EXAMPLE] = spec.colour, spec.definition, spec.example
    s[RULES], s[PARENT] = spec.decision_rules, spec.parent
    s[FIELDS] = codebook.join_codes(list(entry.fields))
    s[RENAME_TO] = ""
    s[LOADED] = spec.name


def render(d: Desk) -> None:
    st.subheader("Codes")
    book = shown(lambda: codebook_io.read_codebook(d.store, d.slug))
    if book is None:
        return
    st.dataframe(frame([{"name": c.spec.name, "colour": c.spec.colour, "parent": c.spec.parent,
                         "definition": c.spec.definition, "example": c.spec.example,
                         "decision rules": c.spec.decision_rules,
                         "fields": "; ".join(c.fields)} for c in book.codes],
                       ["name", "colour", "parent", "definition", "example", "decision rules",
                        "fields"]), hide_index=True,
                 column_config={"colour": st.column_config.TextColumn("colour")})
    names = [c.spec.name for c in book.codes]
    _add_form(d, names)
    if not names:
        return
    by_name = {c.spec.name: c for c in book.codes}
    pick = st.selectbox("Code to change", names, key=PICK)
    if pick is None:
        return
    _load(by_name[pick])
    _edit_form(d, pick, names)
    _rename_merge_delete(d, pick, names)


def _add_form(d: Desk, names: list[str]) -> None:
    with st.expander("Add a code"), st.form("desk_code_add_form", clear_on_submit=True):
        st.text_input("Name", key=NEW_NAME, max_chars=120)
        st.color_picker("Colour", "#999999", key=NEW_COLOUR)
        st.text_area("Definition", key=NEW_DEFINITION)
        st.text_area("Example", key=NEW_EXAMPLE)
        st.text_area("Decision rules", key=NEW_RULES)
        st.text_input("Structured fields (separate with ;)", key=NEW_FIELDS,
                      placeholder="e.g. correction; source")
        st.selectbox("Parent", [NO_PARENT, *names], format_func=_parent_label, key=NEW_PARENT)
        st.form_submit_button("Add code", type="primary", key=NEW_SUBMIT, on_click=_add,
                              args=(d,))


def _edit_form(d: Desk, pick: str, names: list[str]) -> None:
    with st.form("desk_code_edit_form"):
        st.markdown(f"**Edit “{plain(pick)}”**")
        st.color_picker("Colour", key=COLOUR)
        st.text_area("Definition", key=DEFINITION)
        st.text_area("Example", key=EXAMPLE)
        st.text_area("Decision rules", key=RULES)
        st.text_input("Structured fields (separate with ;)", key=FIELDS)
        st.selectbox("Parent", [NO_PARENT, *[n for n in names if n != pick]],
                     format_func=_parent_label, key=PARENT)
        st.form_submit_button("Save code", key=SAVE, on_click=_save, args=(d, pick))


def _rename_merge_delete(d: Desk, pick: str, names: list[str]) -> None:
    left, middle, right = st.columns(3)
    with left, st.form("desk_code_rename_form"):
        st.text_input(f"Rename “{pick}” to", key=RENAME_TO, max_chars=120)
        st.form_submit_button("Rename", key=RENAME, on_click=_rename, args=(d, pick))
    with middle, st.form("desk_code_merge_form"):
        st.multiselect("Merge these codes…", names, key=MERGE_SOURCES)
        st.selectbox("…into", names, key=MERGE_INTO)
        st.form_submit_button("Merge", key=MERGE, on_click=_merge, args=(d,))
    used = shown(lambda: codebook.code_uses(d.store, d.slug, pick)) or 0
    with right, st.form("desk_code_delete_form"):
        if used:
            st.caption(f"{used} annotation(s) use “{plain(pick)}”: merge it into another code "
                       "to keep their tags, or tick the box to take it off them for good.")
        st.checkbox(f"Yes, remove it from the {used} annotation(s) that use it" if used
                    else "Also remove it from annotations that use it", key=DETACH)
        st.form_submit_button(f"Delete “{pick}”", key=DELETE, on_click=_delete, args=(d, pick))
