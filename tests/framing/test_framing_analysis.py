"""Framing metrics on the seed texts: known spans, evidence integrity, caching."""

from __future__ import annotations

from pathlib import Path

from annotations.document import SourceText
from annotations.framing import Parser, analyse
from annotations.framing.models import DocumentAnalysis


def spans(a: DocumentAnalysis, metric: str) -> list[str]:
    return [text for _, _, text in a.metric(metric).evidence]


def test_every_evidence_span_is_the_text_it_claims(
    corpus: dict[str, SourceText], analyses: dict[str, DocumentAnalysis]
) -> None:
    for doc_id, a in analyses.items():
        text = corpus[doc_id].text
        scopes = [a.metrics] + [p.metrics for p in a.paragraphs]
        for metrics in scopes:
            for m in metrics:
                assert m.count == len(m.evidence) or m.value is not None
                for start, end, quoted in m.evidence:
                    assert text[start:end] == quoted, (doc_id, m.name, start, end)
        for att in a.attributions:
            for ev in (att.sentence, att.reporting, att.source):
                if ev is not None:
                    assert text[ev[0] : ev[1]] == ev[2]


def test_paragraph_counts_add_up_to_the_document(analyses: dict[str, DocumentAnalysis]) -> None:
    for a in analyses.values():
        for m in a.metrics:
            if m.value is None and m.name != "unattributed_sentences":
                total = sum(pm.count for p in a.paragraphs for pm in p.metrics if pm.name == m.name)
                assert total == m.count, m.name


def test_known_agentless_passives(analyses: dict[str, DocumentAnalysis]) -> None:
    steel = spans(analyses["steel-and-sacrifice"], "agentless_passives")
    assert "were forcibly removed" in steel
    assert "were labelled" in steel
    polemic = spans(analyses["stalinism-inner-truth"], "agentless_passives")
    assert "were now officially labelled" in polemic


def test_a_passive_with_its_agent_is_not_agentless(analyses: dict[str, DocumentAnalysis]) -> None:
    # "was described by Pravda as ..." names its agent
    assert not any(
        "described" in s for s in spans(analyses["allied-powers-ussr"], "agentless_passives")
    )


def test_known_hedge_may_have_peaked(
    corpus: dict[str, SourceText], analyses: dict[str, DocumentAnalysis]
) -> None:
    text = corpus["stalinism-inner-truth"].text
    at = text.index("may have peaked")
    assert (at, at + 3, "may") in analyses["stalinism-inner-truth"].metric("hedges").evidence


def test_scare_quotes_and_direct_quotations_with_both_kinds_of_marks(
    analyses: dict[str, DocumentAnalysis],
) -> None:
    polemic = analyses["stalinism-inner-truth"]
    assert "‘socialist’" in spans(polemic, "scare_quotations")
    steel = analyses["steel-and-sacrifice"]
    assert "'kulaks'" in spans(steel, "scare_quotations")
    assert any(s.startswith('"We are 50–100 years') for s in spans(steel, "direct_quotations"))
    # the apostrophe in "Bolsheviks’ experiment" does not close Goldman's quotation
    assert not any(s == "‘the Bolsheviks’" for s in spans(polemic, "direct_quotations"))


def test_attribution_profile_kinds(analyses: dict[str, DocumentAnalysis]) -> None:
    textbook = analyses["allied-powers-ussr"]
    named = {a.source[2] for a in textbook.attributions if a.kind == "named" and a.source}
    assert "declassified Soviet archives" in named
    assert "historian Geoffrey Hosking" in named
    steel = analyses["steel-and-sacrifice"]
    agentless = [
        a.reporting[2] for a in steel.attributions if a.kind == "agentless" and a.reporting
    ]
    assert "reportedly" in agentless
    kinds = {a.kind for a in steel.attributions}
    assert {"named", "agentless", "absent"} <= kinds


def test_endnote_calls_are_counted_in_the_polemic_only(
    analyses: dict[str, DocumentAnalysis],
) -> None:
    assert analyses["stalinism-inner-truth"].metric("endnote_references").count == 15
    assert analyses["steel-and-sacrifice"].metric("endnote_references").count == 0


def test_themes_shared_across_texts(analyses: dict[str, DocumentAnalysis]) -> None:
    for theme in ("collectivisation", "famine", "gulag", "industrialisation"):
        assert all(theme in a.themes for a in analyses.values()), theme
    steel = analyses["steel-and-sacrifice"]
    para = next(p for p in steel.paragraphs if "Holodomor" in _text(steel, p.index))
    assert "famine" in para.themes


def _text(a: DocumentAnalysis, index: int) -> str:
    from annotations.config import PROJECT_ROOT

    p = a.paragraphs[index]
    return (PROJECT_ROOT / "texts" / f"{a.document_id}.txt").read_text(encoding="utf-8")[
        p.start : p.end
    ]


def test_readability_is_computed_and_differs_by_genre(
    analyses: dict[str, DocumentAnalysis],
) -> None:
    ease = {k: a.metric("flesch_reading_ease").value for k, a in analyses.items()}
    assert all(v is not None for v in ease.values())
    assert ease["steel-and-sacrifice"] > ease["stalinism-inner-truth"]


def test_a_second_analysis_does_not_parse_again(
    corpus: dict[str, SourceText], tmp_path: Path
) -> None:
    source = corpus["steel-and-sacrifice"]
    parser = Parser(tmp_path)
    first = analyse(source, parser)
    assert parser.parses == 1
    assert analyse(source, parser) == first
    assert parser.parses == 1
    # a new process: empty memory, the result (and the DocBin) on disk
    fresh = Parser(tmp_path)
    assert analyse(source, fresh) == first
    assert (fresh.parses, fresh.disk_reads, fresh.result_reads) == (0, 0, 1)
    # results gone (e.g. a lexicon changed): the DocBin still saves the parse
    for stale in tmp_path.glob("result-*.pickle"):
        stale.unlink()
    again = Parser(tmp_path)
    assert analyse(source, again) == first
    assert (again.parses, again.disk_reads, again.result_reads) == (0, 1, 0)


def test_a_damaged_result_file_is_recomputed(
    corpus: dict[str, SourceText], tmp_path: Path
) -> None:
    source = corpus["steel-and-sacrifice"]
    first = analyse(source, Parser(tmp_path))
    for cached in tmp_path.glob("result-*.pickle"):
        cached.write_bytes(b"not a pickle")
    assert analyse(source, Parser(tmp_path)) == first


def test_a_changed_text_is_parsed_again(corpus: dict[str, SourceText], tmp_path: Path) -> None:
    source = corpus["steel-and-sacrifice"]
    parser = Parser(tmp_path)
    analyse(source, parser)
    edited = SourceText(source.meta, source.text + "\nA new line.", "0" * 64)
    analyse(edited, parser)
    assert parser.parses == 2
