"""Issue 12 patterns on small synthetic texts: voices, block-quotation attribution, endnote
scope, periods, bounds, non-claims, hedges in context, alignment by place, checks."""

from __future__ import annotations

from framing_synthetic import claim, source

from annotations.document import Paratext, SourceText
from annotations.framing import Parser, analyse, extract_claims, extract_voices
from annotations.framing.alignment import align
from annotations.framing.analysis import consistency_checks
from annotations.suggestion import suggestions_for

BLOCK = (
    "The debate turned on one book. Here is Moreau:\n\n"
    "    Of the 40,000 inhabitants, at least 9,000 vanished between 1801 and 1805. (1)\n\n"
    "The author adds that about 2,000 of them came back.\n\n"
    "Notes\n1. Jeanne Moreau, A Quiet Province (Lyon, 1990).\n"
)


def block_source() -> SourceText:
    start = BLOCK.index("Notes")
    return source(BLOCK, paratext=(Paratext("endnotes", start, len(BLOCK)),))


def test_block_quotation_is_its_speakers_voice_and_its_figures_are_credited_to_her(
    parser: Parser,
) -> None:
    src = block_source()
    voices = extract_voices(src, parser)
    block = next(v for v in voices if v.kind == "block_quotation")
    assert block.speaker == "Moreau"
    assert src.text[block.start : block.end].startswith("Of the 40,000")
    assert not src.text[block.start : block.end].endswith("(1)")  # the note call is not quoted
    claims = extract_claims(src, parser)
    vanished = claim(claims, "9,000")
    assert vanished.attributed_to == "Moreau" and vanished.attribution_from == "voice"
    assert (vanished.period_start, vanished.period_end) == (1801, 1805)
    assert (vanished.value_low, vanished.value_high, vanished.bound) == (9000, None, "lower")
    # after the quotation the author speaks again: no voice, no note in the sentence
    back = claim(claims, "2,000")
    assert back.attributed_to == "" and back.bound == "approx"
    endnotes = next(v for v in voices if v.kind == "paratext")
    assert endnotes.speaker == "endnotes"


def test_an_endnote_covers_only_the_sentence_that_calls_it(parser: Parser) -> None:
    text = (
        "Martin counted 12,000 arrests in 1794 (1). Another 3,000 people fled in 1795.\n\n"
        "Notes\n1. Paul Martin, The Count (Paris, 2001).\n"
    )
    src = source(text, paratext=(Paratext("endnotes", text.index("Notes"), len(text)),))
    claims = extract_claims(src, parser)
    called = claim(claims, "12,000")
    assert called.attribution_from in ("endnote", "named") and "Martin" in called.attributed_to
    assert "note 1" in called.attributed_to
    later = claim(claims, "3,000")
    assert later.attributed_to == "" and later.attribution_from == "none"


def test_a_neighbouring_anecdote_does_not_date_a_figure(parser: Parser) -> None:
    text = (
        "At the 1945 conference, when asked how many had died, the minister raised ten "
        "fingers, an admission of ten million deaths.\n\n"
        "Between 1930 and 1933 some 20,000 farms were seized.\n"
    )
    claims = extract_claims(source(text), parser)
    deaths = claim(claims, "ten million")
    assert (deaths.period_start, deaths.period_end) == (None, None)
    farms = claim(claims, "20,000")
    assert (farms.period_start, farms.period_end) == (1930, 1933) and farms.bound == "approx"


def test_a_publication_year_is_not_a_period(parser: Parser) -> None:
    text = "In 1986 the historian Anne Roy claimed that 5,000 villagers had been deported.\n"
    deported = claim(extract_claims(source(text), parser), "5,000")
    assert (deported.period_start, deported.period_end) == (None, None)
    assert "Roy" in deported.attributed_to
    assert "deported" in deported.counted


