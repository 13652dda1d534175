"""W3C Web Annotation JSON-LD: conformance to the model's MUST tests, round trips, bad input.

The conformance data the tests use is vendored in tests/data/w3c-annotation-model
(with its licence), so a fresh clone needs nothing beside it.
"""

from __future__ import annotations

import copy
import io
import json
import sys
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft4Validator, FormatChecker  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from annotations import cli, codebook, corpus, export, jsonld
from annotations.annotation import Filters, add_reply, create_annotation, list_annotations
from annotations.codebook import CodeSpec, PerspectiveSpec
from annotations.db.engine import Store
from annotations.errors import AnnotationsError, ImportRejected
from annotations.names import clean_name
from annotations.seminar import create_seminar, seminar_id

REPO = Path(__file__).resolve().parents[1]
CONFORMANCE = Path(__file__).resolve().parent / "data" / "w3c-annotation-model" / "annotation-model"
ANNOTATION_MUSTS = (
    "annotations/annotationMusts.test",
    "bodiesTargets/bodyMusts.test",
    "bodiesTargets/targetMusts.test",
    "specificResource/specificResourceMusts.test",
)
DOC = "steel-and-sacrifice"
OTHER_DOC = "allied-powers-ussr"


# --- conformance harness (the recipe of the conformance README) ------------------------


@cache
def _registry() -> Registry:  # type: ignore[type-arg]
    assert CONFORMANCE.is_dir(), f"W3C conformance data not found at {CONFORMANCE}"
    return Registry().with_resources(
        (p.name, Resource.from_contents(json.loads(p.read_text()),
                                        default_specification=DRAFT4))
        for p in (CONFORMANCE / "definitions").glob("*.json"))


@cache
def _must_schemas(test_file: str) -> tuple[tuple[str, bool, Draft4Validator], ...]:
    """(name, want_valid, validator) for every MUST assertion of a .test file."""
    found = []
    for a in json.loads((CONFORMANCE / test_file).read_text())["assertions"]:
        schema = json.loads((CONFORMANCE / a).read_text()) if isinstance(a, str) else a
        if schema.get("assertionType", "must") != "must":
            continue
        want = schema.get("expectedResult", "valid") == "valid"
        validator = Draft4Validator(schema, registry=_registry(),
                                    format_checker=FormatChecker())
        found.append((a if isinstance(a, str) else json.dumps(a)[:80], want, validator))
    assert found, f"{test_file} has no MUST assertions"
    return tuple(found)


def must_failures(doc: Any, test_file: str) -> list[str]:
    return [name for name, want, v in _must_schemas(test_file) if v.is_valid(doc) != want]


# --- factories ---------------------------------------------------------------------------


def _text(store: Store, document_id: str = DOC) -> str:
    return corpus.get_text(store, document_id).text


def _annotate(store: Store, start: int, end: int, *, document_id: str = DOC,
              **kwargs: Any) -> str:
    text = _text(store, document_id)
    kwargs.setdefault("annotator", "Ada")
    view = create_annotation(store, seminar="demo", document_id=document_id, start=start,
                             end=end, quote=text[start:end], **kwargs)
    return view.id


def seed(store: Store) -> None:
    """A note with codes, perspective and replies; a highlight; tags only; another text."""
    first = _annotate(store, 10, 30, perspective="textbook", note="Why <b>this</b>?\nAsk 😀",
                      codes=["hedging", "loaded language"])
    add_reply(store, first, seminar="demo", author="Ben", text="=SUM(A1:A2) agreed")
    add_reply(store, first, seminar="demo", author="Ada", text="second reply")
    _annotate(store, 40, 52, annotator="Ben")
    _annotate(store, 60, 70, codes=["omission"])
    _annotate(store, 5, 25, document_id=OTHER_DOC, perspective="popular history")


def export_doc(store: Store, filters: Filters | None = None) -> dict[str, Any]:
    out = io.StringIO()
    jsonld.export_jsonld(store, out, filters or Filters())
    return json.loads(out.getvalue())


def csv_exports(store: Store) -> tuple[str, str]:
    annotations, replies = io.StringIO(), io.StringIO()
    export.export_annotations(store, annotations)
    export.export_replies(store, replies)
    return annotations.getvalue(), replies.getvalue()


