"""The side panel: filters, the opened annotation with its thread, and the list in text order."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import streamlit as st

from .. import permissions
from ..annotation import (
    UNDO_WINDOW,
    AnnotationView,
    Deleted,
    Filters,
    delete_annotation,
    undo_delete,
)
from ..db.engine import Store
from ..errors import AnnotationsError
from ..seminar import SeminarCodebook
from ..timeutil import now
from . import forms, state
from .account import shown_name
from .markup import clip, plain

PAGE = 25
LONG_NOTE = 500  # code points: longer notes scroll inside the card
DELETED = "Deleted by its author"


@dataclass(frozen=True)
class PanelFilters:
    """The library's Filters plus whether anything narrows the list."""

    filters: Filters
    active: bool


def filters(who: state.Identity, document_id: str, annotators: Sequence[str],
            cb: SeminarCodebook, names: dict[str, str]) -> PanelFilters:
    with st.expander("Filter annotations", expanded=False):
        who_choice = st.radio("Whose", [state.WHO_EVERYONE, state.WHO_MINE, state.WHO_ONE],
                              key=state.FILTER_WHO, horizontal=True)
        annotator = ""
        if who_choice == state.WHO_MINE:
            annotator = who.username
        elif who_choice == state.WHO_ONE:
            annotator = st.selectbox("Annotator", list(annotators) or [who.username],
                                     format_func=lambda u: shown_name(names, u),
                                     key=state.FILTER_ANNOTATOR) or ""
        code = st.selectbox("Code", [state.ANY, *(c.name for c in cb.codes)],
                            key=state.FILTER_CODE)
        perspective = st.selectbox("Perspective",
                                   [state.ANY, *(p.name for p in cb.perspectives)],
                                   key=state.FILTER_PERSPECTIVE)
        search = st.text_input("Search quotes and notes", key=state.FILTER_SEARCH)
    f = Filters(
        seminar=who.seminar.slug, document=document_id, annotator=annotator,
        code="" if code in (None, state.ANY) else code,
        perspective="" if perspective in (None, state.ANY) else perspective,
        search=(search or "").strip(),
    )
    active = bool(f.annotator or f.code or f.perspective or f.search)
    return PanelFilters(f, active)


def _meta(a: AnnotationView, names: dict[str, str]) -> str:
    bits = [DELETED] if a.deleted else [
        shown_name(names, a.annotator), a.perspective or "no perspective"]
    if a.codes:
        bits.append(", ".join(a.codes))
    if a.replies:
        bits.append(f"{len(a.replies)} repl{'y' if len(a.replies) == 1 else 'ies'}")
    return " · ".join(bits)


def _ask_delete(annotation_id: str | None) -> None:
    st.session_state[state.CONFIRM_DELETE] = annotation_id


def _delete(store: Store, who: state.Identity, annotation_id: str) -> None:
    st.session_state.pop(state.CONFIRM_DELETE, None)
    try:
        deleted = delete_annotation(store, annotation_id, seminar=who.seminar.slug,
                                    actor=who.username)
    except AnnotationsError as e:
        state.say("error", str(e))
        return
    st.session_state[state.UNDO] = deleted
    if not deleted.tombstone:
        for key in (state.SELECTED, state.EDITING):
            if st.session_state.get(key) == annotation_id:
                st.session_state.pop(key, None)
    st.session_state.pop(state.EDITING, None)


def _undo(store: Store, who: state.Identity, deleted: Deleted) -> None:
    st.session_state.pop(state.UNDO, None)
    try:
        back = undo_delete(store, deleted, actor=who.username)
    except AnnotationsError as e:
        state.say("error", str(e))
        return
    state.focus_on(back.id)
    st.toast("Annotation restored")


def undo_bar(store: Store, who: state.Identity) -> None:
    """After a delete: a notice with Undo, for as long as the library allows it."""
    deleted: Deleted | None = st.session_state.get(state.UNDO)
    if deleted is None:
        return
    if now() - deleted.deleted_at > UNDO_WINDOW or deleted.seminar != who.seminar.slug:
        st.session_state.pop(state.UNDO, None)
        return
    with st.container(border=True, key="undo_bar"):
        text, undo = st.columns([3, 1], vertical_alignment="center")
        kept = " Its replies stay, under a placeholder." if deleted.tombstone else ""
        text.markdown(f"Annotation deleted.{kept}")
        undo.button("Undo", key=state.UNDO_BUTTON, on_click=_undo, args=(store, who, deleted),
                    icon=":material/undo:", width="stretch",
                    help=f"Possible for {int(UNDO_WINDOW.total_seconds() // 60)} minutes "
                         "after the delete")


def _edit(annotation_id: str) -> None:
    st.session_state[state.EDITING] = annotation_id


def _close() -> None:
    st.session_state.pop(state.SELECTED, None)
    st.session_state.pop(state.EDITING, None)


def may_change(who: state.Identity, a: AnnotationView) -> bool:
    """Offer edit and delete when the permission map allows (the library asks it again)."""
    return permissions.allowed(permissions.Principal(who.role), permissions.Action.EDIT,
                               permissions.Resource(who.seminar.closed, a.annotator),
                               who.username)