def test_non_claims_are_left_out(parser: Parser) -> None:
    text = (
        "Chapter 4, Section 2: The Riots\n\n"
        "He lived at 12 rue des Lilas and was 31 when he died. He raised his two hands. "
        "Historians give three reasons for the riots. Some 8,000 workers struck in 1906.\n"
    )
    quotes = [c.quote for c in extract_claims(source(text), parser)]
    assert quotes == ["Some 8,000"]


def test_bounds_keep_the_open_side_empty(parser: Parser) -> None:
    text = (
        "In 1920 more than 1,600 rebels were shot. Up to half a million people fled in 1921. "
        "Between 2,000 and 4,800 people drowned in 1922. Fewer than one victim in ten was a "
        "noble in 1923.\n"
    )
    claims = extract_claims(source(text), parser)
    shot = claim(claims, "1,600")
    assert (shot.value_low, shot.value_high, shot.bound) == (1600, None, "lower")
    assert shot.quote == "more than 1,600" and "shot" in shot.counted
    fled = claim(claims, "half a million")
    assert (fled.value_low, fled.value_high, fled.bound) == (None, 500_000, "upper")
    drowned = claim(claims, "2,000")
    assert (drowned.value_low, drowned.value_high, drowned.bound) == (2000, 4800, "range")
    share = claim(claims, "one victim in ten")
    assert (share.value_low, share.value_high, share.kind) == (None, 10.0, "share")


def test_quotations_and_comments_are_not_the_authors_voice(parser: Parser) -> None:
    comments = "Reader comments\n\nJo Smith:\nI think perhaps 300 died in my village in 1920.\n"
    text = (
        'The general wrote to Paris: "I have crushed them all." Perhaps he lied.\n\n' + comments
    )
    src = source(text, paratext=(Paratext("reader comments", text.index("Reader"), len(text)),))
    voices = extract_voices(src, parser)
    quote = next(v for v in voices if v.kind == "quotation")
    assert text[quote.start : quote.end] == "I have crushed them all."
    comment = next(v for v in voices if v.kind == "comment")
    assert comment.speaker == "Smith"
    a = analyse(src, parser)
    hedges = [t for _, _, t in a.metric("hedges").evidence]
    assert hedges == ["Perhaps"]  # the commenter's "I think perhaps" is not the author's
    assert not a.metric("first_person").evidence  # "I have crushed" and "I think" are not hers
    assert any(k.startswith("comment: Smith") for k in a.voices)
    died = claim(extract_claims(src, parser), "300")
    assert died.attributed_to == "Smith" and died.attribution_from == "voice"


def test_hedges_are_read_in_context(parser: Parser) -> None:
    text = (
        "The officers feared they would be next. Historians estimate that the estimates are "
        "too low. The Law of Suspects was passed. I suspect that the count is low. It may be "
        "that the figure is right. The letter is supposed to have been forged.\n"
    )
    a = analyse(source(text), parser)
    hedges = [t for _, _, t in a.metric("hedges").evidence]
    assert hedges == ["suspect", "may", "supposed"]


def test_possible_hedges_a_proposition_not_what_is_enabled(parser: Parser) -> None:
    text = (
        "The railway made possible the export of grain. The treaty made it possible to trade. "
        "They fled as soon as possible and did everything possible. It is possible that the "
        "count is low. A possible cause was the drought.\n"
    )
    a = analyse(source(text), parser)
    hedges = [(t, text.rfind(".", 0, s)) for s, _, t in a.metric("hedges").evidence]
    assert [t for t, _ in hedges] == ["possible", "possible"]
    assert all(text[s + 1 :].lstrip().startswith(("It is", "A possible")) for _, s in hedges)


