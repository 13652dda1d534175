"""Machine suggestions: derived from real framing evidence, accepted or rejected once."""

import io

import pytest

from annotations import corpus, export
from annotations.annotation import Filters, list_annotations
from annotations.framing.analysis import analyse, extract_claims
from annotations.suggestion import (
    accept,
    open_suggestions,
    reject,
    source_text,
    suggestions_for,
)


@pytest.fixture(scope="module")
def polemic_suggestions(tmp_path_factory):
    from pathlib import Path

    from annotations.db.engine import Store

    s = Store.open(f"sqlite:///{tmp_path_factory.mktemp('s') / 'x.db'}")
    corpus.load_corpus(s, Path(__file__).resolve().parent.parent / "texts")
    version = corpus.get_text(s, "stalinism-inner-truth")
    src = source_text(version)
    found = suggestions_for(analyse(src), extract_claims(src))
    s.dispose()
    return version.text, found


def test_suggestions_point_at_their_words(polemic_suggestions):
    text, found = polemic_suggestions
    assert found
    assert all(text[s.start:s.end] == s.quote for s in found)
    hedges = [s for s in found if s.source == "framing:hedges"]
    assert any(s.quote.lower().startswith("may") for s in hedges)
    assert all(s.codes == ("hedging",) for s in hedges)


def test_accept_edit_reject(store, polemic_suggestions):
    _, found = polemic_suggestions
    first, second = found[0], found[1]
    offered = open_suggestions(store, "demo", "Ana", found)
    assert [s.key for s in offered] == [s.key for s in found]
    saved = accept(store, "demo", "Ana", first, note="checked")
    again = accept(store, "demo", "Ana", first, note="checked")
    assert again.id == saved.id and saved.source == first.source
    reject(store, "demo", "Ana", second)
    remaining = {s.key for s in open_suggestions(store, "demo", "Ana", found)}
    assert first.key not in remaining and second.key not in remaining
    assert len(open_suggestions(store, "demo", "Ben", found)) == len(found)
    assert len(list_annotations(store, Filters(seminar="demo"))) == 1
    out = io.StringIO()
    export.export_annotations(store, out)
    assert f"Ana [suggested by {first.source}]" in out.getvalue()