def opened(store: Store, who: state.Identity, a: AnnotationView, cb: SeminarCodebook,
           names: dict[str, str]) -> None:
    """The annotation picked in the text or the list: full note, thread, actions."""
    k = a.id
    with st.container(border=True, key=state.entry_key("opened", k)):
        head, close = st.columns([5, 1])
        head.markdown(f"*{DELETED}*" if a.deleted else
                      f"**{plain(shown_name(names, a.annotator))}** · "
                      f"{plain(a.perspective or 'no perspective')}")
        close.button("✕", key=state.entry_key("ann_close", k), on_click=_close,
                     help="Close")
        if a.deleted:
            st.caption("The annotation was withdrawn; the discussion under it stays.")
            _thread(store, who, a, names)
            return
        if a.codes:
            st.markdown(" ".join(f":blue-badge[{plain(c)}]" for c in a.codes))
        for code, values in a.fields.items():
            for name, value in values.items():
                st.markdown(f"*{plain(code)} — {plain(name)}:* {plain(value)}")
        st.markdown(f"> {plain(clip(a.quote, 600))}")
        if a.anchor_status in ("orphan", "review"):
            st.caption(_anchor_note(a))
        if a.note:
            if len(a.note) > LONG_NOTE:
                with st.container(height=220, border=False):
                    st.markdown(plain(a.note))
            else:
                st.markdown(plain(a.note))
        st.caption(f"{a.created_at:%d %b %Y, %H:%M} UTC"
                   + (" · edited" if a.updated_at != a.created_at else ""))
        if may_change(who, a):
            _actions(store, who, a, cb)
        _thread(store, who, a, names)


def _actions(store: Store, who: state.Identity, a: AnnotationView, cb: SeminarCodebook) -> None:
    k = a.id
    if st.session_state.get(state.CONFIRM_DELETE) == k:
        others = sum(1 for r in a.replies if r.author != a.annotator)
        st.warning("Delete this annotation?" + (
            f" Its {len(a.replies)} repl{'y' if len(a.replies) == 1 else 'ies'} stay, "
            "under a “deleted by its author” placeholder." if a.replies else "")
            + (" Classmates wrote some of them." if others else "")
            + f" You can undo it for {int(UNDO_WINDOW.total_seconds() // 60)} minutes.")
        yes, no = st.columns(2)
        yes.button("Yes, delete", key=state.entry_key("ann_delete_yes", k), type="primary",
                   on_click=_delete, args=(store, who, k), width="stretch")
        no.button("Keep it", key=state.entry_key("ann_delete_no", k), on_click=_ask_delete,
                  args=(None,), width="stretch")
        return
    edit, delete = st.columns(2)
    edit.button("Edit", key=state.entry_key("ann_edit", k), on_click=_edit,
                args=(k,), width="stretch")
    delete.button("Delete", key=state.entry_key("ann_delete", k), on_click=_ask_delete,
                  args=(k,), width="stretch")
    if st.session_state.get(state.EDITING) == k:
        forms.edit_form(store, who, a, cb)


def _thread(store: Store, who: state.Identity, a: AnnotationView,
            names: dict[str, str]) -> None:
    for r in a.replies:
        st.markdown(f"↳ **{plain(shown_name(names, r.author))}** · "
                    f"{r.created_at:%d %b, %H:%M}  \n"
                    f"{plain(r.text)}")
    forms.reply_form(store, who, a, DELETED if a.deleted else shown_name(names, a.annotator))


def gone(annotation_id: str) -> None:
    """The opened annotation was deleted meanwhile: say so, and keep a half-written reply."""
    draft = (st.session_state.get(state.entry_key("reply_text", annotation_id)) or "").strip()
    st.info("The annotation you had open was deleted by its author."
            + (" Your unsent reply is below: copy it before you go on." if draft else ""))
    if draft:
        st.code(draft, language=None, wrap_lines=True)
    st.button("Close", key=state.entry_key("ann_gone_close", annotation_id), on_click=_close)


def entries(anns: Sequence[AnnotationView], total: int, active: bool,
            selected: str | None, names: dict[str, str]) -> None:
    """Compact cards in text order, a page at a time (a document may hold thousands)."""
    if not anns:
        st.caption("No annotations match these filters." if active and total
                   else "No annotations on this document yet: select a passage to add one.")
        return
    noun = "annotation" if total == 1 else "annotations"
    label = f"{len(anns)} of {total} {noun}" if active else f"{total} {noun}"
    st.caption(f"{label}, in text order")
    limit = st.session_state.get(state.PAGE_SIZE, PAGE)
    for a in anns[:limit]:
        with st.container(border=True, key=state.entry_key("entry", a.id)):
            mark = "▶ " if a.id == selected else ""
            st.markdown(f"{mark}*{DELETED}*" if a.deleted
                        else f"{mark}“{plain(clip(a.quote, 140))}”")
            st.caption(plain(_meta(a, names)))
            if a.note:
                st.caption(plain(clip(a.note, 160)))
            st.button("Show in text", key=state.entry_key("ann_open", a.id), type="tertiary",
                      on_click=state.focus_on, args=(a.id,), icon=":material/my_location:",
                      help="Scroll to this highlight, flash it and open it here")
    if len(anns) > limit:
        st.button(f"Show {min(PAGE, len(anns) - limit)} more", key=state.MORE,
                  on_click=_more)


def _more() -> None:
    st.session_state[state.PAGE_SIZE] = st.session_state.get(state.PAGE_SIZE, PAGE) + PAGE


def _anchor_note(a: AnnotationView) -> str:
    """Why an annotation is not (or not surely) highlighted on the current text."""
    if a.anchor_status == "review":
        return "Placed on a new version of the text; the instructor has yet to confirm it."
    return ("Orphan: these words are not in the current version of the text. As they stood "
            f"in the version it was made on: …{plain(clip(a.prefix, 60))} "
            f"**{plain(clip(a.quote, 200))}** {plain(clip(a.suffix, 60))}…")
