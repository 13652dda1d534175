"""Desk: per document, how much of it the seminar annotated, and what nobody touched."""

from __future__ import annotations

import altair as alt
import streamlit as st

from .. import desk
from ..corpus import list_texts
from .desk_common import Desk, frame, shown
from .markup import clip, plain

DOCUMENT = "desk_doc"
SKIP_PARATEXT = "desk_doc_skip_paratext"
CHART = "desk_doc_heat"
MAX_UNTOUCHED = 40
CLIP = 240


def heat_chart(stretches: list[desk.Stretch]) -> alt.Chart:
    """One cell per paragraph, darker where more annotations overlap it.

    The cells need a y band of their own (one constant row): a rect with only an
    ordinal x and a fixed height is drawn 0 px high once the chart fits its
    container (Vega drops "fit-y" for a discrete height).
    """
    data = frame([{"paragraph": s.index + 1, "annotations": s.count, "row": "",
                   "text": clip(s.text, 120), "paratext": s.paratext or "running text"}
                  for s in stretches], ["paragraph", "annotations", "row", "text", "paratext"])
    return alt.Chart(data).mark_rect().encode(
        x=alt.X("paragraph:O", title="Paragraph", axis=alt.Axis(labelOverlap=True)),
        y=alt.Y("row:N", title=None, axis=None),
        color=alt.Color("annotations:Q", title="Annotations",
                        scale=alt.Scale(scheme="oranges", domainMin=0)),
        tooltip=["paragraph", "annotations", "paratext", "text"],
    ).properties(height=60, usermeta={"embedOptions": {"renderer": "svg"}})  # a few dozen
    # cells: SVG keeps each one an element that assistive tools and tests can find


def render(d: Desk) -> None:
    st.subheader("Coverage per document")
    texts = shown(lambda: list_texts(d.store, d.slug)) or []
    if not texts:
        st.info("No texts are loaded yet: add one under Texts.")
        return
    titles = {t.document_id: t.title for t in texts}
    doc = st.selectbox("Document", list(titles), format_func=titles.__getitem__, key=DOCUMENT)
    if doc is None:
        return
    strip = shown(lambda: desk.heat_strip(d.store, d.slug, doc))
    if strip is None:
        return
    st.altair_chart(heat_chart(strip), key=CHART)
    covered = sum(1 for s in strip if s.count)
    st.caption(f"{covered} of {len(strip)} paragraphs have at least one annotation.")
    skip = st.toggle("Leave out paratext (captions, key points, endnotes…)", key=SKIP_PARATEXT)
    quiet = shown(lambda: desk.untouched(d.store, d.slug, doc, include_paratext=not skip)) or []
    st.markdown(f"**Passages no one annotated ({len(quiet)})**")
    for s in quiet[:MAX_UNTOUCHED]:
        kind = f" · {s.paratext}" if s.paratext else ""
        st.markdown(f"¶ {s.index + 1}{plain(kind)} — {plain(clip(s.text, CLIP))}")
    if len(quiet) > MAX_UNTOUCHED:
        st.caption(f"…and {len(quiet) - MAX_UNTOUCHED} more.")
