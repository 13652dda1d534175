"""The selection-and-highlight component: registration and the payload it renders.

The component is ours (st.components.v2, inline HTML/CSS/JS read from the
files beside this module, no npm build). Python sends it the verbatim text,
the paratext ranges and one record per highlight; the JS splits the text at
every boundary, so nested and crossing highlights both render, and reports
selections as code-point offsets with their quote, which the library checks
against the text before saving.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import streamlit as st

from ...annotation import AnnotationView
from ...codebook import CodeSpec, PerspectiveSpec
from ...corpus import VersionText
from ...highlights import Records, records, tags_colour

HERE = Path(__file__).resolve().parent
COMPONENT_NAME = "seminar_annotations.highlighter"


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


def render_key(document_id: str, sha256: str, digest: str, pending: tuple[int, int] | None,
               colour_by: str) -> str:
    """Changes exactly when the drawing must. The component builds the same key for a
    drawing it fetched itself (component.js, `liveKey`), so the rerun that follows a
    redraw in place does not redraw again."""
    span = f"{pending[0]}-{pending[1]}" if pending else ""
    return f"{document_id}:{sha256[:12]}:{digest[:16]}:{span}:{colour_by}"


def payload(
    version: VersionText,
    annotations: Sequence[AnnotationView],
    *,
    colour_by: str,
    perspectives: Sequence[PerspectiveSpec],
    codes: Sequence[CodeSpec],
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
    save_url: str = "",
) -> dict[str, Any]:
    """The JSON the component renders. `render_key` changes only when the drawing must.

    `drawn` is `records(...)` of these annotations when the caller already has
    them (shared between sessions). `draft` is Quick code's (perspective, codes),
    with which the component saves a selection at once by POSTing it to
    `save_url` (annotations.web.live), drawn before the answer; `save_button` the
    key of the composer's Save button, whose save is drawn the same way;
    `rejected` the id of a composer's save the server just refused.
    """
    if drawn is None:
        drawn = records(version, annotations, colour_by=colour_by, perspectives=perspectives,
                        codes=codes, names=names)
    p_colours = {p.name: p.colour for p in perspectives}
    c_colours = {c.name: c.colour for c in codes}
    legend_source = perspectives if colour_by == "perspective" else codes
    legend = [{"name": x.name, "colour": x.colour} for x in legend_source]
    return {
        "render_key": render_key(version.document_id, version.sha256, drawn.digest, pending,
                                 colour_by),
        "text": version.text,
        "paratext": [
            {"s": p.start, "e": p.end, "kind": p.kind, "label": paratext_label(p.kind)}
            for p in version.paratext
        ],
        "highlights": drawn.highlights,
        "pending": {"s": pending[0], "e": pending[1], "id": pending_id} if pending else None,
        "draft": {"colour": tags_colour(draft[0], draft[1], colour_by, p_colours, c_colours),
                  "perspective": draft[0], "codes": list(draft[1]), "url": save_url,
                  "document": version.document_id}
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
