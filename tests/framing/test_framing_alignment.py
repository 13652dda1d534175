"""Alignment keyed on each figure's own parse (issue 12): what is counted, the kind, the
place, the event its clause names and the period; never on a theme word list built for
other texts. Synthetic sentences on topics the seed texts do not cover."""

from __future__ import annotations

from annotations.document import DocumentMeta, SourceText, sha256_hex
from annotations.framing import Parser, extract_claims
from annotations.framing.alignment import ClaimGroup, align
from annotations.framing.models import Claim


def _claims(parser: Parser, texts: dict[str, str]) -> list[Claim]:
    out: list[Claim] = []
    for doc_id, text in texts.items():
        meta = DocumentMeta(doc_id, doc_id, "test", author="The Author")
        out += extract_claims(SourceText(meta, text, sha256_hex(text.encode())), parser)
    return out


def _group_of(groups: list[ClaimGroup]) -> dict[str, ClaimGroup]:
    return {c.document_id: g for g in groups for c in g.claims}


def test_the_same_deaths_align_though_one_text_names_the_camps(parser: Parser) -> None:
    # a theme list sent these two apart (one sentence speaks of camps, the other does not)
    claims = _claims(parser, {
        "a": "In Cambodia about 1.7 million people died between 1975 and 1979.\n",
        "b": "Some 2 million people died in the labour camps of Cambodia between 1975 and 1979.\n",
    })  # fmt: skip
    by_doc = _group_of(align(claims))
    assert by_doc["a"] is by_doc["b"]
    assert by_doc["a"].measure == "deaths" and by_doc["a"].place == "Cambodia"
    assert not by_doc["a"].disagree  # 2 / 1.7 is within the default factor of 2


def test_deaths_in_different_settings_stay_apart(parser: Parser) -> None:
    claims = _claims(parser, {
        "mines": "Between 1930 and 1937 some 3.5 million people died in the mines.\n",
        "villages": "Between 1930 and 1937 some 11 million people died in the countryside.\n",
    })  # fmt: skip
    by_doc = _group_of(align(claims))
    assert "mine" in by_doc["mines"].event and "countryside" in by_doc["villages"].event
    assert by_doc["mines"] is not by_doc["villages"]


def test_a_named_famine_is_not_put_beside_another_countrys(parser: Parser) -> None:
    claims = _claims(parser, {
        "china": "The famine killed some 30 million people in China.\n",
        "ukraine": "The famine killed some 4 million people in Ukraine.\n",
        "ukraine-b": "About 3.9 million people died in the famine in Ukraine.\n",
    })  # fmt: skip
    by_doc = _group_of(align(claims))
    assert "famine" in by_doc["china"].event
    assert by_doc["china"] is not by_doc["ukraine"]
    assert by_doc["ukraine"] is by_doc["ukraine-b"]


def test_figures_that_state_no_period_place_or_event_are_not_guessed_into_a_group(
    parser: Parser,
) -> None:
    # an undated, placeless figure used to join the only dated group of its measure
    claims = _claims(parser, {
        "dated": "Between 1861 and 1865 about 620,000 soldiers died.\n",
        "dated-b": "Between 1861 and 1865 some 750,000 soldiers died.\n",
        "bare": "Ten million soldiers died.\n",
    })  # fmt: skip
    by_doc = _group_of(align(claims))
    assert by_doc["dated"] is by_doc["dated-b"]
    assert by_doc["bare"] is not by_doc["dated"]


def test_the_event_comes_from_the_clause_not_from_the_source(parser: Parser) -> None:
    claims = _claims(parser, {
        "a": "A famine that killed some 30 million people followed the harvest.\n",
        "b": "Greer counted 16,594 death sentences passed by revolutionary courts.\n",
    })  # fmt: skip
    famine = next(c for c in claims if c.document_id == "a")
    courts = next(c for c in claims if c.document_id == "b")
    assert "famine" in famine.event.split(", ")
    assert "court" in courts.event.split(", ") and "greer" not in courts.event


def test_a_figure_that_restates_another_takes_its_measure(parser: Parser) -> None:
    claims = _claims(parser, {
        "a": "A study estimated that about 170,000 inhabitants of the region died in the war "
        "of 1793-1796. Higher totals, up to about 250,000, have also been suggested.\n",
    })  # fmt: skip
    low, high = sorted(claims, key=lambda c: c.start)
    assert low.category == high.category == "deaths"
    assert [len(g.claims) for g in align(claims)] == [2]


def test_an_undated_figure_joins_the_figure_its_source_gave(parser: Parser) -> None:
    claims = _claims(parser, {
        "essay": "According to Jane Holt, about 40,000 people died in the rising.\n",
        "study": "A study led by Jane Holt estimated that about 42,000 people died in the "
        "rising of 1830-1831.\n",
        "port": "Between 1850 and 1852 about 5,000 people died in the harbour.\n",
    })  # fmt: skip
    by_doc = _group_of(align(claims))
    assert by_doc["essay"] is by_doc["study"]
    assert by_doc["port"] is not by_doc["study"]


