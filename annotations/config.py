"""Settings, read from the environment in one place.

Each setting is declared once with its default and help, so the README and
`annotations --help` can list them and a test can check they are documented.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str

    def get(self) -> str:
        return os.environ.get(self.name, "") or self.default


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "ANNOTATIONS_DATABASE_URL",
        "",
        "SQLAlchemy URL of the store. Empty: SQLite file data/annotations.sqlite3 "
        "(WAL). Example: postgresql+psycopg://user:pw@host/db or sqlite:////path/file.db",
    ),
    Setting(
        "ANNOTATIONS_TEXTS_DIR",
        str(PROJECT_ROOT / "texts"),
        "Folder of the built-in corpus (one .txt plus one .toml sidecar per document), "
        "loaded on start and by `annotations init`.",
    ),
    Setting(
        "ANNOTATIONS_THEMES_FILE",
        str(PROJECT_ROOT / "texts" / "seminar" / "themes.toml"),
        "The seminar's own themes (TOML, one [theme.<id>] table each) that the Compare "
        "view offers passages and claims by. A missing file: no themes.",
    ),
    Setting(
        "ANNOTATIONS_DATA_DIR",
        str(PROJECT_ROOT / "data"),
        "Folder for the default SQLite file and caches (git-ignored).",
    ),
    Setting(
        "ANNOTATIONS_OPEN_SIGNUP",
        "",
        "1: any signed-in account may create seminars (a demo). Empty or 0: only site "
        "admins and users a site admin made instructors (`annotations admin grant`).",
    ),
    Setting(
        "ANNOTATIONS_MAX_TEXT_BYTES",
        str(2 * 1024 * 1024),
        "Largest text file accepted by `texts add` and the upload form, in bytes.",
    ),
    Setting(
        "ANNOTATIONS_MAX_UPLOAD_BYTES",
        str(20 * 1024 * 1024),
        "Largest file (PDF, DOCX, HTML, EPUB or text) accepted by `texts add` and the "
        "upload form, in bytes; its extracted text must also fit ANNOTATIONS_MAX_TEXT_BYTES.",
    ),
    Setting(
        "ANNOTATIONS_SECRET_KEY",
        "",
        "Key that signs the pages' live-update subscriptions. Empty: a random key per "
        "process; set the same value in every app process that serves one database.",
    ),
    Setting(
        "ANNOTATIONS_TRUSTED_PROXIES",
        "",
        "Comma-separated addresses of reverse proxies in front of the app. A request "
        "from one of them is counted under the client address its X-Forwarded-For "
        "names (sign-in throttling is per client address). Empty: none trusted.",
    ),
    Setting(
        "ANNOTATIONS_PUBLIC_URL",
        "",
        "The app's address as browsers and learning platforms reach it, e.g. "
        "https://annotate.example.edu: the LTI URLs (`annotations lti config`) start "
        "with it. Empty: taken from each request (fine behind no proxy).",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def setting(name: str) -> str:
    return _BY_NAME[name].get()


def trusted_proxies() -> frozenset[str]:
    return frozenset(a.strip() for a in setting("ANNOTATIONS_TRUSTED_PROXIES").split(",")
                     if a.strip())


def data_dir() -> Path:
    return Path(setting("ANNOTATIONS_DATA_DIR"))


def texts_dir() -> Path:
    return Path(setting("ANNOTATIONS_TEXTS_DIR"))


def themes_file() -> Path:
    return Path(setting("ANNOTATIONS_THEMES_FILE"))


def _bytes(name: str) -> int:
    value = setting(name)
    try:
        return int(value)
    except ValueError:
        from .errors import InvalidInput

        raise InvalidInput(f"{name}={value!r} is not a whole number of bytes") from None


def max_text_bytes() -> int:
    return _bytes("ANNOTATIONS_MAX_TEXT_BYTES")


def max_upload_bytes() -> int:
    return _bytes("ANNOTATIONS_MAX_UPLOAD_BYTES")


def open_signup() -> bool:
    return setting("ANNOTATIONS_OPEN_SIGNUP").strip().lower() in ("1", "true", "yes", "on")


def public_url() -> str:
    """The configured public base URL without a trailing slash, or ""."""
    return setting("ANNOTATIONS_PUBLIC_URL").strip().rstrip("/")


def database_url() -> str:
    """The configured URL, or the embedded SQLite file under the data folder."""
    url = setting("ANNOTATIONS_DATABASE_URL")
    if url:
        return url
    path = data_dir() / "annotations.sqlite3"
    return f"sqlite:///{path}"
