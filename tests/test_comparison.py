"""The framing comparison on the real corpus: passages, evidence, tables, charts."""

import pytest

from annotations import comparison, corpus
from annotations.annotation import Filters, create_annotation, list_annotations
from annotations.framing.analysis import analyse, extract_claims
from annotations.suggestion import source_text


@pytest.fixture
def loaded(store):
    versions = [corpus.get_text(store, t.document_id) for t in corpus.list_texts(store)]
    analyses = [analyse(source_text(v)) for v in versions]
    return store, versions, analyses


def test_famine_is_a_shared_theme_with_passages_in_every_text(loaded):
    _, versions, analyses = loaded
    assert "famine" in comparison.shared_themes(analyses)
    by_doc = {v.document_id: comparison.passages(v, a, "famine", [])
              for v, a in zip(versions, analyses, strict=True)}
    assert all(by_doc.values()), by_doc.keys()
    for found in by_doc.values():
        for p in found:
            assert "famin" in p.text.lower() or "starv" in p.text.lower() or p.themes


def test_passage_evidence_is_relative_and_exact(loaded):
    _, versions, analyses = loaded
    for v, a in zip(versions, analyses, strict=True):
        for p in comparison.passages(v, a, "gulag", []):
            for m in p.metrics:
                for (s, e), (_, _, words) in zip(p.evidence(m.name), m.evidence, strict=True):
                    assert p.text[s:e] == words


def test_seminar_annotations_join_their_passage_and_code_table(loaded):
    store, versions, analyses = loaded
    text = corpus.get_text(store, "steel-and-sacrifice").text
    phrase = "Stalin denied the famine"
    i = text.index(phrase)
    create_annotation(store, seminar="demo", document_id="steel-and-sacrifice", start=i,
                      end=i + len(phrase), quote=phrase, annotator="Ana",
                      perspective="popular history", codes=["omission", "hedging"])
    notes = list_annotations(store, Filters(seminar="demo"))
    v, a = next((v, a) for v, a in zip(versions, analyses, strict=True)
                if v.document_id == "steel-and-sacrifice")
    inside = [p for p in comparison.passages(v, a, "famine", notes) if p.annotations]
    assert len(inside) == 1 and inside[0].start <= i < inside[0].end
    table = comparison.code_table(notes, {"steel-and-sacrifice": "popular history"})
    assert sorted(table["code"]) == ["hedging", "omission"]
    assert table["annotation_ids"].iloc[0] == [notes[0].id]
    chart = comparison.codes_chart(table).to_dict()
    assert chart["mark"]["type"] == "bar"


def test_metric_table_and_claims_for_theme(loaded):
    _, versions, analyses = loaded
    table = comparison.metric_table(analyses)
    assert set(table["document_id"]) == {v.document_id for v in versions}
    assert set(table["metric"]) <= set(comparison.COMPARED_METRICS)
    claims = [c for v in versions for c in extract_claims(source_text(v))]
    deaths = comparison.claims_for_theme(claims, "death_tolls")
    assert {"nobody"} < set(deaths["attributed_to"])
    both = deaths.dropna(subset=["value_low", "value_high"])
    assert (both["value_low"] <= both["value_high"]).all()
    # issue 12: "up to 50 million" is an upper bound, its lower side empty
    upper = deaths[deaths["bound"] == "upper"]
    assert len(upper) and upper["value_low"].isna().all()
    groups = comparison.aligned_groups(claims, "death_tolls", 2.0)
    assert (groups["low"] <= groups["high"]).all()
    # issue 12: Mao's victims are never grouped with Stalin's, whatever the theme
    mao = groups[groups["figures"].str.contains("around 70 million")]
    assert len(mao) == 1 and "up to 50 million" not in mao["figures"].iloc[0]
    famine = comparison.aligned_groups(claims, "famine", 2.0)
    china = [f for f in famine["figures"] if "some 30M" in f]
    assert china and all("3.5 to 5 million" not in f and "six and seven" not in f for f in china)
