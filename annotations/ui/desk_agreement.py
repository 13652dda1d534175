"""Desk: inter-annotator agreement per code and document, per pair, and passage by passage."""

from __future__ import annotations

import streamlit as st

from .. import agreement, desk
from .desk_common import Desk, frame, shown
from .markup import clip, plain

DOCUMENT = "desk_ag_document"
DISAGREE_DOCUMENT = "desk_ag_dis_document"
MAX_PASSAGES = 30
CLIP = 300


UNDEFINED = "undefined"


def _number(value: float | None) -> str:
    """Three decimals, or a word where the statistic is undefined (never "None")."""
    return UNDEFINED if value is None else f"{value:.3f}"


def _names(d: Desk) -> dict[str, str]:
    """username -> "Display (username)" for everyone with a row at the desk."""
    rows = shown(lambda: desk.students(d.store, d.slug, include_instructors=True)) or []
    return {r.username: (f"{r.display_name} ({r.username})"
                         if r.display_name != r.username else r.username) for r in rows}


def render(d: Desk) -> None:
    st.subheader("Agreement")
    st.caption("Krippendorff's alpha (nominal) over word tokens; “undefined” with fewer than "
               "two annotators, or when everyone gave the same value everywhere.")
    rows = shown(lambda: agreement.agreement_rows(d.store, d.slug))
    if rows is None:
        return
    if not rows:
        st.info("No annotations with codes yet: agreement needs at least two annotators.")
        return
    docs = sorted({r.document_id for r in rows} - {agreement.ALL})
    pick = st.selectbox("Document", [agreement.ALL, *docs], key=DOCUMENT)
    st.dataframe(frame([{"document": r.document_id, "code": r.code, "alpha": _number(r.alpha),
                         "annotators": r.annotators, "units": r.units}
                        for r in rows if pick == agreement.ALL or r.document_id == pick],
                       ["document", "code", "alpha", "annotators", "units"]), hide_index=True)
    names = _names(d)
    st.markdown("**Pairwise agreement**")
    pairs = shown(lambda: agreement.pairwise(d.store, d.slug)) or []
    st.dataframe(frame([{"document": p.document_id, "code": p.code,
                         "annotator A": names.get(p.annotator_a, p.annotator_a),
                         "annotator B": names.get(p.annotator_b, p.annotator_b),
                         "units": p.units, "agreement": round(p.agreement, 3),
                         "kappa": _number(p.kappa)}
                        for p in pairs if pick == agreement.ALL or p.document_id == pick],
                       ["document", "code", "annotator A", "annotator B", "units",
                        "agreement", "kappa"]), hide_index=True)
    _disagreements(d, docs, names)


def _disagreements(d: Desk, docs: list[str], names: dict[str, str]) -> None:
    st.markdown("**Where annotators differ**")
    if not docs:
        return
    doc = st.selectbox("Document", docs, key=DISAGREE_DOCUMENT)
    found = shown(lambda: agreement.disagreements(d.store, d.slug, doc or "")) or []
    if not found:
        st.info("Everyone who annotated this document coded it the same way.")
    for p in found[:MAX_PASSAGES]:
        with st.container(border=True):
            st.markdown(f"“{plain(clip(p.text, CLIP))}”")
            st.caption(f"characters {p.start}–{p.end}")
            st.dataframe(frame([{"annotator": names.get(who, who),
                                 "codes": "; ".join(codes) or "(none)"}
                                for who, codes in p.coded.items()], ["annotator", "codes"]),
                         hide_index=True)
    if len(found) > MAX_PASSAGES:
        more = len(found) - MAX_PASSAGES
        st.caption(f"…and {more} more passage{'s' if more != 1 else ''}.")
