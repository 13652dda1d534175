"""The framing comparison page: one theme, the texts side by side, evidence in place.

Only wiring: the figures come from `annotations.comparison` and the framing
library; passages are drawn by the same highlighter component as the
workspace (text as text, never HTML), with the chosen metric's words lit up
beside the seminar's own highlights.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import streamlit as st

from .. import comparison
from ..annotation import AnnotationView, Filters, list_annotations
from ..corpus import TextInfo, VersionText, get_text, list_texts
from ..db.engine import Store
from ..errors import AnnotationsError
from ..framing.alignment import DEFAULT_FACTOR
from ..framing.analysis import analyse, distinctive_vocabulary, extract_claims
from ..framing.models import Claim, DocumentAnalysis
from ..link import KINDS, create_link, list_links
from ..seminar import revision
from ..suggestion import source_text
from . import layout, state
from .account import display_names, shown_name
from .highlighter import highlighter
from .markup import clip, plain

THEME = "cmp_theme"
METRIC = "cmp_metric"
FACTOR = "cmp_factor"
LINK_FROM = "cmp_link_from"
LINK_TO = "cmp_link_to"
LINK_KIND = "cmp_link_kind"
LINK_NOTE = "cmp_link_note"
LINK_SAVE = "cmp_link_save"
LINK_FEEDBACK = "cmp_link_feedback"  # (kind, text) of the last save, shown under the form
OPEN = "cmp_open"
EVIDENCE_COLOUR = "#ffd54f"
ANNOTATION_COLOUR = "#90caf9"
MAX_PASSAGES = 8


@st.cache_resource(show_spinner="Analysing the texts (once per version)…")
def _analysis(sha256: str, _version: VersionText) -> tuple[DocumentAnalysis, list[Claim]]:
    """Parsed and analysed once per text version for the whole server process."""
    src = source_text(_version)
    return analyse(src), extract_claims(src)


def _corpus(store: Store, seminar: str
            ) -> list[tuple[TextInfo, VersionText, DocumentAnalysis, list[Claim]]]:
    """The texts the seminar sees: the built-in corpus and its own uploads."""
    out = []
    for info in list_texts(store, seminar):
        version = get_text(store, info.document_id, seminar=seminar)
        analysis, claims = _analysis(version.sha256, version)
        out.append((info, version, analysis, claims))
    return out


def _payload(p: comparison.Passage, metric: str, names: dict[str, str]) -> dict[str, Any]:
    """Evidence and annotations of one passage, offsets relative to the passage."""
    highlights = [
        {"id": f"ev:{metric}:{i}", "s": s, "e": e, "colour": EVIDENCE_COLOUR,
         "label": f"evidence: {metric.replace('_', ' ')}", "note": ""}
        for i, (s, e) in enumerate(p.evidence(metric))
    ] + [
        {"id": a.id, "s": max(a.start, p.start) - p.start, "e": min(a.end, p.end) - p.start,
         "colour": ANNOTATION_COLOUR,
         "label": f"{shown_name(names, a.annotator)} · {', '.join(a.codes)}",
         "note": clip(a.note, 140)}
        for a in p.annotations
    ]
    return {
        "render_key": f"{p.document_id}:{p.paragraph}:{metric}:{len(p.annotations)}:"
                      f"{','.join(a.id + str(a.updated_at) for a in p.annotations)}",
        "text": p.text, "paratext": [], "highlights": highlights, "pending": None,
        "selected": None, "focus": None, "legend": [], "status": "", "readonly": True,
    }


def _noop() -> None:
    return None


def _passage(p: comparison.Passage, metric: str, names: dict[str, str]) -> None:
    highlighter(_payload(p, metric, names), key=f"cmp_passage_{p.document_id}_{p.paragraph}",
                on_selection=_noop, on_pick=_noop, on_hotkey=_noop)
    counts = {m.name: m.count for m in p.metrics}
    st.caption(f"¶ {p.paragraph + 1} · {counts.get(metric, 0)} × "
               f"{metric.replace('_', ' ')}")
    for a in p.annotations:
        st.markdown(f"**{plain(shown_name(names, a.annotator))}** · "
                    f"{plain(', '.join(a.codes) or 'no code')}"
                    + (f" — {plain(clip(a.note, 200))}" if a.note else ""))


def _link_form(store: Store, who: state.Identity, shown: list[AnnotationView],
               titles: dict[str, str], names: dict[str, str]) -> None:
    if len({a.document_id for a in shown}) < 2:
        st.caption("Annotate passages on this theme in two texts to link them.")
        return
    label = {a.id: f"{titles.get(a.document_id, a.document_id)}: “{clip(a.quote, 60)}” "
                   f"({shown_name(names, a.annotator)})" for a in shown}
    ids = list(label)
    with st.form("cmp_link_form", clear_on_submit=True):
        st.markdown("**Link two passages across texts**")
        st.selectbox("This passage", ids, format_func=label.__getitem__, key=LINK_FROM)
        st.selectbox("…", KINDS, key=LINK_KIND)
        st.selectbox("that passage", ids, format_func=label.__getitem__,
                     index=min(1, len(ids) - 1), key=LINK_TO)
        st.text_input("Why (optional)", key=LINK_NOTE)
        st.form_submit_button("Save link", key=LINK_SAVE, on_click=_save_link,
                              args=(store, who))
    feedback = st.session_state.pop(LINK_FEEDBACK, None)
    if feedback is not None:
        (st.success if feedback[0] == "success" else st.error)(feedback[1])


def _save_link(store: Store, who: state.Identity) -> None:
    """A callback, so the links table above already lists the new link on this run."""
    try:
        create_link(store, seminar=who.seminar.slug,
                    kind=st.session_state.get(LINK_KIND) or KINDS[0],
                    from_annotation_id=st.session_state.get(LINK_FROM) or "",
                    to_annotation_id=st.session_state.get(LINK_TO) or "",
                    annotator=who.username, note=st.session_state.get(LINK_NOTE) or "")
        st.session_state[LINK_FEEDBACK] = ("success", "Link saved: it is in the table above.")
    except AnnotationsError as e:
        st.session_state[LINK_FEEDBACK] = ("error", plain(str(e)))


def _open_annotation(a_id: str, document_id: str) -> None:
    st.session_state[state.VIEW] = state.VIEW_WORKSPACE
    st.session_state[state.DOCUMENT] = document_id
    state.focus_on(a_id)


def render(store: Store, who: state.Identity) -> None:
    st.header("Framing comparison")
    st.caption("The same events in each text, side by side. Pick a theme, then a measure: "
               "its words light up in yellow; the seminar's highlights are blue.")
    rows = _corpus(store, who.seminar.slug)
    analyses = [a for _, _, a, _ in rows]
    labels = comparison.themes()
    shared = comparison.shared_themes(analyses)
    if not shared:
        st.info("No theme is covered by more than one text yet.")
        return
    theme = st.selectbox("Theme", shared, format_func=lambda t: labels.get(t, t), key=THEME)
    metric = st.radio("Light up", comparison.COMPARED_METRICS, horizontal=True, key=METRIC,
                      format_func=lambda m: m.replace("_", " "))
    rev = revision(store, who.seminar.id)
    notes = list_annotations(store, Filters(seminar=who.seminar.slug), viewer=who.username)
    titles = {info.document_id: info.title for info, *_ in rows}
    names = display_names(store, who.seminar)
    notes = [a for a in notes if not a.deleted]
    cols = st.container(key=layout.COMPARE_TEXTS).columns(len(rows))
    selected: list[comparison.Passage] = []
    for col, (info, version, analysis, _) in zip(cols, rows, strict=True):
        with col:
            st.subheader(plain(info.title))
            st.caption(f"{plain(info.perspective)} · "
                       f"{plain(info.source_kind or 'source not given')}")
            found = comparison.passages(version, analysis, theme or "", notes)
            selected += found
            if not found:
                st.info("This text does not speak to this theme.")
            for p in found[:MAX_PASSAGES]:
                _passage(p, metric or comparison.COMPARED_METRICS[0], names)
            if len(found) > MAX_PASSAGES:
                more = len(found) - MAX_PASSAGES
                st.caption(f"{more} more passage{'s' if more != 1 else ''} on this theme.")
    st.subheader("Evidence on this theme")
    table = comparison.passage_metric_table(selected)
    st.dataframe(table.rename(columns=titles), key="cmp_metric_table")
    st.subheader("Numbers and whom each text credits")
    claims = [c for *_, cl in rows for c in cl]
    st.dataframe(comparison.claims_for_theme(claims, theme or ""), key="cmp_claims",
                 hide_index=True)
    st.markdown("**The same quantity across texts** (same kind of figure, place and years)")
    factor = st.number_input("Flag groups whose figures differ by more than (times)",
                             min_value=1.0, value=DEFAULT_FACTOR, step=0.5, key=FACTOR)
    st.dataframe(comparison.aligned_groups(claims, theme or "", float(factor)),
                 key="cmp_aligned", hide_index=True)
    st.markdown(f"**{plain((metric or '').replace('_', ' '))} in other voices** "
                "(quotations, reader comments, captions and notes are not the author's)")
    st.dataframe(comparison.voices_table(analyses, metric or comparison.COMPARED_METRICS[0]),
                 key="cmp_voices", hide_index=True)
    st.subheader("Links between passages")
    shown = [a for p in selected for a in p.annotations]
    links = comparison.links_between(
        list_links(store, who.seminar.slug, viewer=who.username), {a.id for a in shown})
    by_id = {a.id: a for a in notes}
    if links:
        st.dataframe([
            {"from": clip(by_id[lk.from_annotation_id].quote, 60) if lk.from_annotation_id
             in by_id else lk.from_annotation_id, "kind": lk.kind,
             "to": clip(by_id[lk.to_annotation_id].quote, 60) if lk.to_annotation_id in by_id
             else lk.to_annotation_id, "note": lk.note, "by": shown_name(names, lk.annotator)}
            for lk in links], key="cmp_links", hide_index=True)
    _link_form(store, who, shown, titles, names)
    _vocabulary(rows, titles)
    _overview(analyses, notes, {info.document_id: info.perspective for info, *_ in rows},
              titles, rev)


@st.cache_resource(show_spinner=False)
def _words(key: tuple[str, ...], _versions: tuple[VersionText, ...]) -> Any:
    return distinctive_vocabulary([source_text(v) for v in _versions])


def _vocabulary(rows: list[tuple[TextInfo, VersionText, DocumentAnalysis, list[Claim]]],
                titles: dict[str, str]) -> None:
    st.subheader("Distinctive vocabulary")
    st.caption("Words each text uses more than the others (Fightin' Words log-odds with an "
               "informative prior, Monroe et al. 2008): z above 2 is a strong preference.")
    versions = tuple(v for _, v, _, _ in rows)
    table = comparison.vocabulary_table(_words(tuple(v.sha256 for v in versions), versions))
    cols = st.container(key=layout.COMPARE_VOCAB).columns(len(rows))
    for col, (info, *_) in zip(cols, rows, strict=True):
        with col:
            st.markdown(f"**{plain(titles.get(info.document_id, info.document_id))}**")
            mine = table[table["document_id"] == info.document_id].drop(columns=["document_id"])
            st.dataframe(mine, hide_index=True, key=f"cmp_vocab_{info.document_id}")


def _overview(analyses: list[DocumentAnalysis], notes: list[AnnotationView],
              perspectives: dict[str, str], titles: dict[str, str], rev: int) -> None:
    st.header("Overview")
    st.altair_chart(comparison.metrics_chart(comparison.metric_table(analyses))
                    .properties(title="Framing measures per 1,000 words"),
                    key="cmp_metrics_chart")
    codes = comparison.code_table(notes, perspectives)
    if codes.empty:
        st.caption("The seminar's codes appear here once annotations are saved.")
        return
    chart: alt.Chart = comparison.codes_chart(codes).properties(
        title="Codes the seminar applied, by document and perspective tagged")
    st.altair_chart(chart, key="cmp_codes_chart")
    st.markdown("**Which codes each perspective attracted** (open an annotation to see it in "
                "its text)")
    st.dataframe(codes.drop(columns=["annotation_ids"]), key=f"cmp_codes_{rev}",
                 hide_index=True)
    by_id = {a.id: a for a in notes}
    options = [i for ids in codes["annotation_ids"] for i in ids if i in by_id]
    choice = st.selectbox(
        "Open annotation", list(dict.fromkeys(options)), index=None, key=OPEN,
        format_func=lambda i: f"{titles.get(by_id[i].document_id, '')}: "
                              f"“{clip(by_id[i].quote, 60)}” · {', '.join(by_id[i].codes)}",
    )
    if choice:
        st.button("Show in its text", key="cmp_open_go",
                  on_click=_open_annotation, args=(choice, by_id[choice].document_id))