def test_alignment_never_mixes_places_or_eras(parser: Parser) -> None:
    france = source(
        "In France some 17,000 people were executed between 1793 and 1794.\n", "france-a"
    )
    france_b = source("Nearly 16,600 people were executed in France in 1793.\n", "france-b")
    russia = source(
        "In Russia around 140,000 people were executed between 1917 and 1922.\n", "russia"
    )
    claims = [c for s in (france, france_b, russia) for c in extract_claims(s, parser)]
    groups = align(claims, factor=2.0)
    by_doc = {c.document_id: g for g in groups for c in g.claims}
    assert by_doc["france-a"] is by_doc["france-b"]
    assert by_doc["russia"] is not by_doc["france-a"]
    assert by_doc["france-a"].measure == "executions" and not by_doc["france-a"].disagree
    loose = align(claims, factor=1.01)
    assert next(g for g in loose if len(g.claims) == 2).disagree


def test_checks_find_arithmetic_dates_and_credits(parser: Parser) -> None:
    a = source(
        "In 1937 and 1938 the police shot 681,692 people. Over those two years, that "
        "averages to over 1,000 executions a day.\n\n"
        "The Law of Suspects was drafted by Pierre Lenoir. The king died on 21 January 1793, "
        "with Pierre Lenoir beside him.\n",
        "text-a",
    )
    b = source(
        "The Law of Suspects was drafted by Louis Marchand. The king died on 21 January 1794, with "
        "Pierre Lenoir beside him.\n",
        "text-b",
    )
    checks = consistency_checks([a, b], parser)
    kinds = {(c.document_id, c.kind) for c in checks}
    assert ("text-a", "arithmetic") in kinds
    assert {("text-a", "date"), ("text-b", "date")} <= kinds
    assert {("text-a", "credit"), ("text-b", "credit")} <= kinds
    arithmetic = next(c for c in checks if c.kind == "arithmetic")
    assert "about 933 a day" in arithmetic.message and arithmetic.message.startswith("Check this")
    texts = {"text-a": a.text, "text-b": b.text}
    assert all(texts[c.document_id][c.start : c.end] == c.quote for c in checks)
    # offered in the workspace as suggestions to review, with no code chosen for the student
    offered = suggestions_for(analyse(a, parser), extract_claims(a, parser), checks)
    check = next(s for s in offered if s.source == "check:arithmetic")
    assert check.quote == a.text[check.start : check.end] and check.codes == ()
    assert not [s for s in offered if s.document_id != "text-a"]


def test_a_figure_in_someones_letter_is_credited_to_its_writer(parser: Parser) -> None:
    text = (
        "Relief was slow. Image: Trevelyan’s October 1846 letter to the Treasury asking leave "
        "to buy 20,000 tons of maize for the western districts.\n"
    )
    maize = claim(extract_claims(source(text), parser), "20,000")
    assert "Trevelyan" in maize.attributed_to


def test_note_calls_in_brackets_are_read_like_parenthesised_ones(parser: Parser) -> None:
    for call, line in (("[1]", "[1]"), ("[1]", "1."), (" (1)", "[1]")):
        text = (
            f"Martin counted 12,000 arrests in 1794.{call} Another 3,000 people fled in 1795.\n\n"
            f"Notes\n{line} Paul Martin, The Count (Paris, 2001).\n"
        )
        src = source(text, paratext=(Paratext("endnotes", text.index("Notes"), len(text)),))
        claims = extract_claims(src, parser)
        assert [c.quote for c in claims if "1" == c.quote.strip("[]")] == []  # not a figure
        called = claim(claims, "12,000")
        assert "Martin" in called.attributed_to and "note 1" in called.attributed_to
        assert claim(claims, "3,000").attributed_to == ""


def test_a_death_rate_per_thousand_is_one_rate_not_a_count_of_a_thousand(
    parser: Parser,
) -> None:
    text = "In the worst parishes mortality reached 30 per 1,000 in 1847.\n"
    claims = extract_claims(source(text), parser)
    assert [c.quote for c in claims] == ["30 per 1,000"]
    rate = claims[0]
    assert (rate.value_low, rate.unit, rate.kind) == (30, "per 1,000", "rate")
    assert rate.counted == "deaths"
    assert (rate.period_start, rate.period_end) == (1847, 1847)