def items_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = doc["first"]["items"]
    return items


def fresh_store(url: str) -> Store:
    """An empty store as the fixtures make it: corpus loaded, seminar `demo` created."""
    s = Store.open(url)
    corpus.load_corpus(s, REPO / "texts")
    create_seminar(s, "demo", "Demo seminar", "DEMO01")
    return s


# --- conformance ---------------------------------------------------------------------------


@pytest.mark.parametrize("test_file", ANNOTATION_MUSTS)
def test_every_exported_annotation_and_reply_passes_the_musts(store: Store,
                                                              test_file: str) -> None:
    seed(store)
    items = items_of(export_doc(store))
    assert {i["motivation"] for i in items} == {
        "commenting", "highlighting", "tagging", "classifying", "replying"}
    for item in items:
        assert must_failures(item, test_file) == [], item["id"]


def test_the_harness_catches_a_broken_annotation(store: Store) -> None:
    seed(store)
    item = copy.deepcopy(items_of(export_doc(store))[0])
    item["target"] = {"source": "urn:x",
                      "selector": {"type": "TextPositionSelector", "start": 3}}
    assert must_failures(item, "specificResource/specificResourceMusts.test")
    del item["target"]
    assert "annotations/3.1-targetKeyFound.json" in must_failures(
        item, "annotations/annotationMusts.test")


@pytest.mark.parametrize("seeded", [True, False], ids=["annotations", "empty"])
def test_collection_and_page_pass_the_musts(store: Store, seeded: bool) -> None:
    if seeded:
        seed(store)
    doc = export_doc(store)
    assert must_failures(doc, "collections/collectionMusts.test") == []
    assert must_failures(doc, "collections/pages/pageMusts.test") == []
    page = {"@context": doc["@context"], **doc["first"]}  # the page on its own
    assert must_failures(page, "collections/pages/pageMusts.test") == []


