"""Desk: add a text (upload, preview, publish), download originals, replace and re-anchor."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from .. import corpus, permissions, sources
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
PREVIEW = "desk_txt_preview"  # step 1: read the file, show what would be stored
PENDING = "desk_txt_pending"  # the previewed upload (a Pending) until published or discarded
PREVIEW_TEXT = "desk_txt_preview_text"
PUBLISH = "desk_txt_publish"  # step 2
DISCARD = "desk_txt_discard"
ORIGINAL_DOCUMENT = "desk_orig_document"
ORIGINAL_DOWNLOAD = "desk_orig_download"
REPLACE_DOCUMENT = "desk_rep_document"
REPLACE_FILE = "desk_rep_file"
REPLACE = "desk_rep_submit"
RESULT = "desk_rep_result"  # the last ReplaceResult, shown until the next replacement
META = ((SOURCE_KIND, "Kind of source", "e.g. textbook chapter"), (AUTHOR, "Author", ""),
        (PUBLISHER, "Publisher", ""), (DATE, "Date", "e.g. 1998"), (LICENCE, "Licence", ""))
MAX_LISTED = 50
MAX_PREVIEWED = 400  # paragraphs drawn in the preview; all of them are published
FIELDS = {"document_id": DOCUMENT_ID, "source_kind": SOURCE_KIND, "author": AUTHOR,
          "publisher": PUBLISHER, "date": DATE, "licence": LICENCE}


@dataclass(frozen=True)
class Pending:
    """An upload read and checked, waiting for the instructor to publish or discard it."""

    name: str
    data: bytes
    title: str
    perspective: str
    fields: dict[str, str]
    extraction: sources.Extraction


def _added(result: tuple[str, str, tuple[str, ...]]) -> str:
    doc, outcome, warnings = result
    text = {"added": f"Text “{doc}” added.",
            "new version": f"“{doc}” already existed: this file is its new current version; "
                           "re-anchor its annotations below.",
            "unchanged": f"“{doc}” already holds exactly this text: nothing changed."}[outcome]
    return " ".join([text, *warnings])


def _preview(d: Desk) -> None:
    s = st.session_state
    got = uploaded(FILE)
    if got is None:
        state.say("error", "choose a file (plain text, PDF, DOCX, HTML or EPUB) to upload first")
        return
    name, data = got
    title, perspective = s.get(TITLE, ""), s.get(PERSPECTIVE) or ""
    extraction = act(lambda: corpus.prepare_text(data, name=name, title=title,
                                                 perspective=perspective))
    if extraction is not None:
        s[PENDING] = Pending(name, data, title, perspective,
                             {f: str(s.get(k) or "").strip() for f, k in FIELDS.items()},
                             extraction)


def _publish(d: Desk) -> None:
    p = st.session_state.get(PENDING)
    if not isinstance(p, Pending):
        return
    if act(lambda: corpus.add_text(d.store, p.data, name=p.name, title=p.title,
                                   perspective=p.perspective, actor=d.actor(), seminar=d.slug,
                                   **p.fields), _added) is not None:
        st.session_state.pop(PENDING, None)


def _discard() -> None:
    p = st.session_state.pop(PENDING, None)
    if isinstance(p, Pending):
        state.say("info", f"{p.name} discarded: nothing was added.")


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
    st.caption("Plain text (UTF-8) is kept exactly as it is. From a PDF with a text layer, a "
               "Word document (.docx), a web page or an EPUB the text is extracted, with page "
               "breaks, headings, notes and captions marked as paratext, and the file is kept "
               "for download. You see the result before anything is added.")
    with st.form("desk_txt_form", clear_on_submit=True):
        st.file_uploader("Text file", type=list(sources.UPLOAD_SUFFIXES), key=FILE)
        st.text_input("Title", key=TITLE)
        st.selectbox("Perspective", perspectives, key=PERSPECTIVE, accept_new_options=True,
                     index=None, placeholder="Choose or type a perspective")
        st.text_input("Document id (optional)", key=DOCUMENT_ID,
                      help="Lower-case letters, digits and dashes; made from the title if empty.")
        columns = st.columns(len(META))
        for column, (key, label, hint) in zip(columns, META, strict=True):
            with column:
                st.text_input(label, key=key, placeholder=hint)
        st.form_submit_button("Preview", type="primary", key=PREVIEW, on_click=_preview,
                              args=(d,))
    pending = st.session_state.get(PENDING)
    if isinstance(pending, Pending):
        _preview_panel(d, pending)
    st.divider()
    _originals(d)
    st.divider()
    _replace_form(d)


def _preview_panel(d: Desk, p: Pending) -> None:
    ex = p.extraction
    passages = sources.outline(ex.text, ex.paratext)
    st.subheader(f"Preview: {plain(p.title)}")
    counts = {k: sum(1 for r in ex.paratext if r.kind == k) for k in sources.KINDS}
    found = ", ".join(f"{kind} × {n}" for kind, n in counts.items() if n)
    st.caption(plain(f"{p.name} · {sources.FORMATS[ex.format].label} · {len(ex.text):,} "
                     f"characters · {len(passages)} paragraphs · "
                     f"{found or 'no paratext found'}. This is exactly the text students "
                     "will annotate; paratext is marked."))
    for w in ex.warnings:
        st.warning(plain(w))
    with st.container(height=420, key=PREVIEW_TEXT):
        page = 1
        for passage in passages[:MAX_PREVIEWED]:
            if passage.page != page:
                page = passage.page
                st.caption(f"— page {page} —")
            badge = f":orange-badge[{passage.kind}] " if passage.kind else ""
            st.markdown(badge + plain(passage.text))
        if len(passages) > MAX_PREVIEWED:
            st.caption(f"…and {len(passages) - MAX_PREVIEWED} more paragraphs.")
    left, right = st.columns(2)
    with left:
        st.button("Publish this text", type="primary", key=PUBLISH, on_click=_publish,
                  args=(d,))
    with right:
        st.button("Discard", key=DISCARD, on_click=_discard)


def _originals(d: Desk) -> None:
    st.subheader("Original files")
    texts = [t for t in shown(lambda: corpus.list_texts(d.store, d.slug)) or [] if t.original]
    if not texts:
        st.caption("No text here was made from a PDF, DOCX, HTML or EPUB file yet.")
        return
    titles = {t.document_id: f"{t.title} ({t.original})" for t in texts}
    doc = st.selectbox("Document", list(titles), format_func=titles.__getitem__,
                       key=ORIGINAL_DOCUMENT)
    original = shown(lambda: corpus.original_file(d.store, doc or "", actor=d.actor(),
                                                  seminar=d.slug))
    if original is not None:
        st.download_button(f"Download {original.name}", original.data, file_name=original.name,
                           mime=original.media_type, key=ORIGINAL_DOWNLOAD, on_click="ignore")


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
        st.file_uploader("New text (plain text, PDF, DOCX, HTML or EPUB)",
                         type=list(sources.UPLOAD_SUFFIXES), key=REPLACE_FILE)
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
