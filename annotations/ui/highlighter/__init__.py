"""The selection-and-highlight component: registration and the payload it renders.

The component is ours (st.components.v2, inline HTML/CSS/JS read from the
files beside this module, no npm build). Python sends it the verbatim text,
the paratext ranges and one record per highlight; the JS splits the text at
every boundary, so nested and crossing highlights both render, and reports
selections as code-point offsets with their quote, which the library checks
against the text before saving.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

from ...annotation import AnnotationView
from ...codebook import CodeSpec, PerspectiveSpec
from ...corpus import VersionText
from ...guests import is_guest

HERE = Path(__file__).resolve().parent
COMPONENT_NAME = "seminar_annotations.highlighter"
GREY = "#9aa0a6"
NOTE_PREVIEW = 140


@cache
def _renderer() -> Any:
    """Register once per process: re-registering on every rerun only logs warnings."""
    return st.components.v2.component(
        COMPONENT_NAME,
        html=(HERE / "component.html").read_text(encoding="utf-8"),
        css=(HERE / "component.css").read_text(encoding="utf-8"),
        js=(HERE / "component.js").read_text(encoding="utf-8"),
        isolate_styles=False,
    )


@dataclass(frozen=True)
class Focus:
    """Scroll to and flash one highlight; a new nonce replays it for the same id."""

    annotation_id: str
    nonce: str


def paratext_label(kind: str) -> str:
    return kind.replace("_", " ").replace("-", " ").strip() or "paratext"


def highlight_colour(a: AnnotationView, colour_by: str, perspective_colours: dict[str, str],
                     code_colours: dict[str, str]) -> str:
    return tags_colour(a.perspective, a.codes, colour_by, perspective_colours, code_colours)


def tags_colour(perspective: str, codes: Sequence[str], colour_by: str,
                perspective_colours: dict[str, str], code_colours: dict[str, str]) -> str:
    """Colour by the first code or by the perspective, falling back to the other, then grey."""
    by_code = next((code_colours[c] for c in codes if c in code_colours), None)
    by_perspective = perspective_colours.get(perspective)
    if colour_by == "code":
        return by_code or by_perspective or GREY
    return by_perspective or by_code or GREY


def _who(a: AnnotationView, names: Mapping[str, str] | None) -> str:
    shown = (names or {}).get(a.annotator, "")
    if is_guest(a.annotator):
        return f"{shown or 'unnamed'} (guest)"  # a label, never the server-made id
    return f"{shown} ({a.annotator})" if shown and shown != a.annotator else a.annotator


def highlight_label(a: AnnotationView, names: Mapping[str, str] | None = None) -> str:
    """`names` maps usernames (and guest ids) to display names; others show as stored."""
    parts = [_who(a, names), a.perspective or "no perspective"]
    if a.codes:
        parts.append(", ".join(a.codes))
    return " · ".join(parts)


def highlight_spoken(a: AnnotationView, names: Mapping[str, str] | None = None) -> str:
    """The highlight as a screen reader announces it: words, not the label's dots."""
    perspective = f"perspective {a.perspective}" if a.perspective else "no perspective"
    codes = f"codes {', '.join(a.codes)}" if a.codes else "no codes"
    return f"by {_who(a, names)}, {perspective}, {codes}"


@dataclass(frozen=True)
class Records:
    """The highlights as the component draws them, with a digest that changes with them."""

    highlights: list[dict[str, Any]]
    digest: str


def records(
    version: VersionText,
    annotations: Sequence[AnnotationView],
    *,
    colour_by: str,
    perspectives: Sequence[PerspectiveSpec],
    codes: Sequence[CodeSpec],
    names: Mapping[str, str] | None = None,
) -> Records:
    """One record per highlight on this version: the costly part, shareable between sessions."""
    p_colours = {p.name: p.colour for p in perspectives}
    c_colours = {c.name: c.colour for c in codes}
    highlights = [
        {
            "id": a.id,
            "s": a.start,
            "e": a.end,
            "colour": highlight_colour(a, colour_by, p_colours, c_colours),
            "label": highlight_label(a, names),
            "spoken": highlight_spoken(a, names),
            "note": a.note[:NOTE_PREVIEW] + ("…" if len(a.note) > NOTE_PREVIEW else ""),
        }
        for a in annotations
        if a.document_sha256 == version.sha256 and not a.deleted  # tombstones: no words
    ]
    digest = hashlib.sha1(json.dumps(highlights, sort_keys=True).encode("utf-8")).hexdigest()
    return Records(highlights, digest)


def payload(
    version: VersionText,
    annotations: Sequence[AnnotationView],
    *,
    colour_by: str,
    perspectives: Sequence[PerspectiveSpec],
    codes: Sequence[CodeSpec],
    revision: int,
    pending: tuple[int, int] | None = None,
    selected: str | None = None,
    focus: Focus | None = None,
    status: str = "",
    names: Mapping[str, str] | None = None,
    pending_id: str | None = None,
    draft: tuple[str, Sequence[str]] | None = None,
    rejected: str | None = None,
    save_button: str = "",
    drawn: Records | None = None,
) -> dict[str, Any]:
    """The JSON the component renders. `render_key` changes only when the drawing must.

    `drawn` is `records(...)` of these annotations when the caller already has
    them (shared between sessions). For the optimistic draw: `draft` is Quick
    code's (perspective, codes), with which a selection is saved at once;
    `save_button` the key of the composer's Save button; `rejected` the id of a
    save the server just refused.
    """
    if drawn is None:
        drawn = records(version, annotations, colour_by=colour_by, perspectives=perspectives,
                        codes=codes, names=names)
    p_colours = {p.name: p.colour for p in perspectives}
    c_colours = {c.name: c.colour for c in codes}
    legend_source = perspectives if colour_by == "perspective" else codes
    legend = [{"name": x.name, "colour": x.colour} for x in legend_source]
    digest = hashlib.sha1(
        json.dumps([drawn.digest, pending, colour_by], sort_keys=True).encode("utf-8")
    ).hexdigest()[:16]
    return {
        "render_key": f"{version.document_id}:{version.sha256[:12]}:{revision}:{digest}",
        "text": version.text,
        "paratext": [
            {"s": p.start, "e": p.end, "kind": p.kind, "label": paratext_label(p.kind)}
            for p in version.paratext
        ],
        "highlights": drawn.highlights,
        "pending": {"s": pending[0], "e": pending[1], "id": pending_id} if pending else None,
        "draft": {"colour": tags_colour(draft[0], draft[1], colour_by, p_colours, c_colours)}
        if draft is not None else None,
        "rejected": rejected,
        "save_button": f"st-key-{save_button}" if save_button else "",
        "selected": selected,
        "focus": {"id": focus.annotation_id, "nonce": focus.nonce} if focus else None,
        "legend": legend,
        "status": status,
    }


def highlighter(
    data: dict[str, Any],
    *,
    key: str,
    on_selection: Callable[[], None],
    on_pick: Callable[[], None],
    on_hotkey: Callable[[], None],
    on_live: Callable[[], None] = lambda: None,
) -> Any:
    """Mount the component; its trigger values arrive through the callbacks."""
    return _renderer()(
        key=key,
        data=data,
        on_selection_change=on_selection,
        on_pick_change=on_pick,
        on_hotkey_change=on_hotkey,
        on_live_change=on_live,
    )
