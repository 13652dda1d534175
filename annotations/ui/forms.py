"""Forms that write: the new-annotation composer, editing your own, replying to anyone's.

Every write runs in a button callback, so it happens once per click before the
page is drawn, and a repeated click reuses the pending selection's id, which
`create_annotation` treats as the same annotation.
"""

from __future__ import annotations

import uuid

import streamlit as st

from ..annotation import AnnotationView, add_reply, create_annotation, update_annotation
from ..db.engine import Store
from ..errors import AnnotationsError
from ..seminar import SeminarCodebook
from . import state
from .markup import clip, plain

COMPOSE_ERROR = "new_error"


def code_help(cb: SeminarCodebook, names: list[str]) -> None:
    """Definition and example beside each picked code: the codebook where it is used."""
    specs = {c.name: c for c in cb.codes}
    for name in names:
        spec = specs.get(name)
        if spec is None:
            continue
        text = f"**{plain(name)}**: {plain(spec.definition or 'no definition yet')}"
        if spec.example:
            text += f"  \n*Example:* “{plain(spec.example)}”"
        st.caption(text)


def field_key(prefix: str, code: str, field: str) -> str:
    """Widget key of one structured field of one picked code, e.g. `new_field_0_1`."""
    return f"{prefix}_field_{code}_{field}"


def field_inputs(cb: SeminarCodebook, picked: list[str], prefix: str,
                 current: dict[str, dict[str, str]] | None = None) -> None:
    """A text box for each field the picked codes ask for (the codebook's structured fields)."""
    specs = {c.name: c for c in cb.codes}
    for code in picked:
        spec = specs.get(code)
        for name in spec.fields if spec else ():
            value = (current or {}).get(code, {}).get(name, "")
            st.text_input(f"{code}: {name}", value=value, key=field_key(prefix, code, name))


def field_values(cb: SeminarCodebook, picked: list[str], prefix: str
                 ) -> dict[str, dict[str, str]]:
    specs = {c.name: c for c in cb.codes}
    return {
        code: {name: str(st.session_state.get(field_key(prefix, code, name), "") or "")
               for name in specs[code].fields}
        for code in picked if code in specs and specs[code].fields
    }


def _perspective_options(cb: SeminarCodebook) -> list[str]:
    return ["", *(p.name for p in cb.perspectives)]


def _none_label(p: str) -> str:
    return p or "(none)"


# ---------------------------------------------------------------- composer


def _save(store: Store, who: state.Identity, document_id: str, cb: SeminarCodebook) -> None:
    p = state.pending()
    if p is None:
        return
    perspective = st.session_state.get(state.COMPOSE_PERSPECTIVE, "") or ""
    codes = list(st.session_state.get(state.COMPOSE_CODES, []) or [])
    try:
        view = create_annotation(
            store,
            seminar=who.seminar.slug, document_id=p.get("document") or document_id,
            start=p["start"], end=p["end"], quote=p["quote"], annotator=who.username,
            perspective=perspective, codes=codes,
            note=st.session_state.get(state.COMPOSE_NOTE, "") or "",
            annotation_id=p["id"], fields=field_values(cb, codes, "new"),
        )
    except AnnotationsError as e:
        st.session_state[COMPOSE_ERROR] = str(e)
        st.session_state[state.REJECTED] = p["id"]
        return
    st.session_state.pop(state.PENDING, None)
    st.session_state.pop(COMPOSE_ERROR, None)
    st.session_state[state.SELECTED] = view.id
    st.toast("Annotation saved")


def _cancel() -> None:
    st.session_state.pop(state.PENDING, None)
    st.session_state.pop(COMPOSE_ERROR, None)


def starting_perspective(cb: SeminarCodebook, document_perspective: str) -> str:
    """A new annotation's perspective: the document's own when the seminar has it, else none.

    Never the last one used: a tag carried over from another passage or document
    would be saved without the student choosing it (Quick code is the exception,
    and shows its tags next to the text).
    """
    return document_perspective if document_perspective in {
        x.name for x in cb.perspectives} else ""


