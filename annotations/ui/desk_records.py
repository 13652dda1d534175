"""Desk: the seminar's exports, its backup file (download, restore), and its audit log."""

from __future__ import annotations

import io
import json
from functools import partial

import streamlit as st

from .. import audit, backup, backup_schema, export, jsonld, link
from ..annotation import Filters
from ..timeutil import format_time
from . import state
from .desk_common import Desk, act, frame, shown, uploaded

BACKUP = "desk_backup"
RESTORE_FILE = "desk_restore_file"
RESTORE = "desk_restore"
RESTORE_HERE = "desk_restore_here"
AUDIT_ACTION = "desk_audit_action"
AUDIT_CSV = "desk_audit_csv"
EXPORT_CSV = "desk_export_csv"
EXPORT_REPLIES = "desk_export_replies"
EXPORT_LINKS = "desk_export_links"
EXPORT_JSONLD = "desk_export_jsonld"
ANY = "(any)"


def _backup_bytes(d: Desk) -> bytes:
    out = io.StringIO()
    backup.write_backup(d.store, d.slug, out)
    return out.getvalue().encode("utf-8")


def _restored(r: backup.RestoreReport) -> str:
    made = f"; accounts created: {', '.join(r.users_created)}" if r.users_created else ""
    if r.members_left_out:
        made += (f"; left out (not in a seminar you teach, or no account here; they join "
                 f"with the code): {', '.join(r.members_left_out)}")
    return (f"Seminar “{r.seminar}” restored: {r.annotations} annotation(s), {r.replies} "
            f"reply(ies), {r.links} link(s), {r.members} member(s){made}.")


def _restore(d: Desk) -> None:
    got = uploaded(RESTORE_FILE)
    if got is None:
        state.say("error", "choose a backup file (.json) first")
        return
    _, data = got
    into = d.slug if st.session_state.get(RESTORE_HERE) else ""
    act(lambda: backup.restore_seminar(d.store, backup.read_backup(data), actor=d.actor(),
                                       into=into), _restored)


def _text(write: object) -> bytes:
    out = io.StringIO(newline="")
    write(out)  # type: ignore[operator]
    return out.getvalue().encode("utf-8")


def render_exports(d: Desk) -> None:
    """The files researchers load into pandas or R, made when a button is pressed."""
    st.subheader("Exports")
    st.caption("Annotations and replies as CSV (one row each; codes joined by “; ”, times "
               "in UTC), links between passages, and W3C Web Annotation JSON-LD.")
    everything = Filters(seminar=d.slug)
    files = [
        ("Annotations (CSV)", EXPORT_CSV, "annotations.csv", "text/csv",
         lambda out: export.export_annotations(d.store, out, everything)),
        ("Replies (CSV)", EXPORT_REPLIES, "replies.csv", "text/csv",
         lambda out: export.export_replies(d.store, out, everything)),
        ("Links (CSV)", EXPORT_LINKS, "links.csv", "text/csv",
         lambda out: link.export_links(d.store, out, d.slug)),
        ("W3C JSON-LD", EXPORT_JSONLD, "annotations.jsonld", "application/ld+json",
         lambda out: jsonld.export_jsonld(d.store, out, everything)),
    ]
    for column, (label, key, name, mime, write) in zip(st.columns(len(files)), files,
                                                       strict=True):
        column.download_button(label, partial(_text, write),
                               file_name=f"{d.slug}-{name}", mime=mime, key=key,
                               on_click="ignore")


def render_backup(d: Desk) -> None:
    st.subheader("Backup and restore")
    st.caption("One JSON file with the codebook, members (with password hashes: keep it "
               "private), annotations, replies, links and the audit log. Texts are not "
               "included: a restore needs the same texts in the target store.")
    st.download_button("Download a backup of this seminar (JSON)",
                       lambda: _backup_bytes(d), file_name=f"{d.slug}-backup.json",
                       mime="application/json", key=BACKUP, on_click="ignore")
    with st.form("desk_restore_form", clear_on_submit=True):
        st.file_uploader("Restore a seminar from a backup file", type=["json"],
                         key=RESTORE_FILE)
        st.checkbox("Into this seminar (only while it has no annotations or links)",
                    key=RESTORE_HERE)
        st.caption("Otherwise restoring creates the seminar of the file (if you may create "
                   "seminars); it must not exist here yet. Members must already have "
                   f"accounts here. Files over {backup_schema.MAX_BACKUP_BYTES // 2**20} MiB "
                   "are refused.")
        st.form_submit_button("Restore", key=RESTORE, on_click=_restore, args=(d,))


def render_audit(d: Desk) -> None:
    st.subheader("Audit log")
    entries = shown(lambda: audit.list_entries(d.store, d.slug))
    if entries is None:
        return
    actions = sorted({e.action for e in entries})
    pick = st.selectbox("Action", [ANY, *actions], key=AUDIT_ACTION)
    st.dataframe(frame([{"at": format_time(e.at), "actor": e.actor, "action": e.action,
                         "target": e.target,
                         "detail": json.dumps(e.detail, ensure_ascii=False, sort_keys=True)}
                        for e in reversed(entries) if pick in (ANY, e.action)],
                       ["at", "actor", "action", "target", "detail"]), hide_index=True)
    out = io.StringIO(newline="")
    if shown(lambda: audit.export_csv(d.store, out, d.slug)) is not None:
        st.download_button("Download the audit log (CSV)", out.getvalue().encode("utf-8"),
                           file_name=f"{d.slug}-audit.csv", mime="text/csv", key=AUDIT_CSV,
                           on_click="ignore")
