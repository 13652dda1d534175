"""Showing user text in Markdown widgets as text, not as formatting."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: str) -> str:
    """Escape Markdown so a quote or name renders verbatim (Streamlit already escapes HTML)."""
    return _SPECIAL.sub(r"\\\1", text).replace("\n", "  \n")


def clip(text: str, limit: int) -> str:
    """At most `limit` code points, with an ellipsis when cut."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
