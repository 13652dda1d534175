"""Desk: the codebook section: codes, perspectives, and the codebook as a CSV or JSON file."""

from __future__ import annotations

import streamlit as st

from .. import codebook_io
from ..cliutil import decode_upload
from . import desk_codes, desk_perspectives, state
from .desk_common import Desk, act, shown, uploaded

EXPORT_CSV = "desk_cb_export_csv"
EXPORT_JSON = "desk_cb_export_json"
IMPORT_FILE = "desk_cb_import_file"
IMPORT = "desk_cb_import"


def _summary(s: codebook_io.ImportSummary) -> str:
    return (f"Codebook imported: {len(s.added)} added, {len(s.updated)} updated, "
            f"{len(s.unchanged)} unchanged.")


def _import(d: Desk) -> None:
    got = uploaded(IMPORT_FILE)
    if got is None:
        state.say("error", "choose a codebook file (.csv or .json) first")
        return
    name, data = got
    fmt = "json" if name.lower().endswith(".json") else "csv"
    act(lambda: codebook_io.import_text(d.store, d.slug, decode_upload(data, name), fmt,
                                        d.actor()), _summary)


def render(d: Desk) -> None:
    desk_codes.render(d)
    st.divider()
    desk_perspectives.render(d)
    st.divider()
    st.subheader("Codebook file")
    left, right = st.columns(2)
    with left:
        csv_text = shown(lambda: codebook_io.export_text(d.store, d.slug, "csv"))
        json_text = shown(lambda: codebook_io.export_text(d.store, d.slug, "json"))
        if csv_text is not None:
            st.download_button("Download codebook (CSV)", csv_text.encode("utf-8"),
                               file_name=f"{d.slug}-codebook.csv", mime="text/csv",
                               key=EXPORT_CSV, on_click="ignore")
        if json_text is not None:
            st.download_button("Download codebook (JSON)", json_text.encode("utf-8"),
                               file_name=f"{d.slug}-codebook.json", mime="application/json",
                               key=EXPORT_JSON, on_click="ignore")
    with right, st.form("desk_cb_import_form", clear_on_submit=True):
        st.file_uploader("Import a codebook (CSV or JSON)", type=["csv", "json"],
                         key=IMPORT_FILE)
        st.caption("Codes and perspectives are matched by name: listed ones are updated, new "
                   "ones added, others kept. A file with any bad row changes nothing.")
        st.form_submit_button("Import codebook", key=IMPORT, on_click=_import, args=(d,))
