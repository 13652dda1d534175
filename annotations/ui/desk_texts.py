"""Desk: add a text to the corpus, or replace a document's text and re-anchor onto it."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import corpus, permissions
from ..annotation import AnnotationView, Filters, list_annotations
from ..seminar import seminar_codebook
from . import desk_review, state
from .desk_common import Desk, act, frame, shown, uploaded
from .markup import clip, plain

FILE = "desk_txt_file"
TITLE = "desk_txt_title"
PERSPECTIVE = "desk_txt_perspective"
DOCUMENT_ID = "desk_txt_document_id"
SOURCE_KIND = "desk_txt_source_kind"
AUTHOR = "desk_txt_author"
PUBLISHER = "desk_txt_publisher"
DATE = "desk_txt_date"
LICENCE = "desk_txt_licence"
ADD = "desk_txt_add"
REPLACE_DOCUMENT = "desk_rep_document"
REPLACE_FILE = "desk_rep_file"
REPLACE = "desk_rep_submit"
RESULT = "desk_rep_result"  # the last ReplaceResult, shown until the next replacement
META = ((SOURCE_KIND, "Kind of source", "e.g. textbook chapter"), (AUTHOR, "Author", ""),
        (PUBLISHER, "Publisher", ""), (DATE, "Date", "e.g. 1998"), (LICENCE, "Licence", ""))
MAX_LISTED = 50


def _added(result: tuple[str, str, tuple[str, ...]]) -> str:
    doc, outcome, warnings = result
    text = {"added": f"Text “{doc}” added.",
            "new version": f"“{doc}” already existed: this file is its new current version; "
                           "re-anchor its annotations below.",
            "unchanged": f"“{doc}” already holds exactly this text: nothing changed."}[outcome]
    return " ".join([text, *warnings])


def _add(d: Desk) -> None:
    s = st.session_state
    got = uploaded(FILE)
    if got is None:
        state.say("error", "choose a text file (.txt, UTF-8) to upload first")
        return
    name, data = got
    act(lambda: corpus.add_text(
        d.store, data, name=name, title=s.get(TITLE, ""), perspective=s.get(PERSPECTIVE) or "",
        actor=d.actor(), seminar=d.slug,
        document_id=s.get(DOCUMENT_ID, "").strip(), source_kind=s.get(SOURCE_KIND, ""),
        author=s.get(AUTHOR, ""), publisher=s.get(PUBLISHER, ""), date=s.get(DATE, ""),
        licence=s.get(LICENCE, "")), _added)


def _replace(d: Desk) -> None:
    got = uploaded(REPLACE_FILE)
    doc = st.session_state.get(REPLACE_DOCUMENT) or ""
    if got is None:
        state.say("error", "choose the file with the document's new text first")
        return
    name, data = got
    result = act(lambda: corpus.replace_text(d.store, doc, data, name=name, actor=d.actor(),
                                             seminar=d.slug),
                 lambda r: " ".join([f"“{doc}”: {r.outcome}; {r.report.moved} annotation(s) "
                                     "moved onto the new text.", *r.warnings]))
    if result is not None:
        st.session_state[RESULT] = result


def render(d: Desk) -> None:
    st.subheader("Add a text")
    book = shown(lambda: seminar_codebook(d.store, d.slug))
    perspectives = [p.name for p in book.perspectives] if book else []
    with st.form("desk_txt_form", clear_on_submit=True):
        st.file_uploader("Text file (plain UTF-8)", type=["txt"], key=FILE)
        st.text_input("Title", key=TITLE)
        st.selectbox("Perspective", perspectives, key=PERSPECTIVE, accept_new_options=True,
                     index=None, placeholder="Choose or type a perspective")
        st.text_input("Document id (optional)", key=DOCUMENT_ID,
                      help="Lower-case letters, digits and dashes; made from the title if empty.")
        columns = st.columns(len(META))
        for column, (key, label, hint) in zip(columns, META, strict=True):
            with column:
                st.text_input(label, key=key, placeholder=hint)
        st.form_submit_button("Add text", type="primary", key=ADD, on_click=_add, args=(d,))
    st.divider()
    _replace_form(d)


def _replace_form(d: Desk) -> None:
    st.subheader("Replace a text and re-anchor")
    st.caption("Texts this seminar uploaded (site admins: the built-in corpus too). The "
               "document keeps its title and metadata. This seminar's annotations (for a "
               "built-in text, every seminar's) are carried through the edit: those on "
               "unchanged words land exactly where they went; places the edit does not prove "
               "need a review below; annotations whose words were deleted stay on the old text "
               "as orphans.")
    texts = shown(lambda: corpus.list_texts(d.store, d.slug)) or []
    corpus_too = permissions.may(d.store, d.actor(), permissions.Action.EDIT_CORPUS)
    titles = {t.document_id: t.title for t in texts if t.own or corpus_too}
    with st.form("desk_rep_form", clear_on_submit=True):
        st.selectbox("Document", list(titles), format_func=titles.__getitem__,
                     key=REPLACE_DOCUMENT)
        st.file_uploader("New text (plain UTF-8)", type=["txt"], key=REPLACE_FILE)
        st.form_submit_button("Replace and re-anchor", key=REPLACE, on_click=_replace,
                              args=(d,))
    result = st.session_state.get(RESULT)
    if isinstance(result, corpus.ReplaceResult):
        _report(d, result)
    st.divider()
    desk_review.render(d)


def _report(d: Desk, r: corpus.ReplaceResult) -> None:
    report = r.report
    st.markdown(f"**Last replacement: {plain(r.document_id)}** · {report.moved} moved · "
                f"{len(report.review)} to review · {len(report.orphans)} orphaned")
    mine = {a.id: a for a in shown(lambda: list_annotations(
        d.store, Filters(seminar=d.slug, document=r.document_id), with_replies=False)) or []}
    for title, ids in (("Needs review (place not proven by the edit)", report.review),
                       ("Orphans (words deleted from the new text)", report.orphans)):
        st.markdown(f"*{title}: {len(ids)}*")
        listed = [mine[i] for i in ids if i in mine]
        if listed:
            st.dataframe(_rows(listed[:MAX_LISTED]), hide_index=True)
        if len(ids) > len(listed):
            st.caption(f"{len(ids) - len(listed)} of them belong to other seminars.")


def _rows(views: list[AnnotationView]) -> pd.DataFrame:
    return frame([{"id": a.id, "annotator": a.annotator, "quote": clip(a.quote, 120),
                   "codes": "; ".join(a.codes), "status": a.anchor_status} for a in views],
                 ["id", "annotator", "quote", "codes", "status"])
