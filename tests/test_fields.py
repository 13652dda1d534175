"""Structured fields of codes (e.g. factual error: correction and source) on annotations."""

import io
import json

import pytest

from annotations import corpus, export, importer, jsonld
from annotations.annotation import (
    Filters,
    create_annotation,
    get_annotation,
    update_annotation,
)
from annotations.errors import InvalidInput
from annotations.seminar import seminar_codebook

PHRASE = "After seizing power in 1917"
FIX = {"factual error": {"correction": " The October Revolution was in 1917; the plans "
                                        "began in 1928. ", "source": "Figes, p. 813"}}


def _new(store, **kw):
    text = corpus.get_text(store, "steel-and-sacrifice").text
    i = text.index(PHRASE)
    return create_annotation(store, seminar="demo", document_id="steel-and-sacrifice", start=i,
                             end=i + len(PHRASE), quote=PHRASE, annotator="Ana", **kw)


def test_default_codebook_asks_for_fields(store):
    cb = {c.name: c.fields for c in seminar_codebook(store, "demo").codes}
    assert cb["factual error"] == ("correction", "source")
    assert cb["agency and passive voice"] == ("hidden agent",)
    assert cb["hedging"] == ()


def test_values_are_kept_trimmed_and_checked(any_store):
    a = _new(any_store, codes=["factual error"], fields=FIX)
    assert a.fields == {"factual error": {
        "correction": "The October Revolution was in 1917; the plans began in 1928.",
        "source": "Figes, p. 813"}}
    with pytest.raises(InvalidInput, match="has no field 'page'"):
        _new(any_store, codes=["factual error"], fields={"factual error": {"page": "3"}})
    # Values of a code the annotation does not have are not kept.
    b = _new(any_store, codes=["hedging"], fields=FIX)
    assert b.fields == {}


def test_update_keeps_changes_and_drops_values_of_removed_codes(any_store):
    a = _new(any_store, codes=["factual error"], fields=FIX)
    kept = update_annotation(any_store, a.id, seminar="demo", actor="Ana", note="checked")
    assert kept.fields == a.fields
    changed = update_annotation(any_store, a.id, seminar="demo", actor="Ana",
                                fields={"factual error": {"source": "Applebaum"}})
    assert changed.fields == {"factual error": {"source": "Applebaum"}}
    gone = update_annotation(any_store, a.id, seminar="demo", actor="Ana", codes=["hedging"])
    assert gone.fields == {}
    assert get_annotation(any_store, a.id, "demo").fields == {}


def test_values_travel_in_json_ld_and_survive_a_csv_reimport(store):
    a = _new(store, codes=["factual error"], fields=FIX)
    out = io.StringIO()
    jsonld.export_jsonld(store, out, Filters(seminar="demo"))
    item = json.loads(out.getvalue())["first"]["items"][0]
    assert item["fields"] == a.fields
    csv_out = io.StringIO()
    export.export_annotations(store, csv_out)
    importer.import_csv(store, csv_out.getvalue())
    assert get_annotation(store, a.id, "demo").fields == a.fields

