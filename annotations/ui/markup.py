"""Showing user text in Markdown widgets as text, not as formatting."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")
# GFM turns bare URLs, www. names and e-mail addresses into links *after* escapes are
# resolved, so backslashes cannot stop it: an invisible WORD JOINER (U+2060) inside
# the pattern does, and the text still reads the same.
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=\bwww)(?=\.)|(?<=@)")


def plain(text: str) -> str:
    """The one escape for user text in Markdown (names, titles, notes, messages): it
    renders verbatim, never as formatting, a link or an image (Streamlit escapes HTML)."""
    return _SPECIAL.sub(r"\\\1", _AUTOLINK.sub("\u2060", text)).replace("\n", "  \n")


def clip(text: str, limit: int) -> str:
    """At most `limit` code points, with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
