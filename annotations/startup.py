"""A store ready for its first use: migrated, the built-in corpus in it, the open demo seminar.

The app and every console command open the store through here, so the first
thing a user sees on a fresh store is the texts and the demo seminar, with no
set-up step. Documents already stored are never touched (an instructor's
replaced text stays current); `annotations init` is the explicit re-sync.
"""

from __future__ import annotations

from pathlib import Path

from .corpus import load_missing
from .db.engine import Store
from .seminar import ensure_seminar

DEMO_SLUG, DEMO_TITLE, DEMO_CODE = "demo", "Demo seminar", "DEMO"


def prepare(store: Store, texts_dir: Path | None = None) -> list[str]:
    """Add the corpus documents the store lacks and the demo seminar; returns the ids added."""
    added = load_missing(store, texts_dir)
    ensure_seminar(store, DEMO_SLUG, DEMO_TITLE, DEMO_CODE)
    return added


def open_store(url: str | None = None, texts_dir: Path | None = None) -> Store:
    """The store at `url` (default: the configured one), migrated and prepared."""
    store = Store.open(url)
    prepare(store, texts_dir)
    return store