def composer(store: Store, who: state.Identity, cb: SeminarCodebook, document_id: str,
             document_perspective: str = "") -> None:
    """The form for a pending selection: the document's perspective and no codes to start."""
    p = state.pending()
    if p is None:
        return
    if st.session_state.get(state.COMPOSE_FOR) != p["id"]:
        st.session_state[state.COMPOSE_PERSPECTIVE] = starting_perspective(
            cb, document_perspective)
        st.session_state[state.COMPOSE_CODES] = []
        st.session_state[state.COMPOSE_NOTE] = ""
        st.session_state[state.COMPOSE_FOR] = p["id"]
        st.session_state.pop(COMPOSE_ERROR, None)
    with st.container(border=True, key=state.COMPOSER):
        st.markdown("**New annotation**")
        st.markdown(f"> {plain(clip(p['quote'], 400))}")
        if st.session_state.get(COMPOSE_ERROR):
            st.error(st.session_state[COMPOSE_ERROR])
        st.selectbox("Perspective", _perspective_options(cb), format_func=_none_label,
                     key=state.COMPOSE_PERSPECTIVE)
        picked = st.multiselect("Critique codes", [c.name for c in cb.codes],
                                key=state.COMPOSE_CODES)
        code_help(cb, picked)
        field_inputs(cb, picked, "new")
        st.text_area("Note", key=state.COMPOSE_NOTE, height=90,
                     placeholder="Why does this passage matter for source criticism?")
        save, cancel = st.columns(2)
        save.button("Save annotation", type="primary", key=state.COMPOSE_SAVE,
                    on_click=_save, args=(store, who, document_id, cb), width="stretch")
        cancel.button("Cancel", key=state.COMPOSE_CANCEL, on_click=_cancel, width="stretch")


# ---------------------------------------------------------------- edit


def _update(store: Store, who: state.Identity, annotation_id: str,
            cb: SeminarCodebook) -> None:
    k = annotation_id
    picked = list(st.session_state.get(state.entry_key("edit_codes", k), []))
    try:
        update_annotation(
            store,
            annotation_id, seminar=who.seminar.slug, actor=who.username,
            perspective=st.session_state.get(state.entry_key("edit_perspective", k), ""),
            codes=list(st.session_state.get(state.entry_key("edit_codes", k), [])),
            note=st.session_state.get(state.entry_key("edit_note", k), ""),
            fields=field_values(cb, picked, state.entry_key("edit", k)),
        )
    except AnnotationsError as e:
        state.say("error", str(e))
        return
    st.session_state.pop(state.EDITING, None)
    st.toast("Annotation updated")


def _stop_editing() -> None:
    st.session_state.pop(state.EDITING, None)


def edit_form(store: Store, who: state.Identity, a: AnnotationView,
              cb: SeminarCodebook) -> None:
    k = a.id
    options = _perspective_options(cb)
    codes = [c.name for c in cb.codes]
    with st.container(border=True):
        st.markdown("**Edit your annotation**" if a.annotator == who.username
                    else "**Edit this annotation** (as instructor)")
        st.selectbox("Perspective", options, format_func=_none_label,
                     index=options.index(a.perspective) if a.perspective in options else 0,
                     key=state.entry_key("edit_perspective", k))
        picked = st.multiselect("Critique codes", codes,
                                default=[c for c in a.codes if c in codes],
                                key=state.entry_key("edit_codes", k))
        code_help(cb, picked)
        field_inputs(cb, picked, state.entry_key("edit", k), a.fields)
        st.text_area("Note", value=a.note, key=state.entry_key("edit_note", k), height=110)
        save, cancel = st.columns(2)
        save.button("Save changes", type="primary", key=state.entry_key("edit_save", k),
                    on_click=_update, args=(store, who, a.id, cb), width="stretch")
        cancel.button("Cancel", key=state.entry_key("edit_cancel", k),
                      on_click=_stop_editing, width="stretch")


# ---------------------------------------------------------------- reply


def _reply_id_key(annotation_id: str) -> str:
    return state.entry_key("reply_id", annotation_id)


def _send_reply(store: Store, who: state.Identity, annotation_id: str) -> None:
    text_key = state.entry_key("reply_text", annotation_id)
    rid = st.session_state.setdefault(_reply_id_key(annotation_id), str(uuid.uuid4()))
    try:
        add_reply(store, annotation_id, seminar=who.seminar.slug,
                  author=who.username, text=st.session_state.get(text_key, ""), reply_id=rid)
    except AnnotationsError as e:
        state.say("error", str(e))
        return
    st.session_state[text_key] = ""
    st.session_state.pop(_reply_id_key(annotation_id), None)
    st.toast("Reply posted")


def reply_form(store: Store, who: state.Identity, a: AnnotationView, author: str) -> None:
    st.text_area("Reply", key=state.entry_key("reply_text", a.id), height=70,
                 placeholder=f"Reply to {author}…", label_visibility="collapsed")
    st.button("Reply", key=state.entry_key("reply_send", a.id),
              on_click=_send_reply, args=(store, who, a.id))
