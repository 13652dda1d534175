"""The corpus: verbatim seed texts, idempotent loading, versions, `add_text` checks."""

from __future__ import annotations

import hashlib
import re
import shutil
import tomllib
from pathlib import Path

import pytest

from annotations import corpus
from annotations.anchor import AnchorStatus
from annotations.annotation import Filters, create_annotation, get_annotation, list_annotations
from annotations.db.engine import Store
from annotations.errors import InvalidInput, NotFound, TextRejected
from annotations.permissions import Actor
from annotations.seminar import get_seminar

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ROOT / "texts"
# The digests the seed texts were published with: texts/ must hold exactly those bytes.
SEED_DIGESTS = {
    "000_60074082943c0513.txt":
        "637cbb93abf4b611b617a1ddf93cdb7da72bff18bff240e9f270ac8e6495c150",
    "001_f02f9e1ef134fca0.txt":
        "f9660f975421fac03e0f0f25fefafcc3bcb7e8806f3207b5046c564920ea40e2",
    "002_6357f67523a82db4.txt":
        "878f3f73c777793a11b782c36cb09d580a89898f134baec48ae98a4dd72e83fa",
}
SEED_FOR = {
    "steel-and-sacrifice": "000_60074082943c0513.txt",
    "allied-powers-ussr": "001_f02f9e1ef134fca0.txt",
    "stalinism-inner-truth": "002_6357f67523a82db4.txt",
}
PERSPECTIVES = {
    "steel-and-sacrifice": "popular history",
    "allied-powers-ussr": "textbook",
    "stalinism-inner-truth": "libertarian-socialist polemic",
}


def _sidecars() -> dict[str, dict]:  # type: ignore[type-arg]
    return {
        raw["document_id"]: raw
        for raw in (tomllib.loads(p.read_text(encoding="utf-8")) for p in TEXTS.glob("*.toml"))
    }


@pytest.mark.parametrize("document_id", sorted(SEED_FOR))
def test_texts_are_byte_identical_to_the_seeds(document_id: str) -> None:
    meta = _sidecars()[document_id]
    ours = (TEXTS / meta["file"]).read_bytes()
    seed_name = SEED_FOR[document_id]
    assert hashlib.sha256(ours).hexdigest() == SEED_DIGESTS[seed_name]
    assert meta["sha256"] == SEED_DIGESTS[seed_name]
    assert meta["perspective"] == PERSPECTIVES[document_id]


def test_every_text_has_exactly_one_sidecar() -> None:
    assert sorted(m["file"] for m in _sidecars().values()) == sorted(
        p.name for p in TEXTS.glob("*.txt"))


def test_paratext_offsets_lie_inside_their_texts() -> None:
    for meta in _sidecars().values():
        n = len((TEXTS / meta["file"]).read_text(encoding="utf-8"))
        for p in meta.get("paratext", []):
            assert 0 <= p["start"] <= p["end"] <= n, (meta["document_id"], p)


def test_corpus_in_store_matches_files(store: Store) -> None:
    infos = {t.document_id: t for t in corpus.list_texts(store)}
    assert set(infos) == set(SEED_FOR)
    for doc_id, meta in _sidecars().items():
        text = (TEXTS / meta["file"]).read_text(encoding="utf-8")
        stored = corpus.get_text(store, doc_id)
        assert stored.text == text
        assert stored.sha256 == meta["sha256"] == infos[doc_id].sha256
        assert infos[doc_id].characters == len(text)
        assert infos[doc_id].title == meta["title"]
        assert infos[doc_id].versions == 1


def test_loading_twice_changes_nothing(any_store: Store) -> None:
    result = corpus.load_corpus(any_store, TEXTS)
    assert result.added == [] and result.new_versions == []
    assert sorted(result.unchanged) == sorted(SEED_FOR)
    assert all(t.versions == 1 for t in corpus.list_texts(any_store))