def test_a_figure_two_groups_could_take_joins_the_one_it_agrees_with(parser: Parser) -> None:
    claims = _claims(parser, {
        "siege": "Between 1940 and 1942 about 30,000 people died in the siege.\n",
        "siege-b": "Between 1940 and 1942 some 32,000 people died in the siege.\n",
        "blockade": "Between 1941 and 1942 about 900,000 people died in the blockade.\n",
        "open": "Between 1940 and 1942 about 31,000 people died.\n",
    })  # fmt: skip
    by_doc = _group_of(align(claims, factor=1.01))
    assert by_doc["open"] is by_doc["siege"] is by_doc["siege-b"]
    assert by_doc["blockade"] is not by_doc["siege"]
    assert by_doc["siege"].disagree  # the seminar's factor flags; it does not regroup


def test_what_befell_the_counted_is_read_in_text_order(parser: Parser) -> None:
    # the flow through the camps, though the sentence goes on to a later exile
    claims = _claims(parser, {
        "a": "Between 1929 and 1953 some 18 million people passed through the camps and "
        "were later sent into exile.\n",
        "b": "Between 1929 and 1953 about 16 million people entered the camps.\n",
    })  # fmt: skip
    by_doc = _group_of(align(claims))
    assert by_doc["a"] is by_doc["b"] and by_doc["a"].measure == "prisoners"


def test_a_coordinated_population_is_not_its_first_member(parser: Parser) -> None:
    # "peasants and working people" took the measure of "peasants" alone
    claims = _claims(parser, {
        "both": "Between 1793 and 1794, peasants and working people made up nearly 60 percent "
        "of those condemned.\n",
        "one": "Between 1793 and 1794, peasants made up about 28 percent of those condemned.\n",
    })  # fmt: skip
    by_doc = _group_of(align(claims))
    assert " and " in by_doc["both"].measure
    assert by_doc["both"] is not by_doc["one"]


def test_a_total_that_adds_more_members_is_not_the_figure_it_sums(parser: Parser) -> None:
    # "the total" took the measure of the largest figure before it, though the text
    # says it includes many more who died
    claims = _claims(parser, {
        "sum": "Between 1850 and 1852 the courts passed 2,400 death sentences. Many more died "
        "in the prisons; the total is about 9,000.\n",
        "courts": "Between 1850 and 1852 the courts passed some 2,500 death sentences.\n",
        "dead": "Between 1850 and 1852 about 8,000 people died.\n",
    })  # fmt: skip
    total = next(c for c in claims if c.quote.endswith("9,000"))
    assert total.category == "deaths"
    groups = align(claims)
    group_of = {c.claim_id: g for g in groups for c in g.claims}
    courts = next(c for c in claims if c.document_id == "courts")
    dead = next(c for c in claims if c.document_id == "dead")
    assert group_of[total.claim_id] is not group_of[courts.claim_id]
    assert group_of[total.claim_id] is group_of[dead.claim_id]


def test_a_town_the_tagger_misses_keeps_its_figure_apart(parser: Parser) -> None:
    # the small model tags "Lyon" here as a person, so the figure had no place and
    # joined a count of the whole country's executions on the period alone
    claims = _claims(parser, {
        "town": "Between 1793 and 1794 more than 1,600 citizens of rebel Lyon were shot.\n",
        "country": "Around 17,000 people were executed between 1793 and 1794.\n",
    })  # fmt: skip
    town = next(c for c in claims if c.document_id == "town")
    assert town.place == "Lyon"
    by_doc = _group_of(align(claims))
    assert by_doc["town"] is not by_doc["country"]


def test_a_placeless_figure_joins_a_place_its_own_text_names(parser: Parser) -> None:
    claims = _claims(parser, {
        "named": "In France some 17,000 people were executed between 1793 and 1794.\n",
        "scope": "France was at war. Around 17,000 people were executed between 1793 and "
        "1794.\n",
        "other": "Around 16,000 people were executed between 1793 and 1794.\n",
    })  # fmt: skip
    within = _group_of(align([c for c in claims if c.document_id != "other"]))
    assert within["scope"] is within["named"]
    without = _group_of(align([c for c in claims if c.document_id != "scope"]))
    assert without["other"] is not without["named"]  # its text never names France


def test_a_plural_scale_alone_is_a_claim_but_not_a_figure_to_align(parser: Parser) -> None:
    """"millions of deaths" is a claim of the ledger (1 to 10 million, a range), but a word
    that spans a factor of ten by itself is not set beside stated figures."""
    claims = _claims(parser, {
        "a": "In Cambodia the regime caused millions of deaths between 1975 and 1979.\n",
        "b": "In Cambodia about 1.7 million people died between 1975 and 1979.\n",
        "c": "In Cambodia some 2 million people died between 1975 and 1979.\n",
    })  # fmt: skip
    [vague] = [c for c in claims if c.document_id == "a"]
    assert (vague.quote, vague.value_low, vague.value_high, vague.bound) == (
        "millions", 1_000_000, 10_000_000, "range")
    by_doc = _group_of(align(claims))
    assert "a" not in by_doc and by_doc["b"] is by_doc["c"]