def test_collection_shape(store: Store) -> None:
    seed(store)
    out = io.StringIO()
    total = jsonld.export_jsonld(store, out, Filters(seminar="demo", code="hedging"))
    doc = json.loads(out.getvalue())
    assert doc["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
    assert doc["type"] == "AnnotationCollection"
    assert doc["id"] == "urn:annotations:collection?=seminar=demo&code=hedging"
    assert doc["first"]["type"] == "AnnotationPage"
    assert doc["first"]["partOf"] == doc["id"] and doc["last"] == doc["first"]["id"]
    assert total == doc["total"] == len(items_of(doc)) == 3  # one annotation, two replies
    anno, *replies = items_of(doc)
    view = list_annotations(store, Filters(code="hedging"))[0]
    assert anno["id"] == f"urn:uuid:{view.id}"
    assert anno["seminar"] == "demo"
    assert anno["creator"] == {"type": "Person", "name": "Ada"}
    assert [(b["purpose"], b["value"]) for b in anno["body"]] == [
        ("commenting", view.note), ("tagging", "hedging"), ("tagging", "loaded language"),
        ("classifying", "textbook")]
    target = anno["target"]
    assert target["source"] == f"urn:annotations:document:{DOC}"
    assert target["sourceSha256"] == view.document_sha256
    assert target["selector"] == [
        {"type": "TextQuoteSelector", "exact": view.quote, "prefix": view.prefix,
         "suffix": view.suffix},
        {"type": "TextPositionSelector", "start": 10, "end": 30}]
    assert [(r["motivation"], r["target"], r["creator"]["name"]) for r in replies] == [
        ("replying", anno["id"], "Ben"), ("replying", anno["id"], "Ada")]


def test_export_is_deterministic(store: Store) -> None:
    seed(store)
    first, second = io.StringIO(), io.StringIO()
    jsonld.export_jsonld(store, first, Filters())
    jsonld.export_jsonld(store, second, Filters())
    assert first.getvalue() == second.getvalue()


# --- round trips ---------------------------------------------------------------------------


@pytest.fixture
def empty_twin(any_store: Store, request: pytest.FixtureRequest, tmp_path: Path
               ) -> Iterator[Store]:
    """A second empty store on the same backend as `any_store`."""
    if any_store.dialect == "postgresql":
        url = request.getfixturevalue("pg_server").create_database()
    else:
        url = f"sqlite:///{tmp_path / 'twin.sqlite3'}"
    twin = fresh_store(url)
    yield twin
    twin.dispose()


def test_round_trip_gives_identical_csv(any_store: Store, empty_twin: Store) -> None:
    """Export, import into an empty store on the same backend: same CSV, same JSON-LD."""
    seed(any_store)
    out = io.StringIO()
    jsonld.export_jsonld(any_store, out, Filters())
    report = jsonld.import_jsonld(empty_twin, out.getvalue())
    assert (report.inserted, report.updated, report.replies) == (4, 0, 2)
    assert report.moved == report.review == report.added_labels == []
    assert csv_exports(empty_twin) == csv_exports(any_store)
    again = io.StringIO()
    jsonld.export_jsonld(empty_twin, again, Filters())
    assert again.getvalue() == out.getvalue()
    # importing the same file twice changes nothing
    report = jsonld.import_jsonld(empty_twin, out.getvalue())
    assert (report.inserted, report.updated, report.replies) == (0, 4, 2)
    assert csv_exports(empty_twin) == csv_exports(any_store)


def test_round_trip_is_exact_with_fields_replies_and_sources(any_store: Store,
                                                             empty_twin: Store) -> None:
    """Export, import into an empty store, export: the same document, structured fields
    (hidden agent, correction, source), replies and suggestion sources read back."""
    seed(any_store)
    agent = _annotate(any_store, 80, 95, codes=["agency and passive voice", "hedging"],
                      fields={"agency and passive voice": {"hidden agent": "the OGPU"}})
    fix = _annotate(any_store, 100, 130, codes=["factual error"], note="check this",
                    fields={"factual error": {"correction": "1928, not 1917",
                                              "source": "Figes, p. 813"}},
                    source="framing:hedge")
    add_reply(any_store, fix, seminar="demo", author="Ben", text="agreed")
    first = export_doc(any_store)
    report = jsonld.import_jsonld(empty_twin, json.dumps(first))
    assert (report.inserted, report.replies) == (6, 3)
    again = export_doc(empty_twin)
    assert again == first
    by_id = {i["id"]: i for i in items_of(again)}
    assert by_id["urn:uuid:" + agent]["fields"] == {
        "agency and passive voice": {"hidden agent": "the OGPU"}}
    assert by_id["urn:uuid:" + fix]["fields"]["factual error"]["source"] == "Figes, p. 813"
    assert csv_exports(empty_twin) == csv_exports(any_store)
    # Importing it again changes nothing; an item without `fields` leaves them alone.
    jsonld.import_jsonld(empty_twin, json.dumps(first))
    assert export_doc(empty_twin) == first
    del by_id["urn:uuid:" + fix]["fields"]
    jsonld.import_jsonld(empty_twin, json.dumps(again))
    assert export_doc(empty_twin) == first


def test_imported_fields_are_checked_against_the_codebook(store: Store, tmp_path: Path
                                                          ) -> None:
    _annotate(store, 100, 130, codes=["factual error"],
              fields={"factual error": {"source": "Figes"}})
    doc = export_doc(store)
    target = fresh_store(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    try:
        items_of(doc)[0]["fields"] = {"factual error": {"invented": "x"}}
        with pytest.raises(ImportRejected, match="item 1: structured fields: code 'factual "
                                                 "error' has no field 'invented': use "
                                                 "'correction', 'source'"):
            jsonld.import_jsonld(target, json.dumps(doc))
        items_of(doc)[0]["fields"] = {"factual error": ["not", "an", "object"]}
        with pytest.raises(ImportRejected, match="item 1: 'fields' must be an object"):
            jsonld.import_jsonld(target, json.dumps(doc))
        assert export_doc(target)["total"] == 0
    finally:
        target.dispose()


def test_filtered_export_round_trips(store: Store, tmp_path: Path) -> None:
    seed(store)
    doc = export_doc(store, Filters(document=OTHER_DOC))
    target = fresh_store(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    try:
        assert jsonld.import_jsonld(target, json.dumps(doc)).inserted == 1
        assert _csv(target, Filters()) == _csv(store, Filters(document=OTHER_DOC))
    finally:
        target.dispose()


def _csv(store: Store, filters: Filters) -> str:
    out = io.StringIO()
    export.export_annotations(store, out, filters)
    return out.getvalue()


def _label() -> st.SearchStrategy[str]:
    chars = st.characters(exclude_categories=["Cs"], exclude_characters=";\r\n\x00")
    return (st.text(chars, min_size=1, max_size=30).map(str.strip)
            .filter(lambda s: bool(s) and s == codebook.check_label(s, "code")))


def _name() -> st.SearchStrategy[str]:
    """Names as `annotations.names.clean_name` stores them (no control or invisible ones)."""
    chars = st.characters(exclude_categories=["Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"],
                          exclude_characters=";")
    return st.text(chars, min_size=1, max_size=30).map(str.strip).filter(_is_clean_name)


def _is_clean_name(s: str) -> bool:
    try:
        return clean_name(s) == s
    except AnnotationsError:
        return False


_TEXT = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
_NOTES = st.one_of(
    st.text(_TEXT, max_size=200),
    st.sampled_from(["", "=1+1", "+cmd|' /C calc'!A0", "-2", "@SUM(A1)", "'=quoted",
                     "<script>alert('x')</script>", "line one\nline two\r\n\ttab",
                     "😀 emoji 👩🏽‍🏫 and ZWJ", '"quotes", commas; semicolons', "\\u0000"]),
)
_ANNOTATIONS = st.lists(
    st.fixed_dictionaries({
        "start": st.integers(0, 400),
        "length": st.integers(1, 60),
        "note": _NOTES,
        "codes": st.lists(st.one_of(_label(), st.sampled_from(["hedging", "=evil", "😀"])),
                          max_size=4),
        "perspective": st.one_of(st.just(""), st.just("textbook"), _label()),
        "annotator": _name(),
        "replies": st.lists(_NOTES.filter(str.strip), max_size=2),
    }),
    min_size=1, max_size=4,
)


def _add_labels(store: Store, codes: set[str], perspectives: set[str]) -> None:
    with store.transaction() as session:
        sid = seminar_id(session, "demo")
        for name in sorted(codes - set(codebook.code_names(session, sid))):
            codebook.add_code(session, sid, CodeSpec(name))
            session.flush()
        for name in sorted(perspectives - set(codebook.perspective_names(session, sid))):
            codebook.add_perspective(session, sid, PerspectiveSpec(name))
            session.flush()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(specs=_ANNOTATIONS)
def test_round_trip_arbitrary_content(specs: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        source = fresh_store(f"sqlite:///{tmp}/source.sqlite3")
        target = fresh_store(f"sqlite:///{tmp}/target.sqlite3")
        try:
            _add_labels(source, {c for s in specs for c in s["codes"]},
                        {s["perspective"] for s in specs if s["perspective"]})
            for spec in specs:
                aid = _annotate(source, spec["start"], spec["start"] + spec["length"],
                                note=spec["note"], codes=spec["codes"],
                                perspective=spec["perspective"], annotator=spec["annotator"])
                for text in spec["replies"]:
                    add_reply(source, aid, seminar="demo", author=spec["annotator"], text=text)
            out = io.StringIO()
            jsonld.export_jsonld(source, out, Filters())
            report = jsonld.import_jsonld(target, out.getvalue())
            assert report.inserted == len(specs)
            assert csv_exports(target) == csv_exports(source)
        finally:
            source.dispose()
            target.dispose()


# --- accepted shapes -------------------------------------------------------------------------


@pytest.mark.parametrize("shape", ["page", "list", "single"])
def test_import_accepts_a_page_a_list_or_one_annotation(store: Store, tmp_path: Path,
                                                        shape: str) -> None:
    _annotate(store, 10, 30, note="n", codes=["hedging"])
    doc = export_doc(store)
    payload = {"page": doc["first"], "list": items_of(doc), "single": items_of(doc)[0]}[shape]
    target = fresh_store(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    try:
        assert jsonld.import_jsonld(target, json.dumps(payload)).inserted == 1
        assert csv_exports(target) == csv_exports(store)
    finally:
        target.dispose()


def test_import_ignores_extra_selectors_and_properties(store: Store, tmp_path: Path) -> None:
    _annotate(store, 10, 30, note="n")
    doc = export_doc(store)
    item = items_of(doc)[0]
    item["target"]["selector"].insert(0, {"type": "XPathSelector", "value": "/p[1]"})
    item["generator"] = {"type": "Software", "name": "someone else"}
    target = fresh_store(f"sqlite:///{tmp_path / 'target.sqlite3'}")
    try:
        jsonld.import_jsonld(target, json.dumps(doc))
        assert csv_exports(target) == csv_exports(store)
    finally:
        target.dispose()


# --- bad input ---------------------------------------------------------------------------------


def _rejected(store: Store, payload: Any) -> ImportRejected:
    before = csv_exports(store)
    text = payload if isinstance(payload, str) else json.dumps(payload)
    with pytest.raises(ImportRejected) as info:
        jsonld.import_jsonld(store, text)
    assert csv_exports(store) == before, "a rejected import wrote something"
    return info.value


def _two_items(store: Store) -> dict[str, Any]:
    """A collection of two annotations (items 1 and 2) and one reply (item 3)."""
    first = _annotate(store, 10, 30, note="first")
    add_reply(store, first, seminar="demo", author="Ben", text="a reply")
    _annotate(store, 40, 52)
    doc = export_doc(store)
    items = items_of(doc)
    items[:] = [items[0], items[2], items[1]]  # annotation, annotation, reply
    for n, item in enumerate(items, start=1):  # ids not in the store: nothing is an update
        item["id"] = f"urn:uuid:00000000-0000-4000-8000-00000000000{n}"
    items[2]["target"] = items[0]["id"]
    return doc


def _single_error(exc: ImportRejected, item: int, *words: str) -> None:
    assert [e.row for e in exc.errors] == [item]
    message = str(exc)
    assert f"item {item}: " in message, message
    for word in words:
        assert word in message, message
    assert "Traceback" not in message


def test_missing_target_names_the_item(store: Store) -> None:
    doc = _two_items(store)
    del items_of(doc)[1]["target"]
    _single_error(_rejected(store, doc), 2, "no target")


def test_unknown_document_names_the_item(store: Store) -> None:
    doc = _two_items(store)
    items_of(doc)[1]["target"]["source"] = "urn:annotations:document:no-such-text"
    _single_error(_rejected(store, doc), 2, "unknown document 'no-such-text'")


def test_foreign_target_source_is_rejected(store: Store) -> None:
    doc = _two_items(store)
    items_of(doc)[0]["target"]["source"] = "http://example.org/page.html"
    _single_error(_rejected(store, doc), 1, "urn:annotations:document:<document_id>")


@pytest.mark.parametrize(("position", "words"), [
    ({"start": "10", "end": 30}, ("start '10' is not a whole number",)),
    ({"start": 10.0, "end": 30}, ("start 10.0 is not a whole number",)),
    ({"start": 10}, ("end None is not a whole number",)),
    ({"start": 30, "end": 10}, ("[30, 10) is not a span",)),
    ({"start": -1, "end": 10}, ("[-1, 10) is not a span",)),
    ({"start": 10**6, "end": 10**6 + 20}, ("out of range", "was not found")),
])
def test_bad_offsets_name_the_item(store: Store, position: dict[str, Any],
                                   words: tuple[str, ...]) -> None:
    doc = _two_items(store)
    item = items_of(doc)[1]
    item["target"]["selector"][1] = {"type": "TextPositionSelector", **position}
    if "out of range" in words:
        item["target"]["selector"][0]["exact"] = "words that are not in the text at all"
    _single_error(_rejected(store, doc), 2, *words)


def test_offsets_that_miss_a_quote_found_elsewhere_are_corrected(store: Store) -> None:
    doc = _two_items(store)
    items_of(doc)[0]["target"]["selector"][1].update(start=11, end=31)
    report = jsonld.import_jsonld(store, json.dumps(doc))
    assert report.moved == ["00000000-0000-4000-8000-000000000001"]


@pytest.mark.parametrize(("change", "item", "words"), [
    (lambda d: items_of(d)[0]["target"]["selector"].pop(0), 1, ("no TextQuoteSelector",)),
    (lambda d: items_of(d)[0].pop("seminar"), 1, ("no seminar",)),
    (lambda d: items_of(d)[0].update(seminar="nope"), 1, ("unknown seminar 'nope'",)),
    (lambda d: items_of(d)[1].update(id="http://example.org/1"), 2, ("not a urn:uuid",)),
    (lambda d: items_of(d)[0].update(created="yesterday"), 1, ("not ISO 8601",)),
    (lambda d: items_of(d)[0].pop("creator"), 1, ("no creator",)),
    (lambda d: items_of(d)[0]["body"][0].update(purpose="assessing"), 1, ("'assessing'",)),
    (lambda d: items_of(d)[0].update(body="just a string"), 1, ("TextualBody",)),
    (lambda d: items_of(d)[0].update(target=["urn:x", "urn:y"]), 1, ("2 target values",)),
    (lambda d: d["first"]["items"].__setitem__(1, "urn:uuid:x"), 2, ("IRI",)),
    (lambda d: items_of(d)[1].update(type="Note"), 2, ("not 'Annotation'",)),
    (lambda d: items_of(d)[2].update(target="urn:uuid:00000000-0000-4000-8000-00000000000f"),
     3, ("reply: reply to unknown annotation",)),
    (lambda d: items_of(d)[2].pop("body"), 3, ("exactly one TextualBody",)),
])
def test_invalid_structure_names_the_item(store: Store, change: Any, item: int,
                                          words: tuple[str, ...]) -> None:
    doc = _two_items(store)
    change(doc)
    _single_error(_rejected(store, doc), item, *words)


def test_every_bad_item_is_listed_in_order(store: Store) -> None:
    doc = _two_items(store)
    del items_of(doc)[2]["creator"]
    items_of(doc)[0]["target"]["source"] = "urn:annotations:document:gone"
    exc = _rejected(store, doc)
    assert [e.row for e in exc.errors] == [1, 3]
    assert "item 1: unknown document 'gone'" in str(exc)
    assert "item 3: has no creator" in str(exc)


@pytest.mark.parametrize(("text", "words"), [
    ("", "the file is empty"),
    ("{\"type\": \"AnnotationCollection\",", "not valid JSON at line 1"),
    ("42", "the top level is a number"),
    ('{"type": "Thing"}', "has type 'Thing'"),
    ('{"type": "AnnotationCollection", "total": 3, "first": "urn:x#p1"}', "not embedded"),
    ('{"type": "AnnotationPage", "items": [], "next": "urn:x#p2"}', "single-page"),
    ('{"type": "AnnotationPage"}', "no 'items' list"),
    ("[" * 100_000, "not valid JSON"),
])
def test_unusable_files_are_rejected_as_a_whole(store: Store, text: str, words: str) -> None:
    exc = _rejected(store, text)
    assert [e.row for e in exc.errors] == [0]
    assert words in str(exc)
    assert "item 0" not in str(exc)


def test_an_empty_collection_imports_nothing(store: Store) -> None:
    report = jsonld.import_jsonld(store, json.dumps(export_doc(store)))
    assert (report.inserted, report.updated, report.replies) == (0, 0, 0)


# --- through the CLI -------------------------------------------------------------------------


def _run(monkeypatch: pytest.MonkeyPatch, *args: str) -> int:
    monkeypatch.setattr(sys, "argv", ["annotations", *args])
    try:
        cli.main()
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def test_cli_round_trip_and_rejection(env_store: str, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    store = Store.open(env_store)
    corpus.load_corpus(store, REPO / "texts")
    create_seminar(store, "demo", "Demo seminar", "DEMO01")
    seed(store)
    exported = tmp_path / "notes.jsonld"
    assert _run(monkeypatch, "export", "--format", "jsonld", "-o", str(exported)) == 0
    assert json.loads(exported.read_text(encoding="utf-8"))["total"] == 6
    assert _run(monkeypatch, "import", str(exported)) == 0
    assert "0 new, 4 updated, 2 replies" in capsys.readouterr().out
    doc = json.loads(exported.read_text(encoding="utf-8"))
    del items_of(doc)[3]["target"]
    bad = tmp_path / "bad.jsonld"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    assert _run(monkeypatch, "import", str(bad)) == 1
    err = capsys.readouterr().err
    assert "item 4: has no target" in err and "Traceback" not in err
    store.dispose()