def test_first_load_adds_everything(tmp_path: Path) -> None:
    s = Store.open(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        result = corpus.load_corpus(s, TEXTS)
        assert sorted(result.added) == sorted(SEED_FOR)
        assert result.unchanged == [] and result.warnings == []
    finally:
        s.dispose()


def _changed_corpus(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of texts/ in which steel-and-sacrifice has `old` replaced by `new`."""
    folder = tmp_path / "texts"
    shutil.copytree(TEXTS, folder)
    txt = folder / "steel-and-sacrifice.txt"
    body = txt.read_text(encoding="utf-8")
    assert old in body
    data = body.replace(old, new, 1).encode()
    txt.write_bytes(data)
    side = folder / "steel-and-sacrifice.toml"
    raw = side.read_text(encoding="utf-8")
    side.write_text(re.sub(r'^sha256 = ".*"$', f'sha256 = "{hashlib.sha256(data).hexdigest()}"',
                           raw, flags=re.M), encoding="utf-8")
    return folder


def test_changed_text_is_a_new_version_and_annotations_wait_for_reanchor(
        any_store: Store, tmp_path: Path) -> None:
    doc = "steel-and-sacrifice"
    old = corpus.get_text(any_store, doc)
    quote = "Steel and Sacrifice"
    start = old.text.index(quote)
    a = create_annotation(any_store, seminar="demo", document_id=doc, start=start,
                          end=start + len(quote), quote=quote, annotator="ada")
    lost = "Stalin"
    lost_start = old.text.rindex(lost)
    b = create_annotation(any_store, seminar="demo", document_id=doc, start=lost_start,
                          end=lost_start + len(lost), quote=lost, annotator="ada")

    folder = _changed_corpus(tmp_path, "Steel and Sacrifice", "EDITED: Steel and Sacrifice")
    body = (folder / "steel-and-sacrifice.txt").read_text(encoding="utf-8")
    (folder / "steel-and-sacrifice.txt").write_text(body.replace("Stalin", "Koba"),
                                                     encoding="utf-8")
    data = (folder / "steel-and-sacrifice.txt").read_bytes()
    side = folder / "steel-and-sacrifice.toml"
    side.write_text(re.sub(r'^sha256 = ".*"$', f'sha256 = "{hashlib.sha256(data).hexdigest()}"',
                           side.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")

    result = corpus.load_corpus(any_store, folder)
    assert result.new_versions == [doc]
    assert sorted(result.unchanged) == ["allied-powers-ussr", "stalinism-inner-truth"]
    new = corpus.get_text(any_store, doc)
    assert new.sha256 != old.sha256 and new.is_current
    assert corpus.get_text(any_store, doc, old.sha256).text == old.text
    assert {t.document_id: t.versions for t in corpus.list_texts(any_store)}[doc] == 2

    # Until re-anchoring, the annotation still points at the old version.
    before = get_annotation(any_store, a.id, "demo")
    assert (before.document_sha256, before.start) == (old.sha256, start)

    revision = get_seminar(any_store, "demo").revision
    report = corpus.reanchor_document(any_store, doc, actor=Actor.console())
    assert report.moved == 1 and report.review == [] and report.orphans == [b.id]
    after = get_annotation(any_store, a.id, "demo")
    assert after.document_sha256 == new.sha256
    assert new.text[after.start:after.end] == quote
    assert after.start == new.text.index(quote) != start
    assert after.anchor_status == AnchorStatus.ANCHORED
    assert get_seminar(any_store, "demo").revision > revision

    # The orphan is reported, kept on the old version, and reported again.
    orphan = get_annotation(any_store, b.id, "demo")
    assert orphan.document_sha256 == old.sha256
    assert orphan.anchor_status == AnchorStatus.ORPHAN
    assert orphan.quote == lost
    assert len(list_annotations(any_store, Filters(seminar="demo"))) == 2
    assert corpus.reanchor_document(any_store, doc, actor=Actor.console()).orphans == [b.id]


def test_an_orphan_alone_still_bumps_the_revision(store: Store, tmp_path: Path) -> None:
    doc = "steel-and-sacrifice"
    text = corpus.get_text(store, doc).text
    quote = "Steel and Sacrifice"
    start = text.index(quote)
    a = create_annotation(store, seminar="demo", document_id=doc, start=start,
                          end=start + len(quote), quote=quote, annotator="ada")
    corpus.load_corpus(store, _changed_corpus(tmp_path, quote, "Iron and Blood"))
    revision = get_seminar(store, "demo").revision
    assert corpus.reanchor_document(store, doc, actor=Actor.console()).orphans == [a.id]
    assert get_annotation(store, a.id, "demo").anchor_status == AnchorStatus.ORPHAN
    assert get_seminar(store, "demo").revision == revision + 1
    corpus.reanchor_document(store, doc, actor=Actor.console())  # nothing changes the second time
    assert get_seminar(store, "demo").revision == revision + 1


def test_fuzzy_reanchor_is_flagged_for_review(store: Store, tmp_path: Path) -> None:
    doc = "steel-and-sacrifice"
    text = corpus.get_text(store, doc).text
    quote = "Building Stalin’s Industrial Empire"
    start = text.index(quote)
    a = create_annotation(store, seminar="demo", document_id=doc, start=start,
                          end=start + len(quote), quote=quote, annotator="ada")
    corpus.load_corpus(store, _changed_corpus(tmp_path, quote,
                                              "Building Stalin’s Industrial Emprie"))
    report = corpus.reanchor_document(store, doc, actor=Actor.console())
    assert report.review == [a.id] and report.orphans == []
    moved = get_annotation(store, a.id, "demo")
    assert moved.anchor_status == AnchorStatus.REVIEW
    assert corpus.get_text(store, doc).text[moved.start:moved.end] == moved.quote


def test_reanchor_unknown_document(store: Store) -> None:
    with pytest.raises(NotFound, match="no document"):
        corpus.reanchor_document(store, "no-such-doc", actor=Actor.console())


def _add(store: Store, data: bytes, **kw: str) -> tuple[str, str, tuple[str, ...]]:
    args = {"name": "upload.txt", "title": "An Uploaded Essay", "perspective": "textbook"}
    args.update(kw)
    return corpus.add_text(store, data, actor=Actor.console(), **args)  # type: ignore[arg-type]


def test_add_text_derives_a_stable_slug(store: Store) -> None:
    doc_id, outcome, warnings = _add(store, "Über die “Säuberungen” 1936–38".encode(),
                                     title="Über die Säuberungen, 1936–38")
    assert (doc_id, outcome, warnings) == ("uber-die-sauberungen-1936-38", "added", ())
    assert _add(store, "Über die “Säuberungen” 1936–38".encode(),
                title="Über die Säuberungen, 1936–38")[1] == "unchanged"
    assert _add(store, b"a second version", title="Über die Säuberungen, 1936–38")[1] == \
        "new version"


def test_add_text_keeps_an_explicit_id(store: Store) -> None:
    assert _add(store, b"text", document_id="my-doc")[0] == "my-doc"
    with pytest.raises(InvalidInput, match="not a valid id"):
        _add(store, b"text", document_id="My Doc")


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "empty"),
        ("Gr\u00fc\u00dfe".encode("latin-1"), "not UTF-8"),
        (b"PK\x03\x04\x00\x00binary", "binary"),
        (b"\n \n", "white space"),
    ],
)
def test_add_text_rejections(store: Store, data: bytes, match: str) -> None:
    with pytest.raises(TextRejected, match=match):
        _add(store, data)
    assert len(corpus.list_texts(store)) == 3


def test_add_text_size_limit(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANNOTATIONS_MAX_TEXT_BYTES", "100")
    _add(store, b"x" * 100, document_id="at-limit")
    with pytest.raises(TextRejected, match="ANNOTATIONS_MAX_TEXT_BYTES"):
        _add(store, b"x" * 101, document_id="over-limit")


def test_add_text_needs_title_and_perspective(store: Store) -> None:
    with pytest.raises(InvalidInput, match="title"):
        _add(store, b"text", title=" ")
    with pytest.raises(InvalidInput, match="perspective"):
        _add(store, b"text", perspective="")


def test_crlf_and_bom_are_stored_byte_for_byte(store: Store) -> None:
    data = "\ufeffFirst line\r\nSecond “line”\r\n".encode()
    doc_id, _, warnings = _add(store, data, document_id="windows-file")
    assert len(warnings) == 2
    stored = corpus.get_text(store, doc_id)
    assert stored.text.encode() == data
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    start = stored.text.index("Second")
    assert start == 1 + len("First line") + 2  # BOM and CR count
    a = create_annotation(store, seminar="demo", document_id=doc_id, start=start,
                          end=start + 6, quote="Second", annotator="ada")
    assert a.prefix == "\ufeffFirst line\r\n"
